import { rangeKeyword } from '../lib/range-keyword.js';

/** `icmp_seq:0;` the ICMP echo sequence number. */
export const icmpSeq = rangeKeyword('icmp_seq', 0, 65535, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '0');

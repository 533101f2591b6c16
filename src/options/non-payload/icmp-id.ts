import { rangeKeyword } from '../lib/range-keyword.js';

/** `icmp_id:0;` the ICMP echo identifier. */
export const icmpId = rangeKeyword('icmp_id', 0, 65535, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '0');

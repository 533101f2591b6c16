import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_ICMP_ECHO, FACT_ICMP_TYPE, hasEchoFields } from '../matcher.js';

/** `icmp_seq:0;` the ICMP echo sequence number. */
export const icmpSeq = rangeKeyword('icmp_seq', 0, 65535, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '0', { field: { needs: FACT_ICMP_ECHO | FACT_ICMP_TYPE, read: (h) => h.icmpSeq, applies: hasEchoFields } });

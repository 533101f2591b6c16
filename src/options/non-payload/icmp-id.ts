import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_ICMP_ECHO, FACT_ICMP_TYPE, hasEchoFields } from '../matcher.js';

/** `icmp_id:0;` the ICMP echo identifier. */
export const icmpId = rangeKeyword('icmp_id', 0, 65535, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '0', { field: { needs: FACT_ICMP_ECHO | FACT_ICMP_TYPE, read: (h) => h.icmpId, applies: hasEchoFields } });

import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_ICMP_CODE } from '../matcher.js';

/** `icode:0;` the ICMP code. */
export const icode = rangeKeyword('icode', 0, 255, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '0', { field: { needs: FACT_ICMP_CODE, read: (h) => h.icmpCode } });

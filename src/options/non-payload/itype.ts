import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_ICMP_TYPE } from '../matcher.js';

/** `itype:8;` the ICMP type. */
export const itype = rangeKeyword('itype', 0, 255, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '8', { field: { needs: FACT_ICMP_TYPE, read: (h) => h.icmpType } });

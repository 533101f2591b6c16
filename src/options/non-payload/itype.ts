import { rangeKeyword } from '../lib/range-keyword.js';

/** `itype:8;` the ICMP type. */
export const itype = rangeKeyword('itype', 0, 255, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '8');

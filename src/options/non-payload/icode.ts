import { rangeKeyword } from '../lib/range-keyword.js';

/** `icode:0;` the ICMP code. */
export const icode = rangeKeyword('icode', 0, 255, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '0');

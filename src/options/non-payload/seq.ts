import { rangeKeyword } from '../lib/range-keyword.js';

/** `seq:0;` the TCP sequence number. */
export const seq = rangeKeyword('seq', 0, 4294967295, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '0');

import { rangeKeyword } from '../lib/range-keyword.js';

/** `ack:0;` the TCP acknowledgement number. */
export const ack = rangeKeyword('ack', 0, 4294967295, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '0');

import { rangeKeyword } from '../lib/range-keyword.js';

/** `id:31337;` the IPv4 identification field. */
export const id = rangeKeyword('id', 0, 65535, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '31337');

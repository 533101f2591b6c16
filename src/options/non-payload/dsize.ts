import { rangeKeyword } from '../lib/range-keyword.js';

/** `dsize:>100;` the payload size of the packet. */
export const dsize = rangeKeyword('dsize', 0, 65535, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '>100');

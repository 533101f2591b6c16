import { rangeKeyword } from '../lib/range-keyword.js';

/** `window:55808;` the TCP window size. */
export const window = rangeKeyword('window', 0, 65535, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '55808');

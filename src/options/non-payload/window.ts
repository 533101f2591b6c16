import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_TCP_WINDOW } from '../matcher.js';

/** `window:55808;` the TCP window size. */
export const window = rangeKeyword('window', 0, 65535, ['=', '!=', '<', '>', '<=', '>=', '<>', '-'], '55808', { aliases: ['tcp.window'], field: { needs: FACT_TCP_WINDOW, read: (h) => h.window } });

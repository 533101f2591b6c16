import { stickyBuffer } from '../lib/factories.js';

/** `http.stat_code;`: the payload keywords after it inspect the response status code. */
export const httpStatCodeBuffer = stickyBuffer('http.stat_code', 'http.stat_code');

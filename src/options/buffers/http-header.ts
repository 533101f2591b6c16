import { stickyBuffer } from '../lib/factories.js';

/** `http.header;`: the payload keywords after it inspect the normalised headers. */
export const httpHeaderBuffer = stickyBuffer('http.header', 'http.header');

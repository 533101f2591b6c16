import { stickyBuffer } from '../lib/factories.js';

/** `http.header.raw;`: the payload keywords after it inspect the headers as sent. */
export const httpHeaderRawBuffer = stickyBuffer('http.header.raw', 'http.header.raw');

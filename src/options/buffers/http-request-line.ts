import { stickyBuffer } from '../lib/factories.js';

/** `http.request_line;` (also written `http_request_line;`): the payload keywords after it inspect the whole request line. */
export const httpRequestLineBuffer = stickyBuffer('http.request_line', 'http.request_line', { aliases: ['http_request_line'] });

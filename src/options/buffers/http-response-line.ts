import { stickyBuffer } from '../lib/factories.js';

/** `http.response_line;` (also written `http_response_line;`): the payload keywords after it inspect the whole response line. */
export const httpResponseLineBuffer = stickyBuffer('http.response_line', 'http.response_line', { aliases: ['http_response_line'] });

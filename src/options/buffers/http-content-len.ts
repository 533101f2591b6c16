import { stickyBuffer } from '../lib/factories.js';

/** `http.content_len;` (also written `http_content_len;`): the payload keywords after it inspect the Content-Length header value. */
export const httpContentLenBuffer = stickyBuffer('http.content_len', 'http.content_len', { aliases: ['http_content_len'] });

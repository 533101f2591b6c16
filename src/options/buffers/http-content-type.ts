import { stickyBuffer } from '../lib/factories.js';

/** `http.content_type;` (also written `http_content_type;`): the payload keywords after it inspect the Content-Type header value. */
export const httpContentTypeBuffer = stickyBuffer('http.content_type', 'http.content_type', { aliases: ['http_content_type'] });

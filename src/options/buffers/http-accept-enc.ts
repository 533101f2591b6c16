import { stickyBuffer } from '../lib/factories.js';

/** `http.accept_enc;` (also written `http_accept_enc;`): the payload keywords after it inspect the Accept-Encoding header value. */
export const httpAcceptEncBuffer = stickyBuffer('http.accept_enc', 'http.accept_enc', { aliases: ['http_accept_enc'] });

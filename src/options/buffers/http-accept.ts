import { stickyBuffer } from '../lib/factories.js';

/** `http.accept;` (also written `http_accept;`): the payload keywords after it inspect the Accept header value. */
export const httpAcceptBuffer = stickyBuffer('http.accept', 'http.accept', { aliases: ['http_accept'] });

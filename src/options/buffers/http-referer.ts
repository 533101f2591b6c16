import { stickyBuffer } from '../lib/factories.js';

/** `http.referer;` (also written `http_referer;`): the payload keywords after it inspect the Referer header value. */
export const httpRefererBuffer = stickyBuffer('http.referer', 'http.referer', { aliases: ['http_referer'] });

import { stickyBuffer } from '../lib/factories.js';

/** `http.accept_lang;` (also written `http_accept_lang;`): the payload keywords after it inspect the Accept-Language header value. */
export const httpAcceptLangBuffer = stickyBuffer('http.accept_lang', 'http.accept_lang', { aliases: ['http_accept_lang'] });

import { stickyBuffer } from '../lib/factories.js';

/** `http.cookie;`: the payload keywords after it inspect the Cookie header value. */
export const httpCookieBuffer = stickyBuffer('http.cookie', 'http.cookie');

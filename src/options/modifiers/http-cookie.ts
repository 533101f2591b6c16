import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_cookie;` the preceding content inspects the Cookie header value (http.cookie). */
export const httpCookieModifier = bufferModifier('http_cookie', 'http.cookie');

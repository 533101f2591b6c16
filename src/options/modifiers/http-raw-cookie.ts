import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_raw_cookie;` the preceding content inspects the Cookie header as sent (Snort) (http.cookie.raw). */
export const httpRawCookieModifier = bufferModifier('http_raw_cookie', 'http.cookie.raw', { evaluable: false });

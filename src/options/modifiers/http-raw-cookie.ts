import { bufferModifier } from '../lib/factories.js';

/**
 * `content:"..."; http_raw_cookie;` (Snort): the preceding content inspects the Cookie header
 * value as sent. kanshi never normalises cookies (nor does Snort unless told to), so this is the
 * http.cookie buffer.
 */
export const httpRawCookieModifier = bufferModifier('http_raw_cookie', 'http.cookie');

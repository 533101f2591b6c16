import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_raw_host;` the preceding content inspects the Host header value as sent (http.host.raw). */
export const httpRawHostModifier = bufferModifier('http_raw_host', 'http.host.raw');

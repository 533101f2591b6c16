import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_raw_header;` the preceding content inspects the HTTP headers as sent (http.header.raw). */
export const httpRawHeaderModifier = bufferModifier('http_raw_header', 'http.header.raw');

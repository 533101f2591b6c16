import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_header;` the preceding content inspects the normalised HTTP headers (http.header). */
export const httpHeaderModifier = bufferModifier('http_header', 'http.header');

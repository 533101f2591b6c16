import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_host;` the preceding content inspects the normalised (lower-case) Host header value (http.host). */
export const httpHostModifier = bufferModifier('http_host', 'http.host');

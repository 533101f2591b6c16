import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_method;` the preceding content inspects the HTTP request method (http.method). */
export const httpMethodModifier = bufferModifier('http_method', 'http.method');

import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_client_body;` the preceding content inspects the HTTP request body (http.request_body). */
export const httpClientBodyModifier = bufferModifier('http_client_body', 'http.request_body');

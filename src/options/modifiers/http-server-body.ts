import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_server_body;` the preceding content inspects the HTTP response body (Suricata) (http.response_body). */
export const httpServerBodyModifier = bufferModifier('http_server_body', 'http.response_body');

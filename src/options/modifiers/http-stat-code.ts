import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_stat_code;` the preceding content inspects the HTTP response status code (http.stat_code). */
export const httpStatCodeModifier = bufferModifier('http_stat_code', 'http.stat_code');

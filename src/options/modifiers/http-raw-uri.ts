import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_raw_uri;` the preceding content inspects the request URI as sent (http.uri.raw). */
export const httpRawUriModifier = bufferModifier('http_raw_uri', 'http.uri.raw');

import { bufferModifier } from '../lib/factories.js';

/** `content:"..."; http_uri;` the preceding content inspects the normalised request URI (http.uri). */
export const httpUriModifier = bufferModifier('http_uri', 'http.uri');

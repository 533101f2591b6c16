import { stickyBuffer } from '../lib/factories.js';

/** `http.uri;`: the payload keywords after it inspect the normalised request URI. */
export const httpUriBuffer = stickyBuffer('http.uri', 'http.uri');

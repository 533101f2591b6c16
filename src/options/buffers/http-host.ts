import { stickyBuffer } from '../lib/factories.js';

/** `http.host;`: the payload keywords after it inspect the normalised (lower-case) Host header value. */
export const httpHostBuffer = stickyBuffer('http.host', 'http.host');

import { stickyBuffer } from '../lib/factories.js';

/** `http.location;`: the payload keywords after it inspect the Location header value. */
export const httpLocationBuffer = stickyBuffer('http.location', 'http.location');

import { stickyBuffer } from '../lib/factories.js';

/** `http.method;`: the payload keywords after it inspect the request method. */
export const httpMethodBuffer = stickyBuffer('http.method', 'http.method');

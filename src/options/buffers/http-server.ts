import { stickyBuffer } from '../lib/factories.js';

/** `http.server;`: the payload keywords after it inspect the Server header value. */
export const httpServerBuffer = stickyBuffer('http.server', 'http.server');

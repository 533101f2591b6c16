import { stickyBuffer } from '../lib/factories.js';

/** `http.connection;` (also written `http_connection;`): the payload keywords after it inspect the Connection header value. */
export const httpConnectionBuffer = stickyBuffer('http.connection', 'http.connection', { aliases: ['http_connection'] });

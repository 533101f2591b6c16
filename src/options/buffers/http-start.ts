import { stickyBuffer } from '../lib/factories.js';

/** `http.start;` (also written `http_start;`): the payload keywords after it inspect the request or response line and the headers. */
export const httpStartBuffer = stickyBuffer('http.start', 'http.start', { aliases: ['http_start'] });

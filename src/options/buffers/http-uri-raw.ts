import { stickyBuffer } from '../lib/factories.js';

/** `http.uri.raw;`: the payload keywords after it inspect the request URI as sent. */
export const httpUriRawBuffer = stickyBuffer('http.uri.raw', 'http.uri.raw');

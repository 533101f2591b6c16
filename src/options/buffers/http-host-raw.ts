import { stickyBuffer } from '../lib/factories.js';

/** `http.host.raw;`: the payload keywords after it inspect the Host header value as sent. */
export const httpHostRawBuffer = stickyBuffer('http.host.raw', 'http.host.raw');

import { stickyBuffer } from '../lib/factories.js';

/** `http.request_header;`: the payload keywords after it inspect one HTTP/2 request header. */
export const httpRequestHeaderBuffer = stickyBuffer('http.request_header', 'http.request_header', { evaluable: false });

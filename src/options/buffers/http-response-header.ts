import { stickyBuffer } from '../lib/factories.js';

/** `http.response_header;`: the payload keywords after it inspect one HTTP/2 response header. */
export const httpResponseHeaderBuffer = stickyBuffer('http.response_header', 'http.response_header', { evaluable: false });

import { stickyBuffer } from '../lib/factories.js';

/** `http.response_body;`: the payload keywords after it inspect the (decompressed) response body. */
export const httpResponseBodyBuffer = stickyBuffer('http.response_body', 'http.response_body');

import { stickyBuffer } from '../lib/factories.js';

/** `http.request_body;`: the payload keywords after it inspect the request body. */
export const httpRequestBodyBuffer = stickyBuffer('http.request_body', 'http.request_body');

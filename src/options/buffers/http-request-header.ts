import { stickyBuffer } from '../lib/factories.js';

/**
 * `http.request_header;`: the payload keywords after it inspect one request header at a time,
 * as `Name: value` (a multi-instance buffer, see MULTI_INSTANCE_BUFFERS: each section of a rule
 * may match a different header).
 */
export const httpRequestHeaderBuffer = stickyBuffer('http.request_header', 'http.request_header');

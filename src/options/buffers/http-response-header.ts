import { stickyBuffer } from '../lib/factories.js';

/**
 * `http.response_header;`: the payload keywords after it inspect one response header at a time,
 * as `Name: value` (a multi-instance buffer, see MULTI_INSTANCE_BUFFERS: each section of a rule
 * may match a different header).
 */
export const httpResponseHeaderBuffer = stickyBuffer('http.response_header', 'http.response_header');

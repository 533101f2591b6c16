import { stickyBuffer } from '../lib/factories.js';

/** `http2.header_name;`: the payload keywords after it inspect an HTTP/2 header name (Suricata); recognised, not evaluated yet. */
export const http2HeaderNameBuffer = stickyBuffer('http2.header_name', 'http2.header_name', { evaluable: false });

import { stickyBuffer } from '../lib/factories.js';

/** `http2.header;`: the payload keywords after it inspect an HTTP/2 header (Suricata); recognised, not evaluated yet. */
export const http2HeaderBuffer = stickyBuffer('http2.header', 'http2.header', { evaluable: false });

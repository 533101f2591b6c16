import { stickyBuffer } from '../lib/factories.js';

/** `tls.alpn;`: the payload keywords after it inspect a TLS ALPN protocol name (Suricata); recognised, not evaluated yet. */
export const tlsAlpnBuffer = stickyBuffer('tls.alpn', 'tls.alpn', { evaluable: false });

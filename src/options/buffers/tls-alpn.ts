import { stickyBuffer } from '../lib/factories.js';

/**
 * `tls.alpn;`: the payload keywords after it inspect one ALPN protocol name the client offered
 * (`h2`, `http/1.1`, ...): a multi-instance buffer, each section may match another name.
 */
export const tlsAlpnBuffer = stickyBuffer('tls.alpn', 'tls.alpn');

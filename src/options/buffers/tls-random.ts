import { stickyBuffer } from '../lib/factories.js';

/** `tls.random;`: the payload keywords after it inspect the TLS client or server random (Suricata): the sending side's hello. */
export const tlsRandomBuffer = stickyBuffer('tls.random', 'tls.random');

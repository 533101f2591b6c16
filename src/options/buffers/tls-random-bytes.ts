import { stickyBuffer } from '../lib/factories.js';

/** `tls.random_bytes;`: the payload keywords after it inspect the random bytes of the TLS random (Suricata): the sending side's hello. */
export const tlsRandomBytesBuffer = stickyBuffer('tls.random_bytes', 'tls.random_bytes');

import { stickyBuffer } from '../lib/factories.js';

/** `quic.ua;`: the payload keywords after it inspect the QUIC user agent (Suricata); recognised, not evaluated yet. */
export const quicUaBuffer = stickyBuffer('quic.ua', 'quic.ua', { evaluable: false });

import { stickyBuffer } from '../lib/factories.js';

/** `quic.cyu.string;`: the payload keywords after it inspect the QUIC CYU string (Suricata); recognised, not evaluated yet. */
export const quicCyuStringBuffer = stickyBuffer('quic.cyu.string', 'quic.cyu.string', { evaluable: false });

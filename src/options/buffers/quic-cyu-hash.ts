import { stickyBuffer } from '../lib/factories.js';

/** `quic.cyu.hash;`: the payload keywords after it inspect the QUIC CYU hash (Suricata); recognised, not evaluated yet. */
export const quicCyuHashBuffer = stickyBuffer('quic.cyu.hash', 'quic.cyu.hash', { evaluable: false });

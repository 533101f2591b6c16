import { stickyBuffer } from '../lib/factories.js';

/** `quic.version;`: the payload keywords after it inspect the QUIC version (Suricata); recognised, not evaluated yet. */
export const quicVersionBuffer = stickyBuffer('quic.version', 'quic.version', { evaluable: false });

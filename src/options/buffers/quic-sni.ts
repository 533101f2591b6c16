import { stickyBuffer } from '../lib/factories.js';

/** `quic.sni;`: the payload keywords after it inspect the QUIC server name (Suricata); recognised, not evaluated yet. */
export const quicSniBuffer = stickyBuffer('quic.sni', 'quic.sni', { evaluable: false });

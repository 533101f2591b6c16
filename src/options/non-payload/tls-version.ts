import { unevaluated } from '../lib/factories.js';

/** `tls.version:1.2;` the TLS protocol version (Suricata); recognised, not evaluated yet. */
export const tlsVersion = unevaluated('tls.version', 'non-payload', 'required', 'tls.version:1.2;');

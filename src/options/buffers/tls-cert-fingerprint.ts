import { stickyBuffer } from '../lib/factories.js';

/** `tls.cert_fingerprint;` (also written `tls_cert_fingerprint;`): the payload keywords after it inspect the TLS certificate SHA-1 fingerprint. */
export const tlsCertFingerprintBuffer = stickyBuffer('tls.cert_fingerprint', 'tls.cert_fingerprint', { aliases: ['tls_cert_fingerprint'] });

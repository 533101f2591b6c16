import { stickyBuffer } from '../lib/factories.js';

/** `tls.cert_issuer;` (also written `tls_cert_issuer;`): the payload keywords after it inspect the TLS certificate issuer. */
export const tlsCertIssuerBuffer = stickyBuffer('tls.cert_issuer', 'tls.cert_issuer', { aliases: ['tls_cert_issuer'] });

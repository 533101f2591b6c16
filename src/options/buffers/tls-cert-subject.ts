import { stickyBuffer } from '../lib/factories.js';

/** `tls.cert_subject;` (also written `tls_cert_subject;`): the payload keywords after it inspect the TLS certificate subject. */
export const tlsCertSubjectBuffer = stickyBuffer('tls.cert_subject', 'tls.cert_subject', { aliases: ['tls_cert_subject'] });

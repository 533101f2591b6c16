import { stickyBuffer } from '../lib/factories.js';

/** `tls.cert_serial;` (also written `tls_cert_serial;`): the payload keywords after it inspect the TLS certificate serial number. */
export const tlsCertSerialBuffer = stickyBuffer('tls.cert_serial', 'tls.cert_serial', { aliases: ['tls_cert_serial'] });

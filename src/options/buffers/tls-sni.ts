import { stickyBuffer } from '../lib/factories.js';

/** `tls.sni;` (also written `tls_sni;`): the payload keywords after it inspect the TLS server name indication. */
export const tlsSniBuffer = stickyBuffer('tls.sni', 'tls.sni', { aliases: ['tls_sni'] });

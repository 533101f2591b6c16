import { stickyBuffer } from '../lib/factories.js';

/** `tls.certs;`: the payload keywords after it inspect each TLS certificate in the chain. */
export const tlsCertsBuffer = stickyBuffer('tls.certs', 'tls.certs', {});

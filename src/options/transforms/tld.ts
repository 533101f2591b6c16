import { transform } from '../lib/factories.js';

/** `tld;` transform: keeps the top-level domain of a host name. */
export const tld = transform('tld', { evaluable: false });

import { transform } from '../lib/factories.js';

/** `dotprefix;` transform: prepends a dot, so `.example.com` also matches the bare domain. */
export const dotprefix = transform('dotprefix', { evaluable: false });

import { transform } from '../lib/factories.js';

/** `domain;` transform: keeps the registered domain of a host name. */
export const domain = transform('domain', { evaluable: false });

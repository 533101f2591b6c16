import { transform } from '../lib/factories.js';

/** `header_lowercase;` transform: lower-cases HTTP/2 header names. */
export const headerLowercase = transform('header_lowercase', { evaluable: false });

import { transform } from '../lib/factories.js';

/** `to_uppercase;` transform: upper-cases the buffer. */
export const toUppercase = transform('to_uppercase', { evaluable: false });

import { transform } from '../lib/factories.js';

/** `to_lowercase;` transform: lower-cases the buffer. */
export const toLowercase = transform('to_lowercase', { evaluable: false });

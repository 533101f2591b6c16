import { transform } from '../lib/factories.js';

/** `strip_whitespace;` transform: removes all whitespace. */
export const stripWhitespace = transform('strip_whitespace', { evaluable: false });

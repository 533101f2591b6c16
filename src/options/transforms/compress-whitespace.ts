import { transform } from '../lib/factories.js';

/** `compress_whitespace;` transform: squeezes each whitespace run to one space. */
export const compressWhitespace = transform('compress_whitespace', { evaluable: false });

import { transform } from '../lib/factories.js';

/** `to_uppercase;` transform: upper-cases the buffer's ASCII letters. */
export const toUppercase = transform('to_uppercase', {
  apply: (buf) => buf.map((b) => (b >= 0x61 && b <= 0x7a ? b & 0xdf : b)),
});

import { transform } from '../lib/factories.js';

/** `to_lowercase;` transform: lower-cases the buffer's ASCII letters. */
export const toLowercase = transform('to_lowercase', {
  apply: (buf) => buf.map((b) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b)),
});

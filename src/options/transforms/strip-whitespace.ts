import { transform } from '../lib/factories.js';
import { isSpace } from '../lib/whitespace.js';

/** `strip_whitespace;` transform: removes every whitespace byte. */
export const stripWhitespace = transform('strip_whitespace', {
  apply: (buf) => buf.filter((b) => !isSpace(b)),
});

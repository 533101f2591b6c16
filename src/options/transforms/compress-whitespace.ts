import { transform } from '../lib/factories.js';
import { isSpace } from '../lib/whitespace.js';

/** `compress_whitespace;` transform: each run of whitespace becomes one space. */
export const compressWhitespace = transform('compress_whitespace', {
  apply(buf: Uint8Array): Uint8Array {
    const out = new Uint8Array(buf.length);
    let n = 0;
    let inRun = false;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (!isSpace(b)) {
        out[n++] = b;
        inRun = false;
      } else if (!inRun) {
        out[n++] = 0x20;
        inRun = true;
      }
    }
    return out.slice(0, n);
  },
});

import { transform } from '../lib/factories.js';

/**
 * `dotprefix;` transform: prepends a dot, so `content:".example.com"; endswith;` matches the
 * domain and every name below it, but not `notexample.com`.
 */
export const dotprefix = transform('dotprefix', {
  apply(buf: Uint8Array): Uint8Array {
    const out = new Uint8Array(buf.length + 1);
    out[0] = 0x2e;
    out.set(buf, 1);
    return out;
  },
});

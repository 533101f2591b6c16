import { transform } from '../lib/factories.js';

/**
 * `header_lowercase;` transform: lower-cases each header name, the bytes of a line up to its
 * first ':' (values keep their case), so `content:"x-forwarded-for:"` matches however the
 * client spelled the name. Lines end at LF, as in Suricata.
 */
export const headerLowercase = transform('header_lowercase', {
  apply(buf: Uint8Array): Uint8Array {
    const out = new Uint8Array(buf.length);
    let inValue = false;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (inValue) {
        out[i] = b;
        if (b === 0x0a) inValue = false;
      } else if (b === 0x3a) {
        out[i] = b;
        inValue = true;
      } else {
        out[i] = b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
      }
    }
    return out;
  },
});

import { transform } from '../lib/factories.js';

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/** `url_decode;` transform: `%XX` becomes its byte and `+` a space; a `%` not followed by two hex digits stays. */
export const urlDecode = transform('url_decode', {
  apply(buf: Uint8Array): Uint8Array {
    const out = new Uint8Array(buf.length);
    let n = 0;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (b === 0x25 && i + 2 < buf.length) {
        const hi = hexValue(buf[i + 1]!);
        const lo = hexValue(buf[i + 2]!);
        if (hi >= 0 && lo >= 0) {
          out[n++] = (hi << 4) | lo;
          i += 2;
          continue;
        }
      }
      out[n++] = b === 0x2b ? 0x20 : b;
    }
    return out.slice(0, n);
  },
});

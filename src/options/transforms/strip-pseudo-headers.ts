import { transform } from '../lib/factories.js';

/**
 * `strip_pseudo_headers;` transform: drops every line (LF included) that starts with ':', the
 * HTTP/2 pseudo headers (`:method`, `:path`, ...), keeping the real headers. HTTP/1 buffers have
 * none, so there it changes nothing.
 */
export const stripPseudoHeaders = transform('strip_pseudo_headers', {
  apply(buf: Uint8Array): Uint8Array {
    const out = new Uint8Array(buf.length);
    let n = 0;
    let lineStart = 0;
    while (lineStart < buf.length) {
      let end = buf.indexOf(0x0a, lineStart);
      end = end < 0 ? buf.length : end + 1;
      if (buf[lineStart] !== 0x3a) for (let i = lineStart; i < end; i++) out[n++] = buf[i]!;
      lineStart = end;
    }
    return out.slice(0, n);
  },
});

import type { KeywordModule } from '../keyword.js';
import { parseQuotedText } from '../lib/quoted.js';
import { hexValue, isHexDigit, requireValue } from '../lib/text.js';

/** The key's bytes. */
export type XorValue = Uint8Array;

/**
 * `xor:"0d0ac8ff";` transform (Suricata): XORs the buffer with the key, repeated over its length,
 * so content can be written as the plain text an XOR-obfuscated payload hides. The key is 1 to
 * 255 bytes written as hex, in double quotes.
 */
export const xor: KeywordModule<XorValue> = {
  keyword: 'xor',
  category: 'transform',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('xor', raw, ctx, 'xor:"0d0ac8ff";');
    if (v === undefined) return undefined;
    // Quotes are optional around the key.
    const quoted = v.text.startsWith('"');
    const text = quoted ? parseQuotedText('xor', raw, ctx) : v.text;
    if (text === undefined) return undefined;
    const at = v.offset + (quoted ? 1 : 0);
    if (text.length === 0 || text.length % 2 !== 0 || text.length > 510 || ![...text].every((c) => isHexDigit(c.charCodeAt(0)))) {
      ctx.error(`xor needs a key of 1 to 255 bytes in hex (an even number of digits), not "${text}": write xor:"0d0ac8ff";`, at, Math.max(1, text.length));
      return undefined;
    }
    const key = new Uint8Array(text.length / 2);
    for (let i = 0; i < key.length; i++) key[i] = (hexValue(text.charCodeAt(2 * i)) << 4) | hexValue(text.charCodeAt(2 * i + 1));
    return key;
  },
  print: (key) => `"${Buffer.from(key).toString('hex')}"`,
  transform: (key) => (buf) => {
    const out = new Uint8Array(buf.length);
    for (let i = 0; i < buf.length; i++) out[i] = buf[i]! ^ key[i % key.length]!;
    return out;
  },
};

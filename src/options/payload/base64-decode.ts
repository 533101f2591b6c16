import type { KeywordModule } from '../keyword.js';
import { parseDecimal, splitList, splitWord, trimmed } from '../lib/text.js';

export interface Base64DecodeValue {
  /** Decode at most this many bytes (all when absent). */
  bytes?: number;
  offset?: number;
  relative: boolean;
}

/** `base64_decode[:bytes N][, offset N][, relative];` decodes base64 from the buffer for base64_data. */
export const base64Decode: KeywordModule<Base64DecodeValue> = {
  keyword: 'base64_decode',
  category: 'payload',
  takesValue: 'optional',
  evaluable: false,
  parse(raw, ctx) {
    const out: Base64DecodeValue = { relative: false };
    if (raw === null || trimmed(raw).text === '') return out;
    for (const p of splitList(raw)) {
      const { word, rest } = splitWord(p);
      if (word.text === 'relative' && rest.text === '' && !out.relative) out.relative = true;
      else if ((word.text === 'bytes' || word.text === 'offset') && out[word.text] === undefined) {
        const n = parseDecimal(rest.text);
        const min = word.text === 'bytes' ? 1 : 0;
        if (n === undefined || n < min || n > 65535) {
          ctx.error(`base64_decode ${word.text} needs a number from ${min} to 65535`, rest.text ? rest.offset : p.offset, Math.max(1, (rest.text || p.text).length));
          return undefined;
        }
        out[word.text] = n;
      } else {
        ctx.error(`unknown or repeated base64_decode option "${p.text}": use bytes N, offset N, relative`, p.offset, Math.max(1, p.text.length));
        return undefined;
      }
    }
    return out;
  },
  print(v) {
    const parts: string[] = [];
    if (v.bytes !== undefined) parts.push(`bytes ${v.bytes}`);
    if (v.offset !== undefined) parts.push(`offset ${v.offset}`);
    if (v.relative) parts.push('relative');
    return parts.length > 0 ? parts.join(', ') : null;
  },
};

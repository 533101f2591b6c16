import type { KeywordModule } from '../keyword.js';
import { parseDecimal, splitList, splitWord, trimmed } from '../lib/text.js';
import { NO_MATCH, type Inspection, type PayloadMatcher } from '../matcher.js';
import type { OtherPayload } from '../rule-body.js';

export interface Base64DecodeValue {
  /** Decode at most this many bytes (all when absent). */
  bytes?: number;
  offset?: number;
  relative: boolean;
}

/**
 * `base64_decode[:bytes N][, offset N][, relative];` decodes base64 text of the buffer (from its
 * start, or from the cursor when relative, plus offset; at most `bytes` characters) for the
 * keywords after `base64_data;`. As Suricata (RFC 4648): decoding stops at the first character
 * outside the alphabet or at padding, and the step fails when nothing was decoded. The cursor
 * stays where it was.
 */
export const base64Decode: KeywordModule<Base64DecodeValue> = {
  keyword: 'base64_decode',
  category: 'payload',
  takesValue: 'optional',
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
  payloadMatcher: (el) => new Base64DecodeMatcher((el as OtherPayload).value as Base64DecodeValue),
};

/** Base64 alphabet value of each byte; -1 outside it. */
const B64 = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

/**
 * Decodes base64 text b[start, end) into `out` up to the first byte outside the alphabet (`=`
 * included); a trailing group of 2 or 3 characters gives its 1 or 2 whole bytes. Returns the
 * number of bytes written.
 */
export function decodeBase64Into(b: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let n = 0;
  let acc = 0;
  let k = 0;
  for (let i = start; i < end; i++) {
    const v = B64[b[i]!]!;
    if (v < 0) break;
    acc = (acc << 6) | v;
    if (++k === 4) {
      out[n++] = (acc >>> 16) & 0xff;
      out[n++] = (acc >>> 8) & 0xff;
      out[n++] = acc & 0xff;
      acc = 0;
      k = 0;
    }
  }
  if (k === 2) out[n++] = (acc >>> 4) & 0xff;
  else if (k === 3) {
    out[n++] = (acc >>> 10) & 0xff;
    out[n++] = (acc >>> 2) & 0xff;
  }
  return n;
}

class Base64DecodeMatcher implements PayloadMatcher {
  readonly relative: boolean;
  readonly searches = false;
  readonly independent: boolean;
  readonly absolute: boolean;
  readonly advances = false;
  private readonly offset: number;
  private readonly bytes: number;

  constructor(v: Base64DecodeValue) {
    this.relative = v.relative;
    this.independent = !v.relative;
    this.absolute = !v.relative;
    this.offset = v.offset ?? 0;
    this.bytes = v.bytes ?? Number.MAX_SAFE_INTEGER;
  }

  match(ins: Inspection, cursor: number, _from: number): number {
    const buf = ins.buf;
    const start = (this.relative ? cursor : 0) + this.offset;
    if (start >= buf.length) return NO_MATCH;
    const end = Math.min(buf.length, start + this.bytes);
    const room = ins.base64Room(Math.ceil(((end - start) * 3) / 4));
    const n = decodeBase64Into(buf, start, end, room);
    if (n === 0) return NO_MATCH;
    ins.base64 = room.subarray(0, n);
    return cursor;
  }
}

import type { KeywordContext, KeywordModule } from '../keyword.js';
import { NO_MATCH, ABORT, type Inspection, type PayloadMatcher } from '../matcher.js';
import type { OtherPayload } from '../rule-body.js';
import { requireValue } from '../lib/text.js';

export interface Asn1Value {
  bitstringOverflow: boolean;
  doubleOverflow: boolean;
  /** Fires on an object whose declared length is greater than this. */
  oversizeLength?: number;
  /** Decoding starts at this byte of the buffer... */
  absoluteOffset?: number;
  /** ...or this many bytes from the cursor (negative: before it). */
  relativeOffset?: number;
  /** relativeOffset is given: the step reads the cursor. */
  relative: boolean;
}

/** Objects examined per decode, and nesting followed (Snort's node pool and stack). */
export const ASN1_MAX_NODES = 256;
export const ASN1_MAX_DEPTH = 128;

const OFFSET_MAX = 65535;
const LENGTH_MAX = 4294967295;

/**
 * `asn1:bitstring_overflow, double_overflow, oversize_length N, absolute_offset N|relative_offset N;`
 * decodes the buffer as BER (from its start, the given byte, or the cursor plus the offset) and
 * matches when any object breaks an enabled check. Options are separated by commas or blanks,
 * as both Snort and Suricata accept them.
 */
export const asn1: KeywordModule<Asn1Value> = {
  keyword: 'asn1',
  category: 'payload',
  takesValue: 'required',
  parse(raw, ctx) {
    if (requireValue('asn1', raw, ctx, 'asn1:oversize_length 2048, relative_offset 0;') === undefined || raw === null) return undefined;
    const words = wordsOf(raw);
    const out: Asn1Value = { bitstringOverflow: false, doubleOverflow: false, relative: false };
    for (let k = 0; k < words.length; k++) {
      const w = words[k]!;
      const name = w.text.toLowerCase();
      if (name === 'bitstring_overflow' || name === 'double_overflow') {
        const field = name === 'bitstring_overflow' ? 'bitstringOverflow' : 'doubleOverflow';
        if (out[field]) return repeated(ctx, name, w);
        out[field] = true;
        continue;
      }
      if (name !== 'oversize_length' && name !== 'absolute_offset' && name !== 'relative_offset') {
        ctx.error(`unknown asn1 option "${w.text}": use bitstring_overflow, double_overflow, oversize_length N, absolute_offset N or relative_offset N`, w.offset, w.text.length);
        return undefined;
      }
      const field = name === 'oversize_length' ? 'oversizeLength' : name === 'absolute_offset' ? 'absoluteOffset' : 'relativeOffset';
      if (out[field] !== undefined) return repeated(ctx, name, w);
      const num = words[k + 1];
      const min = name === 'relative_offset' ? -OFFSET_MAX : 0;
      const max = name === 'oversize_length' ? LENGTH_MAX : OFFSET_MAX;
      const n = num !== undefined && /^-?[0-9]{1,10}$/.test(num.text) ? Number(num.text) : NaN;
      if (!(n >= min && n <= max)) {
        ctx.error(`asn1 ${name} needs a number from ${min} to ${max}: write ${name} ${name === 'oversize_length' ? 2048 : 0}`, num?.offset ?? w.offset, (num ?? w).text.length);
        return undefined;
      }
      out[field] = n;
      k++;
    }
    if (out.absoluteOffset !== undefined && out.relativeOffset !== undefined) {
      ctx.error('asn1 takes absolute_offset or relative_offset, not both: keep the one that says where the ASN.1 data starts', 0, raw.length);
      return undefined;
    }
    if (!out.bitstringOverflow && !out.doubleOverflow && out.oversizeLength === undefined) {
      ctx.error('asn1 without a check never matches: add bitstring_overflow, double_overflow or oversize_length N', 0, raw.length);
      return undefined;
    }
    out.relative = out.relativeOffset !== undefined;
    return out;
  },
  print(v) {
    const parts: string[] = [];
    if (v.bitstringOverflow) parts.push('bitstring_overflow');
    if (v.doubleOverflow) parts.push('double_overflow');
    if (v.oversizeLength !== undefined) parts.push(`oversize_length ${v.oversizeLength}`);
    if (v.absoluteOffset !== undefined) parts.push(`absolute_offset ${v.absoluteOffset}`);
    if (v.relativeOffset !== undefined) parts.push(`relative_offset ${v.relativeOffset}`);
    return parts.join(', ');
  },
  payloadMatcher: (el) => new Asn1Matcher((el as OtherPayload).value as Asn1Value),
};

function repeated(ctx: KeywordContext, name: string, w: { offset: number; text: string }): undefined {
  ctx.error(`asn1 has ${name} twice: remove one`, w.offset, w.text.length);
  return undefined;
}

/** The words of the value (split on commas and blanks) with their offsets. */
function wordsOf(raw: string): Array<{ text: string; offset: number }> {
  const out: Array<{ text: string; offset: number }> = [];
  const re = /[^\s,]+/g;
  for (let m = re.exec(raw); m !== null; m = re.exec(raw)) out.push({ text: m[0], offset: m.index });
  return out;
}

/** The checks one decode applies. */
export interface Asn1Checks {
  bitstringOverflow: boolean;
  doubleOverflow: boolean;
  /** -1: no length check. */
  oversizeLength: number;
}

/** Enclosing objects of the walk: where each one's content ends and where the walk resumes after it. */
const frameLimit = new Float64Array(ASN1_MAX_DEPTH);
const frameResume = new Float64Array(ASN1_MAX_DEPTH);

const CLASS_UNIVERSAL = 0;
const TAG_BIT_STRING = 3;
const TAG_REAL = 9;

/**
 * Walks the BER objects of b[start, end): top-level objects one after the other, into every
 * constructed object (any class), at most ASN1_MAX_NODES objects and ASN1_MAX_DEPTH levels.
 * True when an object breaks one of the checks:
 * - oversize_length: its declared length is greater than the bound, or its length field does
 *   not fit 32 bits;
 * - bitstring_overflow: a universal primitive BIT STRING whose unused-bits count exceeds the
 *   bits its content holds ((length - 1) * 8), the encoding behind the MS04-007 overflows;
 * - double_overflow: a universal primitive REAL in decimal encoding longer than 256 bytes.
 * Declared lengths count even when the data is cut short: an exploit declaring a huge length
 * rarely sends that much, and is what the check is for (as Snort reads it). A malformed header
 * ends the walk; what was examined before it still counts.
 */
export function asn1Violation(b: Uint8Array, start: number, end: number, checks: Asn1Checks): boolean {
  let p = start;
  let limit = end;
  let depth = 0;
  let nodes = 0;
  const oversize = checks.oversizeLength;
  while (nodes < ASN1_MAX_NODES) {
    if (p >= limit) {
      if (depth === 0) return false;
      depth--;
      // A definite-length object ends where it said, whatever its children claimed.
      const resume = frameResume[depth]!;
      if (resume >= 0) p = resume;
      limit = frameLimit[depth]!;
      continue;
    }
    const first = b[p++]!;
    const cls = first >>> 6;
    const constructed = (first & 0x20) !== 0;
    let tag = first & 0x1f;
    if (tag === 0x1f) {
      // High tag number form: base-128 digits, the last without its top bit.
      tag = 0;
      let more = true;
      for (let k = 0; more; k++) {
        if (p >= limit || k === 4) return false;
        const c = b[p++]!;
        tag = tag * 128 + (c & 0x7f);
        more = (c & 0x80) !== 0;
      }
    }
    if (p >= limit) return false;
    const lb = b[p++]!;
    let len = 0;
    let indefinite = false;
    if (lb < 0x80) len = lb;
    else if (lb === 0x80) indefinite = true;
    else {
      const n = lb & 0x7f;
      // A length that does not fit 32 bits is the overflow oversize_length looks for.
      if (n > 4) return oversize >= 0;
      for (let k = 0; k < n; k++) {
        if (p >= limit) return false;
        len = len * 256 + b[p++]!;
      }
    }
    nodes++;
    if (oversize >= 0 && !indefinite && len > oversize) return true;
    if (cls === CLASS_UNIVERSAL && !constructed && !indefinite && len > 0 && p < limit) {
      if (tag === TAG_BIT_STRING && checks.bitstringOverflow && b[p]! > (len - 1) * 8) return true;
      if (tag === TAG_REAL && checks.doubleOverflow && len > 256 && (b[p]! & 0xc0) === 0) return true;
    }
    if (constructed) {
      if (depth === ASN1_MAX_DEPTH) return false;
      frameLimit[depth] = limit;
      // After an indefinite-length object the walk resumes where its content ended (-1).
      frameResume[depth] = indefinite ? -1 : p + len;
      depth++;
      if (!indefinite) limit = Math.min(limit, p + len);
      continue;
    }
    if (indefinite) return false;
    p += len;
  }
  return false;
}

class Asn1Matcher implements PayloadMatcher {
  readonly relative: boolean;
  readonly searches = false;
  readonly independent: boolean;
  readonly absolute: boolean;
  readonly advances = false;
  private readonly checks: Asn1Checks;
  private readonly offset: number;

  constructor(v: Asn1Value) {
    this.relative = v.relative;
    this.independent = !v.relative;
    this.absolute = !v.relative;
    this.offset = v.relative ? v.relativeOffset! : (v.absoluteOffset ?? 0);
    this.checks = { bitstringOverflow: v.bitstringOverflow, doubleOverflow: v.doubleOverflow, oversizeLength: v.oversizeLength ?? -1 };
  }

  match(ins: Inspection, cursor: number, _from: number): number {
    const buf = ins.buf;
    const start = (this.relative ? cursor : 0) + this.offset;
    if (start >= 0 && start < buf.length && asn1Violation(buf, start, buf.length, this.checks)) return cursor;
    return this.independent ? ABORT : NO_MATCH;
  }
}

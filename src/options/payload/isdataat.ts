import type { KeywordModule } from '../keyword.js';
import { parseIntOrVar, type IntOrVar } from '../lib/int-or-var.js';
import { requireValue, splitList, type Piece } from '../lib/text.js';
import { IntSource } from '../lib/int-source.js';
import { ABORT, NO_MATCH, type Inspection, type PayloadMatcher, type VariableSlots } from '../matcher.js';
import type { IsDataAtMatch } from '../rule-body.js';

export interface IsDataAtValue {
  /** `!`: passes when there is NO data at that position. */
  negated: boolean;
  offset: IntOrVar;
  relative: boolean;
  rawbytes: boolean;
}

/** `isdataat:[!]N[,relative][,rawbytes];` data is present N bytes into the buffer (or after the previous match). */
export const isdataat: KeywordModule<IsDataAtValue> = {
  keyword: 'isdataat',
  category: 'payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('isdataat', raw, ctx, 'isdataat:1,relative;');
    if (v === undefined || raw === null) return undefined;
    const parts = splitList(raw, ',', v.offset, v.offset + v.text.length);
    let first: Piece = parts[0]!;
    let negated = false;
    if (first.text.startsWith('!')) {
      negated = true;
      const t = first.text.slice(1).trimStart();
      first = { text: t, offset: first.offset + first.text.length - t.length };
    }
    const offset = parseIntOrVar(first, { what: 'isdataat', min: 0, max: 65535, variable: true }, ctx);
    if (offset === undefined) return undefined;
    let relative = false;
    let rawbytes = false;
    for (const p of parts.slice(1)) {
      if (p.text === 'relative' && !relative) relative = true;
      else if (p.text === 'rawbytes' && !rawbytes) rawbytes = true;
      else {
        ctx.error(
          p.text === 'relative' || p.text === 'rawbytes' ? `isdataat has ${p.text} twice: remove one` : `unknown isdataat option "${p.text}": use relative or rawbytes`,
          p.offset,
          Math.max(1, p.text.length),
        );
        return undefined;
      }
    }
    return { negated, offset, relative, rawbytes };
  },
  print: (v) => [`${v.negated ? '!' : ''}${v.offset}`, ...(v.relative ? ['relative'] : []), ...(v.rawbytes ? ['rawbytes'] : [])].join(','),
  payloadMatcher: (el, ctx) => new IsDataAtMatcher(el as IsDataAtMatch, ctx.slot),
};

/**
 * isdataat, as Suricata reads it: absolute `isdataat:N` holds when byte N exists (N < length);
 * relative `isdataat:N,relative` when N more bytes follow the cursor (cursor + N <= length);
 * `!` inverts. The cursor stays.
 */
export class IsDataAtMatcher implements PayloadMatcher {
  readonly relative: boolean;
  readonly searches = false;
  readonly independent: boolean;
  readonly absolute: boolean;
  readonly advances = false;
  /** Only a positive isdataat needs bytes that later data can bring; a negated one holds until they come. */
  readonly readsAhead: boolean;
  readonly reach: number | undefined;
  private readonly offset: IntSource;
  private readonly negated: boolean;

  constructor(el: IsDataAtMatch, slots: VariableSlots) {
    this.offset = new IntSource(el.value.offset, slots);
    this.relative = el.value.relative;
    this.negated = el.value.negated;
    this.independent = !this.relative && !this.offset.isVar;
    this.absolute = !this.relative;
    this.readsAhead = !this.negated;
    const n = el.value.offset;
    this.reach = typeof n === 'number' ? (this.relative ? n : n + 1) : undefined;
  }

  match(ins: Inspection, cursor: number, _from: number): number {
    const n = this.offset.get(ins);
    const len = ins.buf.length;
    ins.readEnd = this.relative ? cursor + n : n + 1;
    const present = this.relative ? cursor + n <= len : n < len;
    if (present !== this.negated) return cursor;
    return this.independent ? ABORT : NO_MATCH;
  }
}

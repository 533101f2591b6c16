import type { ContentStart, KeywordModule } from '../keyword.js';
import { parseContentString, printContentString, type ContentBytes } from '../lib/content-string.js';
import type { IntOrVar } from '../lib/int-or-var.js';
import { ABORT, LOWER, NO_MATCH, type Inspection, type MatcherContext, type PayloadMatcher, type VariableSlots } from '../matcher.js';
import type { ContentMatch, PayloadElement } from '../rule-body.js';

export type ContentValue = ContentBytes;

/**
 * `content:[!]"text|0D 0A|";` a byte pattern in the current buffer. Its modifiers (nocase,
 * depth, http_uri, ...) are separate options that follow it; rule-body.ts attaches them.
 */
export const content: KeywordModule<ContentValue> = {
  keyword: 'content',
  category: 'payload',
  takesValue: 'required',
  parse: (raw, ctx) => parseContentString('content', raw, ctx),
  print: (value) => printContentString(value),
  payloadMatcher: contentMatcher,
};

/**
 * A content keyword that names its own buffer (uricontent, filename, fileext): parsed and
 * matched as content; rule-body.ts places the element in `buffer`, starting as `element` says.
 */
export function bufferContentKeyword(
  keyword: string,
  buffer: string,
  element: (value: ContentValue) => ContentStart = (v) => ({ bytes: v.bytes, nocase: false, endsWith: false }),
): KeywordModule<ContentValue> {
  return {
    keyword,
    category: 'payload',
    takesValue: 'required',
    buffer,
    parse: (raw, ctx) => parseContentString(keyword, raw, ctx),
    print: (value) => printContentString(value),
    contentElement: element,
    payloadMatcher: contentMatcher,
  };
}

/** The matcher of a content element (content and the keywords of bufferContentKeyword share it). */
export function contentMatcher(el: PayloadElement, ctx: MatcherContext): PayloadMatcher {
  return new ContentMatcher(el as ContentMatch, ctx.slot);
}


/** Windows at most this long are searched byte by byte; longer ones with the native search. */
const NATIVE_SEARCH_FROM = 256;

/** Whether any byte is an ASCII upper-case letter (the only bytes LOWER changes). */
function hasUpperAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (LOWER[bytes[i]!] !== bytes[i]) return true;
  return false;
}

/**
 * content with its modifiers, evaluated as Suricata does:
 * - absolute (offset/depth): the occurrence lies in [offset, offset + depth);
 * - relative (distance/within): in [cursor + distance, cursor + distance + within), the start
 *   clamped at 0 for a negative distance, the end at the buffer end when it would fall before 0;
 * - startswith: at 0; endswith: ending at the buffer end;
 * - nocase: ASCII letters fold; negated (`!`): passes, without moving the cursor, when no
 *   occurrence lies in the window.
 * Variables (byte_extract) may stand for any of the four numbers.
 */
export class ContentMatcher implements PayloadMatcher {
  readonly relative: boolean;
  readonly searches: boolean;
  readonly independent: boolean;
  readonly absolute: boolean;
  readonly advances: boolean;
  readonly pattern: Uint8Array;
  readonly nocase: boolean;
  readonly negated: boolean;
  readonly reach: number | undefined;
  private readonly first: number;
  private readonly firstAlt: number;
  // Each position number is NUM_ABSENT, a constant, or (with its *Var flag) a variable slot.
  private readonly offset: number;
  private readonly depth: number;
  private readonly distance: number;
  private readonly within: number;
  private readonly offsetVar: boolean;
  private readonly depthVar: boolean;
  private readonly distanceVar: boolean;
  private readonly withinVar: boolean;
  private readonly startsWith: boolean;
  private readonly endsWith: boolean;

  constructor(el: ContentMatch, slots: VariableSlots) {
    this.nocase = el.nocase;
    this.negated = el.negated;
    // The rule's own bytes (never written to) unless nocase has upper-case letters to fold:
    // rule sets hold tens of thousands of contents, and a typed array costs far more than its bytes.
    const src = el.bytes;
    let pattern = src;
    if (el.nocase && hasUpperAscii(src)) {
      pattern = new Uint8Array(src.length);
      for (let i = 0; i < src.length; i++) pattern[i] = LOWER[src[i]!]!;
    }
    this.pattern = pattern;
    const f = this.pattern[0] ?? 0;
    this.first = f;
    this.firstAlt = el.nocase && f >= 0x61 && f <= 0x7a ? f - 0x20 : f;
    this.offset = numberOrSlot(el.offset, slots);
    this.depth = numberOrSlot(el.depth, slots);
    this.distance = numberOrSlot(el.distance, slots);
    this.within = numberOrSlot(el.within, slots);
    this.offsetVar = typeof el.offset === 'string';
    this.depthVar = typeof el.depth === 'string';
    this.distanceVar = typeof el.distance === 'string';
    this.withinVar = typeof el.within === 'string';
    this.startsWith = el.startsWith;
    this.endsWith = el.endsWith;
    this.relative = el.distance !== undefined || el.within !== undefined;
    const usesVar = this.offsetVar || this.depthVar || this.distanceVar || this.withinVar;
    this.searches = !el.negated;
    this.independent = !this.relative && !usesVar;
    this.absolute = !this.relative && (el.offset !== undefined || el.depth !== undefined || el.startsWith);
    this.advances = !el.negated;
    this.reach = this.negated ? undefined : contentReach(this.offset, this.depth, this.distance, this.within, usesVar, this.relative, this.startsWith, this.pattern.length);
  }

  match(ins: Inspection, cursor: number, from: number): number {
    const buf = ins.buf;
    const len = buf.length;
    const plen = this.pattern.length;
    let lo: number;
    let hi: number;
    // Suricata keeps a variable's low 32 bits here: as an int32 for distance and within
    // (0xffffffff is -1), unsigned for offset and depth.
    if (this.relative) {
      const d = this.distance === NUM_ABSENT ? 0 : this.distanceVar ? ins.varLo[this.distance]! | 0 : this.distance;
      lo = cursor + d;
      if (lo < 0) lo = 0;
      // Suricata adds these as 32-bit numbers and compares them signed: a window that would end
      // before the buffer starts wraps around to a huge end, cut to the buffer's, so within drops out.
      hi = this.within === NUM_ABSENT ? len : (cursor + d + (this.withinVar ? ins.varLo[this.within]! | 0 : this.within)) | 0;
      if (hi < 0) hi = len;
    } else if (this.startsWith) {
      lo = 0;
      hi = plen;
    } else {
      lo = this.offset === NUM_ABSENT ? 0 : this.offsetVar ? ins.varLo[this.offset]! : this.offset;
      if (this.depth === NUM_ABSENT) hi = len;
      else if (this.depthVar || this.offsetVar) hi = (lo + (this.depthVar ? ins.varLo[this.depth]! : this.depth)) >>> 0;
      else hi = lo + this.depth;
    }
    if (hi > len) hi = len;
    if (from > lo) lo = from;
    let at = -1;
    if (lo <= hi && hi > 0) {
      if (this.endsWith) {
        const p = len - plen;
        if (hi === len && p >= lo && this.occursAt(buf, p)) at = p;
      } else {
        at = this.find(ins, lo, hi);
      }
    }
    if (this.negated) {
      if (at < 0) return cursor;
      return this.independent ? ABORT : NO_MATCH;
    }
    if (at < 0) return this.independent && from < 0 ? ABORT : NO_MATCH;
    ins.matchStart = at;
    return at + plen;
  }

  private occursAt(buf: Uint8Array, p: number): boolean {
    const pat = this.pattern;
    if (this.nocase) {
      for (let j = 0; j < pat.length; j++) if (LOWER[buf[p + j]!] !== pat[j]) return false;
    } else {
      for (let j = 0; j < pat.length; j++) if (buf[p + j] !== pat[j]) return false;
    }
    return true;
  }

  /** First occurrence starting at or after lo and ending at or before hi, or -1. */
  private find(ins: Inspection, lo: number, hi: number): number {
    const plen = this.pattern.length;
    const last = hi - plen;
    if (last < lo) return -1;
    if (last - lo >= NATIVE_SEARCH_FROM) {
      return ins.indexOf(this.pattern, lo, last, this.nocase);
    }
    const buf = ins.buf;
    const f = this.first;
    const fa = this.firstAlt;
    for (let p = lo; p <= last; p++) {
      const b = buf[p]!;
      if ((b === f || b === fa) && this.occursAt(buf, p)) return p;
    }
    return -1;
  }
}

/** Marks a position modifier the content does not have. */
const NUM_ABSENT = -0x7fffffff;

/**
 * How far a match can end (PayloadMatcher.reach): from the buffer start, offset + depth (or the
 * pattern for startswith); from the cursor, distance + within. Unbounded (undefined) without a
 * depth or within, at the buffer end (endswith), or when a variable sets a position.
 */
function contentReach(offset: number, depth: number, distance: number, within: number, usesVar: boolean, relative: boolean, startsWith: boolean, plen: number): number | undefined {
  if (usesVar) return undefined;
  if (relative) {
    const end = within === NUM_ABSENT ? undefined : (distance === NUM_ABSENT ? 0 : distance) + within;
    // A window ending before the cursor may end before the buffer start: then it is unbounded (see match).
    return end === undefined || end < 0 ? undefined : end;
  }
  if (startsWith) return plen;
  return depth === NUM_ABSENT ? undefined : (offset === NUM_ABSENT ? 0 : offset) + depth;
}

function numberOrSlot(v: IntOrVar | undefined, slots: VariableSlots): number {
  if (v === undefined) return NUM_ABSENT;
  return typeof v === 'number' ? v : slots(v);
}

/**
 * Per-rule `threshold:` and `detection_filter:`, in event time (packet and log timestamps), as
 * Suricata applies them. Windows start at the first hit of a key and last `seconds` (a hit
 * exactly `seconds` later still counts in the window):
 * - limit: the first `count` hits of each window alert;
 * - threshold: every `count`-th hit of a window alerts (the count restarts after each alert);
 * - both: the `count`-th hit of each window alerts, once;
 * - detection_filter: every hit after the first `count` of a window alerts.
 * Keys are per rule and tracked address (by_src, by_dst, by_both, by_rule, by_flow). State is
 * bounded: past `maxKeys` keys, a key whose window has run out is dropped first, else the least
 * recently used one (approximately, see windows.ts, the table the correlator's windows use too),
 * which is counted as an eviction; a dropped key starts a fresh window if it comes back.
 *
 * A key is the rule plus the text of what is tracked, as alerts write it. The common texts (a
 * dotted-quad IPv4 address, no address, a flow id) are turned into integers without allocating,
 * so a hit costs no string and no object; anything else (IPv6, a host name) keys by its text.
 */
import type { ThresholdTrack } from '../options/post/threshold.js';
import * as windowRules from './windows.js';
import { WindowTable } from './windows.js';

// Destructured once: an imported binding can cost a read through the module's export object on every use.
const { bothAt, detectionAt, limitAt, thresholdAt } = windowRules;

export interface ThresholdKeyParts {
  src: string;
  dst: string;
  flowId: number | undefined;
  /**
   * For by_flow when there is no flow (a log record): the unordered 5-tuple as text, so hits of
   * different clients never share a window (the correlator keys flowless hits the same way).
   */
  tuple?: string | undefined;
  /**
   * The address of `src` / `dst` as uint32 when that text is the dotted quad of an IPv4 address
   * the caller already holds as bytes (then it need not be read back from the text); -1 or
   * absent: read from the text.
   */
  srcV4?: number;
  dstV4?: number;
}

// Kinds of numeric key (the key space is ruleIndex * KINDS + kind). Each stands for exactly one
// form of the key text, so two hits share a window exactly when their rule and text are the same.
// Keys with no numeric form are texts in space 0 (text and numeric keys never collide).
const KINDS = 8;
/** One IPv4 address: a = the address. */
const K_V4 = 1;
/** No address (text ''), also by_rule: both key as '' per rule. */
const K_NONE = 2;
/** by_both of two IPv4 addresses (a, b); K_BOTH + 1: no source; + 2: no destination; + 3: neither. */
const K_BOTH = 3;
/** by_flow: a, b = the flow id's low and high 32 bits. */
const K_FLOW = 7;
const TEXT_SPACE = 0;
/** Rule indexes with numeric keys (WindowTable keeps a numeric key's space * 2 + 1 as an int32). */
const MAX_RULE = 2 ** 30 / KINDS;
const TWO_32 = 4294967296;

/** The address of a canonical dotted quad (no leading zeros: one text per address) as uint32, else -1. */
export function dottedQuad(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let acc = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      acc = acc * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9 || (digits > 0 && octet === 0)) return -1;
      octet = octet * 10 + d;
      if (octet > 255) return -1;
      digits++;
    }
  }
  return dots === 3 && digits > 0 ? acc * 256 + octet : -1;
}

/** A tracked address text as uint32 (IPv4), -2 (no address), or -1 (other text). */
function addressCode(s: string): number {
  return s.length === 0 ? -2 : dottedQuad(s);
}

export class ThresholdTable {
  /** Hits withheld by threshold/detection_filter. */
  suppressed = 0;
  private readonly keys: WindowTable;

  constructor(maxKeys = 65536) {
    if (!Number.isInteger(maxKeys)) throw new RangeError(`threshold key cap must be a positive integer, not ${maxKeys}`);
    this.keys = new WindowTable(maxKeys);
  }

  /** Keys dropped to stay within the cap while their window could still count. */
  get evictions(): number {
    return this.keys.evictions;
  }

  /** Keys dropped to stay within the cap after their window had run out (no state lost). */
  get reclaimed(): number {
    return this.keys.reclaimed;
  }

  get size(): number {
    return this.keys.size;
  }

  /** Whether this hit of rule `ruleIndex` alerts; records it either way. */
  allow(
    ruleIndex: number,
    type: 'limit' | 'threshold' | 'both' | 'detection',
    track: ThresholdTrack,
    count: number,
    seconds: number,
    tsUs: number,
    parts: ThresholdKeyParts,
  ): boolean {
    const t = this.keys;
    // Windows that ran out before this hit may give their room to a new key.
    t.seen(tsUs);
    const i = this.bucketOf(ruleIndex, track, parts);
    const fresh = t.fresh;
    let ok: boolean;
    switch (type) {
      case 'limit':
        ok = limitAt(t, i, fresh, count, seconds, tsUs);
        break;
      case 'threshold':
        ok = thresholdAt(t, i, fresh, count, seconds, tsUs);
        break;
      case 'both':
        ok = bothAt(t, i, fresh, count, seconds, tsUs);
        break;
      case 'detection':
        ok = detectionAt(t, i, fresh, count, seconds, tsUs);
        break;
    }
    if (!ok) this.suppressed++;
    return ok;
  }

  /** The bucket of the key (created if missing: `keys.fresh`). */
  private bucketOf(ruleIndex: number, track: ThresholdTrack, p: ThresholdKeyParts): number {
    if (!(ruleIndex >= 0 && ruleIndex < MAX_RULE && (ruleIndex | 0) === ruleIndex)) {
      return this.keys.acquire(TEXT_SPACE, `${ruleIndex}|${textOf(track, p)}`);
    }
    const tag = ruleIndex * KINDS;
    switch (track) {
      case 'by_src':
        return this.addressBucket(tag, p.src, p.srcV4);
      case 'by_dst':
        return this.addressBucket(tag, p.dst, p.dstV4);
      case 'by_rule':
        return this.keys.acquireNumbers(tag + K_NONE, 0, 0);
      case 'by_both': {
        // An unordered pair, as Suricata's by_both: both directions between two hosts are one key.
        const x = p.srcV4 !== undefined && p.srcV4 >= 0 ? p.srcV4 : addressCode(p.src);
        const y = p.dstV4 !== undefined && p.dstV4 >= 0 ? p.dstV4 : addressCode(p.dst);
        if (x === -1 || y === -1) return this.keys.acquire(TEXT_SPACE, `${ruleIndex}|${pairText(p.src, p.dst)}`);
        const s = x <= y ? x : y;
        const d = x <= y ? y : x;
        const kind = K_BOTH + (s === -2 ? 1 : 0) + (d === -2 ? 2 : 0);
        return this.keys.acquireNumbers(tag + kind, s < 0 ? 0 : s | 0, d < 0 ? 0 : d | 0);
      }
      case 'by_flow': {
        if (p.flowId === undefined && p.tuple !== undefined) return this.keys.acquire(TEXT_SPACE, `${ruleIndex}|t${p.tuple}`);
        const id = p.flowId ?? -1;
        if (!Number.isSafeInteger(id)) return this.keys.acquire(TEXT_SPACE, `${ruleIndex}|f${id}`);
        return this.keys.acquireNumbers(tag + K_FLOW, id | 0, Math.floor(id / TWO_32) | 0);
      }
    }
  }

  private addressBucket(tag: number, text: string, v4: number | undefined): number {
    const a = v4 !== undefined && v4 >= 0 ? v4 : addressCode(text);
    if (a === -2) return this.keys.acquireNumbers(tag + K_NONE, 0, 0);
    if (a >= 0) return this.keys.acquireNumbers(tag + K_V4, a | 0, 0);
    return this.keys.acquire(TEXT_SPACE, `${tag / KINDS}|${text}`);
  }
}

/** The key text of a hit (the rule's part aside), for keys with no numeric form. */
function textOf(track: ThresholdTrack, p: ThresholdKeyParts): string {
  switch (track) {
    case 'by_src':
      return p.src;
    case 'by_dst':
      return p.dst;
    case 'by_both':
      return pairText(p.src, p.dst);
    case 'by_flow':
      return p.flowId === undefined && p.tuple !== undefined ? `t${p.tuple}` : `f${p.flowId ?? -1}`;
    case 'by_rule':
      return '';
  }
}

/** Two addresses as one text whichever way round they come. */
function pairText(a: string, b: string): string {
  return a <= b ? `${a}>${b}` : `${b}>${a}`;
}

/**
 * One direction of a TCP stream as detection sees it: the tail of data already inspected (up to
 * `keep` bytes) followed by data not inspected yet. Each inspection looks at the whole window
 * but accepts only matches that end in the new data, so a pattern split across segments (or
 * completed by an out-of-order segment) is found once, on the data that completed it.
 *
 * Also kept: where chunks began (anchors for rules positioned from a buffer start) and the rules
 * whose fast pattern an earlier chunk held without the rule matching yet (carried candidates:
 * the rest of such a rule may arrive in a later chunk).
 */
import { LOWER, type LowercaseSource } from '../options/matcher.js';
import type { Candidates } from './groups.js';

/** The latest chunk starts kept as anchors (a per-packet engine's segment starts). */
const MAX_ANCHORS = 16;
/** The latest turn starts kept as anchors besides them (see append). */
const MAX_TURN_ANCHORS = 8;
const MAX_CARRIED = 64;
/** Rules whose last stream alert end is remembered per direction (see noteAlertEnd); the oldest entry gives way. */
const MAX_ALERT_ENDS = 64;
const NO_INTS = new Int32Array(0);
const NO_OFFSETS = new Float64Array(0);

export class StreamWindow implements LowercaseSource {
  /** Index in bytes() where data not yet inspected begins. */
  newStart = 0;
  private buf: Uint8Array;
  private len = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private view: Uint8Array | null = null;
  private readonly anchors: number[] = [];
  private readonly turnAnchors: number[] = [];
  // Allocated on first use: many windows never carry a candidate or run an anchored rule.
  private anchorView: Int32Array = NO_INTS;
  private carriedIds: Int32Array = NO_INTS;
  /** Stream offset up to which each carried candidate's evidence reaches; dropped once it leaves the window. */
  private carriedUntil: Float64Array = NO_OFFSETS;
  private carriedCount = 0;
  /**
   * Stream offset up to which the rules waiting for the end of the data (a negated isdataat)
   * have been decided: each decision (at a turn, at the flow's end) looks only past it, so no
   * data is decided twice.
   */
  decidedUntil = 0;
  /**
   * Per rule that alerted on this direction: the stream offset where its last alert's match
   * ended. A later match of the rule counts only from there (its occurrences in data already
   * alerted on are not a new attack). Allocated at the first alert.
   */
  private alertEnds: Map<number, number> | null = null;
  /** Lower-cased copy of buf[0 .. lowerLen), extended on demand (nocase searches). */
  private lowerBuf: Uint8Array | null = null;
  private lowerLen = 0;
  /** lowerBuf[0, len) as returned by lowered(), until the window or lowerBuf changes. */
  private loweredView: Uint8Array | null = null;
  /** Word views of buf and lowerBuf (both own their memory from offset 0): lowering folds four bytes at a time. */
  private buf32: Int32Array | null = null;
  private lower32: Int32Array | null = null;

  constructor(private readonly keep: number) {
    // Grown on demand: many flows carry a few bytes only.
    this.buf = new Uint8Array(256);
  }

  /** Bytes of memory the window holds. */
  get footprint(): number {
    return this.buf.length + (this.lowerBuf?.length ?? 0);
  }

  /** Stream offset of bytes()[0]. */
  get start(): number {
    return this.base;
  }

  /** Stream offset just past the window's data. */
  get end(): number {
    return this.base + this.len;
  }

  /**
   * Where the message beginning at index `a` of bytes() ends: the first turn start after it (the
   * other side spoke in between), else the window's end.
   */
  messageEnd(a: number): number {
    const at = this.base + a;
    const turns = this.turnAnchors;
    for (let i = 0; i < turns.length; i++) if (turns[i]! > at) return turns[i]! - this.base;
    return this.len;
  }

  /** The stream offset where rule `id`'s last alert on this direction ended its match, or -1. */
  alertEndOf(id: number): number {
    const ends = this.alertEnds;
    if (ends === null) return -1;
    return ends.get(id) ?? -1;
  }

  /** Rule `id` alerted on a match ending at stream offset `end`. */
  noteAlertEnd(id: number, end: number): void {
    const ends = (this.alertEnds ??= new Map());
    if (!ends.has(id) && ends.size >= MAX_ALERT_ENDS) ends.delete(ends.keys().next().value!);
    ends.set(id, end);
  }

  get hasNew(): boolean {
    return this.newStart < this.len;
  }

  /** The next chunk follows the window's data without a hole. */
  continues(streamOffset: number, gapBefore: boolean): boolean {
    return !gapBefore && streamOffset === this.base + this.len;
  }

  /**
   * Adds a chunk of stream data. Its start becomes an anchor for rules positioned from a buffer
   * start. A chunk that begins a turn (`turnStart`: the other side spoke since this side's last
   * chunk, so a new request or command likely starts here) or the window (the stream's start,
   * data after a hole) is kept among the turn anchors, so a message sent in many small segments
   * is still tried from its first byte, as Suricata inspects raw stream data from where the
   * last inspection left off rather than from each segment. Both lists are bounded: an attacker's
   * one-byte segments cannot multiply the anchored work per inspection.
   */
  append(chunk: Uint8Array, streamOffset: number, gapBefore: boolean, turnStart = false): void {
    if (this.len > 0 && !this.continues(streamOffset, gapBefore)) this.reset();
    if (this.len === 0) {
      this.base = streamOffset;
      turnStart = true;
    }
    const need = this.len + chunk.length;
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.max(need, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
      this.buf32 = null;
    }
    this.buf.set(chunk, this.len);
    this.len = need;
    this.view = null;
    this.loweredView = null;
    if (turnStart) {
      this.turnAnchors.push(streamOffset);
      if (this.turnAnchors.length > MAX_TURN_ANCHORS) this.turnAnchors.shift();
    } else {
      this.anchors.push(streamOffset);
      if (this.anchors.length > MAX_ANCHORS) this.anchors.shift();
    }
  }

  /** The window's bytes lower-cased (ASCII), valid like bytes(); only the bytes new since the last call are converted. */
  lowered(): Uint8Array {
    // Unchanged since the last call (several nocase rules on one inspection): the same view.
    if (this.loweredView !== null && this.lowerLen === this.len) return this.loweredView;
    if (this.lowerBuf === null || this.lowerBuf.length < this.buf.length) {
      const grown = new Uint8Array(this.buf.length);
      if (this.lowerBuf !== null) grown.set(this.lowerBuf.subarray(0, this.lowerLen));
      this.lowerBuf = grown;
      this.lower32 = null;
    }
    const lb = this.lowerBuf;
    const src = this.buf;
    const len = this.len;
    let i = this.lowerLen;
    if (len - i >= 16) {
      for (; (i & 3) !== 0; i++) lb[i] = LOWER[src[i]!]!;
      const s32 = (this.buf32 ??= new Int32Array(src.buffer, src.byteOffset, src.length >>> 2));
      const l32 = (this.lower32 ??= new Int32Array(lb.buffer, lb.byteOffset, lb.length >>> 2));
      const words = len >>> 2;
      for (let w = i >>> 2; w < words; w++) {
        // A-Z to a-z in each byte of the word (see foldWord in prefilter/step-scanner.ts).
        const x = s32[w]!;
        const low = x & 0x7f7f7f7f;
        l32[w] = x | ((((low + 0x3f3f3f3f) & ~(low + 0x25252525) & ~x) & 0x80808080) >>> 2);
      }
      i = words << 2;
    }
    for (; i < len; i++) lb[i] = LOWER[src[i]!]!;
    this.lowerLen = len;
    return (this.loweredView = lb.subarray(0, len));
  }

  /** The window's bytes (valid until the next append or consumed()). */
  bytes(): Uint8Array {
    return (this.view ??= this.buf.subarray(0, this.len));
  }

  /** Chunk starts inside the window, as indexes into bytes(), ascending. */
  anchorOffsets(): Int32Array {
    if (this.anchorView.length === 0) this.anchorView = new Int32Array(MAX_ANCHORS + MAX_TURN_ANCHORS);
    const out = this.anchorView;
    const chunks = this.anchors;
    const turns = this.turnAnchors;
    // Both lists ascend: merged, each start once.
    let n = 0;
    let i = 0;
    let j = 0;
    while (i < chunks.length || j < turns.length) {
      const a = j >= turns.length || (i < chunks.length && chunks[i]! < turns[j]!) ? chunks[i++]! : turns[j++]!;
      if (a >= this.base && (n === 0 || out[n - 1]! !== a - this.base)) out[n++] = a - this.base;
    }
    return out.subarray(0, n);
  }

  addCarriedTo(cand: Candidates): void {
    for (let i = 0; i < this.carriedCount; i++) cand.add(this.carriedIds[i]!);
  }

  /** Carries ids[0..count) to the next inspection of this direction. */
  carry(ids: Uint32Array, count: number): void {
    if (count === 0) return;
    if (this.carriedIds.length === 0) {
      this.carriedIds = new Int32Array(MAX_CARRIED);
      this.carriedUntil = new Float64Array(MAX_CARRIED);
    }
    const until = this.base + this.len;
    for (let k = 0; k < count; k++) {
      const id = ids[k]!;
      let i = 0;
      while (i < this.carriedCount && this.carriedIds[i] !== id) i++;
      if (i === this.carriedCount) {
        if (this.carriedCount === MAX_CARRIED) {
          // Full: the oldest entry gives way.
          this.carriedIds.copyWithin(0, 1);
          this.carriedUntil.copyWithin(0, 1);
          i = MAX_CARRIED - 1;
        } else this.carriedCount++;
        this.carriedIds[i] = id;
      }
      this.carriedUntil[i] = until;
    }
  }

  /** The new data has been inspected: it becomes tail, trimmed to `keep` bytes. */
  consumed(): void {
    const drop = this.len - this.keep;
    if (drop > 0) {
      this.buf.copyWithin(0, drop, this.len);
      if (this.lowerBuf !== null) {
        if (this.lowerLen > drop) {
          this.lowerBuf.copyWithin(0, drop, this.lowerLen);
          this.lowerLen -= drop;
        } else this.lowerLen = 0;
      }
      this.len -= drop;
      this.base += drop;
      if (this.buf.length > Math.max(4096, this.keep * 8)) {
        this.buf = this.buf.slice(0, Math.max(256, this.keep * 2));
        this.buf32 = null;
        if (this.lowerBuf !== null) this.lowerBuf = this.lowerBuf.slice(0, this.buf.length);
        this.lower32 = null;
      }
    }
    this.newStart = this.len;
    this.view = null;
    this.loweredView = null;
    while (this.anchors.length > 0 && this.anchors[0]! < this.base) this.anchors.shift();
    while (this.turnAnchors.length > 0 && this.turnAnchors[0]! < this.base) this.turnAnchors.shift();
    let n = 0;
    for (let i = 0; i < this.carriedCount; i++) {
      if (this.carriedUntil[i]! <= this.base) continue;
      this.carriedIds[n] = this.carriedIds[i]!;
      this.carriedUntil[n] = this.carriedUntil[i]!;
      n++;
    }
    this.carriedCount = n;
  }

  private reset(): void {
    this.len = 0;
    this.lowerLen = 0;
    this.newStart = 0;
    this.anchors.length = 0;
    this.turnAnchors.length = 0;
    this.carriedCount = 0;
    this.view = null;
    this.loweredView = null;
  }
}

/**
 * Remembers what prefilters found in buffer values, for inputs whose buffers repeat: log
 * records, where user agents, referers, methods, status codes and many URIs recur line after
 * line. A repeated value costs a string lookup instead of a scan. The result of a scan depends
 * on the bytes alone, so a remembered result is exact.
 *
 * Bounded and adaptive: the table is emptied when it reaches `maxEntries`, and a table whose
 * keys rarely repeat (under half of the lookups hit, measured over a window) switches itself off.
 */
import type { BufferName, BufferSource } from '../types/buffers.js';
import type { CandidateSet } from './prefilter/index.js';

/** What a ScanMemo remembers the results of: a Prefilter, or anything reporting pattern ids as it does. */
export interface PatternScanner {
  /** Adds to `out` the id of every pattern occurring entirely within `buf`. */
  scan(buf: Uint8Array, out: CandidateSet): void;
}

export const NO_IDS = new Int32Array(0);
const WINDOW = 2048;

/** Node's native Latin-1 decoder reads any Uint8Array (a one-to-one byte -> string key). */
const LATIN1_SLICE = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/** Candidate ids by key, with the bound and the hit-rate switch. */
export class MemoTable {
  enabled = true;
  private readonly seen = new Map<string, Int32Array>();
  private lookups = 0;
  private hits = 0;

  constructor(private readonly maxEntries = 8192) {}

  get size(): number {
    return this.seen.size;
  }

  get(key: string): Int32Array | undefined {
    const ids = this.seen.get(key);
    this.lookups++;
    if (ids !== undefined) this.hits++;
    if (this.lookups === WINDOW) {
      if (this.hits * 2 < this.lookups) {
        this.enabled = false;
        this.seen.clear();
      }
      this.lookups = 0;
      this.hits = 0;
    }
    return ids;
  }

  /** Stores the ids found in `set` under `key`; returns them. */
  remember(key: string, set: CandidateSet): Int32Array {
    const ids = set.count === 0 ? NO_IDS : Int32Array.from(set.ids.subarray(0, set.count));
    if (!this.enabled) return ids;
    if (this.seen.size >= this.maxEntries) this.seen.clear();
    this.seen.set(key, ids);
    return ids;
  }
}

/** Entries of an id-indexed memo (a power of two). */
const ID_SLOTS = 4096;

/**
 * Hit-rate switch shared by the id-indexed memos: off for good once under half of the lookups
 * of a window hit (keys that do not repeat only cost).
 */
class HitRate {
  enabled = true;
  private lookups = 0;
  private hits = 0;

  count(hit: boolean): void {
    this.lookups++;
    if (hit) this.hits++;
    if (this.lookups === WINDOW) {
      if (this.hits * 2 < this.lookups) this.enabled = false;
      this.lookups = 0;
      this.hits = 0;
    }
  }
}

/**
 * Outcomes of one payload program (a rule's keywords over one buffer) by buffer key id (see
 * BufferKeyIds in logs/record.ts), for programs without byte_extract variables: their outcome
 * depends on the buffer's bytes alone. A value packs the outcome and the steps the run took
 * (the step budget is per rule, shared by its programs, so a caller replays the steps to decide
 * exactly as a fresh run would). Direct-mapped by id: a colliding id replaces the entry. A rule
 * set has thousands of programs, most seeing few distinct values: the table starts small and
 * doubles (up to maxSlots) when an entry is pushed out.
 */
export class ProgramMemo {
  private readonly rate = new HitRate();
  private ids = new Float64Array(16);
  private values = new Int32Array(16);

  /** maxSlots: a power of two; 512 slots take 6 KiB. */
  constructor(private readonly maxSlots = 512) {}

  get enabled(): boolean {
    return this.rate.enabled;
  }

  /** Entries the table has room for. */
  get capacity(): number {
    return this.ids.length;
  }

  /** steps * 2 + (matched ? 1 : 0), or -1 when not known. */
  get(id: number): number {
    const slot = id & (this.ids.length - 1);
    const hit = this.ids[slot] === id;
    this.rate.count(hit);
    return hit ? this.values[slot]! : -1;
  }

  remember(id: number, matched: boolean, steps: number): void {
    if (!this.rate.enabled) return;
    let slot = id & (this.ids.length - 1);
    if (this.ids[slot] !== 0 && this.ids[slot] !== id && this.ids.length < this.maxSlots) {
      this.grow();
      slot = id & (this.ids.length - 1);
    }
    this.ids[slot] = id;
    this.values[slot] = steps * 2 + (matched ? 1 : 0);
  }

  private grow(): void {
    const oldIds = this.ids;
    const oldValues = this.values;
    const n = oldIds.length * 2;
    this.ids = new Float64Array(n);
    this.values = new Int32Array(n);
    for (let i = 0; i < oldIds.length; i++) {
      const id = oldIds[i]!;
      if (id === 0) continue;
      const slot = id & (n - 1);
      this.ids[slot] = id;
      this.values[slot] = oldValues[i]!;
    }
  }
}

/** One prefilter's results by buffer value. */
export class ScanMemo {
  private readonly table: MemoTable;
  private readonly idRate = new HitRate();
  private readonly slotIds = new Float64Array(ID_SLOTS);
  private readonly slotValues: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(ID_SLOTS).fill(undefined);

  constructor(
    private readonly prefilter: PatternScanner,
    maxEntries = 8192,
    private readonly maxKeyBytes = 512,
  ) {
    this.table = new MemoTable(maxEntries);
  }

  /** Adds the prefilter's ids for `buf` to `out`; `scratch` is a set the memo may clear and use. */
  scan(buf: Uint8Array, out: CandidateSet, scratch: CandidateSet): void {
    if (!this.table.enabled || buf.length > this.maxKeyBytes) {
      this.prefilter.scan(buf, out);
      return;
    }
    const key: string = LATIN1_SLICE.call(buf, 0, buf.length);
    let ids = this.table.get(key);
    if (ids === undefined) {
      scratch.clear();
      this.prefilter.scan(buf, scratch);
      ids = this.table.remember(key, scratch);
    }
    for (let i = 0; i < ids.length; i++) out.add(ids[i]!);
  }

  /**
   * As scan(), for a buffer the source names by key id (equal ids, equal bytes; see
   * BufferKeyIds): on a hit the buffer is never built.
   */
  scanKeyed(id: number, source: BufferSource, name: BufferName, out: CandidateSet, scratch: CandidateSet): void {
    const rate = this.idRate;
    if (!rate.enabled) {
      const buf = source.buffer(name);
      if (buf !== undefined && buf.length > 0) this.prefilter.scan(buf, out);
      return;
    }
    const slot = id & (ID_SLOTS - 1);
    let ids: Int32Array | undefined;
    if (this.slotIds[slot] === id) ids = this.slotValues[slot];
    rate.count(ids !== undefined);
    if (ids === undefined) {
      scratch.clear();
      const buf = source.buffer(name);
      if (buf !== undefined && buf.length > 0) this.prefilter.scan(buf, scratch);
      ids = scratch.count === 0 ? NO_IDS : Int32Array.from(scratch.ids.subarray(0, scratch.count));
      this.slotIds[slot] = id;
      this.slotValues[slot] = ids;
    }
    for (let i = 0; i < ids.length; i++) out.add(ids[i]!);
  }
}

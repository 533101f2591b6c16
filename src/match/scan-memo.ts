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

/** Program numbers a ProgramOutcomes table keys (a key id * PROGRAM_LIMIT + program is exact below 2^53). */
const PROGRAM_LIMIT = 2 ** 21;
/** Key ids a ProgramOutcomes table keys (ids are never reused, so they only grow: past this, no memo). */
const ID_LIMIT = 2 ** 32;

/**
 * Outcomes of payload programs (a rule's keywords over one buffer) by buffer key id (see
 * BufferKeyIds in logs/record.ts), for programs without byte_extract variables: their outcome
 * depends on the buffer's bytes alone. A value packs the outcome and the steps the run took
 * (the step budget is per rule, shared by its programs, so a caller replays the steps to decide
 * exactly as a fresh run would).
 *
 * One table serves every program of a rule set (numbered 0..programs-1 by the caller): a
 * lookup touches one slot of one array, where a table per program costs a chain of dependent
 * reads through scattered objects for each of the handful of rules a record evaluates.
 * Direct-mapped by (program, id): a colliding key replaces the entry, so memory is fixed. Each
 * program has its own hit-rate switch: off for good once under half of a window's lookups hit
 * (a program over unique URIs would only push out the entries of programs that repeat).
 */
export class ProgramOutcomes {
  /** Per slot: key (id * PROGRAM_LIMIT + program + 1; 0 empty), then steps * 2 + (matched ? 1 : 0). */
  private readonly slots: Float64Array;
  private readonly mask: number;
  /** Per program: lookups in the current window (-1: switched off), then hits. */
  private readonly rates: Int32Array;

  /** `programs`: how many programs are numbered; `slotBits`: log2 of the slots (2^17 slots take 2 MiB). */
  constructor(programs: number, slotBits = 17) {
    const n = 2 ** slotBits;
    this.slots = new Float64Array(n * 2);
    this.mask = n - 1;
    this.rates = new Int32Array(Math.min(programs, PROGRAM_LIMIT) * 2);
  }

  /** Whether the program's outcomes are looked up and kept (false: not numbered, or switched off). */
  enabled(program: number): boolean {
    const w = program * 2;
    return w < this.rates.length && this.rates[w]! >= 0;
  }

  /** steps * 2 + (matched ? 1 : 0), or -1 when not known. Counts towards the program's hit rate. */
  get(program: number, id: number): number {
    let value = -1;
    if (id < ID_LIMIT) {
      const s = this.slotOf(program, id);
      if (this.slots[s] === id * PROGRAM_LIMIT + program + 1) value = this.slots[s + 1]!;
    }
    const rates = this.rates;
    const w = program * 2;
    if (w >= rates.length || rates[w]! < 0) return value;
    const lookups = rates[w]! + 1;
    const hits = rates[w + 1]! + (value >= 0 ? 1 : 0);
    if (lookups === WINDOW) {
      rates[w] = hits * 2 < lookups ? -1 : 0;
      rates[w + 1] = 0;
    } else {
      rates[w] = lookups;
      rates[w + 1] = hits;
    }
    return value;
  }

  remember(program: number, id: number, matched: boolean, steps: number): void {
    if (!this.enabled(program) || id >= ID_LIMIT) return;
    const s = this.slotOf(program, id);
    this.slots[s] = id * PROGRAM_LIMIT + program + 1;
    this.slots[s + 1] = steps * 2 + (matched ? 1 : 0);
  }

  private slotOf(program: number, id: number): number {
    // The low 32 bits of the id (below ID_LIMIT: all of it) mixed with the program number.
    let h = Math.imul(id | 0, 0x9e3779b1) ^ Math.imul(program + 1, 0x85ebca6b);
    h ^= h >>> 15;
    return (h & this.mask) * 2;
  }
}

/** One prefilter's results by buffer value. */
export class ScanMemo {
  private readonly table: MemoTable;
  private readonly idRate = new HitRate();
  /**
   * By id slot, side by side (one cache line serves a lookup): the id (0: empty), then the
   * candidate ids found in its buffer.
   */
  private readonly slots: (number | Int32Array)[] = new Array<number | Int32Array>(ID_SLOTS * 2).fill(0);

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
    const slot = (id & (ID_SLOTS - 1)) * 2;
    const slots = this.slots;
    let ids: Int32Array | undefined;
    if (slots[slot] === id) ids = slots[slot + 1] as Int32Array;
    rate.count(ids !== undefined);
    if (ids === undefined) {
      scratch.clear();
      const buf = source.buffer(name);
      if (buf !== undefined && buf.length > 0) this.prefilter.scan(buf, scratch);
      ids = scratch.count === 0 ? NO_IDS : Int32Array.from(scratch.ids.subarray(0, scratch.count));
      slots[slot] = id;
      slots[slot + 1] = ids;
    }
    for (let i = 0; i < ids.length; i++) out.add(ids[i]!);
  }
}

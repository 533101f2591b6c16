/**
 * What a record plan's rules made of one record content: for log records that name all their
 * keyed buffers with one id (LogRecord.contentKeyId), a repeated line (the same request, agent,
 * referer and status from another client or at another time) replays the outcome of the first
 * instead of merging prefilter results, sorting candidates and looking up every program's memo
 * again. Only what depends on the buffers alone is replayed: rules whose header tests read the
 * record's own values, and programs without a key, are still evaluated on each record.
 *
 * An outcome is a list of codes in rule order, after the count of header-free candidates it
 * stands for (each counted as evaluated, as a fresh evaluation counts it):
 * - MATCHED: header-free, its payload matched: raise it;
 * - PAYLOAD: header-free, its payload has no key: run it;
 * - EVALUATE: its header tests read the record: evaluate it in full.
 * Header-free candidates whose payload failed are left out.
 *
 * Bounded (one outcome per slot of a direct-mapped table) and adaptive: a plan whose contents
 * rarely repeat stops recording for a while, so a log of unique requests pays nothing but the
 * counting.
 */
import { RepeatGate } from '../types/repeat-gate.js';

export const OUTCOME_MATCHED = 1;
export const OUTCOME_PAYLOAD = 2;
export const OUTCOME_EVALUATE = 3;

/** Lookups per hit-rate window, and records a plan skips the memo for after a poor one (see RepeatGate). */
const WINDOW = 4096;
const REST = 65_536;
/** Int32 words per slot: the key, the number of codes, then up to SLOT_WORDS - 2 codes. */
const SLOT_WORDS = 8;
const INLINE_CODES = SLOT_WORDS - 2;

/**
 * Outcomes of up to INLINE_CODES codes (the count and a handful of rules: nearly all) sit in
 * their slot beside the key, so a replay reads one cache line: kept as a separate array each,
 * the key, the array and its elements were three misses of a table too large for the cache.
 */
export class RecordOutcomes {
  /** Direct-mapped by key (content ids are handed out in sequence, so their low bits spread). */
  private readonly table: Int32Array;
  /** Outcomes too long for their slot, by slot. */
  private readonly overflow: (Int32Array | undefined)[];
  private readonly mask: number;
  private filled = 0;
  private readonly gate = new RepeatGate(WINDOW, REST);
  /** After a get() that found an outcome: its codes are codes[first, end) (the count first). */
  codes: Int32Array;
  first = 0;
  end = 0;

  constructor(maxEntries = 16_384) {
    let slots = 1;
    while (slots * 2 <= maxEntries) slots *= 2;
    this.table = new Int32Array(slots * SLOT_WORDS);
    this.overflow = new Array<Int32Array | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
    this.codes = this.table;
  }

  /** Outcomes kept. */
  get size(): number {
    return this.filled;
  }

  /** Whether records of the plan should look their content up (counts down a rest). */
  active(): boolean {
    return this.gate.active();
  }

  /** Whether an outcome is kept for `key` (a content id, >= 1); if so, sets codes, first and end. */
  get(key: number): boolean {
    const slot = key & this.mask;
    const w = slot * SLOT_WORDS;
    const t = this.table;
    const found = t[w] === key;
    if (found) {
      const n = t[w + 1]!;
      if (n <= INLINE_CODES) {
        this.codes = t;
        this.first = w + 2;
        this.end = w + 2 + n;
      } else {
        this.codes = this.overflow[slot]!;
        this.first = 0;
        this.end = n;
      }
    }
    if (this.gate.count(found)) {
      // A poor window ending on this lookup empties the table: codes just found in it are kept aside.
      if (found && this.codes === t) {
        this.codes = t.slice(this.first, this.end);
        this.end -= this.first;
        this.first = 0;
      }
      t.fill(0);
      this.overflow.fill(undefined);
      this.filled = 0;
    }
    return found;
  }

  /** Keeps the first `n` codes of `codes` (copied) as the outcome of `key`, in place of any other in its slot. */
  remember(key: number, codes: Int32Array, n: number): void {
    if (this.gate.resting) return;
    const slot = key & this.mask;
    const w = slot * SLOT_WORDS;
    const t = this.table;
    if (t[w] === 0) this.filled++;
    t[w] = key;
    t[w + 1] = n;
    if (n <= INLINE_CODES) {
      for (let k = 0; k < n; k++) t[w + 2 + k] = codes[k]!;
      this.overflow[slot] = undefined;
    } else this.overflow[slot] = codes.slice(0, n);
  }
}

/** The code of rule `id` with outcome `kind`. */
export function outcomeCode(id: number, kind: number): number {
  return id * 4 + kind;
}

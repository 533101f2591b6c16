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
export const OUTCOME_MATCHED = 1;
export const OUTCOME_PAYLOAD = 2;
export const OUTCOME_EVALUATE = 3;

/** Lookups per hit-rate measurement. */
const WINDOW = 4096;
/** Records a plan skips the memo for after a window with too few hits. */
const REST = 65_536;

export class RecordOutcomes {
  /** Direct-mapped by key (content ids are handed out in sequence, so their low bits spread). */
  private readonly keys: Int32Array;
  private readonly outcomes: (Int32Array | undefined)[];
  private readonly mask: number;
  private filled = 0;
  private lookups = 0;
  private hits = 0;
  /** Records left before lookups start again (0: active). */
  private resting = 0;

  constructor(maxEntries = 16_384) {
    let slots = 1;
    while (slots * 2 <= maxEntries) slots *= 2;
    this.keys = new Int32Array(slots);
    this.outcomes = new Array<Int32Array | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  /** Outcomes kept. */
  get size(): number {
    return this.filled;
  }

  /** Whether records of the plan should look their content up (counts down a rest). */
  active(): boolean {
    if (this.resting === 0) return true;
    this.resting--;
    return false;
  }

  /** The outcome kept for `key` (a content id, >= 1). */
  get(key: number): Int32Array | undefined {
    const slot = key & this.mask;
    const found = this.keys[slot] === key ? this.outcomes[slot] : undefined;
    this.lookups++;
    if (found !== undefined) this.hits++;
    if (this.lookups === WINDOW) {
      if (this.hits * 4 < this.lookups) {
        this.resting = REST;
        this.keys.fill(0);
        this.outcomes.fill(undefined);
        this.filled = 0;
      }
      this.lookups = 0;
      this.hits = 0;
    }
    return found;
  }

  /** Keeps the first `n` codes of `codes` (copied) as the outcome of `key`, in place of any other in its slot. */
  remember(key: number, codes: Int32Array, n: number): void {
    if (this.resting > 0) return;
    const slot = key & this.mask;
    if (this.outcomes[slot] === undefined) this.filled++;
    this.keys[slot] = key;
    this.outcomes[slot] = codes.slice(0, n);
  }
}

/** The code of rule `id` with outcome `kind`. */
export function outcomeCode(id: number, kind: number): number {
  return id * 4 + kind;
}

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
 * Bounded (emptied when full) and adaptive: a plan whose contents rarely repeat stops recording
 * for a while, so a log of unique requests pays nothing but the counting.
 */
export const OUTCOME_MATCHED = 1;
export const OUTCOME_PAYLOAD = 2;
export const OUTCOME_EVALUATE = 3;

/** Lookups per hit-rate measurement. */
const WINDOW = 4096;
/** Records a plan skips the memo for after a window with too few hits. */
const REST = 65_536;

export class RecordOutcomes {
  private readonly seen = new Map<number, Int32Array>();
  private lookups = 0;
  private hits = 0;
  /** Records left before lookups start again (0: active). */
  private resting = 0;

  constructor(private readonly maxEntries = 16_384) {}

  get size(): number {
    return this.seen.size;
  }

  /** Whether records of the plan should look their content up (counts down a rest). */
  active(): boolean {
    if (this.resting === 0) return true;
    this.resting--;
    return false;
  }

  get(key: number): Int32Array | undefined {
    const codes = this.seen.get(key);
    this.lookups++;
    if (codes !== undefined) this.hits++;
    if (this.lookups === WINDOW) {
      if (this.hits * 4 < this.lookups) {
        this.resting = REST;
        this.seen.clear();
      }
      this.lookups = 0;
      this.hits = 0;
    }
    return codes;
  }

  /** Keeps the first `n` codes of `codes` (copied) as the outcome of `key`. */
  remember(key: number, codes: Int32Array, n: number): void {
    if (this.resting > 0) return;
    if (this.seen.size >= this.maxEntries) this.seen.clear();
    this.seen.set(key, codes.slice(0, n));
  }
}

/** The code of rule `id` with outcome `kind`. */
export function outcomeCode(id: number, kind: number): number {
  return id * 4 + kind;
}

/**
 * Whether a memo table is worth its lookups: it counts lookups and hits per window, and after a
 * window in which under a quarter of the lookups hit (values that do not repeat: unique URIs, a
 * query string per request) it rests for a while, the caller working without the table, then
 * tries again. Shared by the memo tables of logs/ (span ids, normalised URIs) and match/ (record
 * outcomes), so all of them adapt the same way.
 */
export class RepeatGate {
  private lookups = 0;
  private hits = 0;
  private restLeft = 0;

  constructor(
    /** Lookups per window. */
    private readonly window: number,
    /** Lookups the table is skipped for after a poor window. */
    private readonly rest: number,
  ) {}

  /** Whether the table is resting (without counting down the rest). */
  get resting(): boolean {
    return this.restLeft > 0;
  }

  /** Whether the table should be looked up now; while it rests, counts down the rest. */
  active(): boolean {
    if (this.restLeft === 0) return true;
    this.restLeft--;
    return false;
  }

  /**
   * Counts one lookup. True when it closed a window with under a quarter of hits: the gate now
   * rests, and the caller empties its table.
   */
  count(hit: boolean): boolean {
    this.lookups++;
    if (hit) this.hits++;
    if (this.lookups < this.window) return false;
    const poor = this.hits * 4 < this.lookups;
    this.lookups = 0;
    this.hits = 0;
    if (poor) this.restLeft = this.rest;
    return poor;
  }
}

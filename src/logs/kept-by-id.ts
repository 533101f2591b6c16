/**
 * Values kept by buffer-key id (see BufferKeyIds), direct-mapped: ids are handed out in
 * sequence, so their low bits spread over the slots, and a newer id simply takes an older one's
 * slot. Bounded by construction. Ids name one content for good, so a kept value never goes stale.
 */
export class KeptById<T> {
  private readonly ids: Int32Array;
  private readonly kept: (T | undefined)[];
  private readonly mask: number;

  /** `slots`: a power of two. */
  constructor(slots: number) {
    this.ids = new Int32Array(slots);
    this.kept = new Array<T | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
  }

  /** The value kept for `id` (> 0), or undefined. */
  get(id: number): T | undefined {
    const slot = id & this.mask;
    return this.ids[slot] === id ? this.kept[slot] : undefined;
  }

  set(id: number, value: T): void {
    const slot = id & this.mask;
    this.ids[slot] = id;
    this.kept[slot] = value;
  }
}

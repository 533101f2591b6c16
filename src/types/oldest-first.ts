/** A Map or Set: what OldestFirst reads. */
interface KeyedCollection<K> {
  readonly size: number;
  keys(): Iterator<K>;
}

/**
 * The oldest key (insertion order) of a Map or Set kept at a cap, in amortised constant time.
 *
 * The obvious `map.delete(map.keys().next().value)` is a trap in V8: a Map keeps deleted entries
 * as holes until it is rehashed, and a map held at its cap (one entry in, one out) is rehashed
 * only when its table fills with holes, so every fresh iterator first walks past all the holes
 * at the front. Measured: 300,000 evictions from a map of 65,536 entries took 5.8 s that way,
 * 68 ms with one iterator kept from eviction to eviction, which moves past each hole once.
 * Iterators of Maps and Sets are live: they see entries added after they were made and skip
 * those deleted before they get there, so the kept iterator reaches the oldest key present.
 *
 * The iterator is kept only while the collection stays full. An idle one would keep alive
 * every table the collection has been rehashed into since (measured: 114 MB after 2 million
 * deletes and adds on a map of 65,536 entries), so it is let go at the first add that finds
 * room.
 */
export class OldestFirst<K> {
  private it: Iterator<K> | null = null;

  constructor(private readonly collection: KeyedCollection<K>) {}

  /**
   * Called before adding a key: the least recently inserted key when the collection holds
   * `cap` keys or more (the caller deletes it at once: the iterator has moved past it), else
   * undefined.
   */
  fullAt(cap: number): K | undefined {
    if (this.collection.size < cap) {
      this.it = null;
      return undefined;
    }
    for (let pass = 0; pass < 2; pass++) {
      // A finished iterator stays finished, even after new entries: start another from the front.
      this.it ??= this.collection.keys();
      const r = this.it.next();
      if (r.done !== true) return r.value;
      this.it = null;
    }
    return undefined;
  }
}

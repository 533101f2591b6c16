/**
 * UDP conversations seen (one end's address and port to the other's), so that the scan detector
 * tells a reply from a new probe. Capped at `max` conversations, oldest forgotten first (and
 * counted): a flood of spoofed datagrams costs bounded memory.
 *
 * An IPv4 conversation is keyed by two exact numbers (address * 65536 + port for each end) in
 * an open-addressing index over numbered slots, so a datagram costs no string and no object;
 * other addresses (IPv6, as text) are indexed by a Map. Slots are reused in insertion order,
 * which is the eviction order.
 */
export class ConversationSet {
  /** Conversations forgotten to stay within the cap. */
  evictions = 0;
  private readonly keyA: Float64Array;
  private readonly keyB: Float64Array;
  private readonly slotHash: Int32Array;
  /** By slot: the text key, or undefined for a numeric one (or an empty slot). */
  private readonly texts: (string | undefined)[];
  private readonly used: Uint8Array;
  /** Numeric keys: slot + 1, 0 when empty; at least twice the slots, so probe runs stay short. */
  private readonly index: Int32Array;
  private readonly mask: number;
  private readonly byText = new Map<string, number>();
  private next = 0;
  private count = 0;

  constructor(private readonly max: number) {
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError(`a conversation set needs room for at least one conversation, not ${max}`);
    this.keyA = new Float64Array(max);
    this.keyB = new Float64Array(max);
    this.slotHash = new Int32Array(max);
    this.texts = new Array<string | undefined>(max).fill(undefined);
    this.used = new Uint8Array(max);
    let size = 2;
    while (size < max * 2) size <<= 1;
    this.index = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Whether the conversation from (a, aPort) to (b, bPort) was added (and not forgotten yet). */
  has(a: number | string, aPort: number, b: number | string, bPort: number): boolean {
    if (typeof a === 'number' && typeof b === 'number') return this.findNumbers(a * 65536 + aPort, b * 65536 + bPort) >= 0;
    return this.byText.has(textKey(a, aPort, b, bPort));
  }

  /** Adds the conversation, which must not be present; forgets the oldest one if full. */
  add(a: number | string, aPort: number, b: number | string, bPort: number): void {
    const s = this.claim();
    if (typeof a === 'number' && typeof b === 'number') {
      const ka = a * 65536 + aPort;
      const kb = b * 65536 + bPort;
      const h = hashKeys(ka, kb);
      this.keyA[s] = ka;
      this.keyB[s] = kb;
      this.slotHash[s] = h;
      this.texts[s] = undefined;
      let p = h & this.mask;
      while (this.index[p] !== 0) p = (p + 1) & this.mask;
      this.index[p] = s + 1;
    } else {
      const key = textKey(a, aPort, b, bPort);
      this.texts[s] = key;
      this.byText.set(key, s);
    }
    this.used[s] = 1;
  }

  /** The next slot in insertion order, its old conversation forgotten. */
  private claim(): number {
    const s = this.next;
    this.next = s + 1 === this.max ? 0 : s + 1;
    if (this.used[s] === 1) {
      this.evictions++;
      const text = this.texts[s];
      if (text !== undefined) this.byText.delete(text);
      else this.unindex(s);
    } else this.count++;
    return s;
  }

  private findNumbers(ka: number, kb: number): number {
    const h = hashKeys(ka, kb);
    for (let p = h & this.mask; ; p = (p + 1) & this.mask) {
      const e = this.index[p]!;
      if (e === 0) return -1;
      const s = e - 1;
      if (this.slotHash[s] === h && this.keyA[s] === ka && this.keyB[s] === kb) return s;
    }
  }

  /** Removes slot s from the numeric index, shifting later entries of its probe run back. */
  private unindex(s: number): void {
    const mask = this.mask;
    const index = this.index;
    let p = this.slotHash[s]! & mask;
    while (index[p] !== s + 1) p = (p + 1) & mask;
    let hole = p;
    for (let q = (hole + 1) & mask; ; q = (q + 1) & mask) {
      const e = index[q]!;
      if (e === 0) break;
      const home = this.slotHash[e - 1]! & mask;
      // Move e into the hole unless its home lies cyclically in (hole, q].
      if (hole <= q ? home <= hole || home > q : home <= hole && home > q) {
        index[hole] = e;
        hole = q;
      }
    }
    index[hole] = 0;
  }
}

function textKey(a: number | string, aPort: number, b: number | string, bPort: number): string {
  return `${a}:${aPort}>${b}:${bPort}`;
}

/** Both keys (exact integers below 2^48) mixed to 32 bits. */
function hashKeys(ka: number, kb: number): number {
  let h = Math.imul(ka | 0, 0x9e3779b1) ^ Math.imul((ka / 4294967296) | 0, 0x85ebca6b);
  h ^= Math.imul(kb | 0, 0xc2b2ae35) ^ Math.imul((kb / 4294967296) | 0, 0x27d4eb2f);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

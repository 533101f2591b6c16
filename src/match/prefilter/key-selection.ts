/**
 * Choosing which few bytes of each pattern the filter keys on. Every position of the scanned
 * buffer whose key window matches some pattern's key costs a verification, so each pattern is
 * keyed on the window least likely to occur in traffic.
 *
 * Likelihood comes from two sources: a static byte model of mixed HTTP traffic (text headers and
 * markup plus compressed/binary bodies), and how many patterns of the set contain the window —
 * signatures are cut from traffic, so a window shared by hundreds of them (".php", "com/") is a
 * common one even when its bytes look rare one by one.
 */

/** -log2 of the estimated frequency of each folded byte value. */
export const BYTE_COST: Float64Array = buildByteCost();

function buildByteCost(): Float64Array {
  // Binary bodies spread their share uniformly; text takes the rest.
  const p = new Float64Array(256).fill(0.35 / 256);
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  const letterPercent = [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2, 2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.15, 0.15, 0.1, 0.07];
  for (let k = 0; k < letters.length; k++) p[letters.charCodeAt(k)]! += (letterPercent[k]! / 100) * 0.45;
  for (let d = 0x30; d <= 0x39; d++) p[d]! += 0.01;
  const punctuation: ReadonlyArray<[string, number]> = [
    [' ', 0.07], ['/', 0.012], ['.', 0.012], ['-', 0.008], ['=', 0.007], ['"', 0.008], [':', 0.005], [';', 0.004],
    [',', 0.005], ['<', 0.006], ['>', 0.006], ['\r', 0.008], ['\n', 0.01], ['_', 0.003], ['&', 0.002], ['?', 0.002],
    ['%', 0.003], ['(', 0.003], [')', 0.003], ['\t', 0.003], ["'", 0.002], ['{', 0.002], ['}', 0.002], ['+', 0.002],
  ];
  for (const [c, v] of punctuation) p[c.charCodeAt(0)]! += v;
  p[0x00]! += 0.02;
  p[0xff]! += 0.003;
  const cost = new Float64Array(256);
  for (let b = 0; b < 256; b++) cost[b] = -Math.log2(p[b]!);
  return cost;
}

/** Runs of one byte (zero padding, "////", "AAAA") are far more common than independent draws. */
const REPEAT_FACTOR = 0.25;
/** Weight of log2(number of patterns containing the window). */
const SHARED_WINDOW_WEIGHT = 2;

/** Rarity (higher is rarer) of folded[o .. o+k). */
export function windowRarity(folded: Uint8Array, from: number, o: number, k: number, sharedBy: number): number {
  let c = 0;
  for (let j = o; j < o + k; j++) {
    const b = folded[from + j]!;
    c += j > o && b === folded[from + j - 1] ? BYTE_COST[b]! * REPEAT_FACTOR : BYTE_COST[b]!;
  }
  return c - SHARED_WINDOW_WEIGHT * Math.log2(Math.max(1, sharedBy));
}

/**
 * Counts, for every 4-byte folded window, how often the patterns contain it (repeats inside one
 * pattern count too: a window repeated within a signature is a common one). An open-addressing
 * table over typed arrays: building for 30,000 patterns inserts about half a million windows.
 */
export class WindowCounts {
  private keys: Int32Array;
  private counts: Int32Array;
  private size = 0;

  constructor(expectedWindows: number) {
    let capacity = 16;
    while (capacity < expectedWindows * 2) capacity *= 2;
    this.keys = new Int32Array(capacity);
    this.counts = new Int32Array(capacity);
  }

  add(folded: Uint8Array, from: number, length: number): void {
    if (length < 4) return;
    let w = (folded[from]! << 16) | (folded[from + 1]! << 8) | folded[from + 2]!;
    for (let j = 3; j < length; j++) {
      w = (w << 8) | folded[from + j]!;
      this.bump(w);
    }
  }

  get(word: number): number {
    const mask = this.keys.length - 1;
    for (let at = slotOf(word, mask); ; at = (at + 1) & mask) {
      if (this.counts[at] === 0) return 0;
      if (this.keys[at] === word) return this.counts[at]!;
    }
  }

  private bump(word: number): void {
    if (this.size * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let at = slotOf(word, mask); ; at = (at + 1) & mask) {
      if (this.counts[at] === 0) {
        this.keys[at] = word;
        this.counts[at] = 1;
        this.size++;
        return;
      }
      if (this.keys[at] === word) {
        this.counts[at]!++;
        return;
      }
    }
  }

  private grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    this.keys = new Int32Array(keys.length * 2);
    this.counts = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let k = 0; k < keys.length; k++) {
      if (counts[k] === 0) continue;
      let at = slotOf(keys[k]!, mask);
      while (this.counts[at] !== 0) at = (at + 1) & mask;
      this.keys[at] = keys[k]!;
      this.counts[at] = counts[k]!;
    }
  }
}

function slotOf(word: number, mask: number): number {
  return (Math.imul(word, 0x9e3779b1) >>> 7) & mask;
}

/**
 * Offset of the key window of length k in a pattern of `length` folded bytes at pool[from..],
 * chosen among the windows that end at most `maxLookahead` bytes before the pattern's end
 * (bounded so that stream scanning only re-examines a few bytes at chunk boundaries).
 */
export function chooseKeyOffset(
  folded: Uint8Array,
  from: number,
  length: number,
  k: number,
  maxLookahead: number,
  counts: WindowCounts | null,
): number {
  let best = length - k;
  let bestRarity = -Infinity;
  const lowest = Math.max(0, length - k - maxLookahead);
  for (let o = length - k; o >= lowest; o--) {
    let shared = 1;
    if (counts !== null && k === 4) {
      const w = (folded[from + o]! << 24) | (folded[from + o + 1]! << 16) | (folded[from + o + 2]! << 8) | folded[from + o + 3]!;
      shared = counts.get(w);
    }
    const r = windowRarity(folded, from, o, k, shared);
    // Strictly greater: on ties keep the later window (less lookahead).
    if (r > bestRarity) {
      bestRarity = r;
      best = o;
    }
  }
  return best;
}

/**
 * Start of the run of `stride` consecutive 4-byte windows a pattern of `length` folded bytes is
 * keyed on when the scan probes one window start in every `stride` positions: whatever the
 * pattern's alignment, exactly one window of the run starts at a probed position, so each must be
 * a key. The run with the lowest expected number of hits (sum of 2^-rarity) wins, among runs
 * ending at most `maxLookahead` bytes before the pattern's end.
 */
export function chooseWindowRun(
  folded: Uint8Array,
  from: number,
  length: number,
  stride: number,
  maxLookahead: number,
  counts: WindowCounts,
): number {
  const last = length - stride - 3;
  const lowest = Math.max(0, last - maxLookahead);
  const windows = last + stride - lowest;
  const cost = new Float64Array(windows);
  for (let k = 0; k < windows; k++) {
    const o = lowest + k;
    const w = (folded[from + o]! << 24) | (folded[from + o + 1]! << 16) | (folded[from + o + 2]! << 8) | folded[from + o + 3]!;
    cost[k] = 2 ** -windowRarity(folded, from, o, 4, counts.get(w));
  }
  let best = last;
  let bestCost = Infinity;
  for (let o = last; o >= lowest; o--) {
    let c = 0;
    for (let r = 0; r < stride; r++) c += cost[o - lowest + r]!;
    // Strictly lower: on ties keep the later run (less lookahead).
    if (c < bestCost) {
      bestCost = c;
      best = o;
    }
  }
  return best;
}

import type { CandidateSet } from './candidate-set.js';

/**
 * What both scan engines remember between scans into one candidate set: the epoch that stamps
 * found slots and keys, and the filter bits cleared once every pattern behind them was found
 * (a pattern occurring a thousand times then costs one verification). Scans into the same set
 * with no clear() in between continue one epoch; any other scan starts a new one, with every
 * cleared bit restored from the undo log.
 */
export class FoundBits {
  /** Incremented when a scan starts on a new or cleared set; what was found since carries it. */
  epoch = 0;
  private lastSet: CandidateSet | null = null;
  private lastGeneration = 0;
  /** Words changed during the current epoch (wide words tagged) and their previous values. */
  private readonly undoWord: Int32Array;
  private readonly undoValue: Int32Array;
  private undoCount = 0;

  /**
   * @param pairBits the byte-pair filter, @param wideBits the filter of longer keys; both are
   * cleared in place. @param capacity bounds the words changed in one epoch (each key bit is
   * cleared at most once). @param stamps arrays of epoch stamps, zeroed when the epoch wraps.
   */
  constructor(
    private readonly pairBits: Int32Array,
    private readonly wideBits: Int32Array,
    capacity: number,
    private readonly stamps: () => void,
  ) {
    this.undoWord = new Int32Array(capacity);
    this.undoValue = new Int32Array(capacity);
  }

  get memoryBytes(): number {
    return this.undoWord.byteLength + this.undoValue.byteLength;
  }

  begin(out: CandidateSet): void {
    if (out === this.lastSet && out.generation === this.lastGeneration) return;
    this.restore();
    this.epoch = (this.epoch + 1) | 0;
    if (this.epoch === 0) {
      // Stamps from 2^32 scans ago could alias the new epoch: forget them all.
      this.stamps();
      this.epoch = 1;
    }
    this.lastSet = out;
    this.lastGeneration = out.generation;
  }

  setPairWord(word: number, value: number): void {
    this.undoWord[this.undoCount] = word;
    this.undoValue[this.undoCount++] = this.pairBits[word]!;
    this.pairBits[word] = value;
  }

  clearWideBit(word: number, bit: number): void {
    this.undoWord[this.undoCount] = word | WIDE_TAG;
    this.undoValue[this.undoCount++] = this.wideBits[word]!;
    this.wideBits[word]! &= ~(1 << bit);
  }

  private restore(): void {
    // Newest first, so a word changed twice gets its original value back.
    for (let k = this.undoCount - 1; k >= 0; k--) {
      const word = this.undoWord[k]!;
      if ((word & WIDE_TAG) !== 0) this.wideBits[word & ~WIDE_TAG] = this.undoValue[k]!;
      else this.pairBits[word] = this.undoValue[k]!;
    }
    this.undoCount = 0;
  }
}

/** Undo-log tag for words of the wide filter (pair words are logged untagged). */
const WIDE_TAG = 1 << 30;

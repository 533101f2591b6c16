import { ByteScanner } from './byte-scanner.js';
import { CandidateSet } from './candidate-set.js';
import { normalizePatterns, type PrefilterPattern } from './patterns.js';
import { StepScanner } from './step-scanner.js';
import { estimatePairHitRate } from './step-tables.js';
import { PrefilterStream } from './stream.js';
import { TeddyScanner } from './teddy-scanner.js';

/** Which scan engine a prefilter runs (see README.md). */
export type PrefilterEngine = 'teddy' | 'step' | 'byte';

/** Knobs for tests and benchmarks; the defaults are what the engine uses. */
export interface PrefilterOptions {
  /** How far before a pattern's end its key windows may end (more choice, rarer keys). */
  maxKeyLookahead?: number;
  /**
   * log2 of the size in bits of the filters for 4+ byte patterns, 4 to 24; by default sized from
   * the key count. Small values force keys to share bits (for tests).
   */
  quadFilterBits?: number;
  /** Forces an engine; by default chosen from the patterns. */
  engine?: PrefilterEngine;
  /** Teddy: ranges up to this many bytes go to the step or byte engine instead (default 48; 0 for tests of the SIMD loop). */
  teddyShortRange?: number;
}

const DEFAULT_MAX_LOOKAHEAD = 16;
/** Stream chunks up to this size are copied behind the carried tail and scanned in one call. */
const JOINT_COPY_LIMIT = 65536;
/**
 * Above this expected share of positions hitting a short pattern's pair key, the step engine
 * would spend its time verifying (measured on whole ET Open / community sets: 0.4-0.7; port
 * groups of the community set: 0.006-0.02).
 */
const MAX_STEP_PAIR_HIT_RATE = 0.05;

/**
 * Multi-pattern literal prefilter: reports which pattern ids occur in a buffer.
 *
 * Three engines share the work (README.md has the measurements):
 * - Teddy, for sets of up to 512 patterns whose keys spread well over its buckets, checks 16
 *   bytes per step with WebAssembly SIMD against nibble tables of 3-4 key bytes per pattern
 *   (teddy-scanner.ts); short ranges and ranges that hit at most steps go to one of the others;
 * - the step engine reads four bytes per step and probes one hashed 4-byte window per step for
 *   patterns of 7+ bytes (each keyed on four consecutive windows, so that one of them falls on a
 *   probed position whatever its alignment), and two or four raw byte pairs for shorter ones;
 * - the byte engine probes, at every byte, a hashed window of the last four bytes (each pattern
 *   keyed on its rarest window) and the last raw pair.
 * The step engine is several times faster unless the set has many short text patterns, whose
 * pairs would send a large share of positions to verification: then the byte engine runs.
 *
 * All report exactly the patterns that occur. Because only presence matters, once every
 * pattern behind a filter bit is in the candidate set the bit is cleared (and restored before a
 * scan into another or a cleared set), so a frequent pattern costs one verification per set
 * rather than one per occurrence.
 */
export class Prefilter {
  readonly patternCount: number;
  /** Distinct (bytes, nocase) patterns after merging duplicates. */
  readonly distinctPatterns: number;
  /** One more than the largest id: size of the CandidateSet to scan into. */
  readonly idLimit: number;
  readonly maxPatternLength: number;
  readonly maxKeyLookahead: number;
  /** log2 of the bits in the main filter for long patterns. */
  readonly quadFilterBits: number;
  readonly engine: PrefilterEngine;

  private readonly scanner: TeddyScanner | StepScanner | ByteScanner;
  /** Scratch for stream scans: carried tail + head of the new chunk. */
  private joint: Uint8Array = new Uint8Array(0);

  private constructor(patterns: readonly PrefilterPattern[], options: PrefilterOptions) {
    const slots = normalizePatterns(patterns);
    this.patternCount = patterns.length;
    this.distinctPatterns = slots.count;
    this.idLimit = slots.idLimit;
    this.maxPatternLength = slots.maxLength;
    const lookahead = options.maxKeyLookahead ?? DEFAULT_MAX_LOOKAHEAD;
    if (!Number.isInteger(lookahead) || lookahead < 0) throw new RangeError(`prefilter: maxKeyLookahead must be a non-negative integer, got ${lookahead}`);
    const bits = options.quadFilterBits;
    if (bits !== undefined && !(Number.isInteger(bits) && bits >= 4 && bits <= 24)) {
      throw new RangeError(`prefilter: quadFilterBits must be an integer in [4, 24], got ${bits}`);
    }
    if (options.engine !== undefined && options.engine !== 'teddy' && options.engine !== 'step' && options.engine !== 'byte') {
      throw new RangeError(`prefilter: engine must be 'teddy', 'step' or 'byte', got ${String(options.engine)}`);
    }
    this.maxKeyLookahead = lookahead;
    const forced = options.engine;
    // Which of the step and byte engines the set takes, decided when one is built (Teddy builds
    // its own only if it meets a short or dense range).
    const scalarEngine = (): 'step' | 'byte' =>
      forced === 'step' || forced === 'byte' ? forced : estimatePairHitRate(slots, MAX_STEP_PAIR_HIT_RATE) > MAX_STEP_PAIR_HIT_RATE ? 'byte' : 'step';
    const scalar = (): StepScanner | ByteScanner => (scalarEngine() === 'step' ? new StepScanner(slots, lookahead, bits) : new ByteScanner(slots, lookahead, bits));
    const teddy = forced === undefined || forced === 'teddy' ? TeddyScanner.tryBuild(slots, lookahead, scalar, forced === 'teddy', options.teddyShortRange) : null;
    if (forced === 'teddy' && teddy === null && slots.count > 0) throw new RangeError('prefilter: the teddy engine needs WebAssembly SIMD and at most 512 distinct patterns');
    this.scanner = teddy ?? scalar();
    this.engine = this.scanner instanceof TeddyScanner ? 'teddy' : this.scanner instanceof StepScanner ? 'step' : 'byte';
    this.quadFilterBits = this.scanner.quadFilterBits;
  }

  static build(patterns: readonly PrefilterPattern[], options: PrefilterOptions = {}): Prefilter {
    return new Prefilter(patterns, options);
  }

  createCandidateSet(): CandidateSet {
    return new CandidateSet(this.idLimit);
  }

  /** State for scanning one direction of one stream chunk by chunk. */
  createStream(): PrefilterStream {
    return new PrefilterStream(Math.max(0, this.maxPatternLength - 1));
  }

  /** Bytes held by the matcher's tables (not counting streams or candidate sets). */
  get memoryBytes(): number {
    return this.joint.byteLength + this.scanner.memoryBytes;
  }

  /** Adds to `out` the id of every pattern occurring entirely within buf[start, end). */
  scan(buf: Uint8Array, out: CandidateSet, start = 0, end = buf.length): void {
    this.scanWithContext(buf, start, start, end, out);
  }

  /**
   * Adds to `out` the id of every pattern with an occurrence inside buf[contextStart, end) that
   * ends after `start`: the occurrences completed by the new bytes buf[start, end) when
   * buf[contextStart, start) holds bytes scanned before (earlier data of a stream).
   */
  scanWithContext(buf: Uint8Array, contextStart: number, start: number, end: number, out: CandidateSet): void {
    if (out.idLimit < this.idLimit) {
      throw new RangeError(`CandidateSet holds ids below ${out.idLimit}, this prefilter reports ids up to ${this.idLimit - 1}`);
    }
    if (!(Number.isInteger(contextStart) && Number.isInteger(end) && 0 <= contextStart && contextStart <= start && start <= end && end <= buf.length)) {
      throw new RangeError(`prefilter scan: bad range context=${contextStart} start=${start} end=${end} length=${buf.length}`);
    }
    if (start === end || this.distinctPatterns === 0) return;
    this.scanner.scanWithContext(buf, contextStart, start, end, out);
  }

  /**
   * Scans the next chunk of a stream: reports the patterns with an occurrence ending inside
   * chunk[start, end), including occurrences that began in earlier chunks of the same stream.
   */
  scanStream(stream: PrefilterStream, chunk: Uint8Array, out: CandidateSet, start = 0, end = chunk.length): void {
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= chunk.length)) {
      throw new RangeError(`prefilter scanStream: bad range start=${start} end=${end} length=${chunk.length}`);
    }
    if (stream.capacity !== Math.max(0, this.maxPatternLength - 1)) {
      throw new RangeError('prefilter scanStream: stream was created by a different prefilter');
    }
    const n = end - start;
    if (n === 0) return;
    const tailLen = stream.length;
    if (tailLen === 0) {
      this.scanWithContext(chunk, start, start, end, out);
    } else if (n <= JOINT_COPY_LIMIT) {
      // Copying a packet-sized chunk behind the carried tail is cheaper than two scan calls.
      const joint = this.jointBuffer(tailLen + n);
      joint.set(stream.tail.subarray(0, tailLen), 0);
      joint.set(chunk.subarray(start, end), tailLen);
      this.scanWithContext(joint, 0, tailLen, tailLen + n, out);
    } else {
      // Only occurrences ending within the first `head` bytes can begin in the tail: scan those
      // on a joint copy, the rest of the (large) chunk in place.
      const head = stream.capacity;
      const joint = this.jointBuffer(tailLen + head);
      joint.set(stream.tail.subarray(0, tailLen), 0);
      joint.set(chunk.subarray(start, start + head), tailLen);
      this.scanWithContext(joint, 0, tailLen, tailLen + head, out);
      this.scanWithContext(chunk, start, start + head, end, out);
    }
    stream.append(chunk, start, end);
  }

  private jointBuffer(length: number): Uint8Array {
    if (this.joint.length < length) this.joint = new Uint8Array(Math.max(length, this.joint.length * 2, 4096));
    return this.joint;
  }
}

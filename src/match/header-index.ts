/**
 * The header prefilter of a group's always-candidates (rules without a fast pattern), as
 * Suricata's prefilter engines on header keywords (flags, ip_proto, dsize, ttl, itype, icode).
 *
 * Such rules would otherwise be evaluated on every inspection of their group: an `ip` rule with
 * `ip_proto:2` on every TCP packet, a `flags:S` rule on every segment. Their header conditions
 * that depend on one small field alone (HeaderMatcher.decidedBy) are tabulated per value of the
 * field, as a bit mask of the rules whose tests on it hold (rules without a test on the field
 * always hold; a field the inspection does not know fails every rule testing it, as evaluate()
 * requires its `needs`). An inspection evaluates only the rules of the AND of its fields'
 * masks: a superset of the rules whose header conditions hold, so nothing that could match is
 * left out. Tables fill on first use of a value (each a probe of the tests on that field).
 */
import { DECODE_EVENTS, DEFRAG_EVENTS, STREAM_EVENTS } from '../types/decode-events.js';
import {
  FACT_DECODE_EVENTS,
  FACT_DSIZE,
  FACT_ICMP_CODE,
  FACT_ICMP_TYPE,
  FACT_IP_PROTO,
  FACT_TCP_FLAGS,
  FACT_TTL,
  HeaderFacts,
  type HeaderMatcher,
} from '../options/matcher.js';
import type { CompiledRule } from './compile.js';
import type { CandidateSet } from './prefilter/index.js';

/** A field the index tabulates: its FACT_* bit and how to set it on a probe (readField reads it). */
interface IndexedField {
  readonly fact: number;
  /** Values 0..small-1 are kept in an array, larger ones in a bounded map. */
  readonly small: number;
  write(h: HeaderFacts, v: number): void;
}

const FIELDS: readonly IndexedField[] = [
  { fact: FACT_IP_PROTO, small: 256, write: (h, v) => void (h.ipProto = v) },
  { fact: FACT_TCP_FLAGS, small: 256, write: (h, v) => void (h.tcpFlags = v) },
  { fact: FACT_DSIZE, small: 2048, write: (h, v) => void (h.dsize = v) },
  { fact: FACT_TTL, small: 256, write: (h, v) => void (h.ttl = v) },
  { fact: FACT_ICMP_TYPE, small: 256, write: (h, v) => void (h.icmpType = v) },
  { fact: FACT_ICMP_CODE, small: 256, write: (h, v) => void (h.icmpCode = v) },
  // Whether the packet raised any event (see HeaderMatcher.decidedBy): 1 probes with every event
  // raised, so only the answer for 0 rules anything out.
  { fact: FACT_DECODE_EVENTS, small: 2, write: (h, v) => void (h.decodeEvents = v === 0 ? NO_EVENTS : EVERY_EVENT) },
];

const NO_EVENTS: readonly string[] = [];
const EVERY_EVENT: readonly string[] = [...DECODE_EVENTS, ...DEFRAG_EVENTS, ...STREAM_EVENTS.map((e) => `stream.${e}`)];

/** The value of an indexed field (a switch rather than FIELDS' closures: one call site per field). */
function readField(h: HeaderFacts, fact: number): number {
  switch (fact) {
    case FACT_IP_PROTO:
      return h.ipProto;
    case FACT_TCP_FLAGS:
      return h.tcpFlags;
    case FACT_DSIZE:
      return h.dsize;
    case FACT_TTL:
      return h.ttl;
    case FACT_ICMP_TYPE:
      return h.icmpType;
    case FACT_DECODE_EVENTS:
      return h.decodeEvents.length === 0 ? 0 : 1;
    default:
      return h.icmpCode;
  }
}

/** Masks kept for values past a field's array (dsize of large payloads), then forgotten. */
const MAX_LARGE_VALUES = 1024;

/** One field's masks over the rules of an index (bit i: the index's i-th rule). */
class FieldTable {
  private readonly small: (Uint32Array | undefined)[];
  private readonly large = new Map<number, Uint32Array>();
  private readonly probe = new HeaderFacts();
  /** For indexes of up to 32 rules: each small value's mask as a number (0 until filled, see filled). */
  private readonly word: Int32Array;
  private readonly filled: Uint8Array;

  constructor(
    private readonly field: IndexedField,
    /** Rules without a test on the field (they pass whatever its value). */
    private readonly free: Uint32Array,
    /** Positions of the rules testing the field, and their tests on it. */
    private readonly tested: readonly { pos: number; tests: readonly HeaderMatcher[] }[],
  ) {
    this.small = new Array<Uint32Array | undefined>(field.small);
    this.word = new Int32Array(free.length === 1 ? field.small : 0);
    this.filled = new Uint8Array(this.word.length);
  }

  /** maskFor's only word, for indexes of up to 32 rules (no array to fetch per inspection). */
  wordFor(h: HeaderFacts): number {
    const fact = this.field.fact;
    if ((h.known & fact) === 0) return this.free[0]! | 0;
    const v = readField(h, fact);
    if (v >= 0 && v < this.word.length) {
      if (this.filled[v] === 0) {
        this.word[v] = this.maskFor(h)[0]! | 0;
        this.filled[v] = 1;
      }
      return this.word[v]!;
    }
    return this.maskFor(h)[0]! | 0;
  }

  /** The rules whose tests on this field hold for the inspection's header. */
  maskFor(h: HeaderFacts): Uint32Array {
    const fact = this.field.fact;
    if ((h.known & fact) === 0) return this.free;
    const v = readField(h, fact);
    if (v >= 0 && v < this.small.length) return (this.small[v] ??= this.build(v));
    let m = this.large.get(v);
    if (m === undefined) {
      if (this.large.size >= MAX_LARGE_VALUES) this.large.clear();
      this.large.set(v, (m = this.build(v)));
    }
    return m;
  }

  private build(v: number): Uint32Array {
    const m = this.free.slice();
    const probe = this.probe;
    probe.known = this.field.fact;
    this.field.write(probe, v);
    for (const { pos, tests } of this.tested) {
      if (tests.every((t) => t.test(probe))) m[pos >>> 5]! |= 1 << (pos & 31);
    }
    return m;
  }
}

export class HeaderIndex {
  private readonly tables: FieldTable[] = [];
  private readonly acc: Uint32Array;

  /** `rules`: the always-candidates, in the order of `ids` (their indexes). */
  constructor(
    private readonly ids: Int32Array,
    rules: readonly CompiledRule[],
  ) {
    const words = (ids.length + 31) >>> 5;
    this.acc = new Uint32Array(words);
    for (const field of FIELDS) {
      const free = new Uint32Array(words);
      const tested: { pos: number; tests: HeaderMatcher[] }[] = [];
      for (let pos = 0; pos < rules.length; pos++) {
        // Only tests that also need the field: evaluate() rejects the rule when it is unknown.
        const tests = rules[pos]!.conditions.filter((c) => c.decidedBy === field.fact && (c.needs & field.fact) !== 0);
        if (tests.length > 0) tested.push({ pos, tests });
        else free[pos >>> 5]! |= 1 << (pos & 31);
      }
      if (tested.length > 0) this.tables.push(new FieldTable(field, free, tested));
    }
  }

  /** Whether any rule has a test the index looks at (else addTo adds every rule). */
  get selective(): boolean {
    return this.tables.length > 0;
  }

  /** Adds the rules whose tabulated header tests can hold for `h` to `set`. */
  addTo(set: CandidateSet, h: HeaderFacts): void {
    const ids = this.ids;
    const tables = this.tables;
    if (tables.length === 0) {
      for (let i = 0; i < ids.length; i++) set.add(ids[i]!);
      return;
    }
    const acc = this.acc;
    if (acc.length === 1) {
      // Up to 32 rules (the usual case): one word, no array traffic.
      let bits = tables[0]!.wordFor(h);
      for (let t = 1; t < tables.length && bits !== 0; t++) bits &= tables[t]!.wordFor(h);
      addBits(set, ids, 0, bits);
      return;
    }
    acc.set(tables[0]!.maskFor(h));
    for (let t = 1; t < tables.length; t++) {
      const m = tables[t]!.maskFor(h);
      for (let w = 0; w < acc.length; w++) acc[w]! &= m[w]!;
    }
    for (let w = 0; w < acc.length; w++) addBits(set, ids, w << 5, acc[w]!);
  }
}

/** Adds ids[base + i] for each bit i set in `bits`. */
function addBits(set: CandidateSet, ids: Int32Array, base: number, bits: number): void {
  while (bits !== 0) {
    const low = bits & -bits;
    set.add(ids[base + 31 - Math.clz32(low)]!);
    bits ^= low;
  }
}

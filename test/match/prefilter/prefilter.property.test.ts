import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prefilter, type PrefilterEngine, type PrefilterOptions, type PrefilterPattern } from '../../../src/match/prefilter/index.js';
import { referenceIds, sorted } from './reference.js';

/** Alphabets from tiny (many overlaps and repeats) to every byte value. */
const ALPHABETS: readonly number[][] = [
  [0x61, 0x62], // a b
  [0x61, 0x41, 0x62, 0x42, 0x00], // a A b B NUL: case folding and zero bytes
  [0x61, 0x62, 0x63, 0x5b, 0x7b, 0x40, 0x60], // letters plus their non-letter 0x20 neighbours
  Array.from({ length: 256 }, (_, b) => b),
];

const alphabetArb = fc.constantFrom(...ALPHABETS);

function bytesFrom(alphabet: readonly number[], minLength: number, maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc
    .array(fc.constantFrom(...alphabet), { minLength, maxLength })
    .map((a) => Uint8Array.from(a));
}

/** A pattern set over `alphabet`: short and long patterns, nocase mixes, repeated bytes and ids. */
function patternsFrom(alphabet: readonly number[]): fc.Arbitrary<PrefilterPattern[]> {
  const bytes = fc.oneof(
    { weight: 3, arbitrary: bytesFrom(alphabet, 1, 3) },
    { weight: 4, arbitrary: bytesFrom(alphabet, 4, 10) },
    { weight: 1, arbitrary: bytesFrom(alphabet, 11, 40) },
  );
  return fc.array(fc.record({ id: fc.nat({ max: 40 }), bytes, nocase: fc.boolean() }), { minLength: 0, maxLength: 25 });
}

const optionsArb: fc.Arbitrary<PrefilterOptions> = fc.record(
  // Tiny filters force many keys onto one bit.
  // Each engine, and the automatic choice.
  {
    maxKeyLookahead: fc.integer({ min: 0, max: 20 }),
    quadFilterBits: fc.integer({ min: 4, max: 14 }),
    engine: fc.constantFrom<PrefilterEngine>('teddy', 'step', 'byte'),
    // Teddy's SIMD loop on the short buffers of these tests too.
    teddyShortRange: fc.constantFrom(0, 256),
  },
  { requiredKeys: [] },
);

/** Haystacks over the same alphabet, with some patterns planted so that matches are common. */
function haystackFor(alphabet: readonly number[], patterns: readonly PrefilterPattern[]): fc.Arbitrary<Uint8Array> {
  const piece = patterns.length === 0
    ? bytesFrom(alphabet, 0, 8)
    : fc.oneof(bytesFrom(alphabet, 0, 8), fc.constantFrom(...patterns.map((p) => p.bytes)));
  return fc.array(piece, { maxLength: 30 }).map((parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  });
}

/** Sets with and without short (1-3 byte) patterns: the scan has a separate loop for the latter. */
const caseArb = alphabetArb.chain((alphabet) =>
  fc.tuple(patternsFrom(alphabet), fc.boolean()).map(([ps, longOnly]) => (longOnly ? ps.filter((p) => p.bytes.length >= 4) : ps)).chain((patterns) =>
    fc.record({ patterns: fc.constant(patterns), options: optionsArb, haystacks: fc.array(haystackFor(alphabet, patterns), { minLength: 1, maxLength: 4 }) }),
  ),
);

function scanIds(m: Prefilter, buf: Uint8Array, start?: number, end?: number): number[] {
  const out = m.createCandidateSet();
  m.scan(buf, out, start, end);
  return sorted(out.toArray());
}

describe('Prefilter agrees with the naive reference', () => {
  it('on whole buffers, scan after scan with one matcher', () => {
    fc.assert(
      fc.property(caseArb, ({ patterns, options, haystacks }) => {
        const m = Prefilter.build(patterns, options);
        for (const h of haystacks) expect(scanIds(m, h)).toEqual(referenceIds(patterns, h));
      }),
      { numRuns: 400 },
    );
  });

  it('on subranges of a buffer', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.nat(), ({ patterns, options, haystacks }, x, y) => {
        const m = Prefilter.build(patterns, options);
        const h = haystacks[0]!;
        const a = h.length === 0 ? 0 : x % (h.length + 1);
        const b = h.length === 0 ? 0 : y % (h.length + 1);
        const [start, end] = a <= b ? [a, b] : [b, a];
        expect(scanIds(m, h, start, end)).toEqual(referenceIds(patterns, h, start, end));
      }),
      { numRuns: 300 },
    );
  });

  it('with earlier bytes as context', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.nat(), fc.nat(), ({ patterns, options, haystacks }, x, y, z) => {
        const m = Prefilter.build(patterns, options);
        const h = haystacks[0]!;
        const cuts = [x, y, z].map((v) => v % (h.length + 1)).sort((p, q) => p - q);
        const [ctx, start, end] = cuts as [number, number, number];
        const out = m.createCandidateSet();
        m.scanWithContext(h, ctx, start, end, out);
        expect(sorted(out.toArray())).toEqual(referenceIds(patterns, h, start, end, ctx));
      }),
      { numRuns: 300 },
    );
  });
});

describe('Prefilter candidate sets', () => {
  it('accumulate across scans until cleared, with scans into different sets interleaved', () => {
    const stepArb = fc.record({ set: fc.nat({ max: 1 }), clear: fc.boolean(), haystack: fc.nat() });
    fc.assert(
      fc.property(caseArb, fc.array(stepArb, { minLength: 1, maxLength: 10 }), ({ patterns, options, haystacks }, steps) => {
        const m = Prefilter.build(patterns, options);
        const sets = [m.createCandidateSet(), m.createCandidateSet()];
        const expected = [new Set<number>(), new Set<number>()];
        for (const step of steps) {
          if (step.clear) {
            sets[step.set]!.clear();
            expected[step.set]!.clear();
          }
          const h = haystacks[step.haystack % haystacks.length]!;
          m.scan(h, sets[step.set]!);
          for (const id of referenceIds(patterns, h)) expected[step.set]!.add(id);
          expect(sorted(sets[step.set]!.toArray())).toEqual(sorted(expected[step.set]!));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('Prefilter stream scanning', () => {
  it('over any split into chunks equals scanning the whole buffer, each chunk reporting what ends in it', () => {
    fc.assert(
      fc.property(caseArb, fc.array(fc.nat(), { maxLength: 12 }), ({ patterns, options, haystacks }, rawCuts) => {
        const m = Prefilter.build(patterns, options);
        const h = haystacks[0]!;
        const cuts = sorted(new Set(rawCuts.map((c) => c % (h.length + 1))));
        const bounds = [0, ...cuts, h.length];
        const stream = m.createStream();
        const all = new Set<number>();
        const out = m.createCandidateSet();
        for (let k = 0; k + 1 < bounds.length; k++) {
          const [a, b] = [bounds[k]!, bounds[k + 1]!];
          // Each chunk is its own array, as a network stage would deliver it.
          const chunk = h.slice(a, b);
          out.clear();
          m.scanStream(stream, chunk, out);
          expect(sorted(out.toArray())).toEqual(referenceIds(patterns, h, a, b, 0));
          for (const id of out.toArray()) all.add(id);
        }
        expect(sorted(all)).toEqual(referenceIds(patterns, h));
      }),
      { numRuns: 300 },
    );
  });
});

describe('Prefilter against a naive search, on planted occurrences', () => {
  // Each pattern planted at a chosen offset (buffer start and end included), over binary filler,
  // with case flips for nocase patterns; each engine.
  const plantedArb = fc
    .record({
      patterns: fc.array(
        fc.record({
          id: fc.nat({ max: 30 }),
          bytes: fc.oneof(
            { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 3 }) },
            { weight: 3, arbitrary: fc.uint8Array({ minLength: 4, maxLength: 12 }) },
            { weight: 2, arbitrary: fc.uint8Array({ minLength: 11, maxLength: 30 }) },
          ),
          nocase: fc.boolean(),
        }),
        { minLength: 1, maxLength: 20 },
      ),
      filler: fc.uint8Array({ maxLength: 200 }),
      engine: fc.constantFrom<PrefilterEngine>('teddy', 'step', 'byte'),
    })
    .chain(({ patterns, filler, engine }) =>
      fc.record({
        patterns: fc.constant(patterns),
        engine: fc.constant(engine),
        filler: fc.constant(filler),
        plants: fc.array(fc.record({ which: fc.nat(), at: fc.nat(), flip: fc.boolean() }), { maxLength: 6 }),
      }),
    );

  it('reports exactly the patterns that occur', () => {
    fc.assert(
      fc.property(plantedArb, ({ patterns, engine, filler, plants }) => {
        const buf = Uint8Array.from(filler);
        for (const { which, at, flip } of plants) {
          const p = patterns[which % patterns.length]!;
          if (p.bytes.length > buf.length) continue;
          // Offsets spread over the buffer, its first and last positions included.
          const where = at % 3 === 0 ? 0 : at % 3 === 1 ? buf.length - p.bytes.length : at % (buf.length - p.bytes.length + 1);
          for (let j = 0; j < p.bytes.length; j++) {
            const b = p.bytes[j]!;
            const letter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a;
            buf[where + j] = flip && p.nocase && letter ? b ^ 0x20 : b;
          }
        }
        const m = Prefilter.build(patterns, { engine, teddyShortRange: 0 });
        expect(scanIds(m, buf)).toEqual(referenceIds(patterns, buf));
        // The same bytes as a view at an odd offset into a larger buffer, as packets arrive.
        const host = new Uint8Array(buf.length + 7);
        host.set(buf, 3);
        expect(scanIds(m, host.subarray(3, 3 + buf.length))).toEqual(referenceIds(patterns, buf));
        const half = buf.length >> 1;
        const out = m.createCandidateSet();
        m.scanWithContext(buf, 0, half, buf.length, out);
        expect(sorted(out.toArray())).toEqual(referenceIds(patterns, buf, half, buf.length, 0));
      }),
      { numRuns: 400 },
    );
  });
});

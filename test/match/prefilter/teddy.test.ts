import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prefilter, type PrefilterPattern } from '../../../src/match/prefilter/index.js';
import { TeddyScanner } from '../../../src/match/prefilter/teddy-scanner.js';
import { referenceIds, sorted } from './reference.js';

function teddyOf(m: Prefilter): TeddyScanner {
  const s = (m as unknown as { scanner: unknown }).scanner;
  if (!(s instanceof TeddyScanner)) throw new Error(`expected the teddy engine, got ${m.engine}`);
  return s;
}

/** A deterministic stream of bytes (text-like or binary). */
function bytes(seed: number, n: number, text: boolean): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  const alphabet = Buffer.from('etaoinshrdlu cmfwy<p>/=."\r\n0123456789', 'latin1');
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = text ? alphabet[(x >>> 0) % alphabet.length]! : x & 0xff;
  }
  return out;
}

function patternsOf(seed: number, count: number): PrefilterPattern[] {
  const out: PrefilterPattern[] = [];
  for (let k = 0; k < count; k++) {
    const len = 1 + ((k * 7 + seed) % 13);
    out.push({ id: k % 97, bytes: bytes(seed * 1000 + k, len, k % 3 !== 0), nocase: k % 2 === 0 });
  }
  return out;
}

/** Copies every pattern into `buf` at offsets that put its bytes on both sides of 16-byte steps. */
function plant(buf: Uint8Array, patterns: readonly PrefilterPattern[]): void {
  let at = 5;
  for (const p of patterns) {
    if (at + p.bytes.length > buf.length) break;
    buf.set(p.bytes, at);
    at += p.bytes.length + 1 + ((at * 31) % 40);
  }
}

describe('Teddy engine', () => {
  it('takes every shape (8, 16 or 32 buckets, 3- or 4-byte keys) as the set grows, and agrees with the reference in each', () => {
    const shapes = new Set<string>();
    for (const [seed, count] of [[1, 6], [2, 40], [3, 90], [4, 150], [5, 260], [6, 400], [7, 500]] as const) {
      const patterns = patternsOf(seed, count);
      const m = Prefilter.build(patterns, { engine: 'teddy' });
      const t = teddyOf(m);
      shapes.add(`${t.sets}x${t.keyBytes}`);
      const buf = bytes(seed, 70_000, true);
      plant(buf, patterns);
      const out = m.createCandidateSet();
      m.scan(buf, out);
      expect(sorted(out.toArray())).toEqual(referenceIds(patterns, buf));
    }
    expect(shapes.size).toBeGreaterThanOrEqual(3);
  });

  it('scans buffers larger than its memory so far (the shared memory grows), with context', () => {
    const patterns = patternsOf(11, 120);
    const m = Prefilter.build(patterns, { engine: 'teddy' });
    const buf = bytes(11, 700_000, false);
    plant(buf.subarray(600_000), patterns);
    const out = m.createCandidateSet();
    m.scanWithContext(buf, 599_990, 600_003, buf.length, out);
    expect(sorted(out.toArray())).toEqual(referenceIds(patterns, buf, 600_003, buf.length, 599_990));
  });

  it('hands short ranges to the step or byte engine, with the same results', () => {
    const patterns = patternsOf(21, 60);
    const buf = bytes(21, 4000, true);
    plant(buf, patterns);
    const engines = [0, 256].map((shortRange) => Prefilter.build(patterns, { engine: 'teddy', teddyShortRange: shortRange }));
    for (let at = 0; at + 300 <= buf.length; at += 97) {
      for (const len of [1, 17, 100, 255, 300]) {
        const outs = engines.map((m) => {
          const out = m.createCandidateSet();
          m.scan(buf, out, at, at + len);
          return sorted(out.toArray());
        });
        expect(outs[0]).toEqual(referenceIds(patterns, buf, at, at + len));
        expect(outs[1]).toEqual(outs[0]);
      }
    }
  });

  it('agrees with the reference on random sets, buffers, ranges and context', () => {
    const arb = fc.record({
      patterns: fc.array(
        fc.record({ id: fc.nat({ max: 60 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }), nocase: fc.boolean() }),
        { minLength: 1, maxLength: 300 },
      ),
      filler: fc.uint8Array({ minLength: 0, maxLength: 3000 }),
      cuts: fc.tuple(fc.nat(), fc.nat(), fc.nat()),
      planted: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
    });
    fc.assert(
      fc.property(arb, ({ patterns, filler, cuts, planted }) => {
        const buf = Uint8Array.from(filler);
        for (const [which, at] of planted) {
          const p = patterns[which % patterns.length]!.bytes;
          if (p.length <= buf.length) buf.set(p, at % (buf.length - p.length + 1));
        }
        const m = Prefilter.build(patterns, { engine: 'teddy', teddyShortRange: 0 });
        const [ctx, start, end] = cuts.map((c) => c % (buf.length + 1)).sort((a, b) => a - b) as [number, number, number];
        const out = m.createCandidateSet();
        m.scanWithContext(buf, ctx, start, end, out);
        expect(sorted(out.toArray())).toEqual(referenceIds(patterns, buf, start, end, ctx));
        // Scans into the same set go on from what it holds.
        m.scan(buf, out);
        expect(sorted(out.toArray())).toEqual(sorted([...new Set([...referenceIds(patterns, buf, start, end, ctx), ...referenceIds(patterns, buf)])]));
      }),
      { numRuns: 300 },
    );
  });
});

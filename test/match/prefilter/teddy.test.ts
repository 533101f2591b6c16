import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prefilter, type PrefilterPattern } from '../../../src/match/prefilter/index.js';
import { TeddyScanner } from '../../../src/match/prefilter/teddy-scanner.js';
import { teddyRuntime } from '../../../src/match/prefilter/teddy-wasm.js';
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

  it('scans long ranges in slices, finding keys across slice boundaries, in bounded memory', () => {
    const patterns = patternsOf(11, 120);
    const m = Prefilter.build(patterns, { engine: 'teddy' });
    const buf = bytes(11, 700_000, false);
    // Every pattern planted again and again, so that some straddle each 64 KB slice boundary.
    for (let at = 599_000, k = 0; at + 30 < buf.length; at += 61, k++) buf.set(patterns[k % patterns.length]!.bytes, at);
    const out = m.createCandidateSet();
    m.scanWithContext(buf, 1, 600_003, buf.length, out);
    expect(sorted(out.toArray())).toEqual(referenceIds(patterns, buf, 600_003, buf.length, 1));
    const whole = m.createCandidateSet();
    m.scan(buf, whole);
    expect(sorted(whole.toArray())).toEqual(referenceIds(patterns, buf));
    expect(teddyRuntime()!.memory.buffer.byteLength).toBeLessThanOrEqual(1 << 20);
  });

  it('finds an occurrence whose key straddles the boundary of two slices', () => {
    const patterns = patternsOf(13, 40).map((p, k) => ({ ...p, id: k }));
    const m = Prefilter.build(patterns, { engine: 'teddy' });
    const background = new Uint8Array(70_000).fill(0x7e);
    const out = m.createCandidateSet();
    for (const p of patterns) {
      for (let j = 1; j < p.bytes.length; j++) {
        const buf = background.slice();
        buf.set(p.bytes, 65_536 - j);
        out.clear();
        m.scan(buf, out);
        expect(out.has(p.id)).toBe(true);
      }
    }
  });

  it('hands bytes that hit keys at most steps (runs of A, of CR LF) to the scalar engine, with the same results', () => {
    const patterns: PrefilterPattern[] = [
      { id: 0, bytes: Buffer.from('AAAAAAAAAAAAAAAA'), nocase: false },
      { id: 1, bytes: Buffer.from('xAAA'), nocase: false },
      { id: 2, bytes: Buffer.from('\r\n\r\nmurica'), nocase: false },
      { id: 3, bytes: Buffer.from('\r\n\r\n'), nocase: false },
      { id: 4, bytes: Buffer.from('aaab'), nocase: true },
      ...patternsOf(31, 40).map((p, k) => ({ ...p, id: 10 + k })),
    ];
    const m = Prefilter.build(patterns, { engine: 'teddy' });
    for (const fill of ['A', '\r\n', 'aAaA', 'AAAB']) {
      const buf = Buffer.from(fill.repeat(Math.ceil(5000 / fill.length)), 'latin1');
      for (const [start, end] of [[0, buf.length], [100, 3000], [4000, 4001]] as const) {
        const out = m.createCandidateSet();
        m.scanWithContext(buf, 0, start, end, out);
        expect(sorted(out.toArray())).toEqual(referenceIds(patterns, buf, start, end, 0));
      }
    }
  });

  it('keeps each prefilter\'s tables apart when scans of several interleave', () => {
    const sets = [patternsOf(41, 30), patternsOf(42, 200), patternsOf(43, 70)];
    const filters = sets.map((ps) => Prefilter.build(ps, { engine: 'teddy' }));
    const buf = bytes(44, 20_000, true);
    for (const ps of sets) plant(buf, ps.slice(0, 10));
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < filters.length; k++) {
        const out = filters[k]!.createCandidateSet();
        filters[k]!.scan(buf, out, round * 1000, buf.length);
        expect(sorted(out.toArray())).toEqual(referenceIds(sets[k]!, buf, round * 1000, buf.length));
      }
    }
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

/**
 * A remembered scan must give exactly what a fresh scan gives, for repeated and new values, after
 * the table is emptied (maxEntries) and after the memo switched itself off.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CandidateSet, Prefilter } from '../../src/match/prefilter/index.js';
import { BufferKeyIds } from '../../src/logs/record.js';
import { ProgramOutcomes, ScanMemo } from '../../src/match/scan-memo.js';
import type { BufferName } from '../../src/types/buffers.js';

const ALPHABET = [0x61, 0x62, 0x63, 0x41];
const bytesArb = (max: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: 0, maxLength: max }).map((a) => a.map((x) => ALPHABET[x % ALPHABET.length]!));

function sortedIds(set: CandidateSet): number[] {
  return Array.from(set.ids.subarray(0, set.count)).sort((a, b) => a - b);
}

describe('ScanMemo', () => {
  it('adds the same candidates as a direct scan', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ bytes: bytesArb(3).filter((b) => b.length > 0), nocase: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        fc.array(bytesArb(12), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(5), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        (patterns, values, picks, maxEntries) => {
          const pf = Prefilter.build(patterns.map((p, id) => ({ id, bytes: p.bytes, nocase: p.nocase })));
          const memo = new ScanMemo(pf, maxEntries, 8);
          const got = new CandidateSet(patterns.length);
          const want = new CandidateSet(patterns.length);
          const scratch = new CandidateSet(patterns.length);
          for (const k of picks) {
            const buf = values[k % values.length]!;
            got.clear();
            want.clear();
            got.add(0); // ids already present stay, once
            want.add(0);
            memo.scan(buf, got, scratch);
            pf.scan(buf, want);
            expect(sortedIds(got)).toEqual(sortedIds(want));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays exact after switching itself off for values that do not repeat', () => {
    const pf = Prefilter.build([{ id: 0, bytes: Uint8Array.from([0x61, 0x62]), nocase: false }]);
    const memo = new ScanMemo(pf);
    const out = new CandidateSet(1);
    const scratch = new CandidateSet(1);
    for (let i = 0; i < 5000; i++) {
      const buf = new TextEncoder().encode(`${i} ${i % 7 === 0 ? 'ab' : 'ba'}`);
      out.clear();
      memo.scan(buf, out, scratch);
      expect(out.count).toBe(i % 7 === 0 ? 1 : 0);
    }
  });

  it('scanKeyed adds what a scan of the named buffer adds, and builds the buffer only on a miss', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ bytes: bytesArb(3).filter((b) => b.length > 0), nocase: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        fc.array(bytesArb(12), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(6), { minLength: 1, maxLength: 60 }),
        (patterns, values, picks) => {
          const pf = Prefilter.build(patterns.map((p, id) => ({ id, bytes: p.bytes, nocase: p.nocase })));
          const memo = new ScanMemo(pf);
          const got = new CandidateSet(patterns.length);
          const want = new CandidateSet(patterns.length);
          const scratch = new CandidateSet(patterns.length);
          for (const k of picks) {
            // Index values.length stands for a record without the buffer. Ids 4096 apart share a
            // slot of the memo: each replaces the other.
            const v = k % (values.length + 1);
            const buf = v < values.length ? values[v]! : undefined;
            const id = 1 + v * 4096;
            let built = 0;
            const source = {
              buffer: (_: BufferName): Uint8Array | undefined => {
                built++;
                return buf;
              },
            };
            got.clear();
            want.clear();
            got.add(0); // ids already present stay, once
            want.add(0);
            memo.scanKeyed(id, source, 'http.uri', got, scratch);
            if (buf !== undefined) pf.scan(buf, want);
            expect(sortedIds(got)).toEqual(sortedIds(want));
            expect(built).toBeLessThanOrEqual(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('scanKeyed does not build the buffer for a remembered id', () => {
    const pf = Prefilter.build([{ id: 0, bytes: Uint8Array.from([0x61, 0x62]), nocase: false }]);
    const memo = new ScanMemo(pf);
    const out = new CandidateSet(1);
    const scratch = new CandidateSet(1);
    let built = 0;
    const source = { buffer: (): Uint8Array => (built++, Uint8Array.from([0x78, 0x61, 0x62])) };
    for (let i = 0; i < 10; i++) {
      out.clear();
      memo.scanKeyed(7, source, 'http.uri', out, scratch);
      expect(out.count).toBe(1);
    }
    expect(built).toBe(1);
  });
});

describe('ProgramOutcomes', () => {
  it('gives back outcome and steps per program and id; a key sharing the slot replaces the entry', () => {
    const memo = new ProgramOutcomes(4, 12);
    expect(memo.get(0, 1)).toBe(-1);
    memo.remember(0, 1, true, 7);
    memo.remember(0, 2, false, 3);
    memo.remember(1, 1, false, 5);
    expect(memo.get(0, 1)).toBe(7 * 2 + 1);
    expect(memo.get(0, 2)).toBe(3 * 2);
    expect(memo.get(1, 1)).toBe(5 * 2);
    expect(memo.get(2, 1)).toBe(-1);
    // Fill every slot with other keys: each lookup still answers its own key or nothing.
    for (let id = 3; id < 3 + 8192; id++) memo.remember(3, id, true, 1);
    const a = memo.get(0, 1);
    expect(a === -1 || a === 15).toBe(true);
    expect(memo.get(3, 8000)).toBe(3);
  });

  it('never answers for a key it was not told, whatever the ids and programs (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 2 ** 31 }), fc.boolean(), fc.integer({ min: 0, max: 1000 })), { maxLength: 300 }), (ops) => {
        const memo = new ProgramOutcomes(8, 6);
        const model = new Map<string, number>();
        for (const [prog, id, matched, steps] of ops) {
          const got = memo.get(prog, id);
          if (got >= 0) expect(got).toBe(model.get(`${prog}:${id}`));
          memo.remember(prog, id, matched, steps);
          if (memo.enabled(prog)) model.set(`${prog}:${id}`, steps * 2 + (matched ? 1 : 0));
        }
      }),
    );
  });

  it('switches a program off when its ids do not repeat, leaving the others on', () => {
    const memo = new ProgramOutcomes(2, 12);
    for (let i = 1; i < 5000 && memo.enabled(0); i++) {
      if (memo.get(0, i) < 0) memo.remember(0, i, false, 1);
      if (memo.get(1, 1) < 0) memo.remember(1, 1, true, 1);
    }
    expect(memo.enabled(0)).toBe(false);
    expect(memo.enabled(1)).toBe(true);
    memo.remember(0, 1, true, 1);
    expect(memo.get(0, 1)).toBe(-1);
    expect(memo.get(1, 1)).toBe(3);
  });

  it('keeps nothing for programs past the numbered ones', () => {
    const memo = new ProgramOutcomes(1, 12);
    expect(memo.enabled(1)).toBe(false);
    memo.remember(1, 1, true, 1);
    expect(memo.get(1, 1)).toBe(-1);
  });
});

describe('BufferKeyIds', () => {
  it('gives equal keys equal ids and never reuses an id', () => {
    const ids = new BufferKeyIds(3, 4);
    const a = ids.id('a');
    expect(ids.id('a')).toBe(a);
    const b = ids.id('b');
    expect(b).not.toBe(a);
    ids.id('c');
    const d = ids.id('d'); // full: emptied first
    expect(ids.size).toBe(1);
    const a2 = ids.id('a');
    expect([a, b, d]).not.toContain(a2);
    expect(ids.id('toolong')).toBe(-1);
  });

  it('names pairs of ids apart from every other id', () => {
    const ids = new BufferKeyIds();
    const a = ids.id('a');
    const b = ids.id('b');
    const ab = ids.pair(a, b);
    expect(ids.pair(a, b)).toBe(ab);
    expect(ids.pair(b, a)).not.toBe(ab);
    expect(ids.pair(0, b)).not.toBe(ab);
    expect([a, b]).not.toContain(ab);
    expect(ids.id('c')).not.toBe(ab);
    expect(ids.pair(-1, b)).toBe(-1);
    expect(ids.pair(a, 2 ** 26)).toBe(-1);
  });
});

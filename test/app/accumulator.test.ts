import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteAccumulator, MemoryBudget } from '../../src/app/accumulator.js';
import { copyOut } from '../../src/app/bytes.js';

describe('ByteAccumulator', () => {
  it('keeps bytes up to its limit and counts the rest', () => {
    const budget = new MemoryBudget(1 << 20);
    const acc = new ByteAccumulator(budget, 10);
    expect(acc.append(new Uint8Array([1, 2, 3, 4, 5, 6]), 0, 6)).toBe(6);
    expect(acc.append(new Uint8Array([7, 8, 9, 10, 11, 12]), 0, 6)).toBe(4);
    expect(acc.cut).toBe(2);
    expect(acc.full).toBe(true);
    expect([...acc.take()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(budget.used).toBe(0);
  });

  it('draws on the shared budget and stops, flagged, when it runs out', () => {
    const budget = new MemoryBudget(1000);
    const a = new ByteAccumulator(budget, 1 << 20);
    const b = new ByteAccumulator(budget, 1 << 20);
    a.append(new Uint8Array(900), 0, 900);
    const kept = b.append(new Uint8Array(500), 0, 500);
    expect(kept).toBeLessThan(500);
    expect(b.budgetCut).toBe(true);
    expect(budget.used).toBeLessThanOrEqual(1000);
    a.reset();
    b.reset();
    expect(budget.used).toBe(0);
  });

  it('holds exactly what was appended, whatever the pieces (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 20 }), fc.nat(5000), (pieces, limit) => {
        const budget = new MemoryBudget(1 << 20);
        const acc = new ByteAccumulator(budget, limit);
        const all = pieces.flatMap((p) => [...p]);
        for (const p of pieces) acc.append(p, 0, p.length);
        expect([...acc.view()]).toEqual(all.slice(0, limit));
        expect(acc.cut).toBe(Math.max(0, all.length - limit));
        expect(budget.used).toBeLessThanOrEqual(Math.max(limit, 256) * 2);
        acc.reset();
        expect(budget.used).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('copyOut', () => {
  it('returns an independent copy, small or large', () => {
    for (const n of [0, 5, 100, 5000, 70_000]) {
      const src = new Uint8Array(n + 4).map((_, i) => i & 0xff);
      const out = copyOut(src, 2, n + 2);
      src.fill(0);
      expect(out.length).toBe(n);
      for (let i = 0; i < n; i++) if (out[i] !== ((i + 2) & 0xff)) throw new Error(`byte ${i} of ${n}`);
    }
  });

  it('never lets two copies overlap', () => {
    const copies = Array.from({ length: 3000 }, (_, i) => copyOut(new Uint8Array(40).fill(i & 0xff), 0, 40));
    copies.forEach((c, i) => expect(c.every((b) => b === (i & 0xff))).toBe(true));
  });
});

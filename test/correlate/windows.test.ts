import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WindowTable } from '../../src/correlate/windows.js';

describe('WindowTable', () => {
  it('finds exactly the keys it holds, through growth, eviction and index repair', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 60 }), fc.boolean()), { maxLength: 400 }),
        (max, ops) => {
          const t = new WindowTable(max);
          const spaces = [t.space(), t.space(), t.space(), t.space()];
          // Model: which key each slot holds.
          const model = new Map<string, number>();
          const bySlot = new Map<number, string>();
          let creates = 0;
          for (const [sp, k, touch] of ops) {
            const key = `10.0.0.${k}`;
            const id = `${sp}|${key}`;
            const found = t.find(spaces[sp]!, key);
            expect(found).toBe(model.get(id) ?? -1);
            if (found < 0) {
              creates++;
              const slot = t.create(spaces[sp]!, key, 0);
              const old = bySlot.get(slot);
              if (old !== undefined) model.delete(old);
              model.set(id, slot);
              bySlot.set(slot, id);
            } else if (touch) t.count[found]!++;
            expect(t.size).toBeLessThanOrEqual(max);
            expect(model.size).toBe(t.size);
          }
          for (const [id, slot] of model) {
            const [sp, key] = id.split('|') as [string, string];
            expect(t.find(spaces[Number(sp)]!, key)).toBe(slot);
          }
          expect(t.evictions).toBe(creates - t.size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps recently used keys when it must drop one (second chance)', () => {
    const t = new WindowTable(3);
    const s = t.space();
    t.create(s, 'a', 0);
    t.create(s, 'b', 0);
    t.create(s, 'c', 0);
    t.find(s, 'a');
    t.create(s, 'd', 0); // 'a' was used since: 'b' goes
    expect(t.find(s, 'a')).toBeGreaterThanOrEqual(0);
    expect(t.find(s, 'b')).toBe(-1);
    expect(t.evictions).toBe(1);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OldestFirst } from '../../src/types/oldest-first.js';

type Op = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number } | { kind: 'evict' } | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 20 }), value: fc.integer() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('evict' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('OldestFirst', () => {
  it('takes the oldest member of a Set as well', () => {
    const set = new Set(['a', 'b', 'c']);
    const fifo = new OldestFirst(set);
    set.delete(fifo.take()!);
    set.delete('b');
    set.add('a');
    expect(fifo.take()).toBe('c');
    set.delete('c');
    expect(fifo.take()).toBe('a');
    set.delete('a');
    expect(fifo.take()).toBeUndefined();
    set.add('d');
    expect(fifo.take()).toBe('d');
  });

  it('evicts exactly what a list in insertion order says is oldest, whatever else the map went through', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 400 }), (ops) => {
        const map = new Map<number, number>();
        const fifo = new OldestFirst(map);
        // The model: keys in insertion order (setting a present key keeps its place, as Map does).
        let order: number[] = [];
        const values = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            if (!values.has(o.key)) order.push(o.key);
            values.set(o.key, o.value);
            map.set(o.key, o.value);
          } else if (o.kind === 'delete') {
            order = order.filter((k) => k !== o.key);
            values.delete(o.key);
            map.delete(o.key);
          } else if (o.kind === 'clear') {
            order = [];
            values.clear();
            map.clear();
          } else {
            const want = order.shift();
            if (want !== undefined) values.delete(want);
            const got = fifo.take();
            expect(got).toBe(want);
            if (got !== undefined) map.delete(got);
          }
          expect([...map.keys()]).toEqual(order);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('evicts in insertion order across the rehashes of a large map held at its cap', () => {
    const map = new Map<number, number>();
    const fifo = new OldestFirst(map);
    const cap = 65_536;
    let wrong = 0;
    for (let i = 0; i < 300_000; i++) {
      if (map.size >= cap) {
        const k = fifo.take()!;
        if (k !== i - cap) wrong++;
        map.delete(k);
      }
      map.set(i, i);
    }
    expect(wrong).toBe(0);
    expect(map.size).toBe(cap);
    expect(map.keys().next().value).toBe(300_000 - cap);
  });
});

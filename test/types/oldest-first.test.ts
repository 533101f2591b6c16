import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OldestFirst } from '../../src/types/oldest-first.js';

type Op = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number } | { kind: 'evict' } | { kind: 'room' } | { kind: 'clear' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 20 }), value: fc.integer() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('evict' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('room' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('OldestFirst', () => {
  it('takes the oldest member of a Set as well', () => {
    const set = new Set(['a', 'b', 'c']);
    const fifo = new OldestFirst(set);
    set.delete(fifo.fullAt(3)!);
    set.delete('b');
    set.add('a');
    expect(fifo.fullAt(2)).toBe('c');
    set.delete('c');
    expect(fifo.fullAt(1)).toBe('a');
    set.delete('a');
    expect(fifo.fullAt(0)).toBeUndefined();
    set.add('d');
    expect(fifo.fullAt(2)).toBeUndefined();
    expect(fifo.fullAt(1)).toBe('d');
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
          } else if (o.kind === 'room') {
            // Below the cap nothing is taken (and the iterator is let go).
            expect(fifo.fullAt(map.size + 1)).toBeUndefined();
          } else if (o.kind === 'clear') {
            order = [];
            values.clear();
            map.clear();
          } else {
            const want = order.shift();
            if (want !== undefined) values.delete(want);
            // A cap of 0: always full.
            const got = fifo.fullAt(0);
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
      const k = fifo.fullAt(cap);
      if (k !== undefined) {
        if (k !== i - cap) wrong++;
        map.delete(k);
      } else if (i >= cap) wrong++;
      map.set(i, i);
    }
    expect(wrong).toBe(0);
    expect(map.size).toBe(cap);
    expect(map.keys().next().value).toBe(300_000 - cap);
  });

  it('lets go of its iterator once there is room, so that churn below the cap keeps no old tables alive', () => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const map = new Map<number, number>();
    const fifo = new OldestFirst(map);
    const cap = 65_536;
    let k = 0;
    const add = (): void => {
      const old = fifo.fullAt(cap);
      if (old !== undefined) map.delete(old);
      map.set(k, k);
      k++;
    };
    for (let i = 0; i < 100_000; i++) add();
    // Some entries go: from now on every add finds room.
    const keys = [...map.keys()];
    for (let i = 0; i < 1000; i++) map.delete(keys[i * 3]!);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) {
      map.delete(k - 1);
      add();
    }
    gc();
    // An iterator kept idle through this churn held on to about 55 MB of old tables.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20e6);
    expect(map.size).toBe(cap - 1000);
  });
});

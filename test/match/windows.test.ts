import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bothAt, escalateAt, limitAt, rateAt, thresholdAt, WindowTable } from '../../src/match/windows.js';

/** Ops on a table: [space 0..3, key 0..60, numeric key?, look the key up again?]. */
const ops = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 60 }), fc.boolean(), fc.boolean()), { maxLength: 400 });

describe('WindowTable', () => {
  it('finds exactly the keys it holds, with their own windows, through growth, eviction and record moves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), ops, (max, list) => {
        const t = new WindowTable(max);
        const spaces = [t.space(), t.space(), t.space(), t.space()];
        // Model: the keys held, each with the start time of the window made with it.
        const model = new Map<string, number>();
        let creates = 0;
        let dropped = 0;
        for (const [sp, k, numeric, again] of list) {
          const space = spaces[sp]!;
          const text = `10.0.0.${k}`;
          // Numeric keys: a text key and a numeric key with the same digits are different keys.
          const id = `${sp}|${numeric ? 'n' : 't'}${k}`;
          const look = (): number => (numeric ? t.findNumbers(space, 0x0a000000 + k, k * 7) : t.find(space, text));
          let slot = look();
          expect(slot >= 0, id).toBe(model.has(id));
          if (slot < 0) {
            creates++;
            const ts = creates * 1000;
            slot = numeric ? t.acquireNumbers(space, 0x0a000000 + k, k * 7) : t.create(space, text);
            if (numeric) expect(t.fresh).toBe(true);
            t.open(slot, ts);
            expect(t.countOf(slot)).toBe(1);
            expect(t.startOf(slot)).toBe(ts);
            model.set(id, ts);
            // A full table dropped exactly one other key to make room.
            for (const other of [...model.keys()]) {
              if (other === id) continue;
              const [s, rest] = other.split('|') as [string, string];
              const n = Number(rest.slice(1));
              const present =
                rest[0] === 'n' ? t.findNumbers(spaces[Number(s)]!, 0x0a000000 + n, n * 7) >= 0 : t.has(spaces[Number(s)]!, `10.0.0.${n}`);
              if (!present) {
                model.delete(other);
                dropped++;
              }
            }
          } else {
            // The key's window is the one made with it, wherever its record has moved.
            expect(t.startOf(slot)).toBe(model.get(id));
          }
          if (again) {
            const s2 = look();
            expect(s2).toBe(slot);
            expect(t.startOf(s2)).toBe(model.get(id));
          }
          expect(t.size).toBeLessThanOrEqual(max);
          expect(t.size).toBe(model.size);
        }
        expect(t.evictions).toBe(dropped);
        expect(t.evictions).toBe(creates - t.size);
      }),
      { numRuns: 300 },
    );
  });

  it('holds a rate_filter key while its action lasts, and an escalation while its window does', () => {
    const rated = (later: number): [number, number] => {
      const t = new WindowTable(1);
      const s = t.space();
      let i = t.acquire(s, 'a');
      rateAt(t, i, t.fresh, 1, 1, 5, 0);
      i = t.acquire(s, 'a');
      expect(rateAt(t, i, t.fresh, 1, 1, 5, 500_000)).toBe(true); // on from 0.5 s for 5 s
      t.seen(later);
      t.acquire(s, 'b');
      return [t.evictions, t.reclaimed];
    };
    expect(rated(3_000_000)).toEqual([1, 0]); // the window is over, the action is not
    expect(rated(5_600_000)).toEqual([0, 1]);
    const escalated = (later: number): [number, number] => {
      const t = new WindowTable(1);
      const s = t.space();
      const i = t.acquire(s, 'a');
      escalateAt(t, i, t.fresh, 1, 2, 0);
      t.seen(later);
      t.acquire(s, 'b');
      return [t.evictions, t.reclaimed];
    };
    expect(escalated(2_000_000)).toEqual([1, 0]);
    expect(escalated(2_000_001)).toEqual([0, 1]);
  });

  it('keeps recently used keys when it must drop one (second chance)', () => {
    const t = new WindowTable(3);
    const s = t.space();
    t.create(s, 'a');
    t.create(s, 'b');
    t.create(s, 'c');
    t.find(s, 'a');
    t.create(s, 'd'); // 'a' was used since: 'b' goes
    expect(t.find(s, 'a')).toBeGreaterThanOrEqual(0);
    expect(t.find(s, 'b')).toBe(-1);
    expect(t.evictions).toBe(1);
  });
});

/** The window rules written plainly: a window is its start, its hit count and its mark (-1: none). */
interface ModelWindow {
  start: number;
  count: number;
  mark: number;
}
const US = 1_000_000;
/** A hit earlier than the window by more than its length: it opens a fresh window, as a later one does. */
const stale = (w: ModelWindow, fresh: boolean, s: number, ts: number): boolean => !fresh && ts < w.start - s * US;
const model = {
  limit(w: ModelWindow, fresh: boolean, c: number, s: number, ts: number): boolean {
    fresh ||= stale(w, fresh, s, ts);
    if (!fresh && ts <= w.start + s * US) return ++w.count <= c;
    Object.assign(w, { start: ts, count: 1, mark: -1 });
    return true;
  },
  threshold(w: ModelWindow, fresh: boolean, c: number, s: number, ts: number): boolean {
    fresh ||= stale(w, fresh, s, ts);
    if (!fresh && ts <= w.start + s * US) w.count++;
    else Object.assign(w, { start: ts, count: 1, mark: -1 });
    if (w.count >= c) {
      w.count = 0;
      return true;
    }
    return false;
  },
  both(w: ModelWindow, fresh: boolean, c: number, s: number, ts: number): boolean {
    fresh ||= stale(w, fresh, s, ts);
    if (!fresh && ts <= w.start + s * US) return ++w.count === c;
    Object.assign(w, { start: ts, count: 1, mark: -1 });
    return c === 1;
  },
  rate(w: ModelWindow, fresh: boolean, c: number, s: number, timeout: number, ts: number): boolean {
    fresh ||= stale(w, fresh, s, ts);
    if (!fresh) {
      if (w.mark >= 0) {
        if (timeout === 0 || ts - w.mark <= timeout * US) return true;
        // Suricata's IsThresholdReached: the timeout ends, this hit keeps the old action, and
        // the window goes on with its start and count.
        w.mark = -1;
        return false;
      }
      if (ts <= w.start + s * US) {
        if (++w.count > c) {
          w.mark = ts;
          return true;
        }
        return false;
      }
    }
    Object.assign(w, { start: ts, count: 1, mark: -1 });
    return false;
  },
  escalate(w: ModelWindow, fresh: boolean, c: number, s: number, ts: number): number {
    fresh ||= stale(w, fresh, s, ts);
    if (!fresh && ts <= w.start + s * US) {
      w.count++;
      if (w.mark >= 0) return 2;
    } else Object.assign(w, { start: ts, count: 1, mark: -1 });
    if (w.count >= c) {
      w.mark = ts;
      return 1;
    }
    return 0;
  },
};

describe('window rules', () => {
  it('decide every hit as the plain rules do (count and mark kept in one field), before 1970 too', () => {
    const kinds = ['limit', 'threshold', 'both', 'rate', 'escalate'] as const;
    const hitArb = fc.record({ key: fc.integer({ min: 0, max: 4 }), dt: fc.integer({ min: -2, max: 12 }) });
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: -40, max: 40 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(hitArb, { maxLength: 120 }),
        (kind, count, seconds, timeout, t0, max, hits) => {
          const t = new WindowTable(max);
          const space = t.space();
          const windows = new Map<number, ModelWindow>();
          let ts = t0 * US;
          for (const h of hits) {
            ts += h.dt * US;
            const i = t.acquireNumbers(space, h.key, 0);
            const fresh = t.fresh;
            if (fresh) windows.set(h.key, { start: 0, count: 0, mark: -1 });
            const w = windows.get(h.key)!;
            let got: number | boolean;
            let want: number | boolean;
            if (kind === 'limit') [got, want] = [limitAt(t, i, fresh, count, seconds, ts), model.limit(w, fresh, count, seconds, ts)];
            else if (kind === 'threshold') [got, want] = [thresholdAt(t, i, fresh, count, seconds, ts), model.threshold(w, fresh, count, seconds, ts)];
            else if (kind === 'both') [got, want] = [bothAt(t, i, fresh, count, seconds, ts), model.both(w, fresh, count, seconds, ts)];
            else if (kind === 'rate') [got, want] = [rateAt(t, i, fresh, count, seconds, timeout, ts), model.rate(w, fresh, count, seconds, timeout, ts)];
            else [got, want] = [escalateAt(t, i, fresh, count, seconds, ts), model.escalate(w, fresh, count, seconds, ts)];
            expect(got).toBe(want);
            expect(t.startOf(i)).toBe(w.start);
            if (w.mark < 0) expect(t.countOf(i)).toBe(w.count);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

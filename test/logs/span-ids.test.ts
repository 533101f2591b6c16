/**
 * SpanKeyIds names byte spans by number for the engine's memos: equal ids must always mean equal
 * bytes (a memo hit skips building and scanning the buffer), whatever the table forgets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferKeyIds } from '../../src/logs/record.js';
import { SpanKeyIds, SpanParts } from '../../src/logs/span-ids.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** Looks up `key` as a span in the middle of a larger line, as records do. */
function idOf(ids: SpanKeyIds, key: string, pad: number): number {
  const line = bytes('#'.repeat(pad) + key + '#');
  return ids.id(line, pad, pad + key.length);
}

// Small alphabet and lengths around the 40-byte sampling limit: equal keys, near misses and
// spans that differ only in bytes the hash does not read are all frequent.
const key = fc.oneof(
  fc.array(fc.constantFrom('a', 'b', '/'), { maxLength: 6 }).map((a) => a.join('')),
  fc.tuple(fc.nat(3), fc.nat(3), fc.integer({ min: 30, max: 90 })).map(([x, y, n]) => 'p'.repeat(20) + String(x) + 'q'.repeat(n - 22) + String(y)),
);

describe('SpanKeyIds', () => {
  it('text() is the latin1 text of the span, kept by id or cut afresh', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.nat(5)), { minLength: 1, maxLength: 200 }), (lookups) => {
        const ids = new SpanKeyIds(new BufferKeyIds(), 8, 512, 100);
        for (const [k, pad] of lookups) {
          const line = bytes('#'.repeat(pad) + k + '\xff');
          const id = ids.id(line, pad, pad + k.length);
          expect(ids.text(id, line, pad, pad + k.length)).toBe(k);
          expect(ids.text(0, line, pad, pad + k.length)).toBe(k);
        }
      }),
    );
  });

  it('equal ids mean equal bytes, through clears and replacements', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.nat(5)), { minLength: 1, maxLength: 200 }), (lookups) => {
        // A tiny table and store: full and emptied again many times per run.
        const ids = new SpanKeyIds(new BufferKeyIds(), 8, 512, 100);
        const byId = new Map<number, string>();
        for (const [k, pad] of lookups) {
          const id = idOf(ids, k, pad);
          if (id === -1) continue;
          expect(id).toBeGreaterThan(0);
          const seen = byId.get(id);
          if (seen !== undefined) expect(k).toBe(seen);
          else byId.set(id, k);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('names equal spans alike and unequal ones apart at any alignment inside a shared read chunk', () => {
    // Lines are views into one chunk, as the line splitter hands them on: spans start at every
    // offset modulo 4, with bytes of other lines after them, or at the very end of the chunk.
    const chunk = new ArrayBuffer(4096);
    const mem = new Uint8Array(chunk);
    const place = (k: string, at: number, slack: number): [Uint8Array, number, number] => {
      mem.fill(0x23, at, at + k.length + slack);
      mem.set(bytes(k), at);
      return [new Uint8Array(chunk, at > 7 ? at - 7 : 0, (at > 7 ? 7 : at) + k.length + slack), at > 7 ? 7 : at, (at > 7 ? 7 : at) + k.length];
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, fc.nat(3000), fc.nat(9), fc.boolean()), { minLength: 1, maxLength: 60 }),
        (lookups) => {
          const ids = new SpanKeyIds(new BufferKeyIds(), 256, 16384, 200);
          const byKey = new Map<string, number>();
          const byId = new Map<number, string>();
          for (const [k, at0, slack, atEnd] of lookups) {
            const at = atEnd ? 4096 - k.length : at0;
            const [line, s, e] = place(k, at, atEnd ? 0 : slack);
            const id = ids.id(line, s, e);
            expect(id).toBeGreaterThan(0);
            // The table never fills or rests here: a span seen before keeps its id.
            if (byKey.has(k)) expect(id).toBe(byKey.get(k));
            byKey.set(k, id);
            if (byId.has(id)) expect(k).toBe(byId.get(id));
            byId.set(id, k);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives a repeated span its id again', () => {
    const ids = new SpanKeyIds(new BufferKeyIds());
    const a = idOf(ids, '/index.html', 3);
    const b = idOf(ids, '/other', 0);
    expect(idOf(ids, '/index.html', 7)).toBe(a);
    expect(b).not.toBe(a);
    expect(idOf(ids, '', 2)).toBeGreaterThan(0);
  });

  it('gives no id to spans longer than the limit', () => {
    const ids = new SpanKeyIds(new BufferKeyIds(), 16, 1024, 8);
    expect(idOf(ids, 'x'.repeat(9), 0)).toBe(-1);
    expect(idOf(ids, 'x'.repeat(8), 0)).toBeGreaterThan(0);
  });

  it('never hands out an id another key source already used', () => {
    const counter = new BufferKeyIds();
    const a = counter.id('a');
    const ids = new SpanKeyIds(counter);
    const s = idOf(ids, 'a', 0);
    expect(s).not.toBe(a);
    expect(counter.pair(a, s)).not.toBe(s);
  });

  it('rests while values do not repeat, then tries again', () => {
    const ids = new SpanKeyIds(new BufferKeyIds());
    let answered = 0;
    let i = 0;
    for (; i < 4096; i++) if (idOf(ids, `/u/${i}`, 0) > 0) answered++;
    // The window saw no repeats: from its last lookup on, the table answers "no key" ...
    expect(answered).toBe(4095);
    expect(idOf(ids, '/same', 0)).toBe(-1);
    expect(idOf(ids, '/same', 0)).toBe(-1);
    // ... for a bounded number of lookups, then gives ids again.
    let back = -1;
    for (let k = 0; k < 100_000 && back === -1; k++) back = idOf(ids, '/same', 0);
    expect(back).toBeGreaterThan(0);
    expect(idOf(ids, '/same', 0)).toBe(back);
  });

  it('stays exact and bounded under a flood of look-alike spans', () => {
    const ids = new SpanKeyIds(new BufferKeyIds(), 64, 4096);
    // 200-byte spans that differ only in bytes the hash does not sample: one hash for all.
    const make = (n: number): string => 'A'.repeat(16) + 'B'.repeat(n % 7) + String(n).padStart(6, '0') + 'C'.repeat(200 - 22 - 16 - (n % 7)) + 'D'.repeat(16);
    const byId = new Map<number, number>();
    for (let n = 0; n < 3000; n++) {
      const id = idOf(ids, make(n % 50), 1);
      if (id < 0) continue;
      const seen = byId.get(id);
      if (seen !== undefined) expect(seen).toBe(n % 50);
      else byId.set(id, n % 50);
    }
    expect(ids.size).toBeLessThanOrEqual(64);
  });
});

describe('BufferKeyIds.pair', () => {
  it('equal ids mean equal pairs, through clears', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(6), fc.nat(6)), { minLength: 1, maxLength: 300 }), (pairs) => {
        const ids = new BufferKeyIds(4);
        const byId = new Map<number, string>();
        for (const [a, b] of pairs) {
          const id = ids.pair(a, b);
          const k = `${a},${b}`;
          const seen = byId.get(id);
          if (seen !== undefined) expect(k).toBe(seen);
          else byId.set(id, k);
          // Asked again straight away, the pair keeps its id.
          expect(ids.pair(a, b)).toBe(id);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('BufferKeyIds at the end of its ids', () => {
  it('answers "no key" rather than give an id past 2^31 - 1', () => {
    const counter = new BufferKeyIds(16, 512, 2 ** 31 - 3);
    const spans = new SpanKeyIds(counter);
    const a = counter.fresh();
    const b = idOf(spans, '/a', 0);
    expect([a, b]).toEqual([2 ** 31 - 3, 2 ** 31 - 2]);
    expect(counter.fresh()).toBe(-1);
    expect(counter.pair(a, b)).toBe(-1);
    expect(counter.id('k')).toBe(-1);
    expect(idOf(spans, '/new', 0)).toBe(-1);
    // Ids given before still hold.
    expect(idOf(spans, '/a', 4)).toBe(b);
  });
});

describe('SpanParts', () => {
  it('gives back the parts last kept for an id, and nothing for an id it does not hold', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 2 ** 31 - 2 }), fc.integer({ min: -1, max: 1000 }), fc.nat(1000), fc.nat(9)), { minLength: 1, maxLength: 100 }), (entries) => {
        // Four slots: ids collide and replace each other often.
        const parts = new SpanParts(4);
        const kept = new Map<number, number[]>();
        for (const [id, a, b, c] of entries) {
          parts.remember(id, a, b, c);
          kept.set(id, [a, b, c]);
          const w = parts.find(id);
          expect(w).toBeGreaterThanOrEqual(0);
          expect([parts.part(w, 0), parts.part(w, 1), parts.part(w, 2)]).toEqual([a, b, c]);
        }
        for (const [id, want] of kept) {
          const w = parts.find(id);
          if (w >= 0) expect([parts.part(w, 0), parts.part(w, 1), parts.part(w, 2)]).toEqual(want);
        }
        expect(parts.find(2 ** 31 - 1)).toBe(-1);
      }),
    );
  });
});

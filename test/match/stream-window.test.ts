/**
 * The stream window's lower-cased copy (folded four bytes at a time) always equals the window's
 * bytes lower-cased one by one, whatever the sequence of appends, inspections and holes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamWindow } from '../../src/match/stream-window.js';
import { LOWER } from '../../src/options/matcher.js';

type Op = { kind: 'append'; bytes: Uint8Array; gap: boolean } | { kind: 'lower' } | { kind: 'consume' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('append' as const),
    // Letters of both cases, the bytes around them, and high bytes.
    bytes: fc.uint8Array({ minLength: 1, maxLength: 700 }).map((b) => b.map((x) => [0x40, 0x41, 0x5a, 0x5b, 0x60, 0x61, 0x7a, 0xc1, 0xda, x][x % 10]!)),
    gap: fc.boolean(),
  }),
  fc.constant({ kind: 'lower' as const }),
  fc.constant({ kind: 'consume' as const }),
);

describe('StreamWindow.lowered', () => {
  it('equals the bytes lower-cased, across appends, consumes and holes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.array(opArb, { maxLength: 40 }), (keep, ops) => {
        const w = new StreamWindow(keep);
        let offset = 0;
        for (const op of ops) {
          if (op.kind === 'append') {
            if (op.gap) offset += 7;
            w.append(op.bytes, offset, op.gap);
            offset += op.bytes.length;
          } else if (op.kind === 'consume') w.consumed();
          const got = w.lowered();
          const want = w.bytes().map((b) => LOWER[b]!);
          expect(Array.from(got)).toEqual(Array.from(want));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('StreamWindow stream offsets', () => {
  it('reports where bytes() starts in the stream, and data delivered again since the last inspection', () => {
    const w = new StreamWindow(4);
    const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(0x61);
    w.append(bytes(10), 100, false);
    expect(w.startOffset).toBe(100);
    expect(w.hasRedelivered).toBe(false);
    w.consumed();
    // The tail kept is the last 4 bytes: bytes() now starts at stream offset 106.
    expect(w.startOffset).toBe(106);
    w.append(bytes(5), 110, false);
    expect(w.hasRedelivered).toBe(false);
    w.consumed();
    // Offsets 112..117 were delivered before (the furthest byte so far ends at 115).
    w.append(bytes(6), 112, false);
    expect(w.hasRedelivered).toBe(true);
    expect(w.startOffset).toBe(112);
    w.consumed();
    expect(w.hasRedelivered).toBe(false);
    // Past a hole: new data, nothing delivered again.
    w.append(bytes(3), 200, true);
    expect(w.hasRedelivered).toBe(false);
    expect(w.startOffset).toBe(200);
  });
});

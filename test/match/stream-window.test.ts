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

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { casePackets, segmentSizes, CASE_MSS } from '../../src/ruletest/build.js';
import type { TestCase } from '../../src/ruletest/model.js';
import { parseCaseText } from '../../src/ruletest/parse.js';
import { datagramDeliveryFor, deliveryFor } from '../../src/ruletest/variants/transport.js';
import { receive } from './helpers.js';

function tcpCase(client: Uint8Array, server: Uint8Array): TestCase {
  const c = parseCaseText('=== t\nsid: 1\nexpect: positive\nserver: 10.0.0.2:7000\n--- tcp client\nx\n--- tcp server\ny\n', '/t.ktest').cases[0]!;
  (c.sections[0] as { data: Uint8Array }).data = client;
  (c.sections[1] as { data: Uint8Array }).data = server;
  return c;
}

const plan = fc.record({
  splits: fc.array(fc.nat(), { maxLength: 12 }),
  swaps: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 5 }),
  dups: fc.array(fc.nat(), { maxLength: 4 }),
  overlaps: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
  frag: fc.option(fc.array(fc.integer({ min: 1, max: 30 }).map((n) => n * 8), { minLength: 1, maxLength: 3 }), { nil: null }),
  tiny: fc.integer({ min: 0, max: 8 }),
});

describe('transport variants', () => {
  it('cut segments at the split points and never past the mss', () => {
    expect(segmentSizes(10, [3, 7])).toEqual([3, 4, 3]);
    expect(segmentSizes(5000, [100])).toEqual([100, CASE_MSS, CASE_MSS, CASE_MSS, 5000 - 100 - 3 * CASE_MSS]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20000 }), fc.array(fc.nat({ max: 20000 })), (len, split) => {
        const sizes = segmentSizes(len, split);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(len);
        expect(sizes.every((s) => s > 0 && s <= CASE_MSS)).toBe(true);
      }),
      { seed: 5, numRuns: 200 },
    );
  });

  it('segmented, reordered, duplicated, overlapped and fragmented streams reassemble to the original bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4000 }), fc.uint8Array({ minLength: 1, maxLength: 600 }), plan, plan, (a, b, pa, pb) => {
        const c = tcpCase(a, b);
        const changes: string[] = [];
        (c.sections[0] as { delivery: object }).delivery = deliveryFor(a.length, pa, 'client', changes);
        (c.sections[1] as { delivery: object }).delivery = deliveryFor(b.length, pb, 'server', changes);
        const got = receive(casePackets(c));
        expect(got.gaps).toBe(0);
        expect(Buffer.from(got.client).equals(Buffer.from(a))).toBe(true);
        expect(Buffer.from(got.server).equals(Buffer.from(b))).toBe(true);
      }),
      { seed: 7, numRuns: 120 },
    );
  });

  it('fragmented datagrams sent out of order defragment to the original payload', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 1400 }), fc.array(fc.integer({ min: 1, max: 30 }).map((n) => n * 8), { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }), (payload, frag, swaps) => {
        const c = parseCaseText('=== d\nsid: 1\nexpect: positive\nserver: 10.0.0.2:1434\n--- udp hex\n00\n', '/d.ktest').cases[0]!;
        const s = c.sections[0] as { data: Uint8Array; delivery: object };
        s.data = payload;
        s.delivery = datagramDeliveryFor(8 + payload.length, { frag, swaps }, 'udp', []);
        const got = receive(casePackets(c));
        expect(got.datagrams.length).toBe(1);
        expect(Buffer.from(got.datagrams[0]!).equals(Buffer.from(payload))).toBe(true);
      }),
      { seed: 9, numRuns: 150 },
    );
  });

  it('describe what they do, and do nothing without a plan', () => {
    const changes: string[] = [];
    expect(deliveryFor(100, { splits: [], swaps: [], dups: [], overlaps: [], frag: null }, 'request', changes)).toEqual({});
    expect(changes).toEqual([]);
    const d = deliveryFor(100, { splits: [9, 49], swaps: [[0, 2]], dups: [1], overlaps: [[10, 4]], frag: [16] }, 'request', changes);
    expect(d).toEqual({ split: [10, 50], order: [2, 1, 0], dup: [1], overlap: [[10, 15]], frag: [16] });
    expect(changes).toEqual(['request: cut at 10,50; segments sent in order 2,1,0; segments 1 sent twice; bytes 10-15 retransmitted; IP fragments of 16 bytes']);
  });

  it('dribble the start of a send out a few bytes per segment, said in a few words', () => {
    const changes: string[] = [];
    const d = deliveryFor(1000, { splits: [699], swaps: [], dups: [], overlaps: [], frag: null, tiny: 3 }, 'request', changes);
    expect(segmentSizes(1000, d.split).slice(0, 3)).toEqual([3, 3, 3]);
    expect(d.split!.filter((at) => at < 512)).toEqual(Array.from({ length: 170 }, (_, i) => 3 * (i + 1)));
    expect(changes).toEqual(['request: first 512 bytes sent 3 bytes per segment; cut at 700']);
    expect(deliveryFor(5, { splits: [], swaps: [], dups: [], overlaps: [], frag: null, tiny: 1 }, 'request', [])).toEqual({ split: [1, 2, 3, 4] });
  });
});

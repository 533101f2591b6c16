import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFRAG_POLICIES } from '../../src/stream/defrag-policy.js';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import type { DecodedPacket } from '../../src/types/packet.js';
import {
  Conversation, RecordingSink, TestIpDecoder, fragmentPacket, ipv4Datagram, ipv4FragmentBytes, ipv6Datagram,
  ipv6FragmentBytes, ipv6Payload, pattern, tcpPkt, type FragSpec,
} from './helpers.js';

/** Pieces [start, end) covering 0..n at the given cuts, plus extra pieces (overlapping, duplicated). */
function pieces(n: number, cuts: number[], extras: [number, number][]): [number, number][] {
  const points = [...new Set([0, ...cuts.map((c) => c % n), n])].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < points.length; i++) out.push([points[i]!, points[i + 1]!]);
  for (const [a, b] of extras) {
    const s = a % n;
    const e = s + 1 + (b % (n - s));
    out.push([s, e]);
  }
  return out;
}

/** Orders items by random keys (a permutation fast-check can shrink). */
function permute<T>(items: T[], keys: number[]): T[] {
  return items
    .map((item, i) => ({ item, k: keys[i % Math.max(1, keys.length)]! * 1000 + i }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.item);
}

const isnArb = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0xffffff00, max: 0xffffffff }));

describe('property: TCP reassembly', () => {
  for (const policy of ['first', 'last'] as const) {
    it(`any permutation, duplication and overlapping segmentation rebuilds the original bytes (${policy})`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 2000 }),
          isnArb,
          fc.array(fc.nat(), { maxLength: 40 }),
          fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 15 }),
          fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 60 }),
          (data, isn, cuts, extras, keys) => {
            const e = new StreamEngine(new TestIpDecoder().decode, { tcp: { policy, gapTimeout: 0 } });
            const sink = new RecordingSink();
            const c = new Conversation(isn, 12345);
            for (const p of c.handshake()) e.process(p, sink);
            for (const [s, t] of permute(pieces(data.length, cuts, extras), keys)) e.process(c.c(s, data.subarray(s, t)), sink);
            e.flush(sink);
            const chunks = sink.chunks.filter((x) => x.toServer);
            let expectOffset = 0;
            for (const ch of chunks) {
              expect(ch.gapBefore).toBe(false);
              expect(ch.offset).toBe(expectOffset);
              expectOffset += ch.data.length;
            }
            expect(sink.stream(true)).toEqual(data);
            expect(e.stats.tcpOverlapDiffData).toBe(0);
            expect(e.reassemblyBytesBuffered).toBe(0);
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});

describe('property: IP defragmentation', () => {
  const fragArb = fc.record({
    len: fc.integer({ min: 9, max: 3000 }),
    seed: fc.nat(),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
    extras: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
    keys: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 30 }),
    policy: fc.constantFrom(...DEFRAG_POLICIES),
  });

  /** 8-aligned fragments of a payload of length n, with overlapping extras carrying the same bytes. */
  function fragSpecs(payload: Uint8Array, cuts: number[], extras: [number, number][]): FragSpec[] {
    const n = payload.length;
    const blocks = Math.ceil(n / 8);
    const align = (x: number): number => Math.min(n, 8 * x);
    // At least one cut, so the datagram really is fragmented.
    const ranges = pieces(blocks, [1, ...cuts], extras).map(([a, b]) => [align(a), align(b)] as const);
    return ranges.filter(([a, b]) => b > a).map(([a, b]) => ({ off: a, data: payload.subarray(a, b), more: b < n }));
  }

  it('any fragmentation and permutation of an IPv4 datagram rebuilds it exactly', () => {
    fc.assert(
      fc.property(fragArb, ({ len, seed, cuts, extras, keys, policy }) => {
        const payload = pattern(len, seed);
        const datagram = ipv4Datagram({ proto: 17, id: seed & 0xffff, payload });
        const dec = new TestIpDecoder();
        const e = new StreamEngine(dec.decode, { defrag: { policy } });
        const sink = new RecordingSink();
        for (const f of permute(fragSpecs(payload, cuts, extras), keys)) {
          if (dec.seen.length > 0) break; // complete: later duplicates would start a new datagram
          e.process(fragmentPacket(ipv4FragmentBytes(datagram, f)), sink);
        }
        expect(dec.seen).toEqual([datagram]);
        expect(e.stats.defragOverlapDiffData).toBe(0);
        expect(e.fragmentBytesHeld).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('any fragmentation and permutation of an IPv6 datagram rebuilds it exactly', () => {
    fc.assert(
      fc.property(fragArb, fc.boolean(), ({ len, seed, cuts, extras, keys, policy }, hopByHop) => {
        const payload = pattern(len, seed);
        const datagram = ipv6Datagram({ nextHeader: 17, payload, hopByHop });
        const dec = new TestIpDecoder();
        const e = new StreamEngine(dec.decode, { defrag: { policy } });
        const sink = new RecordingSink();
        for (const f of permute(fragSpecs(ipv6Payload(datagram), cuts, extras), keys)) {
          if (dec.seen.length > 0) break;
          e.process(fragmentPacket(ipv6FragmentBytes(datagram, f, seed)), sink);
        }
        expect(dec.seen).toEqual([datagram]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('property: hostile input', () => {
  const LIMITS = {
    flow: { maxFlows: 16 },
    tcp: { maxBufferedPerDirection: 2048, maxSegmentsPerDirection: 16, memcap: 8192, retainBytes: 256, retainMemcap: 1024 },
    defrag: { maxTrackers: 4, maxBytes: 4096, maxFrags: 8 },
  };

  const addrArb = fc.oneof(
    { arbitrary: fc.constantFrom(Uint8Array.of(10, 0, 0, 1), Uint8Array.of(10, 0, 0, 2), Uint8Array.of(10, 0, 0, 3)), weight: 8 },
    { arbitrary: fc.uint8Array({ minLength: 4, maxLength: 4 }), weight: 1 },
    { arbitrary: fc.uint8Array({ minLength: 16, maxLength: 16 }), weight: 1 },
    { arbitrary: fc.uint8Array({ minLength: 0, maxLength: 20 }), weight: 1 },
  );
  // Mostly a few seconds of traffic, sometimes a jump far ahead, sometimes nonsense.
  const tsArb = fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 5_000_000 }), weight: 12 },
    { arbitrary: fc.integer({ min: 0, max: 2_000_000_000 }), weight: 1 },
    { arbitrary: fc.constantFrom(Number.NaN, -5), weight: 1 },
  );
  const seqArb = fc.oneof(
    { arbitrary: fc.nat({ max: 3000 }).map((x) => 1000 + x), weight: 8 },
    { arbitrary: fc.integer({ min: 0, max: 0xffffffff }), weight: 1 },
    { arbitrary: fc.integer({ min: 0xfffffff0, max: 0xffffffff }), weight: 1 },
  );
  const flagsArb = fc.oneof(
    { arbitrary: fc.constantFrom(0x10, 0x18, 0x02, 0x12, 0x11, 0x14), weight: 6 },
    { arbitrary: fc.integer({ min: 0, max: 255 }), weight: 1 },
  );

  /** A fragment built from real bytes, then corrupted. */
  const mutatedFragmentArb = fc
    .record({
      v6: fc.boolean(),
      off: fc.integer({ min: 0, max: 8191 }),
      len: fc.integer({ min: 0, max: 300 }),
      more: fc.boolean(),
      id: fc.integer({ min: 0, max: 3 }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 4 }),
      truncate: fc.nat({ max: 400 }),
      ts: tsArb,
    })
    .map(({ v6, off, len, more, id, flips, truncate, ts }): DecodedPacket => {
      const data = new Uint8Array(len).fill(id + 1);
      const raw = v6
        ? ipv6FragmentBytes(ipv6Datagram({ nextHeader: 6, payload: new Uint8Array(8) }), { off: (off * 8) & 0xfff8, data, more }, id)
        : ipv4FragmentBytes(ipv4Datagram({ proto: 6, id, payload: new Uint8Array(8) }), { off: off * 8, data, more });
      const pkt = fragmentPacket(raw, ts);
      for (const [at, bit] of flips) pkt.frame[at % pkt.frame.length] ^= 1 << bit;
      if (truncate < pkt.frame.length) pkt.frame = pkt.frame.subarray(0, pkt.frame.length - truncate);
      pkt.ip!.moreFragments = true;
      return pkt;
    });

  const tcpArb = fc
    .record({
      src: addrArb,
      dst: addrArb,
      sport: fc.constantFrom(1, 2, 80),
      dport: fc.constantFrom(1, 2, 80),
      seq: seqArb,
      ack: seqArb,
      flags: flagsArb,
      payload: fc.uint8Array({ maxLength: 600, size: 'medium' }),
      ts: tsArb,
    })
    .map(({ src, dst, sport, dport, seq, ack, flags, payload, ts }) => tcpPkt({ src, dst, sport, dport, seq, ack, flags, payload, tsUs: ts }));

  const otherArb = fc
    .record({
      src: addrArb,
      dst: addrArb,
      proto: fc.integer({ min: 0, max: 255 }),
      version: fc.constantFrom(4 as const, 6 as const),
      fragOffset: fc.oneof(fc.constant(0), fc.integer({ min: -10, max: 70000 })),
      frame: fc.uint8Array({ maxLength: 200 }),
      ts: tsArb,
    })
    .map(({ src, dst, proto, version, fragOffset, frame, ts }): DecodedPacket => ({
      num: 1, tsUs: ts, frame, wireLength: frame.length, vlans: [], srcPort: 7, dstPort: 9, payload: frame.subarray(10),
      ip: {
        version, src, dst, protocol: proto, ttl: 1, tos: 0, id: 1, reservedBit: false, dontFragment: false,
        moreFragments: fragOffset < 0, fragOffset: Math.max(0, fragOffset), options: [], headerLength: 20, totalLength: 0, reassembled: false,
      },
    }));

  it('never throws and keeps every table within its bounds', () => {
    const seen = { tcpSegments: 0, tcpPackets: 0, flowsEvicted: 0, tcpOutOfOrder: 0, tcpReassemblyGaps: 0, defragFragments: 0, defragDropped: 0, defragInvalid: 0, buffered: 0 };
    fc.assert(
      fc.property(fc.array(fc.oneof(tcpArb, tcpArb, mutatedFragmentArb, otherArb), { minLength: 1, maxLength: 120, size: 'max' }), (pkts) => {
        const e = new StreamEngine(new TestIpDecoder().decode, LIMITS);
        const sink = new RecordingSink();
        for (const p of pkts) {
          e.process(p, sink);
          expect(e.flowCount).toBeLessThanOrEqual(LIMITS.flow.maxFlows);
          expect(e.stats.flowsActive).toBe(e.flowCount);
          expect(e.fragmentTrackerCount).toBeLessThanOrEqual(LIMITS.defrag.maxTrackers);
          expect(e.fragmentBytesHeld).toBeLessThanOrEqual(LIMITS.defrag.maxBytes);
          expect(e.reassemblyBytesBuffered).toBeLessThanOrEqual(LIMITS.tcp.memcap);
          expect(e.reassemblyBytesBuffered).toBeGreaterThanOrEqual(0);
          expect(e.reassemblyBytesRetained).toBeLessThanOrEqual(LIMITS.tcp.retainMemcap);
          if (e.reassemblyBytesBuffered > 0) seen.buffered++;
        }
        const st = e.stats;
        seen.flowsEvicted += st.flowsEvicted;
        seen.tcpSegments += st.tcpSegments;
        seen.tcpPackets += st.tcpPackets;
        seen.tcpOutOfOrder += st.tcpOutOfOrder;
        seen.tcpReassemblyGaps += st.tcpReassemblyGaps;
        seen.defragFragments += st.defragIpv4Fragments + st.defragIpv6Fragments;
        seen.defragDropped += st.defragMaxTrackersReached + st.defragMemcapHits + st.defragMaxFragsReached;
        seen.defragInvalid += st.defragInvalid + st.defragTruncated;
        e.flush(sink);
        expect(e.flowCount).toBe(0);
        expect(e.fragmentTrackerCount).toBe(0);
        expect(e.fragmentBytesHeld).toBe(0);
        expect(e.reassemblyBytesBuffered).toBe(0);
        expect(e.reassemblyBytesRetained).toBe(0);
        // Every flow handed out was ended, after its last data, and never twice in a row: a flow
        // released at its close is ended again only if it delivered new data since.
        const ids = new Set(sink.packets.map((p) => p.flowId).filter((x) => x !== null));
        expect(new Set(sink.ended)).toEqual(ids);
        for (const id of ids) expect(sink.lifeline.get(id), `flow ${id}`).toMatch(/^d?(ed)*e$/);
      }),
      { numRuns: 300 },
    );
    // The generated input must actually reach the states whose bounds are checked.
    for (const [name, n] of Object.entries(seen)) expect(n, name).toBeGreaterThan(0);
  });
});

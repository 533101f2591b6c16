import { describe, expect, it } from 'vitest';
import type { StreamOptions } from '../../src/stream/config.js';
import type { DefragPolicy } from '../../src/stream/defrag-policy.js';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import { streamCounters } from '../../src/stream/stats.js';
import {
  CLIENT, Conversation, RecordingSink, SERVER, TestIpDecoder, bytes, cut, fragmentPacket, ip6, ipv4Datagram,
  ipv4FragmentBytes, ipv6Datagram, ipv6FragmentBytes, ipv6Payload, pattern, tcpSegmentBytes, type FragSpec,
} from './helpers.js';

function setup(options: StreamOptions = {}) {
  const dec = new TestIpDecoder();
  const e = new StreamEngine(dec.decode, options);
  const sink = new RecordingSink();
  return { e, sink, dec };
}

const UDP_HEADER = new Uint8Array([0x30, 0x39, 0x00, 0x35, 0, 0, 0, 0]);
function udpDatagramPayload(body: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + body.length);
  b.set(UDP_HEADER);
  b[4] = b.length >> 8;
  b[5] = b.length & 0xff;
  b.set(body, 8);
  return b;
}

function v4frags(datagram: Uint8Array, specs: FragSpec[], tsUs = 1_000_000) {
  return specs.map((f, i) => fragmentPacket(ipv4FragmentBytes(datagram, f), tsUs, i + 1));
}

describe('IPv4 defragmentation', () => {
  const payload = udpDatagramPayload(pattern(200, 7));
  const datagram = ipv4Datagram({ proto: 17, id: 0x1234, payload, df: false });
  const specs = cut(payload, [64, 136]);

  it('rebuilds a datagram from in-order fragments, byte for byte', () => {
    const { e, sink, dec } = setup();
    for (const p of v4frags(datagram, specs)) e.process(p, sink);
    expect(dec.seen).toHaveLength(1);
    expect(dec.seen[0]).toEqual(datagram);
    expect(sink.packets.map((p) => p.flowId)).toEqual([null, null, null, 1]);
    const whole = sink.packets[3]!.pkt;
    expect(whole.ip!.reassembled).toBe(true);
    expect(whole.num).toBe(3);
    expect(whole.udp!.dstPort).toBe(53);
    expect(whole.payload).toEqual(payload.subarray(8));
    expect(e.stats.defragIpv4Fragments).toBe(3);
    expect(e.stats.defragIpv4Reassembled).toBe(1);
    expect(e.fragmentTrackerCount).toBe(0);
    expect(e.fragmentBytesHeld).toBe(0);
  });

  it('rebuilds from fragments in reverse order', () => {
    const { e, sink, dec } = setup();
    for (const p of v4frags(datagram, specs).reverse()) e.process(p, sink);
    expect(dec.seen).toEqual([datagram]);
  });

  it('keeps the first fragment\'s IP options', () => {
    const { e, sink, dec } = setup();
    const withOptions = ipv4Datagram({ proto: 17, id: 9, payload, options: new Uint8Array([0x94, 4, 0, 0]) }); // router alert
    for (const p of v4frags(withOptions, specs)) e.process(p, sink);
    expect(dec.seen).toEqual([withOptions]);
  });

  it('takes duplicates once (counted as overlap without different data)', () => {
    const { e, sink, dec } = setup();
    const [a, b, c] = v4frags(datagram, specs);
    for (const p of [a!, b!, b!, a!, c!]) e.process(p, sink);
    expect(dec.seen).toEqual([datagram]);
    expect(e.stats.defragIpv4Overlaps).toBe(2);
    expect(e.stats.defragOverlapDiffData).toBe(0);
  });

  it('does not inspect fragments on their own when told not to', () => {
    const { e, sink } = setup({ inspectFragments: false });
    for (const p of v4frags(datagram, specs)) e.process(p, sink);
    expect(sink.packets).toHaveLength(1);
    expect(sink.packets[0]!.pkt.ip!.reassembled).toBe(true);
  });

  it('drops a datagram not complete within the timeout (packet time) and counts it', () => {
    const { e, sink, dec } = setup();
    const [a, b, c] = v4frags(datagram, specs);
    e.process(a!, sink);
    e.process(b!, sink);
    e.process({ ...c!, tsUs: a!.tsUs + 60_000_001 }, sink);
    expect(dec.seen).toHaveLength(0);
    expect(e.stats.defragIpv4Timeouts).toBe(1);
    e.flush(sink);
    expect(e.stats.defragIncompleteAtFlush).toBe(1);
  });

  it('completes a datagram whose fragments straddle most of the timeout', () => {
    const { e, sink, dec } = setup();
    const [a, b, c] = v4frags(datagram, specs);
    e.process(a!, sink);
    e.process({ ...b!, tsUs: a!.tsUs + 30_000_000 }, sink);
    e.process({ ...c!, tsUs: a!.tsUs + 59_000_000 }, sink);
    expect(dec.seen).toEqual([datagram]);
  });

  it('rejects a fragment reaching past 65535 bytes', () => {
    const { e, sink } = setup();
    const big = ipv4Datagram({ proto: 17, id: 5, payload: new Uint8Array(8) });
    e.process(fragmentPacket(ipv4FragmentBytes(big, { off: 65528, data: new Uint8Array(100), more: false })), sink);
    expect(e.stats.defragIpv4TooLarge).toBe(1);
    expect(sink.events.map((x) => x.kind)).toEqual(['ipv4.frag_pkt_too_large']);
    expect(e.fragmentTrackerCount).toBe(0);
  });

  it('counts fragments that contradict the datagram end, and empty fragments', () => {
    const { e, sink, dec } = setup();
    const [a, b, c] = v4frags(datagram, specs);
    e.process(c!, sink); // last fragment: end 208
    e.process(fragmentPacket(ipv4FragmentBytes(datagram, { off: 200, data: new Uint8Array(16), more: true })), sink); // past the end
    e.process(fragmentPacket(ipv4FragmentBytes(datagram, { off: 136, data: new Uint8Array(80), more: false })), sink); // second, different end
    e.process(fragmentPacket(ipv4FragmentBytes(datagram, { off: 64, data: new Uint8Array(0), more: true })), sink); // empty
    expect(e.stats.defragInvalid).toBe(3);
    e.process(b!, sink);
    e.process(a!, sink);
    expect(dec.seen).toEqual([datagram]);
  });

  it('counts and skips a fragment cut short by the capture', () => {
    const { e, sink } = setup();
    const raw = ipv4FragmentBytes(datagram, specs[0]!);
    const pkt = fragmentPacket(raw);
    const short = { ...pkt, frame: pkt.frame.subarray(0, pkt.frame.length - 10) };
    e.process(short, sink);
    expect(e.stats.defragTruncated).toBe(1);
    expect(e.fragmentTrackerCount).toBe(0);
  });

  it('bounds the number of trackers, dropping the oldest', () => {
    const { e, sink } = setup({ defrag: { maxTrackers: 10 } });
    for (let id = 0; id < 100; id++) {
      const d = ipv4Datagram({ proto: 17, id, payload });
      e.process(fragmentPacket(ipv4FragmentBytes(d, specs[0]!)), sink);
      expect(e.fragmentTrackerCount).toBeLessThanOrEqual(10);
    }
    expect(e.stats.defragMaxTrackersReached).toBe(90);
    // The newest datagram can still complete.
    const last = ipv4Datagram({ proto: 17, id: 99, payload });
    for (const p of v4frags(last, specs.slice(1))) e.process(p, sink);
    expect(e.stats.defragIpv4Reassembled).toBe(1);
  });

  it('bounds the bytes held, dropping the oldest trackers', () => {
    const { e, sink } = setup({ defrag: { maxBytes: 1000 } });
    for (let id = 0; id < 50; id++) {
      const d = ipv4Datagram({ proto: 17, id, payload });
      e.process(fragmentPacket(ipv4FragmentBytes(d, specs[0]!)), sink);
      expect(e.fragmentBytesHeld).toBeLessThanOrEqual(1000);
    }
    expect(e.stats.defragMemcapHits).toBeGreaterThan(0);
  });

  it('bounds the fragments of one datagram', () => {
    const { e, sink } = setup({ defrag: { maxFragsPerDatagram: 8 } });
    const d = ipv4Datagram({ proto: 17, id: 1, payload: new Uint8Array(1000) });
    for (let i = 0; i < 20; i++) e.process(fragmentPacket(ipv4FragmentBytes(d, { off: i * 8, data: new Uint8Array(8), more: true })), sink);
    expect(e.stats.defragMaxFragsReached).toBeGreaterThan(0);
    expect(e.fragmentBytesHeld).toBeLessThan(20 * 72);
  });

  it('processes a packet flagged as a fragment whose header says it is whole as a normal packet', () => {
    const { e, sink } = setup();
    const pkt = fragmentPacket(datagram);
    pkt.ip!.moreFragments = true; // the decoder's view disagrees with the bytes
    e.process(pkt, sink);
    expect(sink.packets).toHaveLength(1);
    expect(sink.packets[0]!.flowId).toBe(1);
    expect(e.stats.defragIpv4Fragments).toBe(0);
  });
});

describe('overlap policies', () => {
  // Old fragment first, then an overlapping new one, then the rest of the datagram.
  // Scenario 1: new starts inside old.         old: [0,16) 'A'   new: [8,24) 'B'
  // Scenario 2: new starts at the same offset. old: [0,16) 'A'   new: [0,8)  'B'
  // Scenario 3: new starts before old.         old: [8,16) 'A'   new: [0,24) 'B'
  // Scenario 4: new covers old exactly.        old: [8,16) 'A'   new: [8,16) 'B'
  // Scenario 5: new starts before, same end.    old: [8,16) 'A'   new: [0,16) 'B'
  const total = 32;
  const scenarios: [FragSpec, FragSpec][] = [
    [{ off: 0, data: new Uint8Array(16).fill(65), more: true }, { off: 8, data: new Uint8Array(16).fill(66), more: true }],
    [{ off: 0, data: new Uint8Array(16).fill(65), more: true }, { off: 0, data: new Uint8Array(8).fill(66), more: true }],
    [{ off: 8, data: new Uint8Array(8).fill(65), more: true }, { off: 0, data: new Uint8Array(24).fill(66), more: true }],
    [{ off: 8, data: new Uint8Array(8).fill(65), more: true }, { off: 8, data: new Uint8Array(8).fill(66), more: true }],
    [{ off: 8, data: new Uint8Array(8).fill(65), more: true }, { off: 0, data: new Uint8Array(16).fill(66), more: true }],
  ];
  // What each policy makes of bytes 0..23 ('.' = filler from the completing fragments).
  const expected: Record<DefragPolicy, string[]> = {
    first: ['AAAAAAAAAAAAAAAABBBBBBBB', 'AAAAAAAAAAAAAAAA........', 'BBBBBBBBAAAAAAAABBBBBBBB', '........AAAAAAAA........', 'BBBBBBBBAAAAAAAA........'],
    last: ['AAAAAAAABBBBBBBBBBBBBBBB', 'BBBBBBBBAAAAAAAA........', 'BBBBBBBBBBBBBBBBBBBBBBBB', '........BBBBBBBB........', 'BBBBBBBBBBBBBBBB........'],
    bsd: ['AAAAAAAAAAAAAAAABBBBBBBB', 'AAAAAAAAAAAAAAAA........', 'BBBBBBBBBBBBBBBBBBBBBBBB', '........AAAAAAAA........', 'BBBBBBBBBBBBBBBB........'],
    linux: ['AAAAAAAAAAAAAAAABBBBBBBB', 'BBBBBBBBAAAAAAAA........', 'BBBBBBBBBBBBBBBBBBBBBBBB', '........BBBBBBBB........', 'BBBBBBBBBBBBBBBB........'],
    windows: ['AAAAAAAAAAAAAAAABBBBBBBB', 'AAAAAAAAAAAAAAAA........', 'BBBBBBBBBBBBBBBBBBBBBBBB', '........AAAAAAAA........', 'BBBBBBBBAAAAAAAA........'],
    solaris: ['AAAAAAAAAAAAAAAABBBBBBBB', 'AAAAAAAAAAAAAAAA........', 'BBBBBBBBBBBBBBBBBBBBBBBB', '........AAAAAAAA........', 'BBBBBBBBBBBBBBBB........'],
  };

  for (const policy of [...(Object.keys(expected) as DefragPolicy[]), undefined]) {
    it(`${policy ?? 'the default, bsd as in Suricata'}`, () => {
      scenarios.forEach(([oldFrag, newFrag], i) => {
        const { e, sink, dec } = setup(policy === undefined ? {} : { defrag: { policy } });
        const d = ipv4Datagram({ proto: 253, id: 77, payload: new Uint8Array(total).fill(46) });
        const filler: FragSpec[] = [
          { off: 0, data: new Uint8Array(24).fill(46), more: true },
          { off: 24, data: new Uint8Array(8).fill(46), more: false },
        ];
        // Filler arrives last so it never overrides: it only fills what neither fragment holds.
        e.process(fragmentPacket(ipv4FragmentBytes(d, oldFrag)), sink);
        e.process(fragmentPacket(ipv4FragmentBytes(d, newFrag)), sink);
        const covered = new Set<number>();
        for (const f of [oldFrag, newFrag]) for (let p = f.off; p < f.off + f.data.length; p++) covered.add(p);
        for (let p = 0; p < 24; p += 8) {
          if (!covered.has(p)) e.process(fragmentPacket(ipv4FragmentBytes(d, { off: p, data: new Uint8Array(8).fill(46), more: true })), sink);
        }
        e.process(fragmentPacket(ipv4FragmentBytes(d, filler[1]!)), sink);
        expect(dec.seen, `${policy} scenario ${i + 1}`).toHaveLength(1);
        const got = new TextDecoder().decode(dec.seen[0]!.subarray(20, 44));
        expect(got, `${policy} scenario ${i + 1}`).toBe(expected[policy ?? 'bsd'][i]);
        expect(e.stats.defragIpv4Overlaps).toBe(1);
        expect(e.stats.defragOverlapDiffData).toBe(1);
        expect(sink.events.map((x) => x.kind)).toContain('ipv4.frag_overlap');
      });
    });
  }
});

describe('IPv6 defragmentation', () => {
  const payload = udpDatagramPayload(pattern(300, 3));
  for (const hopByHop of [false, true]) {
    const datagram = ipv6Datagram({ nextHeader: 17, payload, hopByHop });
    const frags = (order: number[]) => {
      const specs = cut(ipv6Payload(datagram), [96, 200]);
      return order.map((i) => fragmentPacket(ipv6FragmentBytes(datagram, specs[i]!, 0xdeadbeef), 1_000_000, i + 1));
    };

    it(`rebuilds in order and reversed${hopByHop ? ' with a hop-by-hop header' : ''}`, () => {
      for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
        const { e, sink, dec } = setup();
        for (const p of frags(order)) e.process(p, sink);
        expect(dec.seen).toEqual([datagram]);
        const whole = sink.packets.at(-1)!.pkt;
        expect(whole.ip!.reassembled).toBe(true);
        expect(whole.ip!.version).toBe(6);
        expect(whole.udp!.dstPort).toBe(53);
        expect(e.stats.defragIpv6Fragments).toBe(3);
        expect(e.stats.defragIpv6Reassembled).toBe(1);
      }
    });
  }

  it('applies the overlap policy', () => {
    for (const [policy, want] of [['first', 65], ['last', 66]] as const) {
      const { e, sink, dec } = setup({ defrag: { policy } });
      const d = ipv6Datagram({ nextHeader: 59, payload: new Uint8Array(24) });
      e.process(fragmentPacket(ipv6FragmentBytes(d, { off: 0, data: new Uint8Array(16).fill(65), more: true }, 1)), sink);
      e.process(fragmentPacket(ipv6FragmentBytes(d, { off: 8, data: new Uint8Array(16).fill(66), more: false }, 1)), sink);
      expect(dec.seen).toHaveLength(1);
      expect(dec.seen[0]![40 + 8]).toBe(want);
      expect(dec.seen[0]![40 + 20]).toBe(66);
      expect(e.stats.defragIpv6Overlaps).toBe(1);
    }
  });

  it('rejects a non-final fragment whose length is not a multiple of 8', () => {
    const { e, sink } = setup();
    const d = ipv6Datagram({ nextHeader: 17, payload });
    e.process(fragmentPacket(ipv6FragmentBytes(d, { off: 0, data: payload.subarray(0, 13), more: true }, 5)), sink);
    expect(e.stats.defragInvalid).toBe(1);
    expect(sink.events.map((x) => x.kind)).toEqual(['ipv6.frag_invalid_length']);
    // Counted under the event's name in the stats record, as the other decoder events are.
    expect(streamCounters(e.stats)['decoder.event.ipv6.frag_invalid_length']).toBe(1);
  });

  it('times out by packet time', () => {
    const { e, sink } = setup({ defrag: { timeout: 5 } });
    const d = ipv6Datagram({ nextHeader: 17, payload });
    e.process(fragmentPacket(ipv6FragmentBytes(d, { off: 0, data: payload.subarray(0, 64), more: true }, 5), 0), sink);
    e.process(fragmentPacket(ipv6FragmentBytes(d, { off: 64, data: payload.subarray(64), more: false }, 5), 5_000_000), sink);
    expect(e.stats.defragIpv6Timeouts).toBe(1);
    expect(e.stats.defragIpv6Reassembled).toBe(0);
  });
});

describe('fragmented TCP', () => {
  it('feeds a reassembled segment into its flow and stream', () => {
    const { e, sink } = setup();
    const c = new Conversation(1000, 5000);
    for (const p of c.handshake()) e.process(p, sink);
    const data = bytes('GET /fragmented/attack HTTP/1.0\r\n\r\n');
    const seg = tcpSegmentBytes(40000, 80, 1001, 5001, 0x18, data);
    const d = ipv4Datagram({ src: CLIENT, dst: SERVER, proto: 6, id: 4242, payload: seg });
    for (const p of v4frags(d, cut(seg, [16, 32]))) e.process(p, sink);
    expect(sink.text(true)).toBe('GET /fragmented/attack HTTP/1.0\r\n\r\n');
    const last = sink.packets.at(-1)!;
    expect(last.flowId).toBe(1);
    expect(last.toServer).toBe(true);
    expect(last.pkt.ip!.reassembled).toBe(true);
  });

  it('uses an IPv6 unfragmentable part with the payload family intact', () => {
    const { e, sink, dec } = setup();
    const src = ip6('2001:db8:0:0:0:0:0:a');
    const d = ipv6Datagram({ src, nextHeader: 6, payload: tcpSegmentBytes(1, 2, 3, 0, 0x02, new Uint8Array(40)) });
    const specs = cut(ipv6Payload(d), [24]);
    for (const f of specs) e.process(fragmentPacket(ipv6FragmentBytes(d, f, 9)), sink);
    expect(dec.seen).toEqual([d]);
    expect(sink.packets.at(-1)!.pkt.tcp!.flags).toBe(0x02);
  });
});

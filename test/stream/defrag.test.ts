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

  it('drops a datagram that gets no fragment within the timeout of its last one (packet time, whole seconds) and counts it', () => {
    // Suricata: every fragment sets tracker->timeout to its time's whole second + timeout.
    const { e, sink, dec } = setup();
    const [a, b, c] = v4frags(datagram, specs);
    e.process({ ...a!, tsUs: 1_900_000 }, sink);
    e.process({ ...b!, tsUs: 1_900_000 }, sink); // times out at 1 s (its whole second) + 60 s
    e.process({ ...c!, tsUs: 61_500_000 }, sink);
    expect(dec.seen).toHaveLength(0);
    expect(e.stats.defragIpv4Timeouts).toBe(1);
    e.flush(sink);
    expect(e.stats.defragIncompleteAtFlush).toBe(1);
  });

  it('keeps a datagram while each fragment comes within the timeout of the one before (Suricata refreshes per fragment)', () => {
    const { e, sink, dec } = setup();
    const [a, b, c] = v4frags(datagram, specs);
    e.process({ ...a!, tsUs: 1_000_000 }, sink);
    e.process({ ...b!, tsUs: 51_000_000 }, sink);
    e.process({ ...c!, tsUs: 101_000_000 }, sink);
    expect(dec.seen).toEqual([datagram]);
    expect(e.stats.defragIpv4Timeouts).toBe(0);
  });

  it('times out the tracker that went longest without a fragment first', () => {
    const { e, sink, dec } = setup();
    const other = ipv4Datagram({ proto: 17, id: 0x4321, payload, df: false });
    const [a, b, c] = v4frags(datagram, specs);
    const [x] = v4frags(other, specs);
    e.process({ ...a!, tsUs: 0 }, sink);
    e.process({ ...x!, tsUs: 10_000_000 }, sink);
    e.process({ ...b!, tsUs: 20_000_000 }, sink); // refreshes the older tracker: now due at 80 s
    e.process({ ...c!, tsUs: 70_500_000 }, sink); // the other one (due at 70 s) goes, this one completes
    expect(e.stats.defragIpv4Timeouts).toBe(1);
    expect(dec.seen).toEqual([datagram]);
    expect(e.fragmentTrackerCount).toBe(0);
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

  it('keeps fragments that disagree about the end: the first without MF, in offset order, ends the datagram (DefragMfIpv4Test)', () => {
    const { e, sink, dec } = setup();
    const d = ipv4Datagram({ proto: 253, id: 11, payload: new Uint8Array(24) });
    const frag = (off: number, ch: string, more: boolean) =>
      fragmentPacket(ipv4FragmentBytes(d, { off, data: new Uint8Array(8).fill(ch.charCodeAt(0)), more }));
    e.process(frag(16, 'C', true), sink);
    e.process(frag(0, 'A', true), sink);
    e.process(frag(8, 'B', false), sink);
    expect(e.stats.defragInvalid).toBe(0);
    expect(dec.seen).toHaveLength(1);
    expect(dec.seen[0]!.length).toBe(20 + 16);
    expect(new TextDecoder().decode(dec.seen[0]!.subarray(20))).toBe('AAAAAAAABBBBBBBB');
    expect(e.fragmentTrackerCount).toBe(0);
  });

  it('waits for a hole beyond the datagram end to be filled, as Suricata checks every held fragment', () => {
    const { e, sink, dec } = setup();
    const d = ipv4Datagram({ proto: 253, id: 12, payload: new Uint8Array(32) });
    const frag = (off: number, ch: string, more: boolean) =>
      fragmentPacket(ipv4FragmentBytes(d, { off, data: new Uint8Array(8).fill(ch.charCodeAt(0)), more }));
    e.process(frag(8, 'B', false), sink);
    e.process(frag(24, 'D', true), sink);
    e.process(frag(0, 'A', true), sink);
    expect(dec.seen).toHaveLength(0);
    e.process(frag(16, 'C', true), sink);
    expect(dec.seen).toHaveLength(1);
    expect(new TextDecoder().decode(dec.seen[0]!.subarray(20))).toBe('AAAAAAAABBBBBBBB');
  });

  it('drops empty fragments, which do not end the datagram (DefragNoDataIpv4Test)', () => {
    const { e, sink, dec } = setup();
    const [a, b, c] = v4frags(datagram, specs);
    e.process(a!, sink);
    e.process(fragmentPacket(ipv4FragmentBytes(datagram, { off: 64, data: new Uint8Array(0), more: false })), sink);
    e.process(fragmentPacket(ipv4FragmentBytes(datagram, { off: 64, data: new Uint8Array(0), more: true })), sink);
    expect(e.stats.defragInvalid).toBe(2);
    expect(dec.seen).toHaveLength(0);
    e.process(b!, sink);
    e.process(c!, sink);
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

  it('has no per-datagram fragment limit (600 fragments of 8 bytes, in order and shuffled)', () => {
    const body = pattern(600 * 8 - 8, 5);
    const d = ipv4Datagram({ proto: 17, id: 1, payload: udpDatagramPayload(body) });
    const specs600 = cut(d.subarray(20), Array.from({ length: 599 }, (_, i) => (i + 1) * 8));
    expect(specs600).toHaveLength(600);
    for (const order of ['in order', 'shuffled']) {
      const { e, sink, dec } = setup();
      const list = specs600.slice();
      if (order === 'shuffled') for (let i = list.length - 1, x = 7; i > 0; i--) {
        x = (x * 1103515245 + 12345) >>> 0;
        const j = x % (i + 1);
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
      for (const f of list) e.process(fragmentPacket(ipv4FragmentBytes(d, f)), sink);
      expect(dec.seen, order).toEqual([d]);
      expect(e.stats.defragMaxFragsReached).toBe(0);
    }
  });

  it('bounds the fragments all trackers hold together (Suricata defrag.max-frags): the next one is ignored', () => {
    const { e, sink, dec } = setup({ defrag: { maxFrags: 8 } });
    const d1 = ipv4Datagram({ proto: 17, id: 1, payload: new Uint8Array(1000) });
    const d2 = ipv4Datagram({ proto: 17, id: 2, payload: new Uint8Array(1000) });
    const frag = (d: Uint8Array, i: number, tsUs: number) =>
      fragmentPacket(ipv4FragmentBytes(d, { off: i * 8, data: new Uint8Array(8), more: true }), tsUs);
    for (let i = 0; i < 5; i++) e.process(frag(d1, i, 1_000_000), sink);
    for (let i = 0; i < 5; i++) e.process(frag(d2, i, 30_000_000), sink);
    expect(e.stats.defragMaxFragsReached).toBe(2);
    expect(sink.events.filter((x) => x.kind === 'ipv4.frag_ignored')).toHaveLength(2);
    expect(e.fragmentTrackerCount).toBe(2);
    expect(e.fragmentBytesHeld).toBe(8 * 72 + 2 * 20);
    // The first datagram timing out frees its fragments for the second.
    e.process(frag(d2, 3, 61_500_000), sink);
    expect(e.stats.defragIpv4Timeouts).toBe(1);
    expect(e.stats.defragMaxFragsReached).toBe(2);
    expect(e.fragmentBytesHeld).toBe(4 * 72 + 20);
    expect(dec.seen).toHaveLength(0);
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

/** Letters fragments of one datagram (proto 253, id 77): [offset, text, more]. Returns the datagrams rebuilt. */
function runLetters(frags: [number, string, boolean][], policy?: DefragPolicy) {
  const { e, sink, dec } = setup(policy === undefined ? {} : { defrag: { policy } });
  const d = ipv4Datagram({ proto: 253, id: 77, payload: new Uint8Array(8) });
  for (const [off, text, more] of frags) {
    e.process(fragmentPacket(ipv4FragmentBytes(d, { off, data: new TextEncoder().encode(text), more })), sink);
  }
  return { e, rebuilt: dec.seen.map((b) => new TextDecoder().decode(b.subarray(20))) };
}

describe('Sturges-Novak overlap layout (as in Suricata\'s defrag tests)', () => {
  const layout: [number, number, string, boolean][] = [
    [0, 24, 'A', true], [32, 16, 'B', true], [48, 24, 'C', true], [80, 8, 'D', true], [104, 16, 'E', true],
    [120, 24, 'F', true], [144, 16, 'G', true], [160, 16, 'H', true], [176, 8, 'I', true],
    [8, 32, 'J', true], [48, 24, 'K', true], [72, 24, 'L', true], [96, 24, 'M', true], [128, 8, 'N', true],
    [152, 8, 'O', true], [160, 8, 'P', true], [176, 16, 'Q', false],
  ];
  const expected: Record<DefragPolicy, string> = {
    bsd: 'AAAJJBCCCLLLMMMFFFGGHHIQ',
    linux: 'AAAJJBKKKLLLMMMFFFGGPHQQ',
    first: 'AAAJBBCCCLDLMEEFFFGGHHIQ',
    last: 'AJJJJBKKKLLLMMMFNFGOPHQQ',
    windows: 'AAAJBBCCCLLLMEEFFFGGHHIQ',
    solaris: 'AAAJBBCCCLLLMMMFFFGGHHIQ',
  };
  for (const policy of Object.keys(expected) as DefragPolicy[]) {
    it(policy, () => {
      const { rebuilt } = runLetters(layout.map(([off, n, ch, more]) => [off, ch.repeat(n), more]), policy);
      expect(rebuilt).toEqual([[...expected[policy]].map((c) => c.repeat(8)).join('')]);
    });
  }
});

describe('bsd: trimmed on arrival as Suricata 7 DefragInsertFrag does', () => {
  it('a third copy of the head wins over the second (the second was trimmed against the first, the third trims it)', () => {
    const { rebuilt } = runLetters([[0, 'AAAAAAAA', true], [0, 'B'.repeat(16), true], [0, 'C'.repeat(16), true], [16, 'ZZZZZZZZ', false]]);
    expect(rebuilt).toEqual(['AAAAAAAACCCCCCCCZZZZZZZZ']);
  });

  it('a fragment covering three held ones trims the first two, not the third', () => {
    const { rebuilt } = runLetters([[8, 'a'.repeat(8), true], [16, 'b'.repeat(8), true], [24, 'EVILEVIL', true], [0, 'N'.repeat(32), true], [32, 'LLLLLLLL', false]]);
    expect(rebuilt).toEqual(['N'.repeat(24) + 'EVILEVIL' + 'LLLLLLLL']);
  });

  it('a last fragment trimmed to nothing is dropped before it can end the datagram', () => {
    const { e, rebuilt } = runLetters([[0, 'yyyyyyyy', true], [8, 'EVILEVIL', true], [8, 'goodgood', false]]);
    expect(rebuilt).toEqual([]);
    expect(e.stats.defragIpv4Overlaps).toBe(1);
    expect(e.fragmentTrackerCount).toBe(1);
    const more = runLetters([[0, 'yyyyyyyy', true], [8, 'EVILEVIL', true], [8, 'goodgood', false], [16, 'zzzzzzzz', false]]);
    expect(more.rebuilt).toEqual(['yyyyyyyyEVILEVILzzzzzzzz']);
  });
});

describe('tracker key (Suricata CMP_DEFRAGTRACKER)', () => {
  const body = new Uint8Array(16).fill(65);

  it('IPv4: matches the addresses in either direction', () => {
    const { e, sink, dec } = setup();
    const there = ipv4Datagram({ src: CLIENT, dst: SERVER, proto: 253, id: 31, payload: body });
    const back = ipv4Datagram({ src: SERVER, dst: CLIENT, proto: 253, id: 31, payload: body });
    e.process(fragmentPacket(ipv4FragmentBytes(there, { off: 0, data: body.subarray(0, 8), more: true })), sink);
    e.process(fragmentPacket(ipv4FragmentBytes(back, { off: 8, data: body.subarray(8), more: false })), sink);
    expect(dec.seen).toEqual([there]);
  });

  it('IPv4: the protocol is part of the key', () => {
    const { e, sink, dec } = setup();
    const udp = ipv4Datagram({ proto: 17, id: 31, payload: body });
    const other = ipv4Datagram({ proto: 253, id: 31, payload: body });
    e.process(fragmentPacket(ipv4FragmentBytes(udp, { off: 0, data: body.subarray(0, 8), more: true })), sink);
    e.process(fragmentPacket(ipv4FragmentBytes(other, { off: 8, data: body.subarray(8), more: false })), sink);
    expect(dec.seen).toHaveLength(0);
    expect(e.fragmentTrackerCount).toBe(2);
  });

  it('IPv6: matches the addresses in either direction and not the Fragment header\'s next header', () => {
    const { e, sink, dec } = setup();
    const a = ip6('2001:db8:0:0:0:0:0:1');
    const b = ip6('2001:db8:0:0:0:0:0:2');
    const there = ipv6Datagram({ src: a, dst: b, nextHeader: 17, payload: body });
    const back = ipv6Datagram({ src: b, dst: a, nextHeader: 59, payload: body });
    e.process(fragmentPacket(ipv6FragmentBytes(back, { off: 8, data: body.subarray(8), more: false }, 7)), sink);
    e.process(fragmentPacket(ipv6FragmentBytes(there, { off: 0, data: body.subarray(0, 8), more: true }, 7)), sink);
    // The offset-0 fragment's header and next header make the datagram.
    expect(dec.seen).toEqual([there]);
  });

  it('VLAN tags are part of the key even when flows do not track them', () => {
    const { e, sink, dec } = setup({ flow: { vlanTracking: false } });
    const d = ipv4Datagram({ proto: 253, id: 31, payload: body });
    const first = fragmentPacket(ipv4FragmentBytes(d, { off: 0, data: body.subarray(0, 8), more: true }));
    const second = fragmentPacket(ipv4FragmentBytes(d, { off: 8, data: body.subarray(8), more: false }));
    e.process({ ...first, vlans: [10] }, sink);
    e.process({ ...second, vlans: [20] }, sink);
    expect(dec.seen).toHaveLength(0);
    e.process({ ...second, vlans: [10] }, sink);
    expect(dec.seen).toEqual([d]);
  });
});

describe('bsd overlaps', () => {
  it('rebuilds a datagram whose held fragment a newcomer overlapped entirely, then another overlapped that newcomer', () => {
    // [24,32) is wholly covered by [16,40); [24,40) then covers what is left of both. Keeping the
    // emptied [24,32) made the next trim measure against bytes no longer held: a hole, never rebuilt.
    const datagram = ipv6Datagram({ nextHeader: 17, payload: pattern(200, 0) });
    const body = ipv6Payload(datagram);
    const spec = (a: number, b: number): FragSpec => ({ off: a, data: body.subarray(a, b), more: b < body.length });
    const { e, sink, dec } = setup({ defrag: { policy: 'bsd' } });
    for (const [a, b] of [[0, 8], [8, 16], [16, 24], [24, 32], [16, 40], [24, 40], [32, body.length]] as const) {
      e.process(fragmentPacket(ipv6FragmentBytes(datagram, spec(a, b), 0)), sink);
    }
    expect(dec.seen).toEqual([datagram]);
    expect(e.fragmentBytesHeld).toBe(0);
  });
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

  it('keeps fragments that disagree about the end: the first without MF, in offset order, ends the datagram (DefragMfIpv6Test)', () => {
    const { e, sink, dec } = setup();
    const d = ipv6Datagram({ nextHeader: 59, payload: new Uint8Array(24) });
    const frag = (off: number, ch: string, more: boolean) =>
      fragmentPacket(ipv6FragmentBytes(d, { off, data: new Uint8Array(8).fill(ch.charCodeAt(0)), more }, 3));
    e.process(frag(16, 'C', true), sink);
    e.process(frag(0, 'A', true), sink);
    e.process(frag(8, 'B', false), sink);
    expect(dec.seen).toHaveLength(1);
    expect(dec.seen[0]![5]).toBe(16); // payload length
    expect(new TextDecoder().decode(dec.seen[0]!.subarray(40))).toBe('AAAAAAAABBBBBBBB');
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

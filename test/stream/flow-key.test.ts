import { describe, expect, it } from 'vitest';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import type { DecodedPacket, QuotedPacket } from '../../src/types/packet.js';
import {
  CLIENT, Conversation, RecordingSink, SERVER, TCP_SYN, TestIpDecoder, cut, fragmentPacket, ip4, ipv4Datagram,
  ipv4FragmentBytes, pattern, tcpPkt, udpPkt,
} from './helpers.js';

function setup() {
  const dec = new TestIpDecoder();
  return { e: new StreamEngine(dec.decode), sink: new RecordingSink(), dec };
}

const withLayer = (pkt: DecodedPacket, tunnelLayer: number): DecodedPacket => ({ ...pkt, tunnelLayer });
const withVlans = (pkt: DecodedPacket, vlans: number[]): DecodedPacket => ({ ...pkt, vlans });

describe('flow key: VLAN tags and tunnel layer', () => {
  it('keys on the third VLAN tag', () => {
    const { e, sink } = setup();
    e.process(tcpPkt({ seq: 1, flags: TCP_SYN, vlans: [10, 20] }), sink);
    e.process(tcpPkt({ seq: 1, flags: TCP_SYN, vlans: [10, 20, 30] }), sink);
    e.process(tcpPkt({ seq: 1, flags: TCP_SYN, vlans: [10, 20, 31] }), sink);
    e.process(tcpPkt({ seq: 1, flags: TCP_SYN, vlans: [10, 20, 30] }), sink);
    expect(sink.packets.map((p) => p.flowId)).toEqual([1, 2, 3, 2]);
  });

  it('gives packets inside a tunnel flows apart from native packets of the same tuple', () => {
    const { e, sink } = setup();
    const c = new Conversation(1000, 5000);
    // A session seen natively and, mirrored, inside one and two tunnel layers.
    for (const p of [c.syn(), c.synAck(), c.ack()]) {
      e.process(p, sink);
      e.process(withLayer(p, 1), sink);
      e.process(withLayer(p, 2), sink);
    }
    e.process(withLayer(c.c(0, 'EVIL'), 1), sink);
    e.process(c.c(0, 'good'), sink);
    const ids = sink.packets.map((p) => p.flowId);
    expect(ids.slice(0, 9)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(ids.slice(9)).toEqual([2, 1]);
    // Each copy is reassembled on its own: the tunnelled data is not taken for a retransmission.
    expect(new TextDecoder().decode(sink.stream(true, 2))).toBe('EVIL');
    expect(new TextDecoder().decode(sink.stream(true, 1))).toBe('good');
    expect(e.stats.tcpOverlapDiffData).toBe(0);
  });

  it('keeps fragments of different third VLAN tags or tunnel layers apart, and the tunnel layer on the rebuilt datagram', () => {
    const payload = pattern(120, 3);
    payload.set([0x30, 0x39, 0x00, 0x35, 0, 128, 0, 0]);
    const datagram = ipv4Datagram({ proto: 17, id: 77, payload });
    const [first, second] = cut(payload, [64]).map((f, i) => fragmentPacket(ipv4FragmentBytes(datagram, f), 1_000_000, i + 1));
    for (const [a, b] of [
      [withVlans(first!, [1, 2, 3]), withVlans(second!, [1, 2, 4])],
      [first!, withLayer(second!, 1)],
    ] as const) {
      const { e, sink } = setup();
      e.process(a, sink);
      e.process(b, sink);
      expect(e.stats.defragIpv4Reassembled).toBe(0);
      expect(e.fragmentTrackerCount).toBe(2);
    }
    const { e, sink } = setup();
    e.process(withLayer(first!, 1), sink);
    e.process(withLayer(second!, 1), sink);
    expect(e.stats.defragIpv4Reassembled).toBe(1);
    expect(sink.packets.at(-1)!.pkt.tunnelLayer).toBe(1);
  });
});

/** An ICMPv4 error from `src` to `dst` quoting `quoted` (as decode/ hands it over). */
function icmpError(src: Uint8Array, dst: Uint8Array, type: number, quoted?: QuotedPacket, extra: Partial<DecodedPacket> = {}): DecodedPacket {
  const base = udpPkt(src, dst, 0, 0, new Uint8Array(36));
  const { udp: _udp, ...rest } = base;
  return {
    ...rest,
    ip: { ...base.ip!, protocol: 1 },
    icmp: { v6: false, type, code: 3, id: 0, seq: 0, ...(quoted !== undefined ? { quoted } : {}) },
    ...extra,
  };
}

const ROUTER = ip4('10.9.9.9');
const query: QuotedPacket = { src: CLIENT, dst: SERVER, protocol: 17, srcPort: 5353, dstPort: 53 };

describe('ICMP errors', () => {
  it('a destination unreachable joins the flow of the packet it quotes, towards the side it is sent to', () => {
    const { e, sink } = setup();
    e.process(udpPkt(CLIENT, SERVER, 5353, 53, 'query'), sink);
    e.process(icmpError(SERVER, CLIENT, 3, query), sink);
    e.process(icmpError(ROUTER, CLIENT, 3, query), sink);
    // Quoting the server's packet (its reply), sent by the client.
    e.process(icmpError(CLIENT, SERVER, 3, { ...query, src: SERVER, dst: CLIENT, srcPort: 53, dstPort: 5353 }), sink);
    expect(sink.packets.map((p) => [p.flowId, p.toServer])).toEqual([
      [1, true],
      [1, false],
      [1, false],
      [1, true],
    ]);
    expect(e.flowCount).toBe(1);
  });

  it('an ICMPv4 error opens no flow: not for an unknown quoted flow, not for other error types', () => {
    const { e, sink } = setup();
    e.process(udpPkt(CLIENT, SERVER, 5353, 53, 'query'), sink);
    e.process(icmpError(SERVER, CLIENT, 3, { ...query, srcPort: 5354 }), sink);
    e.process(icmpError(ROUTER, CLIENT, 11, query), sink);
    e.process(icmpError(SERVER, CLIENT, 3), sink);
    expect(sink.packets.map((p) => p.flowId)).toEqual([1, null, null, null]);
    expect(e.flowCount).toBe(1);
    expect(e.stats.icmpErrorsWithoutFlow).toBe(3);
    // Other ICMP still has flows of its own.
    e.process(icmpError(CLIENT, SERVER, 8), sink);
    expect(sink.packets.at(-1)!.flowId).toBe(2);
  });

  it('keys the quoted tuple with the error\'s own VLAN tags and tunnel layer', () => {
    const { e, sink } = setup();
    e.process(udpPkt(CLIENT, SERVER, 5353, 53, 'query'), sink);
    e.process(icmpError(SERVER, CLIENT, 3, query, { vlans: [5] }), sink);
    e.process(icmpError(SERVER, CLIENT, 3, query, { tunnelLayer: 1 }), sink);
    expect(sink.packets.map((p) => p.flowId)).toEqual([1, null, null]);
  });

  it('an error joining a TCP flow leaves its handshake alone', () => {
    const { e, sink } = setup();
    const c = new Conversation(1000, 5000);
    e.process(c.syn(), sink);
    e.process(icmpError(SERVER, CLIENT, 3, { src: CLIENT, dst: SERVER, protocol: 6, srcPort: 40000, dstPort: 80 }), sink);
    expect(sink.packets.map((p) => [p.flowId, p.toServer, p.established])).toEqual([
      [1, true, false],
      [1, false, false],
    ]);
  });
});

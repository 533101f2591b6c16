import { describe, expect, it } from 'vitest';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import { streamCounters } from '../../src/stream/stats.js';
import {
  CLIENT, Conversation, RecordingSink, SERVER, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TestIpDecoder,
  ip4, ip6, tcpPkt, udpPkt,
} from './helpers.js';

function engine(options: ConstructorParameters<typeof StreamEngine>[1] = {}): StreamEngine {
  return new StreamEngine(new TestIpDecoder().decode, options);
}

describe('TCP handshake and direction', () => {
  it('becomes established only after SYN, SYN/ACK, ACK, with the SYN sender as client', () => {
    const e = engine();
    const sink = new RecordingSink();
    const c = new Conversation(1000, 5000);
    for (const p of [c.syn(), c.synAck(), c.ack(), c.c(0, 'GET / HTTP/1.0\r\n\r\n'), c.s(0, 'HTTP/1.0 200 OK\r\n\r\n', { ackOff: 18 })]) e.process(p, sink);
    expect(sink.packets.map((p) => [p.toServer, p.established])).toEqual([
      [true, false],
      [false, false],
      [true, true],
      [true, true],
      [false, true],
    ]);
    expect(new Set(sink.packets.map((p) => p.flowId)).size).toBe(1);
    expect(sink.packets.every((p) => p.midstream === false)).toBe(true);
    expect(sink.text(true)).toBe('GET / HTTP/1.0\r\n\r\n');
    expect(sink.text(false)).toBe('HTTP/1.0 200 OK\r\n\r\n');
    expect(e.stats.tcpSessions).toBe(1);
    expect(e.stats.tcpSyn).toBe(1);
    expect(e.stats.tcpSynAck).toBe(1);
    expect(e.stats.flowsCreated).toBe(1);
    expect(e.stats.tcpMidstreamPickups).toBe(0);
  });

  it('keys both directions and IPv6 to one flow, and different tuples to different flows', () => {
    const e = engine();
    const sink = new RecordingSink();
    const a6 = ip6('2001:db8:0:0:0:0:0:1');
    const b6 = ip6('2001:db8:0:0:0:0:0:2');
    e.process(tcpPkt({ src: a6, dst: b6, sport: 1, dport: 2, seq: 1, flags: TCP_SYN }), sink);
    e.process(tcpPkt({ src: b6, dst: a6, sport: 2, dport: 1, seq: 9, ack: 2, flags: TCP_SYN | TCP_ACK }), sink);
    e.process(tcpPkt({ src: a6, dst: b6, sport: 1, dport: 3, seq: 1, flags: TCP_SYN }), sink);
    e.process(tcpPkt({ src: CLIENT, dst: SERVER, sport: 1, dport: 2, seq: 1, flags: TCP_SYN }), sink);
    e.process(tcpPkt({ src: CLIENT, dst: SERVER, sport: 1, dport: 2, seq: 1, flags: TCP_SYN, vlans: [7] }), sink);
    const ids = sink.packets.map((p) => p.flowId);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(4);
    expect(sink.packets[1]!.toServer).toBe(false);
  });

  it('picks up a session midstream at a data packet: first sender is client, established at once, flagged', () => {
    const e = engine();
    const sink = new RecordingSink();
    e.process(tcpPkt({ src: SERVER, dst: CLIENT, sport: 80, dport: 40000, seq: 7000, ack: 3000, flags: TCP_ACK | TCP_PSH, payload: '<html>body' }), sink);
    e.process(tcpPkt({ src: CLIENT, dst: SERVER, sport: 40000, dport: 80, seq: 3000, ack: 7010, flags: TCP_ACK, payload: 'more' }), sink);
    expect(sink.packets.map((p) => [p.toServer, p.established, p.midstream])).toEqual([
      [true, true, true],
      [false, true, true],
    ]);
    expect(sink.text(true)).toBe('<html>body');
    expect(sink.text(false)).toBe('more');
    expect(e.stats.tcpMidstreamPickups).toBe(1);
  });

  it('takes the sender of midstream data only a server sends first (HTTP status line, TLS ServerHello) as the server', () => {
    const serverHello = Uint8Array.from([0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00]);
    for (const first of ['HTTP/1.1 200 OK\r\n', 'http/1.0 404 x\r\n', serverHello]) {
      const e = engine();
      const sink = new RecordingSink();
      const n = first.length;
      e.process(tcpPkt({ src: SERVER, dst: CLIENT, sport: 80, dport: 40000, seq: 7000, ack: 3000, flags: TCP_ACK | TCP_PSH, payload: first }), sink);
      e.process(tcpPkt({ src: CLIENT, dst: SERVER, sport: 40000, dport: 80, seq: 3000, ack: 7000 + n, flags: TCP_ACK, payload: 'more' }), sink);
      expect(sink.packets.map((p) => [p.toServer, p.established, p.midstream])).toEqual([
        [false, true, true],
        [true, true, true],
      ]);
      expect(sink.text(true)).toBe('more');
    }
    // A SYN is a client's whatever it carries; "HTTP/" without a version digit is anyone's data.
    for (const [flags, payload] of [[TCP_SYN, 'HTTP/1.1 200 OK\r\n'], [TCP_ACK | TCP_PSH, 'HTTP/x']] as const) {
      const e = engine();
      const sink = new RecordingSink();
      e.process(tcpPkt({ src: SERVER, dst: CLIENT, sport: 80, dport: 40000, seq: 7000, ack: 3000, flags, payload }), sink);
      expect(sink.packets[0]!.toServer).toBe(true);
    }
  });

  it('picks up at a SYN/ACK with its sender as server', () => {
    const e = engine();
    const sink = new RecordingSink();
    const c = new Conversation(100, 900);
    e.process(c.synAck(), sink);
    e.process(c.ack(), sink);
    e.process(c.c(0, 'hello'), sink);
    expect(sink.packets.map((p) => [p.toServer, p.established, p.midstream])).toEqual([
      [false, false, true],
      [true, true, true],
      [true, true, true],
    ]);
    expect(sink.chunks).toEqual([{ flowId: 1, toServer: true, data: new TextEncoder().encode('hello'), offset: 0, gapBefore: false }]);
  });

  it('does not pick up midstream sessions when midstream is off', () => {
    const e = engine({ tcp: { midstream: false } });
    const sink = new RecordingSink();
    e.process(tcpPkt({ seq: 5, ack: 9, flags: TCP_ACK | TCP_PSH, payload: 'data' }), sink);
    expect(sink.packets[0]!.established).toBe(false);
    expect(sink.chunks).toHaveLength(0);
  });

  it('establishes when the SYN/ACK is missing from the capture', () => {
    const e = engine();
    const sink = new RecordingSink();
    const c = new Conversation(10, 20);
    e.process(c.syn(), sink);
    e.process(c.ack(), sink);
    e.process(c.c(0, 'x'), sink);
    expect(sink.packets.map((p) => p.established)).toEqual([false, true, true]);
    expect(sink.packets.every((p) => !p.midstream)).toBe(true);
    expect(sink.text(true)).toBe('x');
  });

  it('goes to closed on FIN from both sides and on RST, and ends the flow at flush', () => {
    const e = engine();
    const sink = new RecordingSink();
    const c = new Conversation(1, 2);
    for (const p of c.handshake()) e.process(p, sink);
    e.process(c.c(0, 'bye', { flags: TCP_ACK | TCP_FIN }), sink);
    e.process(c.s(0, '', { flags: TCP_ACK | TCP_FIN, ackOff: 4 }), sink);
    expect(e.flowCount).toBe(1);
    e.flush(sink);
    expect(sink.ended).toEqual([1]);
    expect(e.flowCount).toBe(0);
    expect(e.stats.flowsEndedAtFlush).toBe(1);
  });

  it('starts a new flow when a SYN reuses the tuple of a closed session', () => {
    const e = engine();
    const sink = new RecordingSink();
    const c = new Conversation(1, 2);
    for (const p of c.handshake()) e.process(p, sink);
    e.process(tcpPkt({ seq: 2, ack: 3, flags: TCP_RST | TCP_ACK }), sink);
    const again = new Conversation(777777, 888888);
    for (const p of again.handshake()) e.process(p, sink);
    e.process(again.c(0, 'second'), sink);
    expect(sink.packets.slice(0, 4).every((p) => p.flowId === 1)).toBe(true);
    expect(sink.packets.slice(4).every((p) => p.flowId === 2)).toBe(true);
    expect(sink.ended).toEqual([1]);
    expect(e.stats.tcpReuse).toBe(1);
    expect(sink.text(true, 2)).toBe('second');
  });

  it('ignores a RST far outside the sequence space', () => {
    const e = engine();
    const sink = new RecordingSink();
    const c = new Conversation(1000, 2000);
    for (const p of c.handshake()) e.process(p, sink);
    e.process(tcpPkt({ seq: 1000 + 0x40000000, flags: TCP_RST }), sink);
    e.process(c.c(0, 'still here'), sink);
    expect(e.stats.tcpRstInvalid).toBe(1);
    expect(sink.events.map((x) => x.kind)).toContain('stream.rst_invalid');
    expect(sink.text(true)).toBe('still here');
  });

  it('ignores a RST ahead of the next sequence number, from either side, and reassembles on', () => {
    for (const fromServer of [false, true]) {
      const e = engine();
      const sink = new RecordingSink();
      const c = new Conversation(1000, 2000);
      for (const p of c.handshake()) e.process(p, sink);
      e.process(c.c(0, 'hello'), sink);
      const rst = fromServer
        ? tcpPkt({ src: SERVER, dst: CLIENT, sport: 80, dport: 40000, seq: 2001 + 1000, flags: TCP_RST })
        : tcpPkt({ seq: 1001 + 5 + 1000, flags: TCP_RST });
      e.process(rst, sink);
      e.process(c.c(5, 'EV'), sink);
      e.process(c.c(7, 'IL'), sink);
      expect(e.stats.tcpRstInvalid).toBe(1);
      e.process(udpPkt(CLIENT, SERVER, 1, 2, 'next'), sink);
      expect(sink.ended).toEqual([]);
      expect(sink.text(true)).toBe('helloEVIL');
    }
  });

  it('takes a RST at the next sequence number, and one just past a FIN', () => {
    const atNext = engine();
    const sink = new RecordingSink();
    const c = new Conversation(1000, 2000);
    for (const p of c.handshake()) atNext.process(p, sink);
    atNext.process(c.c(0, 'hello'), sink);
    atNext.process(tcpPkt({ seq: 1001 + 5, flags: TCP_RST }), sink);
    atNext.process(udpPkt(CLIENT, SERVER, 1, 2, 'next'), sink);
    expect(atNext.stats.tcpRstInvalid).toBe(0);
    expect(sink.ended).toEqual([1]);

    const afterFin = engine();
    const sink2 = new RecordingSink();
    for (const p of c.handshake()) afterFin.process(p, sink2);
    afterFin.process(c.c(0, 'bye', { flags: TCP_ACK | TCP_FIN }), sink2);
    afterFin.process(tcpPkt({ seq: 1001 + 3 + 1, flags: TCP_RST }), sink2);
    afterFin.process(udpPkt(CLIENT, SERVER, 1, 2, 'next'), sink2);
    expect(afterFin.stats.tcpRstInvalid).toBe(0);
    expect(sink2.ended).toEqual([1]);
  });

  it('takes a RST at data the capture missed but the peer acknowledged', () => {
    const e = engine();
    const sink = new RecordingSink();
    const c = new Conversation(1000, 2000);
    for (const p of c.handshake()) e.process(p, sink);
    e.process(c.c(0, 'hello'), sink);
    // 100 bytes of the client never reached the capture; the server acknowledged them.
    e.process(c.s(0, 'ok', { ackOff: 105 }), sink);
    e.process(tcpPkt({ seq: 1001 + 105, flags: TCP_RST }), sink);
    e.process(udpPkt(CLIENT, SERVER, 1, 2, 'next'), sink);
    expect(e.stats.tcpRstInvalid).toBe(0);
    expect(sink.ended).toEqual([1]);
  });
});

describe('UDP and other protocols', () => {
  it('makes the first sender the client and becomes established once the other side answers', () => {
    const e = engine();
    const sink = new RecordingSink();
    const dns = ip4('10.0.0.53');
    e.process(udpPkt(CLIENT, dns, 5353, 53, 'query'), sink);
    e.process(udpPkt(CLIENT, dns, 5353, 53, 'query again'), sink);
    e.process(udpPkt(dns, CLIENT, 53, 5353, 'answer'), sink);
    expect(sink.packets.map((p) => [p.flowId, p.toServer, p.established])).toEqual([
      [1, true, false],
      [1, true, false],
      [1, false, true],
    ]);
    expect(sink.chunks).toHaveLength(0);
    expect(e.stats.flowsUdp).toBe(1);
  });

  it('passes packets without an IP header with no flow', () => {
    const e = engine();
    const sink = new RecordingSink();
    e.process({ num: 1, tsUs: 0, frame: new Uint8Array(60), wireLength: 60, vlans: [], srcPort: 0, dstPort: 0, payload: new Uint8Array(0) }, sink);
    expect(sink.packets).toHaveLength(1);
    expect(sink.packets[0]!.flowId).toBeNull();
  });
});

describe('timeouts by packet time', () => {
  it('expires a flow after its state timeout and starts a new one with a new id', () => {
    const e = engine({ flow: { timeouts: { udp: { new: 30 } } } });
    const sink = new RecordingSink();
    e.process(udpPkt(CLIENT, SERVER, 1, 2, 'a', 1_000_000), sink);
    e.process(udpPkt(CLIENT, SERVER, 1, 2, 'b', 30_000_000), sink); // 29 s later: same flow
    e.process(udpPkt(CLIENT, SERVER, 1, 2, 'c', 60_500_000), sink); // 30.5 s idle: timed out
    expect(sink.packets.map((p) => p.flowId)).toEqual([1, 1, 2]);
    expect(sink.ended).toEqual([1]);
    expect(e.stats.flowsTimedOut).toBe(1);
  });

  it('gives established TCP sessions the long timeout and unanswered SYNs the short one', () => {
    const e = engine({ flow: { timeouts: { tcp: { new: 60, established: 600 } } } });
    const sink = new RecordingSink();
    const c = new Conversation(1, 2);
    for (const p of c.handshake()) e.process(p, sink);
    e.process(tcpPkt({ sport: 5555, seq: 9, flags: TCP_SYN, tsUs: 1_000_000 }), sink);
    // 100 s later: the lone SYN is gone, the session is not.
    e.process(udpPkt(ip4('1.1.1.1'), ip4('2.2.2.2'), 1, 1, 'tick', 101_000_000), sink);
    expect(sink.ended).toEqual([2]);
    e.process(c.c(0, 'late', { ts: 500_000_000 }), sink);
    expect(sink.packets.at(-1)!.flowId).toBe(1);
    expect(sink.text(true, 1)).toBe('late');
  });

  it('does not let a timestamp going backwards undo time', () => {
    const e = engine({ flow: { timeouts: { udp: { new: 30 } } } });
    const sink = new RecordingSink();
    e.process(udpPkt(CLIENT, SERVER, 1, 2, 'a', 100_000_000), sink);
    e.process(udpPkt(CLIENT, SERVER, 9, 9, 'b', 200_000_000), sink);
    e.process(udpPkt(CLIENT, SERVER, 1, 2, 'c', 110_000_000), sink);
    expect(sink.packets.map((p) => p.flowId)).toEqual([1, 2, 3]);
  });
});

describe('bounded flow table', () => {
  it('keeps a flood of spoofed SYNs at the bound, evicting them before established sessions', () => {
    const maxFlows = 200;
    const e = engine({ flow: { maxFlows } });
    const sink = new RecordingSink();
    const c = new Conversation(1, 2);
    for (const p of c.handshake()) e.process(p, sink);
    let peak = 0;
    const flood = 20_000;
    for (let i = 0; i < flood; i++) {
      const src = ip4(`172.16.${(i >> 8) & 0xff}.${i & 0xff}`);
      e.process(tcpPkt({ src, sport: 1024 + (i % 60000), seq: i * 7919, flags: TCP_SYN, tsUs: 1_000_000 + i }), sink);
      if (e.flowCount > peak) peak = e.flowCount;
    }
    expect(peak).toBe(maxFlows);
    expect(e.flowCount).toBe(maxFlows);
    expect(e.stats.flowsEvicted).toBe(flood + 1 - maxFlows);
    expect(e.stats.flowsEvictedEstablished).toBe(0);
    expect(sink.ended).toHaveLength(flood + 1 - maxFlows);
    // The real session still works, on its original flow.
    e.process(c.c(0, 'survived'), sink);
    expect(sink.packets.at(-1)!.flowId).toBe(1);
    expect(sink.text(true, 1)).toBe('survived');
    // Flow ids stay unique.
    const ids = new Set(sink.packets.map((p) => p.flowId));
    expect(ids.size).toBe(flood + 1);
  });

  it('evicts the least recently seen established flow when nothing else is left', () => {
    const e = engine({ flow: { maxFlows: 2 } });
    const sink = new RecordingSink();
    const a = new Conversation(1, 2, 1001);
    const b = new Conversation(1, 2, 1002);
    const d = new Conversation(1, 2, 1003);
    for (const p of a.handshake()) e.process(p, sink);
    for (const p of b.handshake()) e.process(p, sink);
    e.process(a.c(0, 'a is recent'), sink);
    for (const p of d.handshake()) e.process(p, sink);
    expect(sink.ended).toEqual([2]);
    expect(e.stats.flowsEvictedEstablished).toBe(1);
  });
});

describe('counters', () => {
  it('maps to Suricata stats names', () => {
    const e = engine();
    const counters = streamCounters(e.stats);
    for (const name of ['flow.total', 'flow.tcp', 'flow.udp', 'tcp.sessions', 'tcp.syn', 'tcp.synack', 'tcp.rst', 'tcp.reassembly_gap', 'tcp.overlap', 'tcp.overlap_diff_data', 'tcp.midstream_pickups', 'defrag.ipv4.fragments', 'defrag.ipv4.reassembled', 'defrag.ipv6.fragments', 'defrag.ipv6.reassembled', 'defrag.tracker_hard_reuse']) {
      expect(counters, name).toHaveProperty([name], 0);
    }
    expect(Object.keys(counters)).toHaveLength(Object.keys(e.stats).length);
  });

  it('rejects nonsensical settings', () => {
    expect(() => engine({ flow: { maxFlows: 0 } })).toThrow(/maxFlows/);
    expect(() => engine({ tcp: { policy: 'windows' as never } })).toThrow(/policy/);
    expect(() => engine({ tcp: { checksum: 'some' as never } })).toThrow(/checksum/);
  });
});

describe('tuple reuse after a reset', () => {
  it('starts a new session when the client retries with the same ISN after a RST', () => {
    const e = engine();
    const sink = new RecordingSink();
    const c = new Conversation(4242, 9000);
    e.process(c.syn(), sink);
    e.process(tcpPkt({ src: SERVER, dst: CLIENT, sport: 80, dport: 40000, seq: 0, ack: 4243, flags: TCP_RST | TCP_ACK }), sink);
    for (const p of c.handshake()) e.process(p, sink);
    e.process(c.c(0, 'retry'), sink);
    expect(sink.packets.map((p) => p.flowId)).toEqual([1, 1, 2, 2, 2, 2]);
    expect(sink.packets.at(-1)!.established).toBe(true);
    expect(sink.text(true, 2)).toBe('retry');
  });
});

/**
 * Release at close: a TCP flow whose session closed (both FINs acknowledged, or a RST) frees its
 * reassembly buffers and is ended towards the sink before the next packet, while a small record
 * stays in the table for late packets until the closed timeout.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeIpDatagram, DecodeStats, type RawFrame } from '../../src/decode/index.js';
import type { StreamOptions } from '../../src/stream/config.js';
import { defaultStreamConfig } from '../../src/stream/config.js';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import { tcpSession, type BuiltPacket, type TcpSession } from '../../src/traffic/index.js';
import type { DecodedPacket } from '../../src/types/packet.js';
import { scanPackets, sids } from '../match/helpers.js';
import { RecordingSink } from './helpers.js';

/** Feeds built packets one at a time through the real decoder. */
class Driver {
  readonly decodeStats = new DecodeStats();
  readonly engine: StreamEngine;
  readonly sink = new RecordingSink();
  private n = 0;

  constructor(options: StreamOptions = {}) {
    this.engine = new StreamEngine((bytes, base) => decodeIpDatagram(bytes, base, this.decodeStats), options);
  }

  feed(packets: readonly BuiltPacket[]): void {
    for (const p of packets) {
      this.n++;
      const frame: RawFrame = { num: this.n, tsUs: p.tsUs, linkType: p.linkType ?? 1, data: p.frame, wireLength: p.frame.length, interfaceId: 0 };
      const pkt: DecodedPacket | null = decodeFrame(frame.linkType, frame, this.decodeStats);
      if (pkt !== null) this.engine.process(pkt, this.sink);
    }
  }
}

const REQUEST = 'GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n';
const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello';

function session(port = 40000, startUs = 1_000_000): TcpSession {
  return tcpSession({ client: `10.0.0.1:${port}`, server: '10.0.0.2:80', startUs, stepUs: 1000 });
}

/** A packet of an unrelated flow, only to move the engine on to its next packet. */
function otherPacket(tsUs: number): BuiltPacket {
  const s = tcpSession({ client: '10.9.9.9:5555', server: '10.9.9.8:25', startUs: tsUs });
  return s.syn('client').packets()[0]!;
}

function lastTs(s: TcpSession): number {
  const p = s.packets();
  return p[p.length - 1]!.tsUs;
}

describe('release of closed TCP flows', () => {
  it('frees the buffers of a session closed by FIN, ACK, FIN, ACK before the next packet, keeping the record', () => {
    const d = new Driver();
    const s = session().handshake().send('client', REQUEST).send('server', RESPONSE);
    d.feed(s.packets());
    expect(d.engine.reassemblyBytesRetained).toBeGreaterThan(0);
    const before = s.packets().length;
    s.close();
    d.feed(s.packets().slice(before));
    // The close completes at the final ACK; the release waits for the next packet.
    expect(d.sink.ended).toEqual([]);
    d.feed([otherPacket(lastTs(s) + 1000)]);
    expect(d.engine.stats.tcpFlowsReleasedAtClose).toBe(1);
    expect(d.sink.ended).toHaveLength(1);
    expect(d.engine.reassemblyBytesRetained).toBe(0);
    expect(d.engine.reassemblyBytesHeld).toBe(0);
    expect(d.engine.flowCount).toBe(2); // the closed record and the other flow
    d.engine.flush(d.sink);
    // Ended once: the flush does not end a released flow again.
    expect(d.sink.ended.filter((id) => id === d.sink.ended[0])).toHaveLength(1);
    expect(d.engine.stats.flowsEndedAtFlush).toBe(1);
  });

  it('waits for the last ACK: FINs both ways without it leave the flow to the closed timeout', () => {
    const d = new Driver();
    const s = session().handshake().send('client', REQUEST).send('server', RESPONSE);
    s.fin('client').ack('server').fin('server'); // no final ACK
    d.feed(s.packets());
    d.feed([otherPacket(lastTs(s) + 1000)]);
    expect(d.engine.stats.tcpFlowsReleasedAtClose).toBe(0);
    expect(d.sink.ended).toEqual([]);
    expect(d.engine.reassemblyBytesRetained).toBeGreaterThan(0);
    // The closed timeout (Suricata's built-in 10 s) removes it and ends it once.
    const closed = defaultStreamConfig().flow.timeouts.tcp.closed;
    expect(closed).toBe(10);
    d.feed([otherPacket(lastTs(s) + closed * 1e6 + 1)]);
    expect(d.sink.ended).toHaveLength(1);
    expect(d.engine.stats.flowsTimedOut).toBe(1);
    expect(d.engine.reassemblyBytesRetained).toBe(0);
  });

  it('releases at a RST, and drops the closed record after the closed timeout', () => {
    const d = new Driver();
    const s = session().handshake().send('client', REQUEST).reset('server');
    d.feed(s.packets());
    d.feed([otherPacket(lastTs(s) + 1000)]);
    expect(d.engine.stats.tcpFlowsReleasedAtClose).toBe(1);
    expect(d.sink.ended).toHaveLength(1);
    expect(d.engine.reassemblyBytesRetained).toBe(0);
    expect(d.engine.flowCount).toBe(2);
    d.feed([otherPacket(lastTs(s) + 11e6)]);
    expect(d.engine.flowCount).toBe(1); // the closed record is gone ...
    expect(d.sink.ended).toHaveLength(1); // ... without a second end
  });

  it('counts a retransmission after the close and does not hand its data on again', () => {
    const d = new Driver();
    const s = session().handshake().send('client', REQUEST).send('server', RESPONSE).close();
    d.feed(s.packets());
    const n = s.packets().length;
    // The request resent after the close, within the closed timeout.
    s.wait(500_000).segment('client', { offset: 0, data: REQUEST, advance: false });
    d.feed(s.packets().slice(n));
    const st = d.engine.stats;
    expect(st.tcpFlowsReleasedAtClose).toBe(1);
    expect(st.tcpPacketsAfterRelease).toBe(1);
    expect(st.tcpRetransmissionsAfterRelease).toBe(1);
    expect(st.tcpFlowsRevived).toBe(0);
    expect(d.sink.text(true)).toBe(REQUEST); // delivered once
    // The late packet still reaches the sink with its flow.
    const late = d.sink.packets[d.sink.packets.length - 1]!;
    expect(late.flowId).toBe(d.sink.ended[0]);
    expect(late.established).toBe(true);
    d.engine.flush(d.sink);
    expect(d.sink.ended).toHaveLength(1);
    expect(d.engine.reassemblyBytesHeld).toBe(0);
  });

  it('still reassembles new data after a RST, and ends the flow again after it', () => {
    const d = new Driver();
    const s = session().handshake().send('client', 'first part ').reset('server');
    s.wait(1000).segment('client', { data: 'second part' });
    d.feed(s.packets());
    d.engine.flush(d.sink);
    const id = d.sink.ended[0]!;
    expect(d.sink.text(true, id)).toBe('first part second part');
    expect(d.engine.stats.tcpFlowsRevived).toBe(1);
    expect(d.sink.lifeline.get(id)).toBe('dede'); // data, end at the release, new data, end
    expect(d.engine.reassemblyBytesHeld).toBe(0);
  });

  it('starts a new flow when the tuple is reused after the release', () => {
    const d = new Driver();
    const a = session(40000, 1_000_000).handshake().send('client', REQUEST).close();
    const b = session(40000, lastTs(a) + 2_000_000).handshake().send('client', 'again').close();
    d.feed(a.packets());
    d.feed(b.packets());
    d.engine.flush(d.sink);
    expect(d.engine.stats.tcpReuse).toBe(1);
    expect(new Set(d.sink.ended).size).toBe(2);
    expect(d.sink.ended).toHaveLength(2);
  });

  it('frees what flows evicted by the table bound held', () => {
    const maxFlows = 8;
    const retainBytes = 512;
    const d = new Driver({ flow: { maxFlows }, tcp: { retainBytes } });
    for (let i = 0; i < 40; i++) {
      // Sessions left open: only eviction ends them.
      d.feed(session(41000 + i, 1_000_000 + i * 10_000).handshake().send('client', REQUEST).send('server', RESPONSE).packets());
      expect(d.engine.flowCount).toBeLessThanOrEqual(maxFlows);
      expect(d.engine.reassemblyBytesRetained).toBeLessThanOrEqual(maxFlows * 2 * 2 * retainBytes);
    }
    expect(d.engine.stats.flowsEvicted).toBe(32);
    expect(d.sink.ended).toHaveLength(32);
    expect(d.engine.reassemblyBytesRetained).toBe(maxFlows * 2 * 2 * retainBytes);
    d.engine.flush(d.sink);
    expect(d.engine.reassemblyBytesHeld).toBe(0);
  });

  it('holds buffers only for flows not yet closed (property), and ends every flow after its last data', () => {
    const retainBytes = 64;
    const closeArb = fc.constantFrom('fin' as const, 'fin-no-last-ack' as const, 'rst' as const, 'open' as const);
    const sessionArb = fc.record({
      close: closeArb,
      request: fc.uint8Array({ minLength: 1, maxLength: 300 }),
      response: fc.uint8Array({ minLength: 0, maxLength: 300 }),
      lateRetransmit: fc.boolean(),
      gapUs: fc.integer({ min: 0, max: 15_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(sessionArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 2, max: 16 }), (specs, maxFlows) => {
        const d = new Driver({ flow: { maxFlows }, tcp: { retainBytes } });
        // Sessions run one after another, each starting a gap after the previous one.
        let ts = 1_000_000;
        const sent = new Map<number, Uint8Array>();
        specs.forEach((spec, i) => {
          const s = session(42000 + i, ts).handshake().send('client', spec.request);
          if (spec.response.length > 0) s.send('server', spec.response);
          if (spec.close === 'fin') s.close();
          else if (spec.close === 'fin-no-last-ack') s.fin('client').ack('server').fin('server');
          else if (spec.close === 'rst') s.reset('client');
          if (spec.lateRetransmit) s.wait(100_000).segment('client', { offset: 0, data: spec.request, advance: false });
          for (const p of s.packets()) {
            d.feed([p]);
            const e = d.engine;
            // Released flows hold nothing; the others at most their two retained tails.
            expect(e.reassemblyBytesRetained).toBeLessThanOrEqual(e.flowCount * 2 * 2 * retainBytes);
            expect(e.flowCount).toBeLessThanOrEqual(maxFlows);
          }
          sent.set(i, spec.request);
          ts = lastTs(s) + spec.gapUs;
        });
        // One packet more releases flows closed at the last packet.
        d.feed([otherPacket(ts + 1)]);
        const e = d.engine;
        const st = e.stats;
        // Flows whose close completed hold no buffers any more.
        // (A late segment acknowledges the peer's FIN: it is the missing last ACK.)
        const closes = (x: (typeof specs)[number]): boolean => x.close === 'fin' || x.close === 'rst' || (x.close === 'fin-no-last-ack' && x.lateRetransmit);
        const unclosed = specs.filter((x) => !closes(x)).length;
        expect(e.reassemblyBytesRetained).toBeLessThanOrEqual(unclosed * 2 * 2 * retainBytes);
        const completed = specs.filter(closes).length;
        // Every completed close was released at the close, or before it by the table bound.
        expect(st.tcpFlowsReleasedAtClose + st.flowsEvicted).toBeGreaterThanOrEqual(completed);
        expect(st.tcpFlowsReleasedAtClose).toBeLessThanOrEqual(completed);
        e.flush(d.sink);
        expect(e.reassemblyBytesHeld).toBe(0);
        // Each session's request was handed on exactly once, late retransmissions included.
        const ids = [...new Set(d.sink.chunks.filter((c) => c.toServer).map((c) => c.flowId))];
        expect(ids).toHaveLength(specs.length);
        ids.forEach((id, i) => expect(d.sink.stream(true, id)).toEqual(sent.get(i)));
        // Every flow ended exactly once (none revived here: no new data after a close).
        expect(st.tcpFlowsRevived).toBe(0);
        for (const id of new Set(d.sink.packets.map((p) => p.flowId))) {
          if (id === null) continue;
          expect(d.sink.ended.filter((x) => x === id), `flow ${id}`).toHaveLength(1);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('release of closed TCP flows, through detection', () => {
  const RULES = [
    'alert tcp any any -> any 80 (msg:"stream"; flow:to_server,established; content:"EVILPATTERN"; sid:1;)',
    'alert http any any -> any any (msg:"uri"; flow:to_server,established; http.uri; content:"/evil"; sid:2;)',
  ].join('\n');

  it('does not alert again for data retransmitted after the close', async () => {
    const s = session().handshake().send('client', 'GET /evil?EVILPATTERN HTTP/1.1\r\nHost: x\r\n\r\n').send('server', RESPONSE).close();
    const once = sids(await scanPackets(RULES, s.packets())).sort();
    expect(once).toEqual([1, 2]);
    s.wait(200_000).segment('client', { offset: 0, data: 'GET /evil?EVILPATTERN HTTP/1.1\r\nHost: x\r\n\r\n', advance: false });
    s.wait(200_000).segment('client', { offset: 0, data: 'GET /evil?EVILPATTERN HTTP/1.1\r\nHost: x\r\n\r\n', advance: false });
    expect(sids(await scanPackets(RULES, s.packets())).sort()).toEqual(once);
  });
});

/**
 * Lookups check the flow found last before hashing: these make sure a flow is found again by
 * its hash whatever came in between, including a flow that took over a tuple right after a
 * packet of the session it replaces, and flows that left the table.
 */
import { describe, expect, it } from 'vitest';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import { CLIENT, Conversation, RecordingSink, SERVER, TCP_ACK, TCP_RST, TestIpDecoder, ip4, tcpPkt, udpPkt } from './helpers.js';

describe('flow lookup', () => {
  it('finds a flow that reused a tuple again after packets of other flows', () => {
    const e = new StreamEngine(new TestIpDecoder().decode);
    const sink = new RecordingSink();
    const c = new Conversation(1, 2);
    for (const p of c.handshake()) e.process(p, sink);
    e.process(tcpPkt({ seq: 2, ack: 3, flags: TCP_RST | TCP_ACK }), sink); // closes flow 1
    const again = new Conversation(777777, 888888);
    e.process(again.syn(), sink); // flow 2 takes the tuple over
    e.process(udpPkt(ip4('1.1.1.1'), ip4('2.2.2.2'), 5, 6, 'other'), sink); // flow 3
    for (const p of again.handshake().slice(1)) e.process(p, sink);
    e.process(udpPkt(ip4('2.2.2.2'), ip4('1.1.1.1'), 6, 5, 'reply'), sink);
    e.process(again.c(0, 'data'), sink);
    expect(sink.packets.map((p) => p.flowId)).toEqual([1, 1, 1, 1, 2, 3, 2, 2, 3, 2]);
    expect(sink.packets.map((p) => p.toServer)).toEqual([true, false, true, true, true, true, false, true, false, true]);
    expect(e.flowCount).toBe(2);
    expect(sink.text(true, 2)).toBe('data');
  });

  it('does not find a flow that left the table, even if it was the last one seen', () => {
    const e = new StreamEngine(new TestIpDecoder().decode, { flow: { maxFlows: 1 } });
    const sink = new RecordingSink();
    e.process(udpPkt(CLIENT, SERVER, 1, 2, 'a'), sink);
    e.process(udpPkt(CLIENT, SERVER, 3, 4, 'b'), sink); // evicts flow 1
    e.process(udpPkt(CLIENT, SERVER, 1, 2, 'c'), sink); // a new flow, evicting flow 2
    e.process(udpPkt(SERVER, CLIENT, 2, 1, 'd'), sink);
    expect(sink.packets.map((p) => p.flowId)).toEqual([1, 2, 3, 3]);
    expect(sink.packets.map((p) => p.toServer)).toEqual([true, true, true, false]);
    expect(sink.ended).toEqual([1, 2]);
  });

  it('does not find the last flow seen once it has timed out', () => {
    const e = new StreamEngine(new TestIpDecoder().decode, { flow: { timeouts: { udp: { new: 30 } } } });
    const sink = new RecordingSink();
    e.process(udpPkt(CLIENT, SERVER, 1, 2, 'a', 1_000_000), sink);
    e.process(udpPkt(SERVER, CLIENT, 2, 1, 'b', 40_000_000), sink); // flow 1 expired first
    expect(sink.packets.map((p) => [p.flowId, p.toServer])).toEqual([[1, true], [2, true]]);
    expect(sink.ended).toEqual([1]);
  });
});

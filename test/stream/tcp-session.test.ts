/**
 * What a receiver drops must not take the place of the bytes it keeps: data on a SYN without
 * TCP Fast Open (or on a SYN/ACK), a segment failing PAWS, data beyond its sender's FIN.
 */
import { describe, expect, it } from 'vitest';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import { streamCounters } from '../../src/stream/stats.js';
import type { DecodedPacket } from '../../src/types/packet.js';
import { CLIENT, RecordingSink, SERVER, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TestIpDecoder, tcpPkt } from './helpers.js';

const CLIENT_ISN = 1000;
const SERVER_ISN = 50000;
/** TCP Fast Open option with an 8-byte cookie. */
const TFO = Uint8Array.of(34, 10, 1, 2, 3, 4, 5, 6, 7, 8);

function engine(): { e: StreamEngine; sink: RecordingSink; run: (...pkts: DecodedPacket[]) => void } {
  const e = new StreamEngine(new TestIpDecoder().decode);
  const sink = new RecordingSink();
  return { e, sink, run: (...pkts) => pkts.forEach((p) => e.process(p, sink)) };
}

/** NOP, NOP, timestamp option. */
function tsOpt(val: number, ecr = 0): Uint8Array {
  const o = new Uint8Array(12);
  o.set([1, 1, 8, 10]);
  new DataView(o.buffer).setUint32(4, val);
  new DataView(o.buffer).setUint32(8, ecr);
  return o;
}

const fromClient = (seqOff: number, flags: number, o: { payload?: string; options?: Uint8Array; tsUs?: number } = {}): DecodedPacket =>
  tcpPkt({ seq: CLIENT_ISN + seqOff, ack: (flags & TCP_ACK) !== 0 ? SERVER_ISN + 1 : 0, flags, ...o });
const fromServer = (seqOff: number, flags: number, o: { payload?: string; options?: Uint8Array; ackOff?: number } = {}): DecodedPacket =>
  tcpPkt({ src: SERVER, dst: CLIENT, sport: 80, dport: 40000, seq: SERVER_ISN + seqOff, ack: CLIENT_ISN + 1 + (o.ackOff ?? 0), flags, payload: o.payload, options: o.options });

describe('data on a SYN', () => {
  it('stays out of the stream without TCP Fast Open; the packet is inspected alone', () => {
    const { e, sink, run } = engine();
    const syn = fromClient(0, TCP_SYN, { payload: 'XXXXXXXX' });
    run(syn, fromServer(0, TCP_SYN | TCP_ACK), fromClient(1, TCP_ACK), fromClient(1, TCP_ACK | TCP_PSH, { payload: 'GET /real' }));
    expect(sink.text(true)).toBe('GET /real');
    expect(syn.streamRefused).toBe(true);
    expect(streamCounters(e.stats)['kanshi.tcp.syn_data_ignored']).toBe(1);
    expect(e.stats.tcpOverlapDiffData).toBe(0);
  });

  it('stays out on a SYN/ACK', () => {
    const { sink, run } = engine();
    run(fromClient(0, TCP_SYN), fromServer(0, TCP_SYN | TCP_ACK, { payload: 'junk' }), fromClient(1, TCP_ACK), fromServer(1, TCP_ACK | TCP_PSH, { payload: 'HTTP/1.1 200' }));
    expect(sink.text(false)).toBe('HTTP/1.1 200');
  });

  it('with TCP Fast Open waits for the SYN/ACK and enters the stream when it is acknowledged', () => {
    const { sink, run } = engine();
    const syn = fromClient(0, TCP_SYN, { payload: 'fastopen', options: TFO });
    run(syn);
    expect(sink.chunks).toHaveLength(0);
    expect(syn.streamDisplaced).toBe(true);
    run(fromServer(0, TCP_SYN | TCP_ACK, { ackOff: 8 }));
    // Established at the SYN/ACK, as Suricata's TFO sessions: the data is the session's.
    expect(sink.packets.at(-1)!.established).toBe(true);
    run(fromClient(9, TCP_ACK), fromClient(9, TCP_ACK | TCP_PSH, { payload: '+more' }));
    expect(sink.text(true)).toBe('fastopen+more');
  });

  it('with TCP Fast Open is dropped when the SYN/ACK acknowledges only the SYN (the client sends its data again)', () => {
    const { e, sink, run } = engine();
    run(fromClient(0, TCP_SYN, { payload: 'XXXXXXXXXXXX', options: TFO }), fromServer(0, TCP_SYN | TCP_ACK));
    run(fromClient(1, TCP_ACK), fromClient(1, TCP_ACK | TCP_PSH, { payload: 'GET /real' }));
    expect(sink.text(true)).toBe('GET /real');
    expect(streamCounters(e.stats)['stream.3whs_synack_tfo_data_ignored']).toBe(1);
  });

  it('with TCP Fast Open (experimental option kind) reaches the stream when the capture lacks the SYN/ACK', () => {
    const { sink, run } = engine();
    run(fromClient(0, TCP_SYN, { payload: 'early', options: Uint8Array.of(254, 4, 0xf9, 0x89) }));
    run(fromClient(6, TCP_ACK | TCP_PSH, { payload: '+late' }));
    expect(sink.text(true)).toBe('early+late');
  });
});

describe('PAWS', () => {
  /** A handshake negotiating timestamps: client TSval from 100, server from 7000. */
  function withTimestamps(run: (...p: DecodedPacket[]) => void): void {
    run(
      fromClient(0, TCP_SYN, { options: tsOpt(100) }),
      fromServer(0, TCP_SYN | TCP_ACK, { options: tsOpt(7000, 100) }),
      fromClient(1, TCP_ACK, { options: tsOpt(101, 7000) }),
    );
  }

  it('leaves a segment with an older TSval out of the stream, so the real bytes behind it are kept', () => {
    const { e, sink, run } = engine();
    withTimestamps(run);
    const junk = fromClient(1, TCP_ACK | TCP_PSH, { payload: 'GET /xxxxxxx', options: tsOpt(5, 7000) });
    run(junk, fromClient(1, TCP_ACK | TCP_PSH, { payload: 'GET /scripts', options: tsOpt(102, 7000) }));
    expect(sink.text(true)).toBe('GET /scripts');
    expect(junk.streamRefused).toBe(true);
    expect(streamCounters(e.stats)['stream.pkt_invalid_timestamp']).toBe(1);
  });

  it('compares TSvals modulo 2^32, refuses a TSval of 0, and takes segments without the option', () => {
    const { e, sink, run } = engine();
    run(
      fromClient(0, TCP_SYN, { options: tsOpt(0xfffffff0) }),
      fromServer(0, TCP_SYN | TCP_ACK, { options: tsOpt(7000, 0xfffffff0) }),
      fromClient(1, TCP_ACK | TCP_PSH, { payload: 'a', options: tsOpt(5, 7000) }), // wrapped: newer
      fromClient(2, TCP_ACK | TCP_PSH, { payload: 'X', options: tsOpt(0, 7000) }),
      fromClient(2, TCP_ACK | TCP_PSH, { payload: 'b', options: tsOpt(0xfffffff8, 7000) }), // older than 5
      fromClient(2, TCP_ACK | TCP_PSH, { payload: 'c' }),
    );
    expect(sink.text(true)).toBe('ac');
    expect(e.stats.tcpInvalidTimestamp).toBe(2);
  });

  it('applies only when both the SYN and the SYN/ACK carried timestamps', () => {
    const { e, sink, run } = engine();
    run(fromClient(0, TCP_SYN, { options: tsOpt(100) }), fromServer(0, TCP_SYN | TCP_ACK), fromClient(1, TCP_ACK));
    run(fromClient(1, TCP_ACK | TCP_PSH, { payload: 'first', options: tsOpt(5) }));
    expect(sink.text(true)).toBe('first');
    expect(e.stats.tcpInvalidTimestamp).toBe(0);
  });

  it('ignores a RST with an older TSval (the receiver drops it)', () => {
    const { sink, run } = engine();
    withTimestamps(run);
    run(fromClient(1, TCP_RST | TCP_ACK, { options: tsOpt(50, 7000) }));
    run(fromClient(1, TCP_ACK | TCP_PSH, { payload: 'after', options: tsOpt(103, 7000) }));
    expect(sink.text(true)).toBe('after');
    expect(sink.ended).toHaveLength(0);
  });

  it('takes an old TSval on the expected segment after 24 days without a valid one', () => {
    const { sink, run } = engine();
    withTimestamps(run);
    const later = 1_000_000 + 25 * 24 * 3600 * 1e6;
    run(fromClient(1, TCP_ACK | TCP_PSH, { payload: 'late', options: tsOpt(3, 7000), tsUs: later }));
    expect(sink.text(true)).toBe('late');
  });

  it('turns on at a midstream pickup from the packet carrying the option', () => {
    const { e, sink, run } = engine();
    run(fromClient(1, TCP_ACK | TCP_PSH, { payload: 'one', options: tsOpt(500, 9000) }));
    run(fromClient(4, TCP_ACK | TCP_PSH, { payload: 'JUNK', options: tsOpt(499, 9000) }), fromClient(4, TCP_ACK | TCP_PSH, { payload: 'two', options: tsOpt(501, 9000) }));
    expect(sink.text(true)).toBe('onetwo');
    expect(e.stats.tcpInvalidTimestamp).toBe(1);
  });
});

describe('FIN', () => {
  it('ends its sender\'s stream once acknowledged: data beyond it is not reassembled', () => {
    const { e, sink, run } = engine();
    run(fromClient(0, TCP_SYN), fromServer(0, TCP_SYN | TCP_ACK), fromClient(1, TCP_ACK));
    run(fromClient(1, TCP_ACK | TCP_PSH, { payload: 'hi ' }), fromClient(4, TCP_FIN | TCP_ACK), fromServer(1, TCP_ACK, { ackOff: 4 }));
    const after = fromClient(4, TCP_ACK | TCP_PSH, { payload: 'EVIL after fin' });
    run(after);
    expect(sink.text(true)).toBe('hi ');
    expect(after.streamDisplaced).toBe(true);
    expect(e.stats.tcpDataAfterFin).toBe(1);
  });

  it('does not end it while unacknowledged: the receiver may never have had it, and takes the data', () => {
    const { e, sink, run } = engine();
    run(fromClient(0, TCP_SYN), fromServer(0, TCP_SYN | TCP_ACK), fromClient(1, TCP_ACK));
    run(fromClient(1, TCP_ACK | TCP_PSH, { payload: 'hi ' }), fromClient(4, TCP_FIN | TCP_ACK));
    run(fromClient(4, TCP_ACK | TCP_PSH, { payload: 'EVIL' }), fromServer(1, TCP_ACK, { ackOff: 7 }));
    expect(sink.text(true)).toBe('hi EVIL');
    expect(e.stats.tcpDataAfterFin).toBe(0);
  });

  it('keeps the data a FIN carries and the part of a segment before it', () => {
    const { sink, run } = engine();
    run(fromClient(0, TCP_SYN), fromServer(0, TCP_SYN | TCP_ACK), fromClient(1, TCP_ACK));
    run(fromClient(1, TCP_FIN | TCP_ACK | TCP_PSH, { payload: 'last' }), fromServer(1, TCP_ACK, { ackOff: 5 }), fromClient(3, TCP_ACK | TCP_PSH, { payload: 'stEVIL' }));
    expect(sink.text(true)).toBe('last');
  });

  it('does not count before data already delivered (an old or forged FIN)', () => {
    const { sink, run } = engine();
    run(fromClient(0, TCP_SYN), fromServer(0, TCP_SYN | TCP_ACK), fromClient(1, TCP_ACK));
    run(fromClient(1, TCP_ACK | TCP_PSH, { payload: 'hello ' }), fromClient(3, TCP_FIN | TCP_ACK), fromClient(7, TCP_ACK | TCP_PSH, { payload: 'world' }));
    expect(sink.text(true)).toBe('hello world');
  });
});

import { describe, expect, it } from 'vitest';
import type { StreamOptions } from '../../src/stream/config.js';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import { seqAdd, seqDiff, seqGt, seqLt } from '../../src/stream/seq.js';
import { Conversation, RecordingSink, TCP_ACK, TCP_RST, TestIpDecoder, bytes, tcpPkt } from './helpers.js';

function setup(options: StreamOptions = {}, clientIsn = 1000, serverIsn = 50000) {
  const e = new StreamEngine(new TestIpDecoder().decode, options);
  const sink = new RecordingSink();
  const c = new Conversation(clientIsn, serverIsn);
  for (const p of c.handshake()) e.process(p, sink);
  return { e, sink, c };
}

describe('in-order delivery', () => {
  it('hands an in-order segment on as a view of the packet payload, without copying', () => {
    const { e, c } = setup();
    const p = c.c(0, 'no copy please');
    let seen: Uint8Array | null = null;
    e.process(p, {
      packet: () => {},
      streamData: (_f, _d, chunk) => {
        seen = chunk;
      },
    });
    expect(seen).not.toBeNull();
    expect(seen!.buffer).toBe(p.payload.buffer);
    expect(seen!.byteOffset).toBe(p.payload.byteOffset);
    expect(seen!.length).toBe(p.payload.length);
  });

  it('delivers stream data before the packet that completed it, with offsets', () => {
    const { e, c } = setup();
    const order: string[] = [];
    const sink = {
      packet: () => order.push('packet'),
      streamData: (_f: unknown, _d: boolean, chunk: Uint8Array, off: number) => order.push(`data@${off}:${chunk.length}`),
    };
    e.process(c.c(0, 'abc'), sink);
    e.process(c.c(3, 'defg'), sink);
    expect(order).toEqual(['data@0:3', 'packet', 'data@3:4', 'packet']);
  });

  it('treats data on a TCP Fast Open SYN as starting after the SYN sequence number', () => {
    const e = new StreamEngine(new TestIpDecoder().decode);
    const sink = new RecordingSink();
    e.process(tcpPkt({ seq: 500, flags: 0x02, payload: 'fastopen', options: Uint8Array.of(34, 2) }), sink);
    e.process(tcpPkt({ seq: 509, ack: 1, flags: TCP_ACK, payload: '+more' }), sink);
    expect(sink.text(true)).toBe('fastopen+more');
  });
});

describe('out of order, duplicates, overlaps', () => {
  it('buffers segments ahead of a hole and delivers once it is filled, as one chunk', () => {
    const { e, sink, c } = setup();
    e.process(c.c(10, 'KLMNO'), sink);
    e.process(c.c(5, 'FGHIJ'), sink);
    expect(sink.chunks).toHaveLength(0);
    e.process(c.c(0, 'ABCDE'), sink);
    expect(sink.text(true)).toBe('ABCDEFGHIJKLMNO');
    expect(sink.chunks).toHaveLength(1);
    expect(sink.chunks[0]).toMatchObject({ offset: 0, gapBefore: false });
    expect(e.stats.tcpOutOfOrder).toBe(2);
    expect(e.reassemblyBytesBuffered).toBe(0);
  });

  it('ignores retransmissions and duplicates', () => {
    const { e, sink, c } = setup();
    e.process(c.c(0, 'hello '), sink);
    e.process(c.c(0, 'hello '), sink);
    e.process(c.c(12, 'again'), sink);
    e.process(c.c(12, 'again'), sink);
    e.process(c.c(6, 'world '), sink);
    e.process(c.c(3, 'lo world '), sink);
    expect(sink.text(true)).toBe('hello world again');
    expect(e.stats.tcpRetransmissions).toBe(2);
    expect(e.stats.tcpOverlapDiffData).toBe(0);
  });

  it('first policy: buffered bytes that arrived first win, and the different data is reported', () => {
    const { e, sink, c } = setup({ tcp: { policy: 'first' } });
    e.process(c.c(4, 'SAFE'), sink);
    e.process(c.c(4, 'EVIL'), sink);
    e.process(c.c(0, 'GET /'), sink); // overlaps the buffered byte at 4 too: 'S' wins over '/'
    expect(sink.text(true)).toBe('GET SAFE');
    expect(e.stats.tcpOverlaps).toBe(2);
    expect(e.stats.tcpOverlapDiffData).toBe(2);
    expect(sink.events.filter((x) => x.kind === 'stream.reassembly_overlap_different_data')).toHaveLength(2);
  });

  it('bsd policy (the default): new bytes win over buffered ones only where the new segment starts first', () => {
    const { e, sink, c } = setup();
    e.process(c.c(4, 'SAFE'), sink);
    e.process(c.c(4, 'EVIL'), sink); // same start: the buffered bytes stay
    e.process(c.c(2, 'xxEVIL'), sink); // starts before SAFE: replaces it
    e.process(c.c(10, 'abcd'), sink);
    e.process(c.c(12, 'XYZW'), sink); // starts inside abcd: cd stays, ZW extends it
    e.process(c.c(0, 'GE'), sink);
    e.process(c.c(8, '--'), sink);
    expect(sink.text(true)).toBe('GExxEVIL--abcdZW');
    expect(e.stats.tcpOverlapDiffData).toBe(3);
    expect(sink.events.filter((x) => x.kind === 'stream.reassembly_overlap_different_data')).toHaveLength(3);
  });

  it('last policy: the newest bytes replace buffered ones', () => {
    const { e, sink, c } = setup({ tcp: { policy: 'last' } });
    e.process(c.c(4, 'SAFE'), sink);
    e.process(c.c(4, 'EVIL'), sink);
    e.process(c.c(6, 'xxxx'), sink); // splits EVIL: EV stays, IL replaced, and extends past it
    e.process(c.c(0, 'GET '), sink);
    expect(sink.text(true)).toBe('GET EVxxxx');
    expect(e.stats.tcpOverlapDiffData).toBe(2);
  });

  it('last policy keeps the uncovered ends of a buffered segment it overlaps in the middle', () => {
    const { e, sink, c } = setup({ tcp: { policy: 'last' } });
    e.process(c.c(2, 'abcdefgh'), sink);
    e.process(c.c(4, 'XY'), sink);
    e.process(c.c(0, '01'), sink);
    expect(sink.text(true)).toBe('01abXYefgh');
  });

  it('reports a retransmission whose bytes differ from what was delivered (delivered data is final)', () => {
    const { e, sink, c } = setup();
    e.process(c.c(0, 'USER alice\r\n'), sink);
    e.process(c.c(5, 'malic\r\n'), sink);
    e.process(c.c(5, 'alice\r\n'), sink);
    expect(sink.text(true)).toBe('USER alice\r\n');
    expect(e.stats.tcpOverlapDiffData).toBe(1);
    expect(e.stats.tcpRetransmissions).toBe(2);
  });

  it('does not report keep-alive probes as different data', () => {
    const { e, sink, c } = setup();
    e.process(c.c(0, 'abc'), sink);
    e.process(c.c(2, '\0'), sink);
    expect(e.stats.tcpOverlapDiffData).toBe(0);
  });
});

describe('sequence wraparound', () => {
  it('compares sequence numbers modulo 2^32', () => {
    expect(seqDiff(5, 0xfffffffb)).toBe(10);
    expect(seqDiff(0xfffffffb, 5)).toBe(-10);
    expect(seqLt(0xfffffff0, 3)).toBe(true);
    expect(seqGt(3, 0xfffffff0)).toBe(true);
    expect(seqAdd(0xffffffff, 2)).toBe(1);
  });

  it('reassembles a stream whose sequence numbers wrap past 2^32, in and out of order', () => {
    const isn = 0xfffffff0; // data starts at 0xfffffff1 and wraps after 15 bytes
    const { e, sink, c } = setup({}, isn, 0xfffffffe);
    const text = 'The quick brown fox jumps over the lazy dog';
    e.process(c.c(20, text.slice(20)), sink);
    e.process(c.c(10, text.slice(10, 20)), sink);
    e.process(c.c(0, text.slice(0, 10)), sink);
    e.process(c.s(0, 'server side wraps too'), sink);
    expect(sink.text(true)).toBe(text);
    expect(sink.text(false)).toBe('server side wraps too');
    expect(e.stats.tcpReassemblyGaps).toBe(0);
  });
});

describe('gaps', () => {
  it('declares a gap once the peer acknowledges beyond the hole, and continues after it', () => {
    const { e, sink, c } = setup();
    e.process(c.c(0, 'first '), sink);
    e.process(c.c(16, 'after the gap'), sink); // bytes 6..15 never captured
    expect(sink.chunks).toHaveLength(1);
    e.process(c.s(0, '', { ackOff: 29 }), sink); // the server got everything
    expect(sink.chunks).toHaveLength(2);
    expect(sink.chunks[1]).toMatchObject({ offset: 16, gapBefore: true, toServer: true });
    expect(e.stats.tcpReassemblyGaps).toBe(1);
    expect(sink.events.map((x) => x.kind)).toContain('stream.reassembly_seq_gap');
    e.process(c.c(29, ' and on'), sink);
    expect(sink.chunks[2]).toMatchObject({ offset: 29, gapBefore: false });
  });

  it('keeps waiting while the peer has not acknowledged the hole', () => {
    const { e, sink, c } = setup();
    e.process(c.c(0, 'first '), sink);
    e.process(c.c(16, 'after'), sink);
    e.process(c.s(0, '', { ackOff: 6 }), sink);
    expect(sink.chunks).toHaveLength(1);
    e.process(c.c(6, '0123456789'), sink);
    expect(sink.text(true)).toBe('first 0123456789after');
    expect(e.stats.tcpReassemblyGaps).toBe(0);
  });

  it('declares a gap after gapTimeout seconds of packet time', () => {
    const { e, sink, c } = setup({ tcp: { gapTimeout: 5 } });
    e.process(c.c(0, 'a', { ts: 10_000_000 }), sink);
    e.process(c.c(5, 'b', { ts: 10_000_000 }), sink);
    e.process(c.c(6, 'c', { ts: 14_000_000 }), sink);
    expect(sink.text(true)).toBe('a');
    e.process(c.c(7, 'd', { ts: 15_000_001 }), sink);
    expect(sink.text(true)).toBe('abcd');
    expect(sink.chunks[1]).toMatchObject({ offset: 5, gapBefore: true });
  });

  it('declares a gap when the per-direction buffer bound is reached', () => {
    const { e, sink, c } = setup({ tcp: { maxBufferedPerDirection: 100, gapTimeout: 0 } });
    e.process(c.c(0, 'x'), sink);
    for (let i = 0; i < 10; i++) e.process(c.c(10 + i * 20, 'y'.repeat(20)), sink);
    expect(e.stats.tcpBufferLimitHits).toBeGreaterThan(0);
    expect(e.stats.tcpReassemblyGaps).toBe(1);
    expect(sink.chunks[1]).toMatchObject({ offset: 10, gapBefore: true });
    expect(e.reassemblyBytesBuffered).toBeLessThanOrEqual(100 + 64 * 10);
  });

  it('delivers buffered data with a gap mark when the flow ends', () => {
    const { e, sink, c } = setup({ tcp: { gapTimeout: 0 } });
    e.process(c.c(0, 'head'), sink);
    e.process(c.c(100, 'tail'), sink);
    e.flush(sink);
    expect(sink.chunks.map((x) => [x.offset, x.gapBefore])).toEqual([
      [0, false],
      [100, true],
    ]);
    expect(sink.ended).toEqual([1]);
    expect(e.reassemblyBytesBuffered).toBe(0);
    expect(e.reassemblyBytesRetained).toBe(0);
  });

  it('delivers buffered data at a RST', () => {
    const { e, sink, c } = setup({ tcp: { gapTimeout: 0 } });
    e.process(c.c(10, 'tail'), sink);
    e.process(tcpPkt({ seq: 1001 + 14, flags: TCP_RST }), sink);
    expect(sink.chunks.map((x) => [x.offset, x.gapBefore])).toEqual([[10, true]]);
  });

  it('hands on buffered data early when the global memcap is reached', () => {
    const { e, sink, c } = setup({ tcp: { memcap: 300, gapTimeout: 0 } });
    e.process(c.c(100, 'a'.repeat(100)), sink);
    expect(sink.chunks).toHaveLength(0);
    e.process(c.c(300, 'b'.repeat(200)), sink);
    expect(e.stats.tcpMemcapHits).toBe(1);
    expect(sink.chunks.map((x) => [x.offset, x.gapBefore])).toEqual([
      [100, true],
      [300, true],
    ]);
    expect(e.reassemblyBytesBuffered).toBe(0);
  });

  it('ignores segments far beyond the window', () => {
    const { e, sink, c } = setup({ tcp: { maxSeqAhead: 1 << 20 } });
    e.process(c.c(1 << 21, 'far away'), sink);
    e.process(c.c(0, 'near'), sink);
    expect(e.stats.tcpOutOfWindow).toBe(1);
    expect(sink.text(true)).toBe('near');
  });
});

describe('depth', () => {
  it('stops delivering a direction after depth bytes', () => {
    const { e, sink, c } = setup({ tcp: { depth: 10 } });
    e.process(c.c(0, '0123456'), sink);
    e.process(c.c(7, '789abc'), sink);
    e.process(c.c(13, 'def'), sink);
    expect(sink.text(true)).toBe('0123456789');
    expect(e.stats.tcpStreamDepthReached).toBe(1);
  });
});

describe('content split over segments', () => {
  it('shows a pattern split across out-of-order segments whole in one chunk', () => {
    const { e, sink, c } = setup();
    const request = bytes('GET /cgi-bin/phf?Qalias=x HTTP/1.0\r\n\r\n');
    e.process(c.c(12, request.subarray(12)), sink);
    e.process(c.c(6, request.subarray(6, 12)), sink);
    e.process(c.c(0, request.subarray(0, 6)), sink);
    expect(sink.chunks).toHaveLength(1);
    expect(new TextDecoder().decode(sink.chunks[0]!.data)).toContain('/cgi-bin/phf');
  });
});

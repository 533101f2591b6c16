import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePcap, tcpSession } from '../../src/traffic/index.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../src/types/packet.js';
import { decodeAll, streamOf, text } from './helpers.js';

const ENDPOINTS = { client: '10.0.0.1:1025', server: '192.168.1.5:80' };

describe('tcpSession', () => {
  it('builds a handshake, data and teardown with consistent numbers', () => {
    const s = tcpSession({ ...ENDPOINTS, clientIsn: 1000, serverIsn: 5000, startUs: 1_000_000, stepUs: 10 });
    s.handshake().send('client', 'hello').send('server', 'world!').close();
    const d = decodeAll(s.packets());
    const summary = d.map((p) => [p.srcPort, p.tcp!.flags, p.tcp!.seq, p.tcp!.ack, p.payload.length]);
    expect(summary).toEqual([
      [1025, TCP_SYN, 1000, 0, 0],
      [80, TCP_SYN | TCP_ACK, 5000, 1001, 0],
      [1025, TCP_ACK, 1001, 5001, 0],
      [1025, TCP_PSH | TCP_ACK, 1001, 5001, 5],
      [80, TCP_ACK, 5001, 1006, 0],
      [80, TCP_PSH | TCP_ACK, 5001, 1006, 6],
      [1025, TCP_ACK, 1006, 5007, 0],
      [1025, TCP_FIN | TCP_ACK, 1006, 5007, 0],
      [80, TCP_ACK, 5007, 1007, 0],
      [80, TCP_FIN | TCP_ACK, 5007, 1007, 0],
      [1025, TCP_ACK, 1007, 5008, 0],
    ]);
    expect(d.map((p) => p.tsUs)).toEqual(d.map((_, i) => 1_000_000 + 10 * i));
    // The SYNs carry MSS and SACK-permitted options.
    expect([...d[0]!.tcp!.options.subarray(0, 4)]).toEqual([2, 4, 0x05, 0xb4]);
  });

  it('cuts data at the sizes or offsets asked for', () => {
    const data = 'abcdefghijklmnopqrstuvwxyz';
    const bySizes = tcpSession(ENDPOINTS).handshake().send('client', data, { segments: [3, 10], ack: false });
    expect(decodeAll(bySizes.packets()).slice(3).map((p) => text(p.payload))).toEqual(['abc', 'defghijklm', 'nopqrstuvwxyz']);
    const byOffsets = tcpSession(ENDPOINTS).handshake().send('client', data, { splitAt: [20, 5, 99], ack: false });
    expect(decodeAll(byOffsets.packets()).slice(3).map((p) => text(p.payload))).toEqual(['abcde', 'fghijklmnopqrst', 'uvwxyz']);
    const byMss = tcpSession({ ...ENDPOINTS, mss: 10 }).handshake().send('client', data, { ack: false });
    expect(decodeAll(byMss.packets()).slice(3).map((p) => p.payload.length)).toEqual([10, 10, 6]);
    // Only the segment that ends the data carries PSH.
    expect(decodeAll(byMss.packets()).slice(3).map((p) => p.tcp!.flags & TCP_PSH)).toEqual([0, 0, TCP_PSH]);
  });

  it('reorders and retransmits segments without changing the stream', () => {
    const s = tcpSession(ENDPOINTS).handshake().send('client', '0123456789', { segments: [2, 3, 5], order: [2, 0, 1], duplicate: [1] });
    const d = decodeAll(s.packets());
    expect(d.slice(3, 7).map((p) => text(p.payload))).toEqual(['56789', '01', '234', '234']);
    expect(streamOf(d, 1025)).toBe('0123456789');
    expect(() => tcpSession(ENDPOINTS).send('client', 'ab', { segments: [1], order: [0, 2] })).toThrow(/order names segment 2/);
  });

  it('injects overlapping segments with different content, and gaps', () => {
    const s = tcpSession(ENDPOINTS).handshake();
    s.send('client', 'GET /index.html', { ack: false });
    s.segment('client', { offset: 4, data: 'EVIL' });
    s.skip('client', 5).send('client', 'tail', { ack: false });
    const d = decodeAll(s.packets());
    const overlap = d[4]!;
    expect(overlap.tcp!.seq).toBe(s.seqAt('client', 4));
    expect(text(overlap.payload)).toBe('EVIL');
    const tail = d[5]!;
    expect(tail.tcp!.seq).toBe(s.seqAt('client', 15 + 5));
    // First copy wins in the helper: the original bytes, a 5-byte hole, then the tail.
    expect(streamOf(d, 1025)).toBe('GET /index.html\0\0\0\0\0tail');
  });

  it('wraps sequence numbers around 2^32', () => {
    const s = tcpSession({ ...ENDPOINTS, clientIsn: 0xfffffffa }).handshake().send('client', 'wrapping-data');
    const d = decodeAll(s.packets());
    expect(d[3]!.tcp!.seq).toBe(0xfffffffb);
    expect(d.at(-1)!.tcp!.ack).toBe((0xfffffffb + 13) >>> 0);
    expect(streamOf(d, 1025)).toBe('wrapping-data');
  });

  it('works over IPv6 and VLANs, and fragments segments on request', () => {
    const s = tcpSession({ client: '[2001:db8::1]:1111', server: '[2001:db8::2]:443', vlans: [30] })
      .handshake()
      .send('client', 'z'.repeat(100), { fragment: [16, 40] });
    const d = decodeAll(s.packets());
    expect(d.every((p) => p.ip!.version === 6 && p.vlans[0] === 30)).toBe(true);
    const frags = d.filter((p) => p.ip!.fragHeaderOffset !== undefined);
    expect(frags.map((p) => [p.ip!.fragOffset, p.ip!.moreFragments, p.payload.length])).toEqual([
      [0, true, 16],
      [16, true, 40],
      [56, false, 20 + 100 - 56],
    ]);
  });

  it('resets', () => {
    const d = decodeAll(tcpSession(ENDPOINTS).handshake().reset('server').packets());
    expect(d.at(-1)!.tcp!.flags).toBe(TCP_RST | TCP_ACK);
    expect(d.at(-1)!.srcPort).toBe(80);
  });

  it('is deterministic, and the seed varies it', () => {
    const build = (seed?: number) =>
      encodePcap(tcpSession({ ...ENDPOINTS, ...(seed !== undefined ? { seed } : {}) }).handshake().send('client', 'x').close().packets());
    expect(Buffer.from(build()).equals(Buffer.from(build()))).toBe(true);
    expect(Buffer.from(build(1)).equals(Buffer.from(build(2)))).toBe(false);
  });

  it('puts any data cut any way on the wire intact', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 300 }).map((s) => s.replace(/[^\x00-\xff]/g, '?')),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (data, segments, isn) => {
          const s = tcpSession({ ...ENDPOINTS, clientIsn: isn }).handshake().send('client', data, { segments });
          expect(streamOf(decodeAll(s.packets()), 1025)).toBe(data);
        },
      ),
      { numRuns: 100 },
    );
  });
});

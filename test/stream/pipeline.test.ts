/**
 * The stream stage behind the real decoder: frames built by src/traffic, decoded by
 * decode/decodeFrame from a buffer that is reused (and scribbled over) after every packet, as
 * the capture reader does. Anything the stream stage keeps without copying would show up as
 * corrupted output here.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeIpDatagram, DecodeStats, type RawFrame } from '../../src/decode/index.js';
import { StreamEngine } from '../../src/stream/stream-engine.js';
import type { StreamOptions } from '../../src/stream/config.js';
import { tcpSession, type BuiltPacket, type TcpSession } from '../../src/traffic/index.js';
import { RecordingSink } from './helpers.js';

function run(packets: BuiltPacket[], options: StreamOptions = {}) {
  const decodeStats = new DecodeStats();
  const engine = new StreamEngine((bytes, base) => decodeIpDatagram(bytes, base, decodeStats), options);
  const sink = new RecordingSink();
  const scratch = new Uint8Array(70_000);
  packets.forEach((p, i) => {
    scratch.set(p.frame);
    const frame: RawFrame = { num: i + 1, tsUs: p.tsUs, linkType: p.linkType ?? 1, data: scratch.subarray(0, p.frame.length), wireLength: p.frame.length, interfaceId: 0 };
    const pkt = decodeFrame(frame.linkType, frame, decodeStats);
    if (pkt !== null) engine.process(pkt, sink);
    scratch.fill(0xee, 0, p.frame.length);
  });
  engine.flush(sink);
  return { engine, sink, decodeStats };
}

const REQUEST = 'GET /scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir HTTP/1.0\r\nHost: victim\r\n\r\n';
const RESPONSE = 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello';

function session(v6: boolean): TcpSession {
  return v6
    ? tcpSession({ client: '[2001:db8::1]:40000', server: '[2001:db8::2]:80', clientIsn: 0xfffffff0 })
    : tcpSession({ client: '10.1.1.1:40000', server: '10.2.2.2:80', clientIsn: 0xffffff00 });
}

for (const v6 of [false, true]) {
  describe(`decoded ${v6 ? 'IPv6' : 'IPv4'} traffic`, () => {
    it('reassembles reordered, duplicated and fragmented segments to the sent bytes', () => {
      const s = session(v6);
      s.handshake();
      s.send('client', REQUEST, { segments: [7, 9, 20, 11], order: [3, 1, 0, 4, 2], duplicate: [1, 2] });
      s.send('server', RESPONSE, { fragment: [24, 16] });
      s.close();
      const { engine, sink } = run(s.packets());
      expect(sink.text(true)).toBe(REQUEST);
      expect(sink.text(false)).toBe(RESPONSE);
      expect(sink.chunks.every((c) => !c.gapBefore)).toBe(true);
      expect(engine.stats.tcpOutOfOrder).toBeGreaterThan(0);
      expect(engine.stats.tcpRetransmissions).toBe(2);
      expect(v6 ? engine.stats.defragIpv6Reassembled : engine.stats.defragIpv4Reassembled).toBe(1);
      expect(engine.stats.tcpSessions).toBe(1);
      expect(new Set(sink.packets.filter((p) => p.flowId !== null).map((p) => p.flowId))).toEqual(new Set([1]));
      expect(sink.ended).toEqual([1]);
    });

    it('keeps the first copy of overlapping data and reports the conflict', () => {
      const s = session(v6);
      s.handshake();
      s.segment('client', { offset: 4, data: '/etc/passwd', advance: false });
      s.segment('client', { offset: 4, data: '/index.html' });
      s.segment('client', { offset: 0, data: 'GET ' });
      const { engine, sink } = run(s.packets());
      expect(sink.text(true)).toBe('GET /etc/passwd');
      expect(engine.stats.tcpOverlapDiffData).toBe(1);
      const last = run(s.packets(), { tcp: { policy: 'last' } });
      expect(last.sink.text(true)).toBe('GET /index.html');
    });

    it('marks a gap where data is missing from the capture and goes on after it', () => {
      const s = session(v6);
      s.handshake();
      s.send('client', 'first part ');
      s.skip('client', 100);
      s.send('client', 'after the hole');
      s.ack('server');
      const { engine, sink } = run(s.packets());
      expect(sink.chunks.filter((c) => c.toServer).map((c) => [c.offset, c.gapBefore])).toEqual([
        [0, false],
        [111, true],
      ]);
      expect(engine.stats.tcpReassemblyGaps).toBe(1);
    });
  });
}

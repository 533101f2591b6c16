import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureParser } from '../../src/decode/capture-parser.js';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { decodeIpDatagram } from '../../src/decode/ip.js';
import { DecodeStats } from '../../src/decode/stats.js';
import {
  type BuiltPacket,
  buildPcapng,
  encodePcap,
  encodePcapng,
  httpConversation,
  icmpEcho,
  ipFragments,
  relink,
  tcpSession,
  udpBytes,
  udpPacket,
} from '../../src/traffic/index.js';
import type { DecodedPacket } from '../../src/types/packet.js';

/** A mix of what captures hold: TCP over v4 and v6, VLANs, fragments, UDP, ICMP. */
function packets(): BuiltPacket[] {
  const http = httpConversation({ request: { uri: '/a?b=c' }, response: { body: 'ok'.repeat(20) } }).packets();
  const v6 = tcpSession({ client: '[2001:db8::1]:5000', server: '[2001:db8::2]:80', vlans: [10, 20] })
    .handshake()
    .send('client', 'x'.repeat(120), { segments: [7, 50], fragment: [24] })
    .close()
    .packets();
  const udp = udpBytes({ srcPort: 1, dstPort: 2, payload: 'y'.repeat(30) }, '10.0.0.1', '10.0.0.2');
  const frags = ipFragments({
    src: '10.0.0.1',
    dst: '10.0.0.2',
    protocol: 17,
    id: 5,
    tsUs: 1,
    pieces: [
      { offset: 0, data: udp.subarray(0, 16) },
      { offset: 8, data: udp.subarray(8, 32) },
      { offset: 24, data: udp.subarray(24) },
    ],
  });
  const misc = [
    udpPacket({ src: '10.1.1.1:53', dst: '10.1.1.2:53', payload: 'dns', tsUs: 2 }),
    icmpEcho({ src: '10.1.1.1', dst: '10.1.1.2', id: 1, seq: 2, payload: 'ping', tsUs: 3 }),
    icmpEcho({ src: 'fe80::1', dst: 'fe80::2', id: 1, seq: 2, tsUs: 4 }),
  ];
  return [...http, ...v6, ...frags, ...misc];
}

const PACKETS = packets();
const CAPTURES: Uint8Array[] = [
  encodePcap(PACKETS),
  encodePcap(PACKETS, { byteOrder: 'be', resolution: 'ns' }),
  encodePcapng(PACKETS, { byteOrder: 'be' }),
  buildPcapng((w) => {
    w.section();
    w.addInterface({ linkType: 1, tsresol: 9 });
    w.addInterface({ linkType: 113 });
    w.addInterface({ linkType: 101, snaplen: 200 });
    w.block(0x777, Uint8Array.of(1, 2, 3));
    PACKETS.forEach((p, i) => {
      const iface = i % 3;
      const frame = iface === 0 ? p.frame : relink(p, iface === 1 ? 113 : 101).frame;
      if (i % 7 === 6) w.simplePacket(frame);
      else w.enhancedPacket(iface, p.tsUs, frame);
    });
  }),
];

/** Every byte view a decoded packet holds must lie inside the bytes it was decoded from. */
function checkViews(p: DecodedPacket, source: Uint8Array): void {
  const inside = (v: Uint8Array | undefined, what: string): void => {
    if (v === undefined || v.length === 0) return;
    const ok =
      v.buffer === source.buffer &&
      v.byteOffset >= source.byteOffset &&
      v.byteOffset + v.length <= source.byteOffset + source.length;
    if (!ok) throw new Error(`packet ${p.num}: ${what} lies outside the bytes it was decoded from`);
  };
  inside(p.payload, 'payload');
  inside(p.ip?.src, 'ip.src');
  inside(p.ip?.dst, 'ip.dst');
  inside(p.ip?.datagram, 'ip.datagram');
  inside(p.tcp?.options, 'tcp.options');
}

/** Reads and decodes a whole capture; returns what happened. Throws only if something is broken. */
function runPipeline(bytes: Uint8Array, chunk: number): { frames: number; offset: number | undefined } {
  const stats = new DecodeStats();
  const parser = new CaptureParser('fuzz.pcap', (f) => {
    const p = decodeFrame(f.linkType, f, stats);
    if (p !== null) {
      checkViews(p, f.data);
      if (p.ip?.datagram !== undefined) {
        const again = decodeIpDatagram(p.ip.datagram, { ...f, vlans: p.vlans, frame: f.data }, stats);
        if (again !== null) checkViews(again, p.ip.datagram);
      }
    }
  });
  for (let o = 0; o < bytes.length; o += chunk) {
    if (!parser.feed(bytes.subarray(o, Math.min(o + chunk, bytes.length)))) break;
  }
  const error = parser.end();
  // Each record or block takes at least 12 bytes, so the frame count is bounded by the input.
  expect(parser.frames).toBeLessThanOrEqual(Math.ceil(bytes.length / 12));
  if (error !== undefined) {
    expect(error.offset).toBeGreaterThanOrEqual(0);
    expect(error.offset).toBeLessThanOrEqual(bytes.length);
    expect(error.message.startsWith('fuzz.pcap: ')).toBe(true);
  }
  expect(stats.pkts).toBe(parser.frames);
  return { frames: parser.frames, offset: error?.offset };
}

const capture = fc.integer({ min: 0, max: CAPTURES.length - 1 }).map((i) => CAPTURES[i]!);
const chunkSize = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(1 << 20));

describe('hostile captures', () => {
  it('reads the unmutated captures completely', () => {
    for (const bytes of CAPTURES) {
      expect(runPipeline(bytes, 1 << 20)).toEqual({ frames: PACKETS.length, offset: undefined });
    }
  });

  it('survives random bit flips', () => {
    fc.assert(
      fc.property(capture, fc.array(fc.nat(), { minLength: 1, maxLength: 24 }), chunkSize, (bytes, flips, chunk) => {
        const copy = bytes.slice();
        for (const f of flips) {
          const bit = f % (copy.length * 8);
          copy[bit >> 3]! ^= 1 << (bit & 7);
        }
        runPipeline(copy, chunk);
      }),
      { numRuns: 200 },
    );
  });

  it('survives truncation anywhere, delivering frames up to the cut', () => {
    fc.assert(
      fc.property(capture, fc.nat(), chunkSize, (bytes, cut, chunk) => {
        const len = cut % (bytes.length + 1);
        const whole = runPipeline(bytes.subarray(0, len), chunk);
        expect(whole.frames).toBeLessThanOrEqual(PACKETS.length);
        if (whole.offset !== undefined) expect(whole.offset).toBeLessThanOrEqual(len);
      }),
      { numRuns: 200 },
    );
  });

  it('survives 16- and 32-bit fields set to zero and to their maximum', () => {
    fc.assert(
      fc.property(
        capture,
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(2, 4), fc.boolean()), { minLength: 1, maxLength: 6 }),
        chunkSize,
        (bytes, edits, chunk) => {
          const copy = bytes.slice();
          for (const [at, width, max] of edits) {
            const o = (at % (copy.length - 3)) & ~1;
            copy.fill(max ? 0xff : 0, o, o + width);
          }
          runPipeline(copy, chunk);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('survives every header length field of every packet set to zero or its maximum', () => {
    // Ethernet + IPv4: total length, IHL/version byte, fragment word, TCP data offset, UDP length.
    const fieldOffsets = [14, 16, 20, 24, 38, 46, 18, 54];
    for (const value of [0x00, 0xff]) {
      for (const field of fieldOffsets) {
        const mutated = PACKETS.map((p) => {
          const frame = p.frame.slice();
          if (field + 1 < frame.length) frame.fill(value, field, field + 2);
          return { ...p, frame };
        });
        runPipeline(encodePcap(mutated), 1 << 20);
        runPipeline(encodePcapng(mutated), 97);
      }
    }
  });

  it('decodes random bytes as any link type without throwing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 9, 12, 14, 50, 101, 104, 108, 113, 228, 229, 239, 276),
        fc.uint8Array({ maxLength: 120 }),
        (linkType, data) => {
          const stats = new DecodeStats();
          const p = decodeFrame(linkType, { num: 1, tsUs: 0, linkType, data, wireLength: data.length, interfaceId: 0 }, stats);
          if (p !== null) checkViews(p, data);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decodes IP headers with random bytes behind plausible first bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x45, 0x46, 0x4f, 0x60, 0x61), fc.uint8Array({ minLength: 0, maxLength: 200 }), (first, rest) => {
        const bytes = Uint8Array.of(first, ...rest);
        const p = decodeIpDatagram(bytes, { num: 1, tsUs: 0, frame: bytes, wireLength: 0, vlans: [] }, new DecodeStats());
        if (p !== null) checkViews(p, bytes);
      }),
      { numRuns: 2000 },
    );
  });
});

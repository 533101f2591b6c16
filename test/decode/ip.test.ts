import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeIpDatagram, internetChecksum, rebuildDatagram } from '../../src/decode/ip.js';
import { DecodeStats } from '../../src/decode/stats.js';
import {
  concatBytes,
  fragmentPacket,
  ipv4Datagram,
  ipv6Datagram,
  tcpSession,
  udpBytes,
  udpPacket,
} from '../../src/traffic/index.js';
import type { DecodedPacket } from '../../src/types/packet.js';
import { decodeBytes, hex, text } from './helpers.js';

const base = { num: 5, tsUs: 123, frame: new Uint8Array(1), wireLength: 99, vlans: [7] };

/** Reassembles in-order, non-overlapping fragments by offset: enough to check rebuildDatagram. */
function reassemble(frags: DecodedPacket[]): Uint8Array {
  const sorted = [...frags].sort((a, b) => a.ip!.fragOffset - b.ip!.fragOffset);
  return concatBytes(sorted.map((f) => f.payload));
}

describe('decodeIpDatagram', () => {
  it('decodes v4 and v6 datagrams from the IP header on, keeping the base fields', () => {
    const stats = new DecodeStats();
    const v4 = ipv4Datagram({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, payload: udpBytes({ srcPort: 1, dstPort: 2, payload: 'four' }, '10.0.0.1', '10.0.0.2') });
    const p = decodeIpDatagram(v4, base, stats)!;
    expect(p).toMatchObject({ num: 5, tsUs: 123, wireLength: 99, vlans: [7], srcPort: 1, dstPort: 2 });
    expect(p.frame).toBe(base.frame);
    expect(p.ip!.datagram).toBe(v4);
    expect(text(p.payload)).toBe('four');
    const v6 = ipv6Datagram({ src: '::1', dst: '::2', nextHeader: 17, payload: udpBytes({ srcPort: 3, dstPort: 4, payload: 'six' }, '::1', '::2') });
    expect(decodeIpDatagram(v6, base, stats)!.udp!.dstPort).toBe(4);
    expect(stats.pkts).toBe(0); // the frame was counted when it was decoded
    expect(stats.ipv4).toBe(1);
    expect(stats.ipv6).toBe(1);
  });

  it('returns null, counted, for bytes that are not IP', () => {
    const stats = new DecodeStats();
    expect(decodeIpDatagram(Uint8Array.of(0x20, 0, 0), base, stats)).toBeNull();
    expect(decodeIpDatagram(new Uint8Array(0), base, stats)).toBeNull();
    expect(stats.eventCount('ipraw.invalid_ip_version')).toBe(2);
  });
});

describe('rebuildDatagram', () => {
  it('rebuilds an IPv4 datagram from its fragments, checksum included', () => {
    const whole = udpPacket({ src: '10.0.0.1:1', dst: '10.0.0.2:2', payload: 'A'.repeat(100), tsUs: 0, id: 0x4242 });
    const frags = fragmentPacket(whole, { sizes: [32, 48], order: [2, 0, 1] }).map((f) => decodeBytes(1, f.frame)!);
    const first = frags.find((f) => f.ip!.fragOffset === 0)!;
    const rebuilt = rebuildDatagram(first.ip!, reassemble(frags))!;
    const original = decodeBytes(1, whole.frame)!.ip!.datagram!;
    expect(hex(rebuilt)).toBe(hex(original));
    expect(internetChecksum(rebuilt, 0, 20)).toBe(0);
    const again = decodeIpDatagram(rebuilt, base, new DecodeStats())!;
    expect(text(again.payload)).toBe('A'.repeat(100));
  });

  it('removes the fragment header from an IPv6 chain', () => {
    const s = tcpSession({ client: '[2001:db8::10]:1111', server: '[2001:db8::20]:80' });
    s.send('client', 'B'.repeat(90), { fragment: [24, 40], ack: false });
    const packets = s.packets().map((p) => decodeBytes(1, p.frame)!);
    expect(packets).toHaveLength(3);
    const first = packets[0]!;
    const rebuilt = rebuildDatagram(first.ip!, reassemble(packets))!;
    const p = decodeIpDatagram(rebuilt, base, new DecodeStats())!;
    expect(p.ip!.extHeaders).toBeUndefined();
    expect(p.tcp!.dstPort).toBe(80);
    expect(text(p.payload)).toBe('B'.repeat(90));
  });

  it('keeps the extension headers in front of the fragment header', () => {
    const udp = udpBytes({ srcPort: 9, dstPort: 10, payload: 'C'.repeat(40) }, '::1', '::2');
    const pieces = [udp.subarray(0, 16), udp.subarray(16)];
    const frags = pieces.map((piece, i) =>
      decodeBytes(
        101,
        ipv6Datagram({
          src: '::1',
          dst: '::2',
          nextHeader: 17,
          payload: piece,
          extHeaders: [{ kind: 'hop-by-hop' }, { kind: 'destination' }, { kind: 'fragment', offset: i * 16, more: i === 0, id: 3 }],
        }),
      )!,
    );
    const rebuilt = rebuildDatagram(frags[0]!.ip!, reassemble(frags))!;
    const p = decodeIpDatagram(rebuilt, base, new DecodeStats())!;
    expect(p.ip!.extHeaders).toEqual([0, 60]);
    expect(p.udp!.dstPort).toBe(10);
    expect(text(p.payload)).toBe('C'.repeat(40));
  });

  it('refuses datagrams beyond 65535 bytes', () => {
    const first = decodeBytes(101, ipv4Datagram({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 17, payload: new Uint8Array(8), moreFragments: true }))!;
    expect(rebuildDatagram(first.ip!, new Uint8Array(65535 - 19))).toBeNull();
    expect(rebuildDatagram(first.ip!, new Uint8Array(65535 - 20))).not.toBeNull();
  });

  it('agrees with the builder on any fragmentation of any payload', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 400 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (payload, units, v6) => {
          const src = v6 ? '[fe80::1]:5' : '10.9.8.7:5';
          const dst = v6 ? '[fe80::2]:6' : '10.9.8.6:6';
          const whole = udpPacket({ src, dst, payload, tsUs: 0 });
          const frags = fragmentPacket(whole, { sizes: units.map((u) => u * 8), id: 77 }).map((f) => decodeBytes(1, f.frame)!);
          // A datagram that fits the first size is sent whole: nothing to rebuild.
          fc.pre(frags.length > 1);
          const first = frags.find((f) => f.ip!.fragOffset === 0)!;
          const rebuilt = rebuildDatagram(first.ip!, reassemble(frags))!;
          expect(hex(rebuilt)).toBe(hex(decodeBytes(1, whole.frame)!.ip!.datagram!));
        },
      ),
      { numRuns: 200 },
    );
  });
});

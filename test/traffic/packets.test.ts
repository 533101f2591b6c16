import { describe, expect, it } from 'vitest';
import { fragmentPacket, icmpPacket, ipFragments, relink, udpBytes, udpPacket } from '../../src/traffic/index.js';
import { decodeAll, text } from './helpers.js';

describe('fragments', () => {
  it('writes overlapping IPv4 and IPv6 fragments exactly as given', () => {
    for (const [src, dst] of [
      ['10.0.0.1', '10.0.0.2'],
      ['2001:db8::1', '2001:db8::2'],
    ] as const) {
      const udp = udpBytes({ srcPort: 7, dstPort: 9, payload: 'AAAAAAAABBBBBBBB' }, src, dst);
      const packets = ipFragments({
        src,
        dst,
        protocol: 17,
        id: 0x77,
        tsUs: 100,
        stepUs: 5,
        pieces: [
          { offset: 0, data: udp.subarray(0, 16) },
          { offset: 8, data: 'XXXXXXXXYYYYYYYY' }, // overlaps the first piece with other bytes
          { offset: 16, data: udp.subarray(16), more: false },
        ],
      });
      const d = decodeAll(packets);
      // An IPv6 fragment is protocol 44 (its fragment header) until rebuilt, as Suricata decodes it.
      const proto = src.includes(':') ? 44 : 17;
      expect(d.map((p) => [p.ip!.fragOffset, p.ip!.moreFragments, p.ip!.id, p.ip!.protocol, p.payload.length])).toEqual([
        [0, true, 0x77, proto, 16],
        [8, true, 0x77, proto, 16],
        [16, false, 0x77, proto, 8],
      ]);
      expect(text(d[1]!.payload)).toBe('XXXXXXXXYYYYYYYY');
      expect(d.map((p) => p.tsUs)).toEqual([100, 105, 110]);
      expect(d.every((p) => p.udp === undefined)).toBe(true);
    }
  });

  it('splits a built packet, keeps IPv4 options in every fragment, and sends in the order asked', () => {
    const whole = udpPacket({ src: '10.0.0.1:1', dst: '10.0.0.2:2', payload: 'p'.repeat(50), tsUs: 0, vlans: [9] });
    const frags = fragmentPacket(whole, { sizes: [24], order: [1, 0] });
    const d = decodeAll(frags);
    expect(d.map((p) => [p.ip!.fragOffset, p.ip!.moreFragments, p.vlans[0]])).toEqual([
      [24, false, 9],
      [0, true, 9],
    ]);
    expect(() => fragmentPacket(whole, { sizes: [12] })).toThrow(/multiple of 8/);
  });
});

describe('simple packets', () => {
  it('builds ICMP of any type for either family', () => {
    const [v4, v6] = decodeAll([
      icmpPacket({ src: '10.0.0.1', dst: '10.0.0.2', type: 11, code: 1, payload: 'orig', tsUs: 0 }),
      icmpPacket({ src: '::1', dst: '::2', type: 135, tsUs: 0, ttl: 255 }),
    ]);
    expect(v4!.icmp).toMatchObject({ v6: false, type: 11, code: 1 });
    expect(text(v4!.payload)).toBe('orig');
    expect(v6!.icmp).toMatchObject({ v6: true, type: 135 });
    expect(v6!.ip!.ttl).toBe(255);
  });

  it('re-frames for other link types and refuses unknown ones', () => {
    const p = udpPacket({ src: '10.0.0.1:1', dst: '10.0.0.2:2', tsUs: 0 });
    expect(relink(p, 101).frame.length).toBe(p.frame.length - 14);
    expect(relink(p, 113).frame.length).toBe(p.frame.length + 2);
    expect(relink(p, 276).frame.length).toBe(p.frame.length + 6);
    expect(relink(p, 1)).toEqual({ ...p, linkType: 1 });
    expect(() => relink(p, 127)).toThrow(/link type 127/);
  });

  it('refuses mixed address families', () => {
    expect(() => udpPacket({ src: '10.0.0.1:1', dst: '[::1]:2', tsUs: 0 })).toThrow(/different IP versions/);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { addressText, IpScratch, parseIpv4Into, parseIpv6Into } from '../../src/correlate/ip-bytes.js';

describe('address text to bytes', () => {
  it('IPv4: round-trips every address and rejects near misses', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        const out = new Uint8Array(4);
        expect(parseIpv4Into(addressText(b), out)).toBe(true);
        expect([...out]).toEqual([...b]);
      }),
    );
    const out = new Uint8Array(4);
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '1.2.3.0004']) expect(parseIpv4Into(bad, out), bad).toBe(false);
  });

  it('IPv6: agrees with ipaddr.js on random addresses in compressed and full forms', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0x2001, 0xdb8), { minLength: 8, maxLength: 8 }), (groups) => {
        const ip = new ipaddr.IPv6(groups);
        const expected = ip.toByteArray();
        const out = new Uint8Array(16);
        const full = groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
        for (const text of [ip.toRFC5952String(), ip.toNormalizedString(), full]) {
          expect(parseIpv6Into(text, out), text).toBe(true);
          expect([...out]).toEqual(expected);
        }
        expect(addressText(out)).toBe(ip.toRFC5952String());
      }),
    );
  });

  it('IPv6: embedded IPv4 and malformed text', () => {
    const s = new IpScratch();
    expect([...s.parse('::ffff:192.0.2.1')!]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 192, 0, 2, 1]);
    expect(s.parse('::')!.every((b) => b === 0)).toBe(true);
    for (const bad of ['1::2::3', ':1:2', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', 'g::1', '1:2:3:4:5:6:7:', 'not an ip']) {
      expect(s.parse(bad), bad).toBeUndefined();
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp, macFor, parseEndpoint, parseIp, parseMac } from '../../src/traffic/addr.js';

describe('addresses', () => {
  it('parses IPv4 and every IPv6 spelling', () => {
    expect([...parseIp('192.168.1.5')]).toEqual([192, 168, 1, 5]);
    expect(formatIp(parseIp('::'))).toBe('0:0:0:0:0:0:0:0');
    expect(formatIp(parseIp('::1'))).toBe('0:0:0:0:0:0:0:1');
    expect(formatIp(parseIp('2001:db8::'))).toBe('2001:db8:0:0:0:0:0:0');
    expect(formatIp(parseIp('2001:DB8:0:0:1::2'))).toBe('2001:db8:0:0:1:0:0:2');
    expect(formatIp(parseIp('::ffff:10.1.2.3'))).toBe('0:0:0:0:0:ffff:a01:203');
    expect(formatIp(parseIp('1:2:3:4:5:6:7:8'))).toBe('1:2:3:4:5:6:7:8');
  });

  it('rejects what is not an address', () => {
    for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', 'g::1', '', 'host']) {
      expect(() => parseIp(bad), bad).toThrow(/not an IP address/);
    }
  });

  it('round-trips any IPv6 address through text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect([...parseIp(formatIp(bytes))]).toEqual([...bytes]);
      }),
    );
  });

  it('parses endpoints with IPv4 and bracketed IPv6 hosts', () => {
    expect(parseEndpoint('10.0.0.1:1025')).toEqual({ ip: parseIp('10.0.0.1'), port: 1025 });
    expect(parseEndpoint('[2001:db8::1]:443')).toEqual({ ip: parseIp('2001:db8::1'), port: 443 });
    for (const bad of ['10.0.0.1', '10.0.0.1:', '10.0.0.1:70000', '2001:db8::1:80', '[::1]80', '10.0.0.1:x']) {
      expect(() => parseEndpoint(bad), bad).toThrow();
    }
  });

  it('parses MACs and derives stable locally administered ones', () => {
    expect([...parseMac('00:1A:2b:3c:4d:5e')]).toEqual([0, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]);
    expect(() => parseMac('00:11:22:33:44')).toThrow();
    const a = macFor(parseIp('10.0.0.1'));
    expect(a[0]).toBe(0x02);
    expect([...macFor(parseIp('10.0.0.1'))]).toEqual([...a]);
    expect([...macFor(parseIp('10.0.0.2'))]).not.toEqual([...a]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeExtHeader,
  ethernetFrame,
  icmpBytes,
  ipv4Datagram,
  ipv6Datagram,
  parseIp,
  tcpBytes,
  tcpFlags,
  toBytes,
  udpBytes,
} from '../../src/traffic/index.js';
import { checksumOk } from './helpers.js';

function pseudo4(src: string, dst: string, proto: number, len: number): Uint8Array {
  return Uint8Array.of(...parseIp(src), ...parseIp(dst), 0, proto, len >> 8, len & 0xff);
}

function pseudo6(src: string, dst: string, proto: number, len: number): Uint8Array {
  return Uint8Array.of(...parseIp(src), ...parseIp(dst), 0, 0, len >> 8, len & 0xff, 0, 0, 0, proto);
}

describe('checksums', () => {
  it('are valid for any TCP, UDP and ICMP payload over IPv4 and IPv6', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (payload, v6) => {
        const src = v6 ? '2001:db8::a' : '10.1.2.3';
        const dst = v6 ? '2001:db8::b' : '10.3.2.1';
        const pseudo = v6 ? pseudo6 : pseudo4;
        const tcp = tcpBytes({ srcPort: 1, dstPort: 2, seq: 3, flags: 'PA', payload }, src, dst);
        expect(checksumOk([pseudo(src, dst, 6, tcp.length), tcp])).toBe(true);
        const udp = udpBytes({ srcPort: 1, dstPort: 2, payload }, src, dst);
        expect(checksumOk([pseudo(src, dst, 17, udp.length), udp])).toBe(true);
        expect(udp[6]! | udp[7]!).not.toBe(0);
        const icmp = icmpBytes({ type: v6 ? 128 : 8, id: 1, seq: 2, payload }, src, dst);
        expect(checksumOk(v6 ? [pseudo6(src, dst, 58, icmp.length), icmp] : [icmp])).toBe(true);
        if (!v6) {
          const ip = ipv4Datagram({ src, dst, protocol: 6, payload: tcp, options: payload.subarray(0, 40) });
          const hlen = (ip[0]! & 15) * 4;
          expect(checksumOk([ip.subarray(0, hlen)])).toBe(true);
        }
      }),
    );
  });

  it('can be set wrong on purpose', () => {
    const tcp = tcpBytes({ srcPort: 1, dstPort: 2, seq: 3, flags: 'S', checksum: 0xbeef }, '1.1.1.1', '2.2.2.2');
    expect((tcp[16]! << 8) | tcp[17]!).toBe(0xbeef);
    const ip = ipv4Datagram({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 6, payload: '', checksum: 0, totalLength: 9, version: 5 });
    expect([ip[0], ip[2], ip[3], ip[10], ip[11]]).toEqual([0x55, 0, 9, 0, 0]);
  });
});

describe('headers', () => {
  it('spells TCP flags as letters', () => {
    expect(tcpFlags('S')).toBe(0x02);
    expect(tcpFlags('sa')).toBe(0x12);
    expect(tcpFlags('FPAUEC')).toBe(0xf9);
    expect(tcpFlags(0x1ff)).toBe(0xff);
    expect(() => tcpFlags('SX')).toThrow(/unknown TCP flag "X"/);
  });

  it('writes IPv4 fields where they belong', () => {
    const ip = ipv4Datagram({
      src: '1.2.3.4',
      dst: '5.6.7.8',
      protocol: 17,
      payload: 'abc',
      ttl: 3,
      tos: 0xb8,
      id: 0x1234,
      dontFragment: true,
      moreFragments: true,
      reservedBit: true,
      fragOffset: 16,
      options: Uint8Array.of(1),
    });
    expect(Buffer.from(ip.subarray(0, 10)).toString('hex')).toBe('46b8001b' + '1234e002' + '0311');
    expect([...ip.subarray(12, 24)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 1, 0, 0, 0]);
    expect(() => ipv4Datagram({ src: '1.1.1.1', dst: '2.2.2.2', protocol: 1, payload: '', fragOffset: 3 })).toThrow(/multiple of 8/);
  });

  it('chains IPv6 extension headers and pads them to their units', () => {
    const ip = ipv6Datagram({
      src: '::1',
      dst: '::2',
      nextHeader: 17,
      payload: 'p',
      trafficClass: 0xab,
      flowLabel: 0x12345,
      extHeaders: [{ kind: 'hop-by-hop', data: new Uint8Array(7) }, { kind: 'ah' }, { kind: 'fragment', offset: 8, more: true, id: 9 }],
    });
    expect(Buffer.from(ip.subarray(0, 8)).toString('hex')).toBe('6ab12345' + '0025' + '0040');
    expect([ip[40], ip[41]]).toEqual([51, 1]); // hop-by-hop: 16 bytes, next is AH
    expect([ip[56], ip[57]]).toEqual([44, 1]); // AH: 12 bytes, next is fragment
    expect([...ip.subarray(68, 76)]).toEqual([17, 0, 0, 9, 0, 0, 0, 9]);
    expect(encodeExtHeader({ kind: 'raw', type: 99, bytes: Uint8Array.of(0, 0, 1, 2) }, 6)).toEqual(Uint8Array.of(6, 0, 1, 2));
  });

  it('tags Ethernet frames with 802.1Q, and 802.1ad outside it', () => {
    const f = ethernetFrame({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: 0x0800, payload: 'x', vlans: [100, 200] });
    expect(Buffer.from(f.subarray(12)).toString('hex')).toBe('88a80064' + '810000c8' + '0800' + '78');
  });

  it('takes text as one byte per character and refuses wider characters', () => {
    expect([...toBytes('\xc0\xaf%')]).toEqual([0xc0, 0xaf, 0x25]);
    expect(() => toBytes('é€')).toThrow(/U\+20ac at index 1/);
  });
});

import { describe, expect, it } from 'vitest';
import { DecodeStats } from '../../src/decode/stats.js';
import { icmpPacket, ipDatagram, udpPacket, type BuiltPacket } from '../../src/traffic/index.js';
import { scanWithCounters } from '../match/helpers.js';
import { decodeBytes } from './helpers.js';

const ETHERNET = 1;

/** The IPv4 datagram of an untagged Ethernet frame. */
const datagramOf = (p: BuiltPacket): Uint8Array => p.frame.subarray(14);

/** An ICMPv4 error about `about`, quoting its IP header and the first `quote` bytes after it. */
function icmpError(src: string, dst: string, type: number, about: BuiltPacket, tsUs: number, quote = 8): BuiltPacket {
  const d = datagramOf(about);
  const hlen = (d[0]! & 0x0f) * 4;
  return icmpPacket({ src, dst, type, code: type === 3 ? 3 : 0, payload: d.subarray(0, hlen + quote), tsUs });
}

const query = udpPacket({ src: '10.0.0.1:5353', dst: '10.0.0.2:53', payload: 'query', tsUs: 1_000_000 });

describe('ICMPv4 errors: the quoted packet', () => {
  it('decodes the tuple of a quoted TCP or UDP packet for each error type', () => {
    for (const type of [3, 4, 5, 11, 12]) {
      const pkt = decodeBytes(ETHERNET, icmpError('10.0.0.9', '10.0.0.1', type, query, 0).frame)!;
      expect(pkt.icmp!.quoted, String(type)).toEqual({
        src: Uint8Array.from([10, 0, 0, 1]),
        dst: Uint8Array.from([10, 0, 0, 2]),
        protocol: 17,
        srcPort: 5353,
        dstPort: 53,
      });
    }
  });

  it('reads the quoted ports right after the first 20 bytes, IP options or not (Suricata DecodePartialIPV4)', () => {
    const withOptions = udpPacket({ src: '10.0.0.1:5353', dst: '10.0.0.2:53', payload: 'query', tsUs: 0 });
    const d = datagramOf(withOptions);
    const dgram = ipDatagram({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, payload: d.subarray(20), options: Uint8Array.from([1, 1, 1, 0]) });
    const pkt = decodeBytes(ETHERNET, icmpPacket({ src: '10.0.0.2', dst: '10.0.0.1', type: 3, payload: dgram.subarray(0, 32), tsUs: 0 }).frame)!;
    // The "ports" are the option bytes 01 01 | 01 00.
    expect(pkt.icmp!.quoted!.srcPort).toBe(0x0101);
    expect(pkt.icmp!.quoted!.dstPort).toBe(0x0100);
  });

  it('has none for echo, for a quote cut before the ports, for other protocols or later fragments', () => {
    const stats = new DecodeStats();
    const echoLike = icmpPacket({ src: '10.0.0.2', dst: '10.0.0.1', type: 0, payload: datagramOf(query).subarray(0, 28), tsUs: 0 });
    const short = icmpError('10.0.0.2', '10.0.0.1', 3, query, 0, 7);
    const icmpInIcmp = icmpError('10.0.0.2', '10.0.0.1', 3, icmpPacket({ src: '10.0.0.1', dst: '10.0.0.2', type: 8, tsUs: 0 }), 0);
    const later = datagramOf(query).slice(0, 28);
    later[7] = 1; // fragment offset 8
    const fragment = icmpPacket({ src: '10.0.0.2', dst: '10.0.0.1', type: 3, payload: later, tsUs: 0 });
    for (const p of [echoLike, short, icmpInIcmp, fragment]) {
      expect(decodeBytes(ETHERNET, p.frame, stats)!.icmp!.quoted).toBeUndefined();
    }
  });
});

const RULES = `
alert udp any any -> any any (msg:"query"; content:"query"; flowbits:set,q; sid:10;)
alert icmp any any -> any any (msg:"error on a flagged flow"; flowbits:isset,q; sid:11;)
alert icmp any any -> any any (msg:"unreachable"; itype:3; sid:12;)
alert icmp any any -> any any (msg:"to the client"; flow:to_client; sid:13;)
`;

describe('ICMPv4 errors in the pipeline', () => {
  it('a destination unreachable is inspected with the flow of the datagram it quotes', async () => {
    const { alerts, counters } = await scanWithCounters(RULES, [query, icmpError('10.0.0.2', '10.0.0.1', 3, query, 1_000_100)]);
    expect(alerts.map((a) => a.sid)).toEqual([10, 11, 12, 13]);
    expect(new Set(alerts.map((a) => a.flowId))).toEqual(new Set([alerts[0]!.flowId]));
    expect(counters['flow.total']).toBe(1);
  });

  it('an error about no known flow is inspected without a flow and opens none', async () => {
    const other = udpPacket({ src: '10.0.0.1:7000', dst: '10.0.0.2:53', payload: 'other', tsUs: 1_000_000 });
    const { alerts, counters } = await scanWithCounters(RULES, [query, icmpError('10.0.0.2', '10.0.0.1', 3, other, 1_000_100), icmpError('10.0.0.9', '10.0.0.1', 11, query, 1_000_200)]);
    expect(alerts.map((a) => [a.sid, a.flowId])).toEqual([
      [10, alerts[0]!.flowId],
      [12, undefined],
    ]);
    expect(counters['flow.total']).toBe(1);
    expect(counters['kanshi.flow.icmp_errors_without_flow']).toBe(2);
  });
});

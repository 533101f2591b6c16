/**
 * Decoder behaviour as Suricata 7 decodes:
 * IPv6 fragment protocol (DecodeIPV6ExtHdrs), IPv4 option parsing (DecodeIPV4Options) and
 * ICMPv4 error quotes and timestamp payloads (DecodeICMPV4, DecodePartialIPV4).
 */
import { describe, expect, it } from 'vitest';
import { rebuildDatagram } from '../../src/decode/ip.js';
import { DecodeStats } from '../../src/decode/stats.js';
import {
  ethernetFrame,
  icmpPacket,
  ipPacket,
  ipv4Datagram,
  ipv6Datagram,
  tcpSession,
  udpBytes,
  type BuiltPacket,
} from '../../src/traffic/index.js';
import { scanWithCounters, sids } from '../match/helpers.js';
import { decodeBytes, hex, text } from './helpers.js';

const C = '10.0.0.1';
const S = '10.0.0.2';
const C6 = '2001:db8::1';
const S6 = '2001:db8::2';

function eth(datagram: Uint8Array): Uint8Array {
  const v6 = datagram[0]! >> 4 === 6;
  return ethernetFrame({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: v6 ? 0x86dd : 0x0800, payload: datagram, vlans: [] });
}

describe('IPv6 fragments have protocol 44 (Suricata IPV6_SET_L4PROTO in the fragment branch)', () => {
  // A 32-byte UDP datagram in two fragments of 16 bytes.
  const udp = udpBytes({ srcPort: 1234, dstPort: 5353, payload: 'AAAAAAAAAAAAEVILBBBBBBBB' }, C6, S6);
  const frag = (offset: number, more: boolean, data: Uint8Array): Uint8Array =>
    ipv6Datagram({ src: C6, dst: S6, nextHeader: 17, payload: data, extHeaders: [{ kind: 'fragment', offset, more, id: 5 }] });
  const first = frag(0, true, udp.subarray(0, 16));
  const last = frag(16, false, udp.subarray(16));

  it('decodes each fragment with protocol 44 and keeps the next header in the fragment header', () => {
    for (const [dgram, offset, more] of [[first, 0, true], [last, 16, false]] as const) {
      const d = decodeBytes(1, eth(dgram), new DecodeStats())!;
      expect(d.ip!.protocol).toBe(44);
      expect(d.ip!.fragOffset).toBe(offset);
      expect(d.ip!.moreFragments).toBe(more);
      expect(d.ip!.fragHeaderOffset).toBe(40);
      expect(d.ip!.datagram![40]).toBe(17);
      expect(d.udp).toBeUndefined();
      expect(d.srcPort).toBe(0);
    }
  });

  it('rebuildDatagram restores the next header from the fragment header bytes', () => {
    const a = decodeBytes(1, eth(first))!;
    const rebuilt = rebuildDatagram(a.ip!, udp)!;
    expect(rebuilt[6]).toBe(17);
    expect(rebuilt.length).toBe(40 + 32);
    expect(hex(rebuilt.subarray(40))).toBe(hex(udp));
  });

  it('ip_proto:44 sees the fragments, alert udp and ip_proto:17 only the rebuilt datagram', async () => {
    const rules = [
      'alert udp any any -> any any (msg:"udp EVIL"; content:"EVIL"; sid:1;)',
      'alert udp any any -> any any (msg:"udp"; sid:3;)',
      'alert ipv6 any any -> any any (msg:"ip_proto 44"; ip_proto:44; sid:11;)',
      'alert ipv6 any any -> any any (msg:"ip_proto 17"; ip_proto:17; sid:12;)',
    ].join('\n');
    const r = await scanWithCounters(rules, [ipPacket(first, 1_000_000), ipPacket(last, 1_010_000)]);
    expect(r.alerts.map((a) => [a.sid, a.pcapCnt])).toEqual([
      [11, 1],
      [11, 2],
      [1, 2],
      [3, 2],
      [12, 2],
    ]);
    expect(r.counters['defrag.ipv6.reassembled']).toBe(1);
  });
});

describe('IPv4 options as Suricata DecodeIPV4Options reads them', () => {
  const udp = udpBytes({ srcPort: 1234, dstPort: 5353, payload: 'xxEVILxx' }, C, S);
  const withOptions = (options: number[]): Uint8Array =>
    ipv4Datagram({ src: C, dst: S, protocol: 17, payload: udp, options: Uint8Array.from(options) });

  it('a multi-byte option type with no room for its length ends the list; the packet is decoded', () => {
    const stats = new DecodeStats();
    const d = decodeBytes(1, eth(withOptions([1, 1, 1, 7])), stats)!;
    expect(d.ip!.options).toEqual([1, 1, 1]);
    expect(d.invalid).toBe(false);
    expect(stats.invalid).toBe(0);
    expect(d.events).toEqual(['ipv4.opt_pad_required', 'ipv4.opt_eol_required']);
    expect(d.udp!.dstPort).toBe(5353);
    expect(text(d.payload)).toBe('xxEVILxx');
  });

  it('an RR option with a bad pointer raises opt_malformed, is not recorded, and the packet is decoded', () => {
    const stats = new DecodeStats();
    const d = decodeBytes(1, eth(withOptions([7, 7, 5, 0, 0, 0, 0, 0])), stats)!;
    expect(d.ip!.options).toEqual([0]); // RR left out; the EOL padding after it is recorded
    expect(d.events).toEqual(['ipv4.opt_malformed']);
    expect(d.invalid).toBe(true);
    expect(stats.invalid).toBe(1);
    expect(d.udp!.dstPort).toBe(5353);
    expect(text(d.payload)).toBe('xxEVILxx');
  });

  it('validates route pointers, timestamps, fixed lengths and CIPSO tags; keeps duplicates out', () => {
    const cases: [number[], number[], string[]][] = [
      // RR with pointer 4 and 8: valid; pointer 3 (< 4) and 12 (> len + 1): malformed.
      [[7, 7, 4, 0, 0, 0, 0, 1], [7, 1], []],
      [[7, 7, 8, 0, 0, 0, 0, 1], [7, 1], []],
      [[7, 7, 3, 0, 0, 0, 0, 1], [1], ['ipv4.opt_malformed']],
      [[7, 7, 12, 0, 0, 0, 0, 1], [1], ['ipv4.opt_malformed']],
      // LSRR shorter than 3: invalid length, still decoded.
      [[0x83, 2, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], ['ipv4.opt_invalid_len']],
      // Timestamp: pointer 5 valid; pointer 4 (< 5) malformed.
      [[0x44, 8, 5, 0, 0, 0, 0, 0], [0x44], []],
      [[0x44, 8, 4, 0, 0, 0, 0, 0], [], ['ipv4.opt_malformed']],
      // Router alert must be 4 bytes long; stream id 4; security 11.
      [[0x94, 4, 0, 0, 1, 1, 1, 1], [0x94, 1, 1, 1, 1], []],
      [[0x94, 6, 0, 0, 0, 0, 1, 1], [1, 1], ['ipv4.opt_invalid_len']],
      // A second RR is skipped with ipv4.opt_duplicate (a warning: the packet stays valid).
      [[7, 3, 4, 7, 3, 4, 1, 1], [7, 1, 1], ['ipv4.opt_duplicate']],
      // CIPSO: DOI then a tag of type 1, length 4, alignment octet 0: valid; tag type 0: malformed.
      [[0x86, 10, 0, 0, 0, 1, 1, 4, 0, 0, 1, 1, 1, 1, 1, 1], [0x86, 1, 1, 1, 1, 1, 1], []],
      [[0x86, 10, 0, 0, 0, 1, 0, 4, 0, 0, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], ['ipv4.opt_malformed']],
      // Unknown types are kept, with ipv4.opt_invalid (a warning), and skipped by length.
      [[0x9e, 4, 0, 0, 1, 1, 1, 1], [0x9e, 1, 1, 1, 1], ['ipv4.opt_invalid']],
    ];
    for (const [opts, recorded, events] of cases) {
      const name = hex(Uint8Array.from(opts));
      const d = decodeBytes(1, eth(withOptions(opts)), new DecodeStats())!;
      expect(d.ip!.options, name).toEqual(recorded);
      expect(d.events ?? [], name).toEqual(events);
      expect(d.invalid, name).toBe(events.some((e) => e !== 'ipv4.opt_duplicate' && e !== 'ipv4.opt_invalid'));
      expect(d.udp?.dstPort, name).toBe(5353);
    }
  });

  it('still drops the IP layer when an option length is below 2 or runs past the options', () => {
    for (const [opts, event] of [[[0x44, 1, 0, 0], 'ipv4.opt_invalid_len'], [[0x44, 9, 0, 0], 'ipv4.opt_malformed']] as const) {
      const d = decodeBytes(1, eth(withOptions([...opts, 1, 1, 1, 1])))!;
      expect(d.ip).toBeUndefined();
      expect(d.events).toEqual([event]);
    }
  });

  it('ipopts:rr does not match an RR option that fails validation; content does', async () => {
    const rules = [
      'alert udp any any -> any any (msg:"udp EVIL"; content:"EVIL"; sid:1;)',
      'alert ip any any -> any any (msg:"ipopts rr"; ipopts:rr; sid:3;)',
      'alert ip any any -> any any (msg:"ev opt_malformed"; decode-event:ipv4.opt_malformed; sid:4;)',
    ].join('\n');
    const r = await scanWithCounters(rules, [ipPacket(withOptions([7, 7, 5, 0, 0, 0, 0, 0]), 1_000_000), ipPacket(withOptions([7, 7, 4, 0, 0, 0, 0, 0]), 1_100_000)]);
    expect(r.alerts.map((a) => [a.sid, a.pcapCnt])).toEqual([
      [1, 1],
      [4, 1],
      [1, 2],
      [3, 2],
    ]);
  });
});

describe('ICMPv4 as Suricata DecodeICMPV4 reads it', () => {
  it('ties a destination unreachable to a TCP flow only when the whole TCP header is quoted', async () => {
    const rules = [
      'alert tcp any any -> any any (msg:"set"; content:"LOGIN"; flowbits:set,seen; flowbits:noalert; sid:1;)',
      'alert icmp any any -> any any (msg:"error sees flowbit"; flowbits:isset,seen; sid:2;)',
      'alert icmp any any -> any any (msg:"any unreachable"; itype:3; sid:3;)',
    ].join('\n');
    for (const [quote, expected] of [[8, [3]], [19, [3]], [20, [2, 3]]] as const) {
      const s = tcpSession({ client: `${C}:40000`, server: `${S}:80`, startUs: 1_000_000 }).handshake();
      s.send('client', 'LOGIN');
      const packets = s.packets();
      const data = packets[packets.length - 1]!.frame.subarray(14);
      const error = icmpPacket({ src: '10.0.0.254', dst: C, type: 3, code: 3, payload: data.subarray(0, 20 + quote), tsUs: 2_000_000 });
      const r = await scanWithCounters(rules, [...packets, error]);
      expect(sids(r.alerts), `quote ${quote}`).toEqual(expected);
    }
  });

  it('has a quoted UDP tuple from 8 quoted bytes, none for TCP below 20 or for codes Suricata does not decode', () => {
    const udp = ipv4Datagram({ src: C, dst: S, protocol: 17, payload: udpBytes({ srcPort: 5353, dstPort: 53, payload: 'query' }, C, S) });
    const tcpHeader = new Uint8Array(20);
    tcpHeader.set([0x9c, 0x40, 0, 80]);
    const tcp = ipv4Datagram({ src: C, dst: S, protocol: 6, payload: tcpHeader });
    const quoted = (type: number, code: number, about: Uint8Array, n: number) =>
      decodeBytes(1, icmpPacket({ src: S, dst: C, type, code, payload: about.subarray(0, n), tsUs: 0 }).frame)!.icmp!.quoted;
    expect(quoted(3, 3, udp, 28)).toEqual({ src: Uint8Array.from([10, 0, 0, 1]), dst: Uint8Array.from([10, 0, 0, 2]), protocol: 17, srcPort: 5353, dstPort: 53 });
    expect(quoted(3, 3, udp, 27)).toBeUndefined();
    expect(quoted(3, 3, tcp, 40)).toEqual({ src: Uint8Array.from([10, 0, 0, 1]), dst: Uint8Array.from([10, 0, 0, 2]), protocol: 6, srcPort: 40000, dstPort: 80 });
    expect(quoted(3, 3, tcp, 39)).toBeUndefined();
    expect(quoted(3, 16, udp, 28)).toBeUndefined(); // destination unreachable code above 15
    expect(quoted(11, 2, udp, 28)).toBeUndefined(); // time exceeded code above 1
    expect(quoted(11, 1, udp, 28)?.dstPort).toBe(53);
  });

  it('starts the payload of a timestamp request or reply after the 12 timestamp bytes', async () => {
    const ts = Uint8Array.of(0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 0);
    for (const type of [13, 14]) {
      const d = decodeBytes(1, icmpPacket({ src: C, dst: S, type, id: 1, seq: 1, payload: ts, tsUs: 0 }).frame)!;
      expect(d.icmp!.id).toBe(1);
      expect(d.payload.length).toBe(0);
      const more = decodeBytes(1, icmpPacket({ src: C, dst: S, type, payload: Uint8Array.from([...ts, 0x41]), tsUs: 0 }).frame)!;
      expect(text(more.payload)).toBe('A');
      // Fewer than 12 bytes of timestamps: the payload starts after the 8-byte header.
      const short = decodeBytes(1, icmpPacket({ src: C, dst: S, type, payload: ts.subarray(0, 11), tsUs: 0 }).frame)!;
      expect(short.payload.length).toBe(11);
    }
    const rules = [
      'alert icmp any any -> any any (msg:"content in timestamps"; itype:13; content:"|00 00 00 2a|"; sid:1;)',
      'alert icmp any any -> any any (msg:"dsize 12"; itype:13; dsize:12; sid:2;)',
      'alert icmp any any -> any any (msg:"dsize 0"; itype:13; dsize:0; sid:3;)',
    ].join('\n');
    const r = await scanWithCounters(rules, [icmpPacket({ src: C, dst: S, type: 13, id: 1, seq: 1, payload: ts, tsUs: 1_000_000 })]);
    expect(sids(r.alerts)).toEqual([3]);
  });

  it('starts the payload of a router advertisement after its address list when it fits', () => {
    // 2 addresses of 2 words each: 16 bytes of addresses, then "XY".
    const advert = (payload: Uint8Array): BuiltPacket => icmpPacket({ src: C, dst: S, type: 9, id: 0x0202, seq: 1800, payload, tsUs: 0 });
    const whole = decodeBytes(1, advert(Uint8Array.from([...new Uint8Array(16), 0x58, 0x59])).frame)!;
    expect(text(whole.payload)).toBe('XY');
    const cut = decodeBytes(1, advert(new Uint8Array(15)).frame)!;
    expect(cut.payload.length).toBe(15);
  });
});

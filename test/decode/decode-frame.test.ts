import { describe, expect, it } from 'vitest';
import { DecodeStats } from '../../src/decode/stats.js';
import {
  type BuiltPacket,
  concatBytes,
  ethernetFrame,
  icmpBytes,
  icmpEcho,
  ipPacket,
  ipv4Datagram,
  ipv6Datagram,
  relink,
  tcpBytes,
  tcpOption,
  udpBytes,
  udpPacket,
} from '../../src/traffic/index.js';
import { TCP_ACK, TCP_PSH } from '../../src/types/packet.js';
import { decodeBytes, hex, text } from './helpers.js';

const C = '192.0.2.1';
const S = '198.51.100.7';
const C6 = '2001:db8::1';
const S6 = '2001:db8::2';

function tcpDatagram(payload = 'hello', extra: Partial<Parameters<typeof tcpBytes>[0]> = {}): Uint8Array {
  const seg = tcpBytes({ srcPort: 1234, dstPort: 80, seq: 1000, ack: 2000, flags: 'PA', payload, ...extra }, C, S);
  return ipv4Datagram({ src: C, dst: S, protocol: 6, payload: seg, id: 77, ttl: 63, tos: 0x10 });
}

function eth(datagram: Uint8Array, vlans: number[] = []): Uint8Array {
  return ipPacket(datagram, 0, { vlans }).frame;
}

describe('link layers', () => {
  const udp = udpPacket({ src: `${C}:53`, dst: `${S}:5353`, payload: 'query', tsUs: 0 });
  const udp6 = udpPacket({ src: `[${C6}]:53`, dst: `[${S6}]:5353`, payload: 'query6', tsUs: 0 });

  function expectUdp(linkType: number, p: BuiltPacket, stats = new DecodeStats()): void {
    const d = decodeBytes(linkType, p.frame, stats);
    expect(d, `link type ${linkType}`).not.toBeNull();
    expect(d!.udp).toEqual({ srcPort: 53, dstPort: 5353, length: 8 + d!.payload.length });
    expect(['query', 'query6']).toContain(text(d!.payload));
  }

  it('decodes Ethernet, counting it', () => {
    const stats = new DecodeStats();
    expectUdp(1, udp, stats);
    expect(stats.ethernet).toBe(1);
    expect(stats.pkts).toBe(1);
    expect(stats.bytes).toBe(udp.frame.length);
  });

  it('decodes Linux cooked captures v1 and v2, with and without VLAN tags', () => {
    for (const linkType of [113, 276]) {
      expectUdp(linkType, relink(udp, linkType));
      expectUdp(linkType, relink(udp6, linkType));
      const tagged = udpPacket({ src: `${C}:53`, dst: `${S}:5353`, payload: 'query', tsUs: 0, vlans: [42] });
      const d = decodeBytes(linkType, relink(tagged, linkType).frame);
      expect(d!.vlans).toEqual([42]);
    }
  });

  it('decodes raw IP link types by version nibble', () => {
    for (const linkType of [101, 12, 14]) {
      expectUdp(linkType, relink(udp, linkType));
      expectUdp(linkType, relink(udp6, linkType));
    }
    expectUdp(228, relink(udp, 228));
    expectUdp(229, relink(udp6, 229));
    const stats = new DecodeStats();
    expect(decodeBytes(101, Uint8Array.of(0x50, 1, 2, 3), stats)).toBeNull();
    expect(stats.eventCount('ipraw.invalid_ip_version')).toBe(1);
    expect(stats.invalid).toBe(1);
  });

  it('decodes BSD loopback in either byte order and every AF_INET6 value', () => {
    for (const linkType of [0, 108]) {
      expectUdp(linkType, relink(udp, linkType));
      expectUdp(linkType, relink(udp, linkType, { bigEndian: true }));
      // NetBSD/OpenBSD, FreeBSD, macOS, Linux, Windows (Npcap's loopback adapter), Solaris.
      for (const af6 of [24, 28, 30, 10, 23, 26]) {
        expectUdp(linkType, relink(udp6, linkType, { af6 }));
        expectUdp(linkType, relink(udp6, linkType, { af6, bigEndian: true }));
      }
    }
    const stats = new DecodeStats();
    expect(decodeBytes(0, relink(udp6, 0, { af6: 11 }).frame, stats)).toBeNull();
    expect(stats.eventCount('ltnull.unsupported_type')).toBe(1);
    expect(decodeBytes(0, Uint8Array.of(2, 0), stats)).toBeNull();
    expect(stats.eventCount('ltnull.pkt_too_small')).toBe(1);
  });

  it('decodes PPP with and without address, control and protocol compression, and Cisco HDLC', () => {
    const stats = new DecodeStats();
    for (const linkType of [9, 50, 104]) {
      expectUdp(linkType, relink(udp, linkType), stats);
      expectUdp(linkType, relink(udp6, linkType), stats);
    }
    expectUdp(9, relink(udp, 9, { pppCompressed: true }), stats);
    expectUdp(9, relink(udp6, 9, { pppCompressed: true }), stats);
    expect(stats.ppp).toBe(6);
    expect(stats.chdlc).toBe(2);
    // Link control (LCP, 0xc021) has no IP to inspect: counted, not invalid.
    expect(decodeBytes(9, Uint8Array.of(0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4), stats)).toBeNull();
    expect(stats.eventCount('ppp.unsup_proto')).toBe(1);
    expect(stats.invalid).toBe(0);
    expect(decodeBytes(9, Uint8Array.of(0xff, 0x03, 0x00), stats)).toBeNull();
    expect(stats.eventCount('ppp.pkt_too_small')).toBe(1);
    expect(decodeBytes(104, Uint8Array.of(0x0f, 0, 8), stats)).toBeNull();
    expect(stats.eventCount('chdlc.pkt_too_small')).toBe(1);
  });

  it('decodes Linux NFLOG records in either byte order, finding the packet among the attributes', () => {
    const stats = new DecodeStats();
    for (const bigEndian of [false, true]) {
      expectUdp(239, relink(udp, 239, { bigEndian }), stats);
      expectUdp(239, relink(udp6, 239, { bigEndian, nflogPrefix: 'DROP-IN ' }), stats);
    }
    expect(stats.nflog).toBe(4);
    expect(stats.invalid).toBe(0);
    // An attribute after the packet (the kernel may add uid/gid/seq) is no trailer of the datagram.
    const framed = relink(udp, 239, { nflogPrefix: 'x' }).frame;
    const withUid = concatBytes([framed, Uint8Array.of(8, 0, 11, 0, 0xe8, 3, 0, 0)]);
    expect(text(decodeBytes(239, withUid)!.payload)).toBe('query');
    // Cut short by the snapshot length inside the packet: the IP layer gets what was kept (and
    // calls it truncated, as for any link type), rather than the record being called empty.
    expect(decodeBytes(239, framed.subarray(0, framed.length - 8), stats)).not.toBeNull();
    expect(stats.eventCount('ipv4.trunc_pkt')).toBe(1);
    expect(stats.eventCount('nflog.no_payload')).toBe(0);
    // Logged without the packet (nflog-size 0): nothing to inspect, counted.
    const headerOnly = Uint8Array.of(2, 0, 0, 3, 8, 0, 1, 0, 8, 0, 3, 0);
    expect(decodeBytes(239, headerOnly, stats)).toBeNull();
    expect(stats.eventCount('nflog.no_payload')).toBe(1);
    expect(decodeBytes(239, Uint8Array.of(2, 0, 0), stats)).toBeNull();
    expect(stats.eventCount('nflog.pkt_too_small')).toBe(1);
  });

  it('reads 802.1Q and QinQ tags outermost first, with every TPID', () => {
    const stats = new DecodeStats();
    const dgram = tcpDatagram();
    const one = decodeBytes(1, eth(dgram, [100]), stats)!;
    expect(one.vlans).toEqual([100]);
    expect(one.tcp?.dstPort).toBe(80);
    const two = decodeBytes(1, eth(dgram, [10, 20]), stats)!;
    expect(two.vlans).toEqual([10, 20]);
    // 0x9100, the pre-standard QinQ TPID.
    const old = eth(dgram, [7, 8]);
    old[12] = 0x91;
    old[13] = 0x00;
    expect(decodeBytes(1, old, stats)!.vlans).toEqual([7, 8]);
    const three = decodeBytes(1, eth(dgram, [1, 2, 3]), stats)!;
    expect(three.vlans).toEqual([1, 2, 3]);
    // Counted as Suricata counts them: each tagged frame once, its second and third tags apart.
    expect(stats.vlan).toBe(4);
    expect(stats.vlanQinq).toBe(3);
    expect(stats.vlanQinqinq).toBe(1);
    expect(decodeBytes(1, eth(dgram, [1, 2, 3, 4]), stats)).toBeNull();
    expect(stats.eventCount('vlan.too_many_layers')).toBe(1);
    const cut = eth(dgram, [5]).subarray(0, 16);
    expect(decodeBytes(1, cut, stats)).toBeNull();
    expect(stats.eventCount('vlan.header_too_small')).toBe(1);
  });

  it('follows PPPoE sessions and MPLS label stacks to IP', () => {
    const dgram = tcpDatagram();
    const pppoe = ethernetFrame({
      src: '02:00:00:00:00:01',
      dst: '02:00:00:00:00:02',
      etherType: 0x8864,
      payload: concatBytes([Uint8Array.of(0x11, 0, 0, 1, 0, dgram.length + 2, 0x00, 0x21), dgram]),
    });
    const stats = new DecodeStats();
    expect(decodeBytes(1, pppoe, stats)!.tcp?.srcPort).toBe(1234);
    const labels = Uint8Array.of(0, 1, 0x00, 64, 0, 2, 0x01, 64); // two labels, bottom of stack on the second
    const mpls = ethernetFrame({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: 0x8847, payload: concatBytes([labels, dgram]) });
    expect(decodeBytes(1, mpls, stats)!.tcp?.srcPort).toBe(1234);
    expect(stats.pppoe).toBe(1);
    expect(stats.mpls).toBe(1);
  });

  it('reads MPLS explicit-null labels, Ethernet pseudowires and refuses reserved labels', () => {
    const dgram = tcpDatagram();
    const mplsFrame = (payload: Uint8Array) => ethernetFrame({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: 0x8847, payload });
    const stats = new DecodeStats();
    // A pseudowire: label 100, a zero control word, then a whole Ethernet frame.
    const inner = ethernetFrame({ src: '02:00:00:00:00:03', dst: '02:00:00:00:00:04', etherType: 0x0800, payload: dgram });
    const pw = mplsFrame(concatBytes([Uint8Array.of(0, 0x06, 0x41, 64), new Uint8Array(4), inner]));
    expect(decodeBytes(1, pw, stats)!.tcp?.srcPort).toBe(1234);
    // IPv4 explicit null at the bottom names the payload, whatever its first nibble.
    const v4null = mplsFrame(concatBytes([Uint8Array.of(0, 0, 0x01, 64), dgram]));
    expect(decodeBytes(1, v4null, stats)!.tcp?.srcPort).toBe(1234);
    const routerAlert = mplsFrame(concatBytes([Uint8Array.of(0, 0, 0x11, 64), dgram]));
    expect(decodeBytes(1, routerAlert, stats)).toBeNull();
    expect(stats.eventCount('mpls.bad_label_router_alert')).toBe(1);
    const unknown = mplsFrame(concatBytes([Uint8Array.of(0, 0x06, 0x41, 64), Uint8Array.of(0x90, 0, 0, 0)]));
    expect(decodeBytes(1, unknown, stats)).toBeNull();
    expect(stats.eventCount('mpls.unknown_payload_type')).toBe(1);
  });

  it('follows 802.1ah, VN-Tag and Cisco DCE headers; counts PPPoE discovery as PPPoE', () => {
    const dgram = tcpDatagram();
    const frame = (etherType: number, payload: Uint8Array) => ethernetFrame({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType, payload });
    const inner = ethernetFrame({ src: '02:00:00:00:00:03', dst: '02:00:00:00:00:04', etherType: 0x0800, payload: dgram });
    const stats = new DecodeStats();
    expect(decodeBytes(1, frame(0x88e7, concatBytes([Uint8Array.of(0, 0, 0, 1), inner])), stats)!.tcp?.srcPort).toBe(1234);
    expect(decodeBytes(1, frame(0x8926, concatBytes([Uint8Array.of(0x80, 1, 0, 2, 0x08, 0x00), dgram])), stats)!.tcp?.srcPort).toBe(1234);
    expect(decodeBytes(1, frame(0x8903, concatBytes([Uint8Array.of(0, 0), inner])), stats)!.tcp?.srcPort).toBe(1234);
    expect(stats.ieee8021ah).toBe(1);
    expect(stats.vntag).toBe(1);
    expect(decodeBytes(1, frame(0x8863, new Uint8Array(20)), stats)).toBeNull();
    expect(stats.pppoe).toBe(1);
    expect(stats.unknownEthertype).toBe(0);
  });

  it('returns null for frames that are not IP, counting them', () => {
    const stats = new DecodeStats();
    const arp = ethernetFrame({ src: '02:00:00:00:00:01', dst: 'ff:ff:ff:ff:ff:ff', etherType: 0x0806, payload: new Uint8Array(28) });
    expect(decodeBytes(1, arp, stats)).toBeNull();
    const lldp = ethernetFrame({ src: '02:00:00:00:00:01', dst: '01:80:c2:00:00:0e', etherType: 0x88cc, payload: new Uint8Array(20) });
    expect(decodeBytes(1, lldp, stats)).toBeNull();
    expect(decodeBytes(1, new Uint8Array(13), stats)).toBeNull();
    expect(decodeBytes(147, new Uint8Array(40), stats)).toBeNull();
    expect(stats.arp).toBe(1);
    expect(stats.unknownEthertype).toBe(1);
    expect(stats.eventCount('ethernet.pkt_too_small')).toBe(1);
    expect(stats.unsupportedLinkType).toBe(1);
    expect(stats.pkts).toBe(4);
  });
});

describe('IPv4', () => {
  it('decodes every header field', () => {
    const d = decodeBytes(1, eth(tcpDatagram()))!;
    const ip = d.ip!;
    expect(ip.version).toBe(4);
    expect([...ip.src]).toEqual([192, 0, 2, 1]);
    expect([...ip.dst]).toEqual([198, 51, 100, 7]);
    expect(ip.protocol).toBe(6);
    expect(ip.ttl).toBe(63);
    expect(ip.tos).toBe(0x10);
    expect(ip.id).toBe(77);
    expect(ip.headerLength).toBe(20);
    expect(ip.totalLength).toBe(20 + 20 + 5);
    expect(ip.options).toEqual([]);
    expect(ip.datagram!.length).toBe(45);
    expect(d.invalid).toBe(false);
    expect(d.events).toBeUndefined();
  });

  it('records option type codes in order and trims link padding', () => {
    const seg = udpBytes({ srcPort: 1, dstPort: 2, payload: 'x' }, C, S);
    // NOP, loose source route (3 bytes of length), router alert, end of list.
    const options = Uint8Array.of(0x01, 0x83, 0x07, 0x04, 1, 2, 3, 4, 0x94, 0x04, 0, 0, 0x00);
    const dgram = ipv4Datagram({ src: C, dst: S, protocol: 17, payload: seg, options });
    const frame = concatBytes([eth(dgram), new Uint8Array(10)]); // Ethernet padding
    const d = decodeBytes(1, frame)!;
    expect(d.ip!.options).toEqual([0x01, 0x83, 0x94, 0x00]);
    expect(d.ip!.headerLength).toBe(36);
    expect(text(d.payload)).toBe('x');
    expect(d.ip!.datagram!.length).toBe(dgram.length);
  });

  it('drops the IP layer on a bad version, header length, total length or options', () => {
    const base = tcpDatagram();
    const cases: [string, (b: Uint8Array) => Uint8Array][] = [
      ['ipv4.wrong_ip_version', (b) => ((b[0] = 0x55), b)],
      ['ipv4.hlen_too_small', (b) => ((b[0] = 0x44), b)],
      ['ipv4.iplen_smaller_than_hlen', (b) => ((b[2] = 0), (b[3] = 19), b)],
      ['ipv4.trunc_pkt', (b) => ((b[2] = 0), (b[3] = 200), b)],
      ['ipv4.pkt_too_small', (b) => b.subarray(0, 19)],
      [
        'ipv4.opt_invalid_len',
        () => ipv4Datagram({ src: C, dst: S, protocol: 6, payload: '', options: Uint8Array.of(0x83, 1, 0, 0, 0, 0, 0, 0) }),
      ],
      [
        'ipv4.opt_malformed',
        () => ipv4Datagram({ src: C, dst: S, protocol: 6, payload: '', options: Uint8Array.of(0x83, 9, 0, 0, 0, 0, 0, 0) }),
      ],
    ];
    for (const [event, mutate] of cases) {
      const stats = new DecodeStats();
      const d = decodeBytes(1, eth(mutate(base.slice())), stats)!;
      expect(d, event).not.toBeNull();
      expect(d.ip, event).toBeUndefined();
      expect(d.tcp, event).toBeUndefined();
      expect(d.events, event).toEqual([event]);
      expect(d.invalid).toBe(true);
      expect(stats.invalid).toBe(1);
      expect(stats.ipv4).toBe(1);
      expect(stats.toSuricataStats()[`decoder.event.${event}`]).toBe(1);
    }
  });

  it('hands fragments on with their raw payload and no transport', () => {
    const seg = udpBytes({ srcPort: 1, dstPort: 2, payload: 'x'.repeat(40) }, C, S);
    const first = ipv4Datagram({ src: C, dst: S, protocol: 17, payload: seg.subarray(0, 24), id: 9, moreFragments: true });
    const last = ipv4Datagram({ src: C, dst: S, protocol: 17, payload: seg.subarray(24), id: 9, fragOffset: 24 });
    const stats = new DecodeStats();
    const a = decodeBytes(1, eth(first), stats)!;
    const b = decodeBytes(1, eth(last), stats)!;
    expect(a.ip!.moreFragments).toBe(true);
    expect(a.ip!.fragOffset).toBe(0);
    expect(a.udp).toBeUndefined();
    expect(a.payload.length).toBe(24);
    expect(b.ip!.moreFragments).toBe(false);
    expect(b.ip!.fragOffset).toBe(24);
    expect(b.payload.length).toBe(seg.length - 24);
    expect(stats.ipv4Frag).toBe(2);
    expect(stats.udp).toBe(0);
  });

  it('flags ICMPv6 carried by IPv4', () => {
    const dgram = ipv4Datagram({ src: C, dst: S, protocol: 58, payload: new Uint8Array(8) });
    const d = decodeBytes(1, eth(dgram))!;
    expect(d.ip?.protocol).toBe(58);
    expect(d.events).toEqual(['ipv4.icmpv6']);
  });

  it('gives other protocols the IP payload', () => {
    const d = decodeBytes(1, eth(ipv4Datagram({ src: C, dst: S, protocol: 47, payload: 'gre!' })))!;
    expect(d.ip!.protocol).toBe(47);
    expect(text(d.payload)).toBe('gre!');
    expect(d.srcPort).toBe(0);
  });
});

describe('IPv6', () => {
  const seg = tcpBytes({ srcPort: 4000, dstPort: 443, seq: 1, flags: 'S', payload: 'hi' }, C6, S6);

  it('walks hop-by-hop, routing, destination options and AH to the transport', () => {
    const dgram = ipv6Datagram({
      src: C6,
      dst: S6,
      nextHeader: 6,
      payload: seg,
      trafficClass: 0x2e,
      hopLimit: 9,
      extHeaders: [
        { kind: 'hop-by-hop', data: Uint8Array.of(0x05, 0x02, 0, 0, 1, 0) }, // router alert, PadN
        { kind: 'routing', data: Uint8Array.of(2, 0, 0, 0, 0, 0) },
        { kind: 'ah' },
        { kind: 'destination' },
      ],
    });
    const stats = new DecodeStats();
    const d = decodeBytes(1, eth(dgram), stats)!;
    expect(d.ip!.version).toBe(6);
    expect(d.ip!.extHeaders).toEqual([0, 43, 51, 60]);
    expect(d.ip!.protocol).toBe(6);
    expect(d.ip!.ttl).toBe(9);
    expect(d.ip!.tos).toBe(0x2e);
    expect(d.ip!.headerLength).toBe(40 + 8 + 8 + 12 + 8);
    expect(d.tcp!.dstPort).toBe(443);
    expect(text(d.payload)).toBe('hi');
    expect(d.events).toBeUndefined();
    expect(stats.ipv6).toBe(1);
    expect(stats.tcp).toBe(1);
  });

  it('stops at ESP and at no-next-header', () => {
    const esp = decodeBytes(1, eth(ipv6Datagram({ src: C6, dst: S6, nextHeader: 50, payload: 'encrypted' })))!;
    expect(esp.ip!.protocol).toBe(50);
    expect(text(esp.payload)).toBe('encrypted');
    const none = decodeBytes(1, eth(ipv6Datagram({ src: C6, dst: S6, nextHeader: 59, payload: 'junk' })))!;
    expect(none.ip!.protocol).toBe(59);
    expect(none.events).toEqual(['ipv6.data_after_none_header']);
  });

  it('records fragment headers and leaves the transport to defragmentation', () => {
    const frag = ipv6Datagram({
      src: C6,
      dst: S6,
      nextHeader: 6,
      payload: seg.subarray(8),
      extHeaders: [{ kind: 'hop-by-hop' }, { kind: 'fragment', offset: 8, more: true, id: 0xdeadbeef }],
    });
    const stats = new DecodeStats();
    const d = decodeBytes(1, eth(frag), stats)!;
    expect(d.ip!.id).toBe(0xdeadbeef);
    expect(d.ip!.fragOffset).toBe(8);
    expect(d.ip!.moreFragments).toBe(true);
    // Suricata gives a fragment protocol 44; the fragment header's next header stays in the bytes.
    expect(d.ip!.protocol).toBe(44);
    expect(d.ip!.datagram![d.ip!.fragHeaderOffset!]).toBe(6);
    expect(d.ip!.fragHeaderOffset).toBe(48);
    expect(d.ip!.headerLength).toBe(56);
    expect(d.tcp).toBeUndefined();
    expect(hex(d.payload)).toBe(hex(seg.subarray(8)));
    expect(stats.ipv6Frag).toBe(1);
  });

  it('decodes through an atomic fragment, flagging it', () => {
    const atomic = ipv6Datagram({
      src: C6,
      dst: S6,
      nextHeader: 6,
      payload: seg,
      extHeaders: [{ kind: 'fragment', offset: 0, more: false, id: 5 }],
    });
    const d = decodeBytes(1, eth(atomic))!;
    expect(d.tcp!.dstPort).toBe(443);
    expect(d.events).toEqual(['ipv6.exthdr_useless_fh']);
  });

  it('keeps the IP layer but drops the rest on a broken extension chain', () => {
    const truncated = ipv6Datagram({ src: C6, dst: S6, nextHeader: 6, payload: seg, extHeaders: [{ kind: 'hop-by-hop' }] });
    truncated[41] = 200; // header claims (200+1)*8 bytes
    const d = decodeBytes(1, eth(truncated))!;
    expect(d.ip).toBeDefined();
    expect(d.tcp).toBeUndefined();
    expect(d.events).toEqual(['ipv6.trunc_exthdr']);
    expect(d.invalid).toBe(true);

    const badOpts = ipv6Datagram({
      src: C6,
      dst: S6,
      nextHeader: 6,
      payload: seg,
      extHeaders: [{ kind: 'destination', data: Uint8Array.of(0x1e, 9, 0, 0, 0, 0) }],
    });
    const e = decodeBytes(1, eth(badOpts))!;
    expect(e.events).toEqual(['ipv6.exthdr_invalid_optlen']);
    expect(e.tcp).toBeUndefined();

    const dup = ipv6Datagram({
      src: C6,
      dst: S6,
      nextHeader: 6,
      payload: seg,
      extHeaders: [{ kind: 'routing', data: new Uint8Array(6) }, { kind: 'routing', data: Uint8Array.of(2, 0, 0, 0, 0, 0) }],
    });
    const f = decodeBytes(1, eth(dup))!;
    expect(f.events).toEqual(['ipv6.rh_type_0', 'ipv6.exthdr_dupl_rh']);
    expect(f.tcp!.dstPort).toBe(443);

    // Two destination options headers are allowed; a third is a duplicate.
    const dest = { kind: 'destination' as const, data: new Uint8Array(6) };
    const twice = ipv6Datagram({ src: C6, dst: S6, nextHeader: 6, payload: seg, extHeaders: [dest, dest] });
    expect(decodeBytes(1, eth(twice))!.events ?? []).toEqual([]);
    const thrice = ipv6Datagram({ src: C6, dst: S6, nextHeader: 6, payload: seg, extHeaders: [dest, dest, dest] });
    const g = decodeBytes(1, eth(thrice))!;
    expect(g.events).toEqual(['ipv6.exthdr_dupl_dh']);
    expect(g.tcp!.dstPort).toBe(443);
  });

  it('drops the IP layer on a short, truncated or mislabelled header', () => {
    const good = ipv6Datagram({ src: C6, dst: S6, nextHeader: 6, payload: seg });
    const wrongVersion = good.slice();
    wrongVersion[0] = 0x40;
    const cases: [string, Uint8Array][] = [
      ['ipv6.pkt_too_small', good.subarray(0, 39)],
      ['ipv6.trunc_pkt', good.subarray(0, good.length - 1)],
      ['ipv6.wrong_ip_version', wrongVersion],
    ];
    for (const [event, bytes] of cases) {
      const frame = ethernetFrame({ src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', etherType: 0x86dd, payload: bytes });
      const d = decodeBytes(1, frame)!;
      expect(d.ip, event).toBeUndefined();
      expect(d.events).toEqual([event]);
    }
  });
});

describe('transport', () => {
  it('decodes TCP fields and options', () => {
    const options = concatBytes([tcpOption.mss(1400), tcpOption.windowScale(7), tcpOption.timestamp(1, 2)]);
    const d = decodeBytes(1, eth(tcpDatagram('data', { options, window: 512, urgent: 3, seq: 0xfffffff0 })))!;
    expect(d.tcp).toMatchObject({ srcPort: 1234, dstPort: 80, seq: 0xfffffff0, ack: 2000, window: 512, urgent: 3, headerLength: 40 });
    expect(d.tcp!.flags).toBe(TCP_PSH | TCP_ACK);
    expect(hex(d.tcp!.options)).toBe(hex(concatBytes([options, new Uint8Array(0)])));
    expect([d.srcPort, d.dstPort]).toEqual([1234, 80]);
    expect(text(d.payload)).toBe('data');
  });

  it('keeps the IP layer and drops TCP on a bad header, as Suricata does', () => {
    const cases: [string, Uint8Array][] = [
      ['tcp.hlen_too_small', tcpDatagram('', { dataOffsetWords: 15 })],
      ['tcp.invalid_optlen', tcpDatagram('abc', { dataOffsetWords: 2 })],
      ['tcp.pkt_too_small', ipv4Datagram({ src: C, dst: S, protocol: 6, payload: new Uint8Array(19) })],
    ];
    for (const [event, dgram] of cases) {
      const stats = new DecodeStats();
      const d = decodeBytes(1, eth(dgram), stats)!;
      expect(d.ip?.protocol, event).toBe(6);
      expect(d.tcp, event).toBeUndefined();
      expect(d.payload.length).toBe(0);
      expect([d.srcPort, d.dstPort]).toEqual([0, 0]);
      expect(d.events).toEqual([event]);
      expect(stats.tcp).toBe(1);
      expect(stats.invalid).toBe(1);
    }
  });

  it('flags a bad TCP option length without dropping the segment', () => {
    const d = decodeBytes(1, eth(tcpDatagram('x', { options: Uint8Array.of(2, 9, 0, 0) })))!;
    expect(d.tcp).toBeDefined();
    expect(d.events).toEqual(['tcp.opt_invalid_len']);
    expect(d.invalid).toBe(false);
  });

  it('decodes UDP within its own length and rejects impossible lengths', () => {
    const ok = ipv4Datagram({ src: C, dst: S, protocol: 17, payload: concatBytes([udpBytes({ srcPort: 5, dstPort: 6, payload: 'abc' }, C, S), Uint8Array.of(9, 9)]) });
    const d = decodeBytes(1, eth(ok))!;
    expect(text(d.payload)).toBe('abc');
    const cases: [string, Uint8Array][] = [
      ['udp.hlen_too_small', new Uint8Array(7)],
      ['udp.pkt_too_small', udpBytes({ srcPort: 5, dstPort: 6, payload: 'abc', length: 12 }, C, S)],
      ['udp.hlen_invalid', udpBytes({ srcPort: 5, dstPort: 6, payload: 'abc', length: 4 }, C, S)],
    ];
    for (const [event, seg] of cases) {
      const e = decodeBytes(1, eth(ipv4Datagram({ src: C, dst: S, protocol: 17, payload: seg })))!;
      expect(e.udp, event).toBeUndefined();
      expect(e.ip).toBeDefined();
      expect(e.events).toEqual([event]);
    }
  });

  it('reads ICMP echo id and sequence, for v4 and v6', () => {
    const v4 = decodeBytes(1, icmpEcho({ src: C, dst: S, id: 0x1234, seq: 7, payload: 'ping', tsUs: 0 }).frame)!;
    expect(v4.icmp).toEqual({ v6: false, type: 8, code: 0, id: 0x1234, seq: 7 });
    expect(text(v4.payload)).toBe('ping');
    const v6 = decodeBytes(1, icmpEcho({ src: C6, dst: S6, id: 9, seq: 10, reply: true, tsUs: 0 }).frame)!;
    expect(v6.icmp).toEqual({ v6: true, type: 129, code: 0, id: 9, seq: 10 });
    const unreachable = ipv4Datagram({ src: C, dst: S, protocol: 1, payload: icmpBytes({ type: 3, code: 3, id: 1, seq: 2 }, C, S) });
    expect(decodeBytes(1, eth(unreachable))!.icmp).toEqual({ v6: false, type: 3, code: 3, id: 0, seq: 0 });
  });

  it('rejects short ICMP and flags unknown ICMPv4 types', () => {
    const short = decodeBytes(1, eth(ipv4Datagram({ src: C, dst: S, protocol: 1, payload: new Uint8Array(4) })))!;
    expect(short.icmp).toBeUndefined();
    expect(short.events).toEqual(['icmpv4.pkt_too_small']);
    const odd = decodeBytes(1, eth(ipv4Datagram({ src: C, dst: S, protocol: 1, payload: icmpBytes({ type: 99 }, C, S) })))!;
    expect(odd.icmp?.type).toBe(99);
    expect(odd.events).toEqual(['icmpv4.unknown_type']);
    const short6 = decodeBytes(1, eth(ipv6Datagram({ src: C6, dst: S6, nextHeader: 58, payload: new Uint8Array(3) })))!;
    expect(short6.events).toEqual(['icmpv6.pkt_too_small']);
    const v4in6 = decodeBytes(1, eth(ipv6Datagram({ src: C6, dst: S6, nextHeader: 1, payload: new Uint8Array(8) })))!;
    expect(v4in6.events).toEqual(['ipv6.icmpv4']);
  });
});

describe('stats', () => {
  it('maps counters to Suricata stats names', () => {
    const stats = new DecodeStats();
    decodeBytes(1, eth(tcpDatagram(), [3]), stats);
    decodeBytes(1, udpPacket({ src: `[${C6}]:1`, dst: `[${S6}]:2`, tsUs: 0 }).frame, stats);
    decodeBytes(1, eth(tcpDatagram('', { dataOffsetWords: 15 })), stats);
    const out = stats.toSuricataStats();
    expect(out).toMatchObject({
      'decoder.pkts': 3,
      'decoder.ethernet': 3,
      'decoder.vlan': 1,
      'decoder.ipv4': 2,
      'decoder.ipv6': 1,
      'decoder.tcp': 2,
      'decoder.udp': 1,
      'decoder.invalid': 1,
      'decoder.event.tcp.hlen_too_small': 1,
    });
    expect(out['decoder.bytes']).toBe(stats.bytes);
    expect(out['decoder.avg_pkt_size']).toBe(Math.round(stats.bytes / 3));
    const other = new DecodeStats();
    other.merge(stats);
    other.merge(stats);
    expect(other.toSuricataStats()['decoder.tcp']).toBe(4);
    expect(other.eventCount('tcp.hlen_too_small')).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { Correlator, SCAN_GID, tcpFlagAnomaly, type CorrelatedEvent, type PacketObservation } from '../../src/correlate/index.js';
import { ScanDetector } from '../../src/correlate/scan-detector.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../src/types/packet.js';
import { ip4, ip6, policyOf, sec } from './helpers.js';

const SYN = TCP_SYN;
const SYNACK = TCP_SYN | TCP_ACK;
const RSTACK = TCP_RST | TCP_ACK;

function pkt(src: string, dst: string, dstPort: number, over: Partial<PacketObservation> = {}): PacketObservation {
  return { tsUs: sec(0), src: ip4(src), dst: ip4(dst), srcPort: 51000, dstPort, proto: 6, tcpFlags: SYN, ...over };
}

function run(packets: readonly PacketObservation[], policyText = '', varOverrides?: Record<string, string>) {
  const events: CorrelatedEvent[] = [];
  const c = new Correlator(policyOf(policyText, varOverrides ? { varOverrides } : {}), { onEvent: (e) => events.push(e) });
  for (const p of packets) c.observePacket(p);
  c.finish();
  return { events, stats: c.stats() };
}

const names = (events: readonly CorrelatedEvent[]): string[] => events.map((e) => e.signature);

describe('Horizontal Scan: one source, one port, many hosts', () => {
  const sweep445 = (n: number, over: Partial<PacketObservation> = {}) =>
    Array.from({ length: n }, (_, i) => pkt('203.0.113.66', `192.0.2.${i + 1}`, 445, { tsUs: sec(i), ...over }));

  it('is raised once the default count of hosts is reached, as a Warning', () => {
    const { events } = run(sweep445(10, { tcpFlags: SYN }), 'scan sweep, off\nscan service_sweep, off');
    expect(names(events)).toEqual(['Horizontal Scan']);
    expect(events[0]).toMatchObject({
      gid: SCAN_GID,
      sid: 1,
      srcIp: '203.0.113.66',
      destIp: '192.0.2.10',
      destPort: 445,
      proto: 'TCP',
      level: 'Warning',
      classtype: 'attempted-recon',
    });
    expect(events[0]!.extra?.scan).toMatchObject({ kind: 'horizontal', hosts: 10, port: 445, count: 10, seconds: 90 });
  });

  it('is not raised below the count, nor once per further host', () => {
    expect(run(sweep445(9)).events).toEqual([]);
    expect(names(run(sweep445(40), 'scan sweep, off').events)).toEqual(['Horizontal Scan']);
  });

  it('does not count hosts that answered (a client using live services is not scanning)', () => {
    const packets: PacketObservation[] = [];
    for (let i = 1; i <= 12; i++) {
      packets.push(pkt('198.51.100.20', `192.0.2.${i}`, 443, { tsUs: sec(i) }));
      if (i % 2 === 0) packets.push(pkt(`192.0.2.${i}`, '198.51.100.20', 51000, { srcPort: 443, tcpFlags: SYNACK, tsUs: sec(i) + 1000 }));
    }
    expect(run(packets).events).toEqual([]);
  });

  it('counts refused probes (RST answers) like unanswered ones', () => {
    const packets: PacketObservation[] = [];
    for (let i = 1; i <= 10; i++) {
      packets.push(pkt('198.51.100.20', `192.0.2.${i}`, 23, { tsUs: sec(i) }));
      packets.push(pkt(`192.0.2.${i}`, '198.51.100.20', 51000, { srcPort: 23, tcpFlags: RSTACK, tsUs: sec(i) + 1000 }));
    }
    expect(names(run(packets, 'scan sweep, off').events)).toEqual(['Horizontal Scan']);
  });

  it('works for UDP, and a reply takes the host back out', () => {
    const probes = Array.from({ length: 10 }, (_, i) => pkt('203.0.113.5', `192.0.2.${i + 1}`, 161, { proto: 17, tcpFlags: -1, tsUs: sec(i) }));
    expect(names(run(probes).events)).toEqual(['Horizontal Scan']);
    const withReply = [...probes.slice(0, 9), pkt('192.0.2.3', '203.0.113.5', 51000, { srcPort: 161, proto: 17, tcpFlags: -1, tsUs: sec(9) }), probes[9]!];
    expect(run(withReply).events).toEqual([]);
  });

  it('spreads over more than the window: nothing; after the window it can fire again', () => {
    const slow = Array.from({ length: 10 }, (_, i) => pkt('203.0.113.66', `192.0.2.${i + 1}`, 445, { tsUs: sec(i * 20) }));
    expect(run(slow).events).toEqual([]);
    const twice = [...sweep445(10), ...Array.from({ length: 10 }, (_, i) => pkt('203.0.113.66', `192.0.2.${i + 101}`, 445, { tsUs: sec(200 + i) }))];
    expect(names(run(twice, 'scan sweep, off').events)).toEqual(['Horizontal Scan', 'Horizontal Scan']);
  });
});

describe('Vertical scan: one source, one host, many ports', () => {
  it('is raised at 15 ports by default, and at the policy count', () => {
    const ports = (n: number) => Array.from({ length: n }, (_, i) => pkt('203.0.113.9', '192.0.2.50', 1 + i, { tsUs: sec(i / 10) }));
    expect(run(ports(14)).events).toEqual([]);
    const { events } = run(ports(15));
    expect(names(events)).toEqual(['Vertical scan']);
    expect(events[0]).toMatchObject({ sid: 2, destIp: '192.0.2.50' });
    expect(events[0]!.extra?.scan).toMatchObject({ kind: 'vertical', ports: 15 });
    expect(names(run(ports(5), 'scan vertical, count 5, seconds 30').events)).toEqual(['Vertical scan']);
  });

  it('counts FIN, NULL and Xmas probes too', () => {
    const stealth = Array.from({ length: 15 }, (_, i) => pkt('203.0.113.9', '192.0.2.50', 100 + i, { tcpFlags: TCP_FIN }));
    expect(names(run(stealth, 'scan flags, off').events)).toEqual(['Vertical scan']);
  });

  it('ignores established traffic (ACK set)', () => {
    const acks = Array.from({ length: 30 }, (_, i) => pkt('203.0.113.9', '192.0.2.50', 100 + i, { tcpFlags: TCP_ACK | TCP_PSH }));
    expect(run(acks).events).toEqual([]);
  });
});

describe('TCP-SWEEP and TCP_Service_Sweep', () => {
  it('TCP-SWEEP: many hosts over TCP on any ports, fast', () => {
    const fast = Array.from({ length: 20 }, (_, i) => pkt('203.0.113.7', `192.0.2.${i + 1}`, i % 2 ? 80 : 443, { tsUs: sec(i / 10) }));
    expect(names(run(fast, 'scan horizontal, off\nscan service_sweep, off').events)).toEqual(['TCP-SWEEP']);
    const slow = Array.from({ length: 20 }, (_, i) => pkt('203.0.113.7', `192.0.2.${i + 1}`, 80, { tsUs: sec(i) }));
    expect(run(slow, 'scan horizontal, off\nscan service_sweep, off').events).toEqual([]);
  });

  it('TCP_Service_Sweep: many hosts on more than one service port', () => {
    const probes: PacketObservation[] = [];
    for (let h = 1; h <= 10; h++) for (const port of [21, 22]) probes.push(pkt('203.0.113.8', `192.0.2.${h}`, port, { tsUs: sec(h) }));
    expect(names(run(probes, 'scan horizontal, off\nscan sweep, off').events)).toEqual(['TCP_Service_Sweep']);
    const onePort = Array.from({ length: 10 }, (_, h) => pkt('203.0.113.8', `192.0.2.${h + 1}`, 22, { tsUs: sec(h) }));
    expect(run(onePort, 'scan horizontal, off\nscan sweep, off').events).toEqual([]);
  });
});

describe('TCP-FLAGS and PORT-ZERO', () => {
  it('names each forbidden flag combination and leaves normal ones alone', () => {
    expect(tcpFlagAnomaly(0)).toBe('NULL');
    expect(tcpFlagAnomaly(TCP_SYN | TCP_FIN)).toBe('SYN+FIN');
    expect(tcpFlagAnomaly(TCP_SYN | TCP_RST)).toBe('SYN+RST');
    expect(tcpFlagAnomaly(TCP_FIN | TCP_PSH | TCP_URG)).toBe('Xmas');
    expect(tcpFlagAnomaly(0x3f)).toBe('all flags');
    expect(tcpFlagAnomaly(TCP_FIN)).toBe('FIN without ACK');
    expect(tcpFlagAnomaly(TCP_FIN | TCP_RST)).toBe('FIN+RST');
    for (const ok of [TCP_SYN, SYNACK, TCP_ACK, TCP_ACK | TCP_PSH, TCP_FIN | TCP_ACK, TCP_RST, RSTACK, TCP_SYN | 0xc0]) {
      expect(tcpFlagAnomaly(ok), String(ok)).toBeUndefined();
    }
  });

  it('raises TCP-FLAGS once per source and window, with the combination', () => {
    const { events } = run(
      [
        pkt('203.0.113.4', '192.0.2.1', 80, { tcpFlags: TCP_SYN | TCP_FIN }),
        pkt('203.0.113.4', '192.0.2.1', 81, { tcpFlags: 0, tsUs: sec(1) }),
        pkt('203.0.113.5', '192.0.2.1', 80, { tcpFlags: TCP_FIN | TCP_PSH | TCP_URG, tsUs: sec(2) }),
        pkt('203.0.113.4', '192.0.2.1', 82, { tcpFlags: 0, tsUs: sec(200) }),
      ],
    );
    expect(names(events)).toEqual(['TCP-FLAGS', 'TCP-FLAGS', 'TCP-FLAGS']);
    expect(events.map((e) => (e.extra?.scan as { flags: string }).flags)).toEqual(['SYN+FIN', 'Xmas', 'NULL']);
    expect(events[0]).toMatchObject({ sid: 4, srcIp: '203.0.113.4', destIp: '192.0.2.1', destPort: 80, srcPort: 51000 });
  });

  it('raises PORT-ZERO for TCP or UDP to or from port 0', () => {
    const { events } = run([
      pkt('203.0.113.4', '192.0.2.1', 0),
      pkt('203.0.113.6', '192.0.2.1', 53, { srcPort: 0, proto: 17, tcpFlags: -1 }),
      pkt('203.0.113.7', '192.0.2.1', 53, { srcPort: -1, dstPort: -1, proto: 17, tcpFlags: -1 }),
    ]);
    expect(names(events)).toEqual(['PORT-ZERO', 'PORT-ZERO']);
    expect(events[0]).toMatchObject({ sid: 5, destPort: 0 });
  });

  it('can be switched off', () => {
    expect(run([pkt('203.0.113.4', '192.0.2.1', 0, { tcpFlags: 0 })], 'scan flags, off\nscan port_zero, count 0').events).toEqual([]);
  });
});

describe('what is not a scan', () => {
  const ms = (n: number) => n * 1000;

  it('a burst of parallel connections answered a little later (a browser, a mail server)', () => {
    const packets: PacketObservation[] = [];
    for (let i = 0; i < 30; i++) packets.push(pkt('192.168.1.20', `198.51.100.${1 + (i % 20)}`, 443, { srcPort: 50000 + i, tsUs: sec(0) + ms(i) }));
    for (let i = 0; i < 30; i++) packets.push(pkt(`198.51.100.${1 + (i % 20)}`, '192.168.1.20', 50000 + i, { srcPort: 443, tcpFlags: SYNACK, tsUs: sec(0) + ms(40 + i) }));
    expect(run(packets, '', { HOME_NET: '192.168.0.0/16' }).events).toEqual([]);
  });

  it('but answers that come after the grace do not take back a scan already decided', () => {
    const packets: PacketObservation[] = [];
    for (let i = 0; i < 12; i++) packets.push(pkt('203.0.113.66', `192.0.2.${i + 1}`, 445, { tsUs: sec(0) + ms(i) }));
    for (let i = 0; i < 12; i++) packets.push(pkt(`192.0.2.${i + 1}`, '203.0.113.66', 51000, { srcPort: 445, tcpFlags: SYNACK, tsUs: sec(10) + ms(i) }));
    expect(names(run(packets, 'scan sweep, off\nscan service_sweep, off').events)).toEqual(['Horizontal Scan']);
  });

  it('the client side of handshakes whose answers the capture missed (asymmetric routing)', () => {
    const packets: PacketObservation[] = [];
    for (let i = 0; i < 12; i++) {
      packets.push(pkt('192.168.1.20', `198.51.100.${i + 1}`, 443, { srcPort: 50000 + i, tsUs: sec(i) }));
      packets.push(pkt('192.168.1.20', `198.51.100.${i + 1}`, 443, { srcPort: 50000 + i, tcpFlags: TCP_ACK, tsUs: sec(i) + ms(30) }));
    }
    expect(run(packets).events).toEqual([]);
  });

  it('a traceroute: each probe answered by a router with time exceeded', () => {
    const packets: PacketObservation[] = [];
    for (let i = 0; i < 20; i++) {
      const probe = pkt('192.168.1.20', '198.51.100.9', 33434 + i, { srcPort: 40000, proto: 17, tcpFlags: -1, tsUs: sec(0) + ms(10 * i) });
      packets.push(probe);
      packets.push({
        ...pkt(`10.0.${i}.1`, '192.168.1.20', -1, { proto: 1, tcpFlags: -1, srcPort: -1, tsUs: sec(0) + ms(10 * i + 5) }),
        icmpType: 11,
        quoted: { src: probe.src, dst: probe.dst, srcPort: 40000, dstPort: 33434 + i, protocol: 17 },
      });
    }
    expect(run(packets).events).toEqual([]);
  });

  it("a port-0 target's RST, and an old stack's SYN+FIN+ACK answer, are no probes", () => {
    const { events } = run([
      pkt('203.0.113.9', '192.168.1.10', 0),
      pkt('192.168.1.10', '203.0.113.9', 51000, { srcPort: 0, tcpFlags: RSTACK, tsUs: sec(0) + ms(1) }),
      pkt('203.0.113.9', '192.168.1.10', 80, { tcpFlags: TCP_SYN | TCP_FIN, tsUs: sec(1) }),
      pkt('192.168.1.10', '203.0.113.9', 51000, { srcPort: 80, tcpFlags: TCP_SYN | TCP_FIN | TCP_ACK, tsUs: sec(1) + ms(1) }),
    ], '', { HOME_NET: '192.168.0.0/16' });
    expect(events.map((e) => `${e.signature} ${e.srcIp}`)).toEqual(['PORT-ZERO 203.0.113.9', 'TCP-FLAGS 203.0.113.9']);
  });

  it('connections a firewall log says it permitted', () => {
    const packets = Array.from({ length: 25 }, (_, i) => pkt('192.168.1.20', `198.51.100.${i + 1}`, 443, { tsUs: sec(i), permitted: true }));
    expect(run(packets).events).toEqual([]);
  });
});

describe('ICMP-SWEEP', () => {
  const echo = (src: string, dst: string, t: number, type = 8, proto = 1) => pkt(src, dst, -1, { srcPort: -1, proto, tcpFlags: -1, icmpType: type, tsUs: sec(t) });

  it('is raised when one source pings the default count of hosts that do not answer, IPv4 or IPv6', () => {
    const v4 = Array.from({ length: 10 }, (_, i) => echo('203.0.113.5', `192.0.2.${i + 1}`, i));
    const { events } = run(v4);
    expect(names(events)).toEqual(['ICMP-SWEEP']);
    expect(events[0]).toMatchObject({ sid: 7, srcIp: '203.0.113.5', proto: 'ICMP' });
    expect(events[0]!.extra?.scan).toMatchObject({ kind: 'icmp_sweep', hosts: 10 });
    const v6 = Array.from({ length: 10 }, (_, i) => ({ ...echo('203.0.113.5', '192.0.2.1', i, 128, 58), src: ip6('2001:db8::5'), dst: ip6(`2001:db8:1::${i + 1}`) }));
    expect(names(run(v6).events)).toEqual(['ICMP-SWEEP']);
  });

  it('does not count hosts that answered (a monitoring system pinging its servers)', () => {
    const packets: PacketObservation[] = [];
    for (let i = 0; i < 30; i++) {
      packets.push(echo('192.168.1.2', `192.168.1.${i + 10}`, i));
      packets.push(echo(`192.168.1.${i + 10}`, '192.168.1.2', i + 0.001, 0));
    }
    expect(run(packets).events).toEqual([]);
    expect(run(packets.filter((p) => p.tsUs < sec(5)), 'scan icmp_sweep, off').events).toEqual([]);
  });
});

describe('busy hosts: a scan needs at least as many unanswered targets as answered ones', () => {
  const ms = (n: number) => n * 1000;
  const home = { HOME_NET: '10.0.0.0/8' };
  /** The n-th of a few thousand addresses (198.18.0.0/15). */
  const far = (n: number) => `198.18.${n >> 8}.${n & 255}`;
  /** A TCP connection the target accepts: SYN, SYN+ACK, the client's ACK. */
  const accepted = (client: string, server: string, port: number, srcPort: number, t: number): PacketObservation[] => [
    pkt(client, server, port, { srcPort, tsUs: t }),
    pkt(server, client, srcPort, { srcPort: port, tcpFlags: SYNACK, tsUs: t + ms(2) }),
    pkt(client, server, port, { srcPort, tcpFlags: TCP_ACK, tsUs: t + ms(3) }),
  ];

  it('a resolver: 1,000 queries a minute to 400 servers, 16 of which never answer', () => {
    const packets: PacketObservation[] = [];
    for (let i = 0; i < 1000; i++) {
      const server = i % 400;
      const t = sec(0) + ms(60 * i);
      const srcPort = 1024 + i;
      packets.push(pkt('10.0.0.53', far(server), 53, { srcPort, proto: 17, tcpFlags: -1, tsUs: t }));
      if (server % 25 !== 0) packets.push(pkt(far(server), '10.0.0.53', srcPort, { srcPort: 53, proto: 17, tcpFlags: -1, tsUs: t + ms(5) }));
    }
    const { events, stats } = run(packets, 'outbound level Emergency', home);
    expect(events).toEqual([]);
    expect(stats.scan).toMatchObject({ probes: 1000, events: 0 });
  });

  it('a NAT gateway: 800 web connections in 80 s, one in 25 to a host that is gone', () => {
    const packets: PacketObservation[] = [];
    for (let i = 0; i < 800; i++) {
      const port = i % 2 === 0 ? 80 : 443;
      const t = sec(0) + ms(100 * i);
      if (i % 25 === 0) packets.push(pkt('10.0.0.1', far(i), port, { srcPort: 20000 + i, tsUs: t }));
      else packets.push(...accepted('10.0.0.1', far(i), port, 20000 + i, t));
    }
    expect(run(packets, 'outbound level Emergency', home).events).toEqual([]);
  });

  it('a SYN sweep of a /24 where a fifth of the hosts answer is raised at the same probes', () => {
    const packets: PacketObservation[] = [];
    for (let i = 1; i <= 254; i++) {
      const t = sec(0) + ms(10 * i);
      packets.push(pkt('10.0.0.66', `192.0.2.${i}`, 445, { srcPort: 40000 + i, tsUs: t }));
      if (i % 5 === 0) packets.push(pkt(`192.0.2.${i}`, '10.0.0.66', 40000 + i, { srcPort: 445, tcpFlags: SYNACK, tsUs: t + ms(2) }));
    }
    const { events } = run(packets, 'outbound level Emergency', home);
    // The 10th and 20th hosts that did not answer: 192.0.2.12 and 192.0.2.24.
    expect(events.map((e) => [e.signature, e.destIp, e.tsUs, e.level])).toEqual([
      ['Horizontal Scan', '192.0.2.12', sec(0) + ms(120), 'Emergency'],
      ['TCP-SWEEP', '192.0.2.24', sec(0) + ms(240), 'Emergency'],
    ]);
    expect(events[0]!.extra?.scan).toMatchObject({ kind: 'horizontal', answered: 50 });
  });

  it('an ICMP sweep where a fifth of the hosts answer is raised at the 10th silent host', () => {
    const packets: PacketObservation[] = [];
    for (let i = 1; i <= 100; i++) {
      packets.push(pkt('203.0.113.5', `192.0.2.${i}`, -1, { srcPort: -1, proto: 1, tcpFlags: -1, icmpType: 8, tsUs: sec(i / 10) }));
      if (i % 5 === 0) packets.push(pkt(`192.0.2.${i}`, '203.0.113.5', -1, { srcPort: -1, proto: 1, tcpFlags: -1, icmpType: 0, tsUs: sec(i / 10) + ms(1) }));
    }
    const { events } = run(packets);
    expect(events.map((e) => [e.signature, e.destIp])).toEqual([['ICMP-SWEEP', '192.0.2.12']]);
  });

  it('a port scan of a host with a few open ports is raised at the 15th closed one', () => {
    const packets: PacketObservation[] = [];
    for (let port = 1; port <= 1000; port++) {
      const t = sec(0) + ms(port);
      packets.push(pkt('203.0.113.9', '192.0.2.50', port, { tsUs: t }));
      const open = port === 7 || port === 13 || port === 21 || port === 22;
      packets.push(pkt('192.0.2.50', '203.0.113.9', 51000, { srcPort: port, tcpFlags: open ? SYNACK : RSTACK, tsUs: t + 100 }));
    }
    const { events } = run(packets);
    // Ports 7 and 13 answered: the 15th closed port is 17.
    expect(events.map((e) => [e.signature, e.destPort])).toEqual([['Vertical scan', 17]]);
  });

  it('a scanner that also browses is judged by the share of targets that did not answer', () => {
    const packets: PacketObservation[] = [];
    for (let i = 0; i < 25; i++) packets.push(...accepted('10.0.0.77', `198.51.100.${i + 1}`, 443, 50000 + i, sec(i)));
    const dead = (n: number) => Array.from({ length: n }, (_, i) => pkt('10.0.0.77', `203.0.113.${i + 1}`, 443, { srcPort: 51000 + i, tsUs: sec(30 + i) }));
    // 24 silent hosts against 25 that answered: a client with bad luck, not yet a scan.
    expect(run([...packets, ...dead(24)], 'scan service_sweep, off', home).events).toEqual([]);
    const { events } = run([...packets, ...dead(40)], 'outbound level Emergency\nscan service_sweep, off', home);
    expect(events.map((e) => [e.signature, e.destIp, e.level])).toEqual([['Horizontal Scan', '203.0.113.25', 'Emergency']]);
    expect(events[0]!.extra?.scan).toMatchObject({ kind: 'horizontal', answered: 25 });
  });

  it('counts each target that answered once, however often it is reached', () => {
    const packets: PacketObservation[] = [];
    // Fifty connections to one web server, then ten silent hosts on the same port.
    for (let i = 0; i < 50; i++) packets.push(...accepted('10.0.0.77', '198.51.100.1', 443, 50000 + i, sec(i / 2)));
    for (let i = 0; i < 10; i++) packets.push(pkt('10.0.0.77', `203.0.113.${i + 1}`, 443, { srcPort: 51000 + i, tsUs: sec(30 + i) }));
    const { events } = run(packets, 'scan service_sweep, off', home);
    expect(events.map((e) => [e.signature, e.destIp])).toEqual([['Horizontal Scan', '203.0.113.10']]);
    expect(events[0]!.extra?.scan).toMatchObject({ hosts: 10, answered: 1 });
  });

  it("a server's own ACKs to its clients answer nothing it probed", () => {
    const packets: PacketObservation[] = [];
    // A web server serving 100 clients, then sweeping 20 hosts that do not answer.
    for (let i = 0; i < 100; i++) {
      const client = `198.51.100.${i + 1}`;
      packets.push(...accepted(client, '10.0.0.80', 443, 50000 + i, sec(0) + ms(10 * i)));
      packets.push(pkt('10.0.0.80', client, 50000 + i, { srcPort: 443, tcpFlags: TCP_ACK | TCP_PSH, tsUs: sec(0) + ms(10 * i + 5) }));
    }
    for (let i = 0; i < 20; i++) packets.push(pkt('10.0.0.80', `203.0.113.${i + 1}`, 1000 + i, { srcPort: 52000 + i, tsUs: sec(1) + ms(10 * i) }));
    const { events } = run(packets, 'scan horizontal, off\nscan vertical, off\nscan service_sweep, off', home);
    expect(events.map((e) => [e.signature, e.srcIp, e.destIp])).toEqual([['TCP-SWEEP', '10.0.0.80', '203.0.113.20']]);
  });

  it('remembers at most 4,096 unanswered targets per source and window, however busy it is', () => {
    const busy = (answering: number, silent: number) => {
      const packets: PacketObservation[] = [];
      for (let i = 0; i < answering; i++) {
        packets.push(pkt('10.0.0.53', far(i), 53, { srcPort: 1024 + i, proto: 17, tcpFlags: -1, tsUs: sec(0) + ms(i) }));
        packets.push(pkt(far(i), '10.0.0.53', 1024 + i, { srcPort: 53, proto: 17, tcpFlags: -1, tsUs: sec(0) + ms(i) + 500 }));
      }
      for (let i = 0; i < silent; i++) packets.push(pkt('10.0.0.53', far(answering + i), 53, { srcPort: 30000 + i, proto: 17, tcpFlags: -1, tsUs: sec(5) + ms(i) }));
      return run(packets).events;
    };
    // 4,000 answered: raised once as many have not (the 4,000th silent server).
    expect(busy(4000, 5000).map((e) => [e.signature, e.destIp])).toEqual([['Horizontal Scan', far(7999)]]);
    // 4,500 answered: the silent ones stop being remembered at 4,096, so never as many.
    expect(busy(4500, 5000)).toEqual([]);
  });
});

describe('scans decided early', () => {
  it('when a flood of spoofed sources pushes a scan waiting for answers out of its table', () => {
    const packets: PacketObservation[] = [];
    for (let i = 0; i < 15; i++) packets.push(pkt('203.0.113.66', '192.0.2.1', 1000 + i, { tsUs: sec(0) + i }));
    // 2,000 spoofed sources within the wait, in tables capped at 64 keys.
    for (let i = 0; i < 2000; i++) packets.push(pkt(`10.${(i >> 8) & 255}.${i & 255}.1`, '192.0.2.9', 80, { tsUs: sec(1) + i }));
    const events: CorrelatedEvent[] = [];
    const c = new Correlator(policyOf('scan horizontal, off\nscan sweep, off\nscan service_sweep, off'), { onEvent: (e) => events.push(e), maxScanTracked: 64 });
    for (const p of packets) c.observePacket(p);
    c.finish();
    expect(names(events)).toEqual(['Vertical scan']);
  });

  it('when its window runs out while it waits', () => {
    const packets: PacketObservation[] = [];
    packets.push(pkt('203.0.113.66', '192.0.2.1', 1000, { tsUs: sec(0) }));
    for (let i = 1; i < 20; i++) packets.push(pkt('203.0.113.66', `192.0.2.${i + 1}`, 1000 + i, { tsUs: sec(4.9) + i }));
    // The sweep window (5 s from the first probe) is over before the 3 s wait: the next probe opens a new one.
    packets.push(pkt('203.0.113.66', '192.0.2.200', 80, { tsUs: sec(5.5) }));
    const { events } = run(packets, 'scan horizontal, off\nscan vertical, off\nscan service_sweep, off');
    expect(names(events)).toEqual(['TCP-SWEEP']);
  });
});

describe('scans seen again', () => {
  it('a UDP scan run again from the same source port after its conversations went idle counts again', () => {
    const pass = (t0: number) => Array.from({ length: 20 }, (_, i) => pkt('203.0.113.66', '192.0.2.1', 1000 + i, { srcPort: 53000, proto: 17, tcpFlags: -1, tsUs: sec(t0 + i) }));
    const { events, stats } = run([...pass(0), ...pass(3600)]);
    expect(names(events)).toEqual(['Vertical scan', 'Vertical scan']);
    expect(stats.scan.probes).toBe(40);
  });

  it('names IPv6 hosts as alerts do, in full', () => {
    const packets = Array.from({ length: 15 }, (_, i) => ({ ...pkt('203.0.113.1', '192.0.2.1', 1000 + i, { tsUs: sec(i) }), src: ip6('2001:db8:bad::9'), dst: ip6('2001:db8:1::1') }));
    expect(run(packets).events[0]).toMatchObject({ srcIp: '2001:0db8:0bad:0000:0000:0000:0000:0009', destIp: '2001:0db8:0001:0000:0000:0000:0000:0001' });
  });
});

describe('scan events go through correlation', () => {
  const sweep = Array.from({ length: 10 }, (_, i) => pkt('10.0.0.9', `198.51.100.${i + 1}`, 445, { tsUs: sec(i) }));

  it('can be suppressed and thresholded like any alert, and are counted', () => {
    const { events, stats } = run(sweep, `suppress gen_id ${SCAN_GID}, sig_id 1, track by_src, ip 10.0.0.9\nscan sweep, off`);
    expect(events).toEqual([]);
    expect(stats).toMatchObject({ raw: 1, suppressed: 1 });
    expect(stats.scan).toMatchObject({ events: 1, horizontal: 1, probes: 10 });
  });

  it('a monitored host scanning the Internet is an Emergency', () => {
    const { events } = run(sweep, 'outbound level Emergency\nscan sweep, off', { HOME_NET: '10.0.0.0/8' });
    expect(events.map((e) => [e.signature, e.level])).toEqual([['Horizontal Scan', 'Emergency']]);
  });
});

describe('bounded state', () => {
  it('keeps each table at its cap under a flood of spoofed sources, counting evictions', () => {
    const events: unknown[] = [];
    const d = new ScanDetector(policyOf('').scan, (a) => events.push(a), 1000);
    const src = new Uint8Array(4);
    const dst = ip4('192.0.2.1');
    const o: PacketObservation = { tsUs: sec(0), src, dst, srcPort: 1234, dstPort: 80, proto: 6, tcpFlags: SYN };
    for (let i = 0; i < 50_000; i++) {
      src[0] = 11 + (i >>> 16);
      src[1] = (i >>> 8) & 255;
      src[2] = i & 255;
      src[3] = 1;
      o.tsUs = sec(i / 1000);
      d.observe(o);
    }
    const s = d.stats();
    expect(s.probes).toBe(50_000);
    // Four tables see every probe (vertical, horizontal, sweep, service sweep): each over its cap by 49,000.
    expect(s.evictions).toBe(4 * 49_000);
    expect(events).toEqual([]);
  });
});

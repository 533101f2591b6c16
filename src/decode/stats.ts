/**
 * Decoder counters. Field names follow Suricata's `decoder.*` stats (camelCase here);
 * toSuricataStats() names them as Suricata 7 or 8 does where it has the counter, and under
 * `kanshi.decoder.*` where it has none: a consumer validating against Suricata's schema reads
 * everything under `decoder` with Suricata's meaning.
 * Per-layer counters count decode attempts, as Suricata's do: a packet whose TCP header
 * is bad still counts under `tcp`, and under `invalid`.
 */
export class DecodeStats {
  /** Frames handed to decodeFrame. */
  pkts = 0;
  /** Captured bytes of those frames. */
  bytes = 0;
  /** Frames or datagrams with at least one layer that failed to decode. */
  invalid = 0;
  maxPktSize = 0;
  ethernet = 0;
  arp = 0;
  unknownEthertype = 0;
  /** Frames with at least one VLAN tag. */
  vlan = 0;
  /** Frames with two VLAN tags. */
  vlanQinq = 0;
  /** Frames with three VLAN tags. */
  vlanQinqinq = 0;
  sll = 0;
  /** Suricata 8's counter; Suricata 7 does not decode SLL2. */
  sll2 = 0;
  raw = 0;
  null = 0;
  nflog = 0;
  /** Cisco HDLC frames. */
  chdlc = 0;
  pppoe = 0;
  mpls = 0;
  /** Provider backbone (MAC-in-MAC) headers. */
  ieee8021ah = 0;
  /** Cisco VN-Tag headers. */
  vntag = 0;
  ipv4 = 0;
  ipv6 = 0;
  tcp = 0;
  udp = 0;
  sctp = 0;
  icmpv4 = 0;
  icmpv6 = 0;
  /** IPv4 or IPv6 fragments seen (handed on to defragmentation without a transport layer); Suricata counts them only under `defrag`. */
  ipv4Frag = 0;
  ipv6Frag = 0;
  /** Frames of a link type the decoder does not know (Suricata refuses such a capture outright). */
  unsupportedLinkType = 0;
  /**
   * Frames captured shorter than they were on the wire (the capture's snapshot length, tcpdump's
   * -s): the bytes past the cut were never recorded, so nothing can match them.
   */
  cutShort = 0;
  /** Tunnel layers decoded (see tunnel.ts): one count per layer, as Suricata counts them. */
  gre = 0;
  erspan = 0;
  /** PPP frames: captures of PPP links, and the payloads of PPTP's enhanced GRE. */
  ppp = 0;
  vxlan = 0;
  geneve = 0;
  teredo = 0;
  ipv4InIpv6 = 0;
  ipv6InIpv6 = 0;
  /** Decoder events by name (Suricata's decode-event names, without the "decoder." prefix). */
  readonly events = new Map<string, number>();
  /** Frames of each link type the decoder does not know (their total is unsupportedLinkType). */
  readonly unsupportedLinkTypes = new Map<number, number>();

  /** Counts one occurrence of a decoder event. */
  event(name: string): void {
    this.events.set(name, (this.events.get(name) ?? 0) + 1);
  }

  eventCount(name: string): number {
    return this.events.get(name) ?? 0;
  }

  /** Adds another instance's counts to this one (e.g. when several readers feed one report). */
  merge(other: DecodeStats): void {
    for (const key of COUNTER_KEYS) {
      this[key] += other[key];
    }
    this.maxPktSize = Math.max(this.maxPktSize, other.maxPktSize);
    for (const [name, n] of other.events) this.events.set(name, (this.events.get(name) ?? 0) + n);
    for (const [t, n] of other.unsupportedLinkTypes) this.unsupportedLinkTypes.set(t, (this.unsupportedLinkTypes.get(t) ?? 0) + n);
  }

  /** The counters under their stats names ("decoder.pkts", "decoder.event.ipv4.trunc_pkt", "kanshi.decoder.nflog", ...). */
  toSuricataStats(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const key of COUNTER_KEYS) out[STATS_NAMES[key]] = this[key];
    out['decoder.max_pkt_size'] = this.maxPktSize;
    out['decoder.avg_pkt_size'] = this.pkts === 0 ? 0 : Math.round(this.bytes / this.pkts);
    const names = [...this.events.keys()].sort();
    for (const name of names) out[`decoder.event.${name}`] = this.events.get(name)!;
    return out;
  }
}

type CounterKey = Exclude<
  {
    [K in keyof DecodeStats]: DecodeStats[K] extends number ? K : never;
  }[keyof DecodeStats],
  'maxPktSize'
>;

/** Suricata's name (Suricata 7's DecodeRegisterPerfCounters or Suricata 8's schema), else kanshi's. */
const STATS_NAMES: Record<CounterKey, string> = {
  pkts: 'decoder.pkts',
  bytes: 'decoder.bytes',
  invalid: 'decoder.invalid',
  ethernet: 'decoder.ethernet',
  arp: 'decoder.arp',
  unknownEthertype: 'decoder.unknown_ethertype',
  vlan: 'decoder.vlan',
  vlanQinq: 'decoder.vlan_qinq',
  vlanQinqinq: 'decoder.vlan_qinqinq',
  sll: 'decoder.sll',
  sll2: 'decoder.sll2',
  raw: 'decoder.raw',
  null: 'decoder.null',
  nflog: 'kanshi.decoder.nflog',
  chdlc: 'decoder.chdlc',
  pppoe: 'decoder.pppoe',
  mpls: 'decoder.mpls',
  ieee8021ah: 'decoder.ieee8021ah',
  vntag: 'decoder.vntag',
  ipv4: 'decoder.ipv4',
  ipv6: 'decoder.ipv6',
  tcp: 'decoder.tcp',
  udp: 'decoder.udp',
  sctp: 'decoder.sctp',
  icmpv4: 'decoder.icmpv4',
  icmpv6: 'decoder.icmpv6',
  ipv4Frag: 'kanshi.decoder.ipv4_frag',
  ipv6Frag: 'kanshi.decoder.ipv6_frag',
  unsupportedLinkType: 'kanshi.decoder.unsupported_linktype',
  cutShort: 'kanshi.capture.packets_cut_short',
  gre: 'decoder.gre',
  erspan: 'decoder.erspan',
  ppp: 'decoder.ppp',
  vxlan: 'decoder.vxlan',
  geneve: 'decoder.geneve',
  teredo: 'decoder.teredo',
  ipv4InIpv6: 'decoder.ipv4_in_ipv6',
  ipv6InIpv6: 'decoder.ipv6_in_ipv6',
};

const COUNTER_KEYS = Object.keys(STATS_NAMES) as CounterKey[];

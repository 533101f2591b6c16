/**
 * Plain data produced by decode/ and stream/, read by app/, match/ and correlate/.
 * Byte fields are subarrays of the captured frame (no copies) unless a stage had to
 * rebuild the data (defragmentation, reassembly).
 */

/** IPv4 addresses are 4 bytes, IPv6 addresses 16. */
export type IpBytes = Uint8Array;

export interface IpHeader {
  version: 4 | 6;
  src: IpBytes;
  dst: IpBytes;
  /** Transport protocol number: for IPv6 the header after the extension chain. */
  protocol: number;
  /** TTL, or the IPv6 hop limit. */
  ttl: number;
  /** TOS, or the IPv6 traffic class. */
  tos: number;
  /** IPv4 identification, or the IPv6 fragment header's identification (0 if none). */
  id: number;
  reservedBit: boolean;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in bytes. */
  fragOffset: number;
  /** IPv4 option type codes in order of appearance (empty for IPv6). */
  options: number[];
  headerLength: number;
  totalLength: number;
  /** True when this datagram was rebuilt from fragments. */
  reassembled: boolean;
  /**
   * The whole datagram from the IP header to its end as given by the length field
   * (link-layer padding excluded). Lets defragmentation rebuild a datagram from its first fragment.
   */
  datagram?: Uint8Array;
  /** IPv6: offset of the fragment header inside `datagram`, when the packet carries one (else absent). */
  fragHeaderOffset?: number;
  /** IPv6: extension header types in the order they appear (absent when there are none). */
  extHeaders?: number[];
}

/** TCP flag bits as they sit in the header's 13th byte. */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** The 8 classic flag bits (see TCP_* constants). */
  flags: number;
  window: number;
  urgent: number;
  headerLength: number;
  /** Raw option bytes after the fixed header. */
  options: Uint8Array;
  /**
   * The memory holding the whole segment, header to end, at [rawStart, rawEnd): lets the stream
   * stage verify the checksum without a view per packet. Absent on packets built without it.
   */
  raw?: Uint8Array;
  rawStart?: number;
  rawEnd?: number;
}

export interface UdpHeader {
  srcPort: number;
  dstPort: number;
  length: number;
}

/** SCTP's common header: its ports key the association's flow, as Suricata's DecodeSCTP sets them. */
export interface SctpHeader {
  srcPort: number;
  dstPort: number;
  verificationTag: number;
}

export interface IcmpHeader {
  /** true for ICMPv6 */
  v6: boolean;
  type: number;
  code: number;
  /** Echo identifier and sequence (0 for other types). */
  id: number;
  seq: number;
  /** ICMPv6 Packet Too Big (type 2): the MTU it reports; absent otherwise. */
  mtu?: number;
  /** ICMPv4 errors: the TCP or UDP packet they quote, when its addresses and ports were quoted; absent otherwise. */
  quoted?: QuotedPacket;
}

/** The tuple of the packet an ICMP error quotes, as that packet travelled (source first). */
export interface QuotedPacket {
  src: IpBytes;
  dst: IpBytes;
  /** 6 (TCP) or 17 (UDP). */
  protocol: number;
  srcPort: number;
  dstPort: number;
}

/** The outermost packet of a tunnel, as EVE's `tunnel` object shows it. */
export interface TunnelOrigin {
  src: IpBytes;
  dst: IpBytes;
  /** IP protocol of the outer packet (GRE, UDP, IP-in-IP, ...). */
  protocol: number;
  /** 0 when the outer transport has no ports. */
  srcPort: number;
  dstPort: number;
}

export interface DecodedPacket {
  /** 1-based number of the packet in its capture (Suricata's pcap_cnt). */
  num: number;
  /** Capture timestamp in microseconds since the Unix epoch. */
  tsUs: number;
  /** Frame as captured. */
  frame: Uint8Array;
  /** Original length on the wire. */
  wireLength: number;
  /** VLAN ids, outermost first. */
  vlans: number[];
  /**
   * How many tunnel layers enclose this packet: absent (0) for the packet of a captured frame, 1
   * for the packet inside one tunnel, and so on. Part of the flow key, as Suricata's recursion level.
   */
  tunnelLayer?: number;
  /** For a packet found inside a tunnel: the outermost packet that carried it (Suricata's p->root). */
  tunnel?: TunnelOrigin;
  ip?: IpHeader;
  tcp?: TcpHeader;
  udp?: UdpHeader;
  sctp?: SctpHeader;
  icmp?: IcmpHeader;
  /** Ports, 0 when the transport has none. */
  srcPort: number;
  dstPort: number;
  /** Transport payload (or the IP payload for other protocols). */
  payload: Uint8Array;
  /**
   * Decoder events raised on this packet, by Suricata's decode-event name without the
   * "decoder." prefix (e.g. "ipv4.trunc_pkt", "tcp.hlen_too_small"), then those the stream stage
   * raised on it ("ipv4.frag_overlap", "stream.reassembly_seq_gap"); absent when there are none.
   */
  events?: string[];
  /**
   * A layer failed to decode: the packet keeps the layers below the failure (e.g. the IP
   * header when the TCP header is bad) and has no transport; `events` names the reason.
   */
  invalid?: boolean;
  /**
   * Set by the stream stage on a TCP segment whose data its stream did not take (a wrong
   * checksum, out of window, an old PAWS timestamp, data on a SYN without Fast Open: segments
   * the receiver drops, the insertion evasions): its data is inspected as the packet's own
   * payload too, as Suricata inspects a segment its stream engine refused.
   */
  streamRefused?: boolean;
  /**
   * Set by the stream stage on a TCP segment whose data did not begin a stream chunk of its own
   * (buffered out of order, a retransmission carrying other bytes than those delivered, data
   * past a FIN): rules
   * positioned from a buffer start (offset, depth, startswith) also inspect it as a packet, as
   * Suricata inspects such rules on the packet and on the stream.
   */
  streamDisplaced?: boolean;
}

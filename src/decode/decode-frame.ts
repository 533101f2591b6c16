import type { DecodedPacket } from '../types/packet.js';
import { u16, u16be, u32be, u32le } from './bytes.js';
import { countInvalidFrame, type DecodeEvent } from './events.js';
import { decodeIpv4Into, decodeIpv6Into } from './ip.js';
import { newPacket, NO_VLANS } from './packet.js';
import {
  LINKTYPE_C_HDLC,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NFLOG,
  LINKTYPE_NULL,
  LINKTYPE_PPP,
  LINKTYPE_PPP_HDLC,
  LINKTYPE_RAW,
  LINKTYPE_RAW_ALT_12,
  LINKTYPE_RAW_ALT_14,
} from '../types/link-types.js';
import type { RawFrame } from './raw-frame.js';
import type { DecodeStats } from './stats.js';

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
const ETHERTYPE_PPPOE_DISCOVERY = 0x8863;
const ETHERTYPE_PPPOE_SESSION = 0x8864;
/** Provider backbone bridging (MAC-in-MAC): a 4-byte I-TAG, then the customer's Ethernet frame. */
const ETHERTYPE_8021AH = 0x88e7;
/** Cisco VN-Tag: 4 bytes, then the next ethertype. */
const ETHERTYPE_VNTAG = 0x8926;
/** Cisco FabricPath/DCE: a 2-byte field, then an Ethernet frame. */
const ETHERTYPE_DCE = 0x8903;
const ETHERTYPE_MPLS_UNICAST = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;

const ETHERNET_HEADER = 14;
const SLL_HEADER = 16;
const SLL2_HEADER = 20;
const NULL_HEADER = 4;
/** Suricata's limit on stacked VLAN tags. */
const MAX_VLAN_LAYERS = 3;

/**
 * Loopback address-family values: AF_INET everywhere; AF_INET6 as each system numbers it
 * (NetBSD/OpenBSD, FreeBSD, macOS, and Linux, Windows and Solaris, whose loopback captures use
 * their own values: Npcap's loopback adapter writes Windows' 23).
 */
const BSD_AF_INET = 2;
const BSD_AF_INET6_NETBSD = 24;
const BSD_AF_INET6_FREEBSD = 28;
const BSD_AF_INET6_DARWIN = 30;
const AF_INET6_LINUX = 10;
const AF_INET6_WINSOCK = 23;
const AF_INET6_SOLARIS = 26;

/** MPLS labels with a meaning of their own at the bottom of the stack (RFC 3032). */
const MPLS_LABEL_IPV4_NULL = 0;
const MPLS_LABEL_ROUTER_ALERT = 1;
const MPLS_LABEL_IPV6_NULL = 2;
const MPLS_LABEL_IMPLICIT_NULL = 3;
const MPLS_MAX_RESERVED_LABEL = 15;
/** The control word in front of an Ethernet pseudowire's frame. */
const MPLS_PW_CONTROL_WORD = 4;

/**
 * Decodes one captured frame from its link layer up to the transport.
 *
 * - null: the frame is not an IP packet (ARP, unknown ethertype or link type) or its link
 *   header is too short to tell; it is counted in `stats` and there is nothing to inspect.
 * - a packet without `ip`: an IP header was present but invalid (see `events`).
 * - a packet with `ip` but no transport while `invalid` is set: the transport header was bad.
 * Fragments carry `ip` and their raw payload; decode the rebuilt datagram with decodeIpDatagram.
 *
 * The packet's byte fields are views of frame.data: as short-lived as the frame itself.
 */
export function decodeFrame(
  linkType: number,
  frame: RawFrame,
  stats: DecodeStats,
): DecodedPacket | null {
  const d = frame.data;
  stats.pkts++;
  stats.bytes += d.length;
  if (d.length > stats.maxPktSize) stats.maxPktSize = d.length;
  if (d.length < frame.wireLength) stats.cutShort++;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      stats.ethernet++;
      if (d.length < ETHERNET_HEADER) {
        countInvalidFrame(stats, 'ethernet.pkt_too_small');
        return null;
      }
      return decodeByEthertype(frame, d, ETHERNET_HEADER, u16be(d, 12), stats);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_ALT_12:
    case LINKTYPE_RAW_ALT_14:
      stats.raw++;
      return decodeRawIp(frame, d, 0, stats);
    case LINKTYPE_IPV4:
      stats.raw++;
      return ipv4Packet(frame, d, 0, NO_VLANS, stats);
    case LINKTYPE_IPV6:
      stats.raw++;
      return ipv6Packet(frame, d, 0, NO_VLANS, stats);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      return decodeNull(frame, d, stats);
    case LINKTYPE_LINUX_SLL:
      stats.sll++;
      return headerThenEthertype(frame, d, SLL_HEADER, 14, 'sll.pkt_too_small', stats);
    case LINKTYPE_LINUX_SLL2:
      stats.sll2++;
      return headerThenEthertype(frame, d, SLL2_HEADER, 0, 'sll2.pkt_too_small', stats);
    case LINKTYPE_NFLOG:
      return decodeNflog(frame, d, stats);
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
      return decodePpp(frame, d, stats);
    case LINKTYPE_C_HDLC:
      stats.chdlc++;
      return headerThenEthertype(frame, d, CHDLC_HEADER, 2, 'chdlc.pkt_too_small', stats);
    default:
      stats.unsupportedLinkType++;
      stats.unsupportedLinkTypes.set(linkType, (stats.unsupportedLinkTypes.get(linkType) ?? 0) + 1);
      return null;
  }
}

function ipv4Packet(
  frame: RawFrame,
  d: Uint8Array,
  off: number,
  vlans: number[],
  stats: DecodeStats,
): DecodedPacket {
  const pkt = newPacket(frame.num, frame.tsUs, d, frame.wireLength, vlans);
  decodeIpv4Into(pkt, d, off, d.length, stats);
  return pkt;
}

function ipv6Packet(
  frame: RawFrame,
  d: Uint8Array,
  off: number,
  vlans: number[],
  stats: DecodeStats,
): DecodedPacket {
  const pkt = newPacket(frame.num, frame.tsUs, d, frame.wireLength, vlans);
  decodeIpv6Into(pkt, d, off, d.length, stats);
  return pkt;
}

/** Cisco HDLC: address, control, then the payload's Ethernet type. */
const CHDLC_HEADER = 4;

/** A link header of fixed length that names the payload with an Ethernet type (at `typeAt`). */
function headerThenEthertype(
  frame: RawFrame,
  d: Uint8Array,
  header: number,
  typeAt: number,
  tooSmall: DecodeEvent,
  stats: DecodeStats,
): DecodedPacket | null {
  if (d.length < header) {
    countInvalidFrame(stats, tooSmall);
    return null;
  }
  return decodeByEthertype(frame, d, header, u16be(d, typeAt), stats);
}

/**
 * A PPP frame: the HDLC-like address and control bytes (0xff 0x03, left out when the link
 * negotiated their compression), then the protocol, one byte when compressed (an odd value),
 * else two. IPv4 and IPv6 go on; link control traffic (LCP, IPCP, CHAP, ...) has no IP to inspect.
 */
function decodePpp(frame: RawFrame, d: Uint8Array, stats: DecodeStats): DecodedPacket | null {
  stats.ppp++;
  let off = d.length >= 2 && d[0] === 0xff && d[1] === 0x03 ? 2 : 0;
  if (off >= d.length) {
    countInvalidFrame(stats, 'ppp.pkt_too_small');
    return null;
  }
  let protocol: number;
  if ((d[off]! & 1) === 1) protocol = d[off++]!;
  else if (off + 2 <= d.length) {
    protocol = u16be(d, off);
    off += 2;
  } else {
    countInvalidFrame(stats, 'ppp.pkt_too_small');
    return null;
  }
  if (protocol === PPP_IPV4) return ipv4Packet(frame, d, off, NO_VLANS, stats);
  if (protocol === PPP_IPV6) return ipv6Packet(frame, d, off, NO_VLANS, stats);
  stats.event('ppp.unsup_proto');
  return null;
}

/** NFLOG: address family, version and resource id (big-endian), then the attributes. */
const NFLOG_HEADER = 4;
/** The attribute holding the logged packet, from its IP header on. */
const NFULA_PAYLOAD = 9;
/** Attribute types run from 1 to about 20; their top bits are netlink flags. */
const NFLOG_MAX_TYPE = 64;
const NLA_TYPE_MASK = 0x3fff;

/**
 * Linux NFLOG (LINKTYPE_NFLOG): the packet a netfilter NFLOG rule logged, inside netlink-style
 * attributes, each a 16-bit length (header included) and type, then the value padded to 4 bytes.
 * Length and type are in the capturing host's byte order, which the file does not record here: the
 * first attribute's fields are read the way that makes sense (one order gives a length that fits
 * and a small type, the other does not). The NFULA_PAYLOAD attribute holds the IP packet; a record
 * logged without one (an nflog-size of 0) has nothing to inspect. The IP version comes from the
 * packet itself, as for raw IP, rather than from the header's address family.
 */
function decodeNflog(frame: RawFrame, d: Uint8Array, stats: DecodeStats): DecodedPacket | null {
  stats.nflog++;
  if (d.length < NFLOG_HEADER + 4) {
    countInvalidFrame(stats, 'nflog.pkt_too_small');
    return null;
  }
  const first = u16(d, NFLOG_HEADER, true);
  const le = first >= 4 && first <= d.length - NFLOG_HEADER && (u16(d, NFLOG_HEADER + 2, true) & NLA_TYPE_MASK) <= NFLOG_MAX_TYPE;
  let off = NFLOG_HEADER;
  while (off + 4 <= d.length) {
    const len = u16(d, off, le);
    if (len < 4) break;
    if ((u16(d, off + 2, le) & NLA_TYPE_MASK) === NFULA_PAYLOAD) {
      // The packet ends where its attribute does: attributes after it are no trailer of it. A
      // capture cut short by its snapshot length ends inside it: what was kept is decoded.
      const packet = d.subarray(0, Math.min(off + len, d.length));
      return decodeRawIp(frame, packet, off + 4, stats);
    }
    if (off + len > d.length) break;
    off += (len + 3) & ~3;
  }
  countInvalidFrame(stats, 'nflog.no_payload');
  return null;
}

/** Raw IP link types carry no protocol field: the version nibble decides. */
function decodeRawIp(
  frame: RawFrame,
  d: Uint8Array,
  off: number,
  stats: DecodeStats,
): DecodedPacket | null {
  const version = off < d.length ? d[off]! >> 4 : 0;
  if (version === 4) return ipv4Packet(frame, d, off, NO_VLANS, stats);
  if (version === 6) return ipv6Packet(frame, d, off, NO_VLANS, stats);
  countInvalidFrame(stats, 'ipraw.invalid_ip_version');
  return null;
}

/**
 * BSD loopback: a 4-byte address family in the capturing host's byte order (LINKTYPE_NULL)
 * or network order (LINKTYPE_LOOP). Real families are small, so a value above 0xffff means
 * the other byte order.
 */
function decodeNull(frame: RawFrame, d: Uint8Array, stats: DecodeStats): DecodedPacket | null {
  stats.null++;
  if (d.length < NULL_HEADER) {
    countInvalidFrame(stats, 'ltnull.pkt_too_small');
    return null;
  }
  let family = u32le(d, 0);
  if (family > 0xffff) family = u32be(d, 0);
  switch (family) {
    case BSD_AF_INET:
      return ipv4Packet(frame, d, NULL_HEADER, NO_VLANS, stats);
    case BSD_AF_INET6_NETBSD:
    case BSD_AF_INET6_FREEBSD:
    case BSD_AF_INET6_DARWIN:
    case AF_INET6_LINUX:
    case AF_INET6_WINSOCK:
    case AF_INET6_SOLARIS:
      return ipv6Packet(frame, d, NULL_HEADER, NO_VLANS, stats);
    default:
      countInvalidFrame(stats, 'ltnull.unsupported_type');
      return null;
  }
}

/**
 * Follows VLAN tags, PPPoE sessions and MPLS labels down to IPv4 or IPv6. Exported for tunnels
 * (tunnel.ts), whose payload types are ethertypes too.
 */
export function decodeByEthertype(
  frame: RawFrame,
  d: Uint8Array,
  off: number,
  etherType: number,
  stats: DecodeStats,
): DecodedPacket | null {
  let vlans = NO_VLANS;
  for (;;) {
    switch (etherType) {
      case ETHERTYPE_IPV4:
        return ipv4Packet(frame, d, off, vlans, stats);
      case ETHERTYPE_IPV6:
        return ipv6Packet(frame, d, off, vlans, stats);
      case ETHERTYPE_VLAN:
      case ETHERTYPE_QINQ:
      case ETHERTYPE_QINQ_OLD: {
        // As Suricata counts them: a frame with tags once in vlan, its second and third tags in
        // vlan_qinq and vlan_qinqinq.
        if (vlans.length === 0) stats.vlan++;
        if (d.length - off < 4) {
          countInvalidFrame(stats, 'vlan.header_too_small');
          return null;
        }
        if (vlans.length >= MAX_VLAN_LAYERS) {
          countInvalidFrame(stats, 'vlan.too_many_layers');
          return null;
        }
        if (vlans === NO_VLANS) vlans = [];
        vlans.push(u16be(d, off) & 0x0fff);
        if (vlans.length === 2) stats.vlanQinq++;
        else if (vlans.length === 3) stats.vlanQinqinq++;
        etherType = u16be(d, off + 2);
        off += 4;
        continue;
      }
      case ETHERTYPE_PPPOE_SESSION: {
        stats.pppoe++;
        if (d.length - off < 8) {
          countInvalidFrame(stats, 'pppoe.pkt_too_small');
          return null;
        }
        const pppProtocol = u16be(d, off + 6);
        off += 8;
        if (pppProtocol === PPP_IPV4) etherType = ETHERTYPE_IPV4;
        else if (pppProtocol === PPP_IPV6) etherType = ETHERTYPE_IPV6;
        else return null;
        continue;
      }
      case ETHERTYPE_MPLS_UNICAST:
      case ETHERTYPE_MPLS_MULTICAST: {
        stats.mpls++;
        let bottom = false;
        while (!bottom) {
          if (d.length - off < 4) {
            countInvalidFrame(stats, 'mpls.header_too_small');
            return null;
          }
          bottom = (d[off + 2]! & 1) !== 0;
          off += 4;
        }
        // The bottom label can name the payload (the explicit nulls); otherwise MPLS has no
        // payload type, and the first nibble tells IPv4, IPv6 or an Ethernet pseudowire.
        const label = (d[off - 4]! << 12) | (d[off - 3]! << 4) | (d[off - 2]! >> 4);
        if (label === MPLS_LABEL_IPV4_NULL) {
          etherType = ETHERTYPE_IPV4;
          continue;
        }
        if (label === MPLS_LABEL_IPV6_NULL) {
          etherType = ETHERTYPE_IPV6;
          continue;
        }
        if (label <= MPLS_MAX_RESERVED_LABEL) {
          countInvalidFrame(
            stats,
            label === MPLS_LABEL_ROUTER_ALERT ? 'mpls.bad_label_router_alert'
            : label === MPLS_LABEL_IMPLICIT_NULL ? 'mpls.bad_label_implicit_null'
            : 'mpls.bad_label_reserved',
          );
          return null;
        }
        if (off >= d.length) return null;
        const nibble = d[off]! >> 4;
        if (nibble === 4) etherType = ETHERTYPE_IPV4;
        else if (nibble === 6) etherType = ETHERTYPE_IPV6;
        else if (nibble === 0) {
          off = skipToEthertype(d, off, MPLS_PW_CONTROL_WORD + ETHERNET_HEADER, stats, 'mpls.pkt_too_small');
          if (off < 0) return null;
          stats.ethernet++;
          etherType = u16be(d, off - 2);
        } else {
          countInvalidFrame(stats, 'mpls.unknown_payload_type');
          return null;
        }
        continue;
      }
      case ETHERTYPE_8021AH: {
        stats.ieee8021ah++;
        off = skipToEthertype(d, off, 4 + ETHERNET_HEADER, stats, 'ieee8021ah.header_too_small');
        if (off < 0) return null;
        etherType = u16be(d, off - 2);
        continue;
      }
      case ETHERTYPE_VNTAG: {
        stats.vntag++;
        off = skipToEthertype(d, off, 6, stats, 'vntag.header_too_small');
        if (off < 0) return null;
        etherType = u16be(d, off - 2);
        continue;
      }
      case ETHERTYPE_DCE: {
        // Two bytes, then a whole Ethernet frame (Suricata's decode.h).
        off = skipToEthertype(d, off, 2 + ETHERNET_HEADER, stats, 'dce.pkt_too_small');
        if (off < 0) return null;
        stats.ethernet++;
        etherType = u16be(d, off - 2);
        continue;
      }
      case ETHERTYPE_PPPOE_DISCOVERY:
        stats.pppoe++;
        return null;
      case ETHERTYPE_ARP:
        stats.arp++;
        return null;
      default:
        stats.unknownEthertype++;
        return null;
    }
  }
}

/**
 * The offset past a header of `length` bytes whose last two are the next ethertype (an inner
 * Ethernet frame's header, a VN-Tag), or -1 when the frame is too short for it (counted as `event`).
 */
function skipToEthertype(d: Uint8Array, off: number, length: number, stats: DecodeStats, event: DecodeEvent): number {
  if (d.length - off < length) {
    countInvalidFrame(stats, event);
    return -1;
  }
  return off + length;
}

import type { DecodedPacket, UdpHeader } from '../types/packet.js';
import { u16be } from './bytes.js';
import { decodeByEthertype } from './decode-frame.js';
import { raiseEvent, type DecodeEvent } from './events.js';
import type { RawFrame } from './raw-frame.js';
import type { DecodeStats } from './stats.js';

/**
 * Tunnels: the packet inside a GRE (with ERSPAN and PPTP's enhanced GRE), IP-in-IP, VXLAN or
 * Geneve packet, decoded as a packet of its own, as Suricata does. Mirrored traffic reaches a
 * sensor this way (ERSPAN from switches, VXLAN from cloud traffic mirroring, Geneve from cloud
 * load balancers), and attackers use tunnels to hide from sensors that only read the outer
 * layer. The outer packet is inspected as it is; the inner one then goes through the whole
 * pipeline (flows, reassembly, detection) with the same capture number and timestamp.
 */

const PROTO_IPIP = 4;
const PROTO_IPV6 = 41;
const PROTO_GRE = 47;

/** Suricata's default ports (`decoder.vxlan.ports`, `decoder.geneve.ports`, `decoder.teredo.ports`). */
export const VXLAN_PORT = 4789;
export const GENEVE_PORT = 6081;
export const TEREDO_PORT = 3544;

/** Layers of tunnels followed inside one frame; deeper ones are counted and not decoded. */
export const MAX_TUNNEL_LAYERS = 8;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
/** GRE payload types (ethertype values). */
const GRE_ETHERNET = 0x6558;
const GRE_ERSPAN_1_2 = 0x88be;
const GRE_ERSPAN_3 = 0x22eb;
const GRE_PPP = 0x880b;

const GRE_CHECKSUM = 0x80;
const GRE_ROUTING = 0x40;
const GRE_KEY = 0x20;
const GRE_SEQUENCE = 0x10;
const GRE_STRICT_ROUTE = 0x08;
const GRE_RECURSION = 0x07;
/** Second byte: PPTP's acknowledgment flag, then reserved flag bits, then the version. */
const GRE_ACK = 0x80;
const GRE_RESERVED_FLAGS = 0x78;

const ETHERNET_HEADER = 14;
const IPV6_HEADER = 40;
/** Teredo (RFC 4380): an origin indication is 0x0000, a port and an address. */
const TEREDO_ORIGIN_INDICATION = 8;
const VXLAN_HEADER = 8;
const GENEVE_HEADER = 8;
const ERSPAN_2_HEADER = 8;
const ERSPAN_3_HEADER = 12;
/** ERSPAN type III: the optional platform-specific subheader that follows when O is set. */
const ERSPAN_3_SUBHEADER = 8;
/** SRE entries read before a GRE routing list is called malformed (bounds the work). */
const MAX_SRE_ENTRIES = 64;

/** Whether the packet may carry a tunnel: a cheap test for every packet before decodeTunnel. */
export function mayCarryTunnel(pkt: DecodedPacket): boolean {
  const ip = pkt.ip;
  if (ip === undefined || pkt.invalid === true) return false;
  if (!ip.reassembled && (ip.moreFragments || ip.fragOffset !== 0)) return false;
  const p = ip.protocol;
  if (p === PROTO_GRE || p === PROTO_IPIP || p === PROTO_IPV6) return true;
  const udp = pkt.udp;
  return udp !== undefined && (udp.dstPort === VXLAN_PORT || onPort(udp, GENEVE_PORT) || onPort(udp, TEREDO_PORT));
}

/** Teredo and Geneve are recognised on either port (replies come from the server's port); VXLAN, as RFC 7348 says, by destination only. */
function onPort(udp: UdpHeader, port: number): boolean {
  return udp.srcPort === port || udp.dstPort === port;
}

/**
 * The packet inside `outer` (see mayCarryTunnel), or null when there is none or it cannot be
 * decoded. Malformed GRE raises Suricata's `gre.*` events on the outer packet (which is then
 * invalid, as in Suricata); a UDP packet on a VXLAN or Geneve port whose header does not check
 * out is simply other traffic on that port. The inner packet's byte views point into the
 * outer packet's payload: they live as long as it does.
 */
export function decodeTunnel(outer: DecodedPacket, stats: DecodeStats): DecodedPacket | null {
  const inner = decodeLayer(outer, stats);
  // Flows are keyed on it: a mirrored copy of traffic also seen natively must not join its flows.
  if (inner !== null) {
    inner.tunnelLayer = (outer.tunnelLayer ?? 0) + 1;
    // Copied: the outer packet's bytes are views of its frame, which the alert may outlive.
    const ip = outer.ip!;
    inner.tunnel = outer.tunnel ?? { src: ip.src.slice(), dst: ip.dst.slice(), protocol: ip.protocol, srcPort: outer.srcPort, dstPort: outer.dstPort };
  }
  return inner;
}

function decodeLayer(outer: DecodedPacket, stats: DecodeStats): DecodedPacket | null {
  const ip = outer.ip!;
  const b = outer.payload;
  switch (ip.protocol) {
    case PROTO_GRE:
      return decodeGre(outer, b, stats);
    case PROTO_IPIP:
      if (ip.version === 6) stats.ipv4InIpv6++;
      return inner(outer, b, 0, ETHERTYPE_IPV4, stats);
    case PROTO_IPV6:
      if (ip.version === 6) stats.ipv6InIpv6++;
      return inner(outer, b, 0, ETHERTYPE_IPV6, stats);
  }
  const udp = outer.udp;
  if (udp === undefined) return null;
  // Suricata's order: a datagram that checks out as one kind is not tried as the next.
  if (onPort(udp, TEREDO_PORT)) {
    const start = teredoStart(b);
    if (start >= 0) {
      stats.teredo++;
      return inner(outer, b, start, ETHERTYPE_IPV6, stats);
    }
  }
  if (onPort(udp, GENEVE_PORT)) {
    const geneve = geneveStart(b);
    if (geneve >= 0) return decodeGeneve(outer, b, geneve, stats);
  }
  if (udp.dstPort === VXLAN_PORT) return decodeVxlan(outer, b, stats);
  return null;
}

/**
 * Where the IPv6 packet of a Teredo datagram starts, or -1 when the datagram is not one. Teredo
 * has no magic number, so, as Suricata does, the inner packet must look like real IPv6 (version
 * 6, a hop limit, a payload length that accounts for exactly the rest of the datagram) before
 * other traffic on the port is taken for a tunnel.
 */
function teredoStart(b: Uint8Array): number {
  let off = 0;
  // An authentication header marks Teredo's qualification exchange with its server, not tunnelled
  // traffic: Suricata leaves such datagrams as plain UDP, and so does kanshi.
  if (b.length >= 2 && b[0] === 0 && b[1] === 1) return -1;
  if (off + 2 <= b.length && b[off] === 0 && b[off + 1] === 0) off += TEREDO_ORIGIN_INDICATION;
  if (off + IPV6_HEADER > b.length || b[off]! >> 4 !== 6) return -1;
  const payloadLength = u16be(b, off + 4);
  const nextHeader = b[off + 6]!;
  const hopLimit = b[off + 7]!;
  if (hopLimit === 0) return -1;
  // A hop-by-hop header needs 8 bytes; less is noise that happens to start with 0x6.
  if (nextHeader === 0 && payloadLength < 8) return -1;
  return off + IPV6_HEADER + payloadLength === b.length ? off : -1;
}

function decodeGre(outer: DecodedPacket, b: Uint8Array, stats: DecodeStats): DecodedPacket | null {
  stats.gre++;
  if (b.length < 4) return fail(outer, stats, 'gre.pkt_too_small');
  const flags = b[0]!;
  const version = b[1]! & 0x07;
  const type = u16be(b, 2);
  if (version === 0) {
    if ((flags & GRE_RECURSION) !== 0) return fail(outer, stats, 'gre.version0_recur');
    if ((b[1]! & (GRE_ACK | GRE_RESERVED_FLAGS)) !== 0) return fail(outer, stats, 'gre.version0_flags');
    let off = 4;
    if ((flags & (GRE_CHECKSUM | GRE_ROUTING)) !== 0) off += 4;
    if ((flags & GRE_KEY) !== 0) off += 4;
    if ((flags & GRE_SEQUENCE) !== 0) off += 4;
    if (off > b.length) return fail(outer, stats, 'gre.version0_hdr_too_big');
    if ((flags & GRE_ROUTING) !== 0) {
      off = skipSourceRoutes(b, off);
      if (off < 0) return fail(outer, stats, 'gre.version0_malformed_sre_hdr');
    }
    return greInner(outer, b, off, type, (flags & GRE_SEQUENCE) !== 0, stats);
  }
  if (version === 1) return decodePptp(outer, b, flags, type, stats);
  return fail(outer, stats, 'gre.wrong_version');
}

/** RFC 1701 source route entries, ended by one with address family 0 and length 0: the offset after them, or -1. */
function skipSourceRoutes(b: Uint8Array, off: number): number {
  for (let n = 0; n < MAX_SRE_ENTRIES; n++) {
    if (off + 4 > b.length) return -1;
    const family = u16be(b, off);
    const length = b[off + 3]!;
    off += 4;
    if (family === 0 && length === 0) return off;
    off += length;
  }
  return -1;
}

function greInner(outer: DecodedPacket, b: Uint8Array, off: number, type: number, sequenced: boolean, stats: DecodeStats): DecodedPacket | null {
  switch (type) {
    case GRE_ETHERNET:
      return ethernetInner(outer, b, off, stats);
    case GRE_ERSPAN_1_2: {
      stats.erspan++;
      // Type I has no ERSPAN header (and no GRE sequence number); type II has both.
      if (!sequenced) return ethernetInner(outer, b, off, stats);
      if (off + ERSPAN_2_HEADER > b.length) return fail(outer, stats, 'erspan.header_too_small');
      if (b[off]! >> 4 !== 1) return fail(outer, stats, 'erspan.unsupported_version');
      return ethernetInner(outer, b, off + ERSPAN_2_HEADER, stats);
    }
    case GRE_ERSPAN_3: {
      stats.erspan++;
      if (off + ERSPAN_3_HEADER > b.length) return fail(outer, stats, 'erspan.header_too_small');
      if (b[off]! >> 4 !== 2) return fail(outer, stats, 'erspan.unsupported_version');
      let at = off + ERSPAN_3_HEADER;
      if ((b[off + 11]! & 0x01) !== 0) at += ERSPAN_3_SUBHEADER;
      if (at > b.length) return fail(outer, stats, 'erspan.header_too_small');
      return ethernetInner(outer, b, at, stats);
    }
    default:
      // Other payload types are ethertypes: IPv4, IPv6, VLAN, MPLS, ...
      return inner(outer, b, off, type, stats);
  }
}

/** PPTP's enhanced GRE (RFC 2637): key (payload length, call id) always, sequence and acknowledgment optional, PPP inside. */
function decodePptp(outer: DecodedPacket, b: Uint8Array, flags: number, type: number, stats: DecodeStats): DecodedPacket | null {
  if ((flags & GRE_CHECKSUM) !== 0) return fail(outer, stats, 'gre.version1_chksum');
  if ((flags & GRE_ROUTING) !== 0) return fail(outer, stats, 'gre.version1_route');
  if ((flags & GRE_STRICT_ROUTE) !== 0) return fail(outer, stats, 'gre.version1_ssr');
  if ((flags & GRE_RECURSION) !== 0) return fail(outer, stats, 'gre.version1_recur');
  if ((b[1]! & GRE_RESERVED_FLAGS) !== 0) return fail(outer, stats, 'gre.version1_flags');
  if ((flags & GRE_KEY) === 0) return fail(outer, stats, 'gre.version1_no_key');
  if (type !== GRE_PPP) return fail(outer, stats, 'gre.version1_wrong_protocol');
  let off = 8;
  if ((flags & GRE_SEQUENCE) !== 0) off += 4;
  if ((b[1]! & GRE_ACK) !== 0) off += 4;
  if (off > b.length) return fail(outer, stats, 'gre.version1_hdr_too_big');
  // An acknowledgment alone carries no payload.
  if (off === b.length) return null;
  stats.ppp++;
  // Address and control bytes may be compressed away, and the protocol to one byte.
  if (off + 2 <= b.length && b[off] === 0xff && b[off + 1] === 0x03) off += 2;
  if (off >= b.length) return null;
  let protocol: number;
  if ((b[off]! & 1) !== 0) protocol = b[off++]!;
  else {
    if (off + 2 > b.length) return null;
    protocol = u16be(b, off);
    off += 2;
  }
  if (protocol === 0x21) return inner(outer, b, off, ETHERTYPE_IPV4, stats);
  if (protocol === 0x57) return inner(outer, b, off, ETHERTYPE_IPV6, stats);
  return null; // PPP control protocols (LCP, IPCP, CCP, ...): nothing for detection
}

function decodeVxlan(outer: DecodedPacket, b: Uint8Array, stats: DecodeStats): DecodedPacket | null {
  // Flags must be exactly "VNI present"; anything else on this port is not VXLAN.
  if (b.length < VXLAN_HEADER + ETHERNET_HEADER || b[0] !== 0x08 || b[1] !== 0 || b[2] !== 0 || b[3] !== 0 || b[7] !== 0) return null;
  stats.vxlan++;
  const type = u16be(b, VXLAN_HEADER + 12);
  if (!knownPayload(type)) {
    raiseEvent(outer, stats, 'vxlan.unknown_payload_type', false);
    return null;
  }
  return ethernetInner(outer, b, VXLAN_HEADER, stats);
}

/** Where a Geneve datagram's payload starts (after its options), or -1 when it is not Geneve version 0. */
function geneveStart(b: Uint8Array): number {
  if (b.length < GENEVE_HEADER || b[0]! >> 6 !== 0) return -1;
  const off = GENEVE_HEADER + (b[0]! & 0x3f) * 4;
  return off > b.length ? -1 : off;
}

function decodeGeneve(outer: DecodedPacket, b: Uint8Array, off: number, stats: DecodeStats): DecodedPacket | null {
  stats.geneve++;
  const type = u16be(b, 2);
  if (type === GRE_ETHERNET) return ethernetInner(outer, b, off, stats);
  if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return inner(outer, b, off, type, stats);
  raiseEvent(outer, stats, 'geneve.unknown_payload_type', false);
  return null;
}

/** Ethertypes an Ethernet payload of a tunnel is decoded for (others, such as ARP, are counted by decodeByEthertype). */
function knownPayload(type: number): boolean {
  return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 || type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x0806 || type === 0x8847;
}

function ethernetInner(outer: DecodedPacket, b: Uint8Array, off: number, stats: DecodeStats): DecodedPacket | null {
  if (off + ETHERNET_HEADER > b.length) {
    raiseEvent(outer, stats, 'ethernet.pkt_too_small', false);
    return null;
  }
  stats.ethernet++;
  return inner(outer, b, off + ETHERNET_HEADER, u16be(b, off + 12), stats);
}

function inner(outer: DecodedPacket, b: Uint8Array, off: number, etherType: number, stats: DecodeStats): DecodedPacket | null {
  const frame: RawFrame = { num: outer.num, tsUs: outer.tsUs, linkType: 0, data: b, wireLength: b.length, interfaceId: 0 };
  return decodeByEthertype(frame, b, off, etherType, stats);
}

function fail(outer: DecodedPacket, stats: DecodeStats, event: DecodeEvent): null {
  raiseEvent(outer, stats, event, true);
  return null;
}

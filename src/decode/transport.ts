import type { DecodedPacket, QuotedPacket } from '../types/packet.js';
import { EMPTY_BYTES, u16be, u32be, view } from './bytes.js';
import { raiseEvent } from './events.js';
import type { DecodeStats } from './stats.js';

/*
 * Transport decoders. Each reads bytes [off, end) of `b` (end = end of the IP payload) and
 * fills the packet's transport fields. On a malformed header they raise an invalid event and
 * leave the transport unset, as Suricata does: the IP layer stays, ports stay 0, payload empty.
 */

const TCP_MIN_HEADER = 20;
const TCP_MAX_OPTIONS = 40;

export function decodeTcp(
  pkt: DecodedPacket,
  b: Uint8Array,
  off: number,
  end: number,
  stats: DecodeStats,
): void {
  stats.tcp++;
  const len = end - off;
  if (len < TCP_MIN_HEADER) {
    raiseEvent(pkt, stats, 'tcp.pkt_too_small', true);
    return;
  }
  const hlen = (b[off + 12]! >> 4) * 4;
  if (len < hlen) {
    raiseEvent(pkt, stats, 'tcp.hlen_too_small', true);
    return;
  }
  // A data offset below 5 leaves a negative option length, which Suricata reports as invalid_optlen.
  const optLen = hlen - TCP_MIN_HEADER;
  if (optLen < 0 || optLen > TCP_MAX_OPTIONS) {
    raiseEvent(pkt, stats, 'tcp.invalid_optlen', true);
    return;
  }
  let options = EMPTY_BYTES;
  if (optLen > 0) {
    options = view(b, off + TCP_MIN_HEADER, off + hlen);
    if (!tcpOptionsWellFormed(b, off + TCP_MIN_HEADER, off + hlen)) {
      raiseEvent(pkt, stats, 'tcp.opt_invalid_len', false);
    }
  }
  const srcPort = u16be(b, off);
  const dstPort = u16be(b, off + 2);
  pkt.tcp = {
    srcPort,
    dstPort,
    seq: u32be(b, off + 4),
    ack: u32be(b, off + 8),
    flags: b[off + 13]!,
    window: u16be(b, off + 14),
    urgent: u16be(b, off + 18),
    headerLength: hlen,
    options,
    raw: b,
    rawStart: off,
    rawEnd: end,
  };
  pkt.srcPort = srcPort;
  pkt.dstPort = dstPort;
  pkt.payload = off + hlen < end ? view(b, off + hlen, end) : EMPTY_BYTES;
}

/** Option kinds 0 (end of list) and 1 (no-op) are one byte; every other option carries a length >= 2. */
function tcpOptionsWellFormed(b: Uint8Array, p: number, end: number): boolean {
  while (p < end) {
    const kind = b[p]!;
    if (kind === 0) return true;
    if (kind === 1) {
      p++;
      continue;
    }
    if (p + 1 >= end) return false;
    const optLen = b[p + 1]!;
    if (optLen < 2 || p + optLen > end) return false;
    p += optLen;
  }
  return true;
}

const UDP_HEADER = 8;

export function decodeUdp(
  pkt: DecodedPacket,
  b: Uint8Array,
  off: number,
  end: number,
  stats: DecodeStats,
): void {
  stats.udp++;
  const len = end - off;
  if (len < UDP_HEADER) {
    raiseEvent(pkt, stats, 'udp.hlen_too_small', true);
    return;
  }
  const udpLen = u16be(b, off + 4);
  if (udpLen > len) {
    raiseEvent(pkt, stats, 'udp.pkt_too_small', true);
    return;
  }
  if (udpLen < UDP_HEADER) {
    raiseEvent(pkt, stats, 'udp.hlen_invalid', true);
    return;
  }
  const srcPort = u16be(b, off);
  const dstPort = u16be(b, off + 2);
  pkt.udp = { srcPort, dstPort, length: udpLen };
  pkt.srcPort = srcPort;
  pkt.dstPort = dstPort;
  // Bytes after the UDP length are trailer the receiving stack ignores, so rules must not see them.
  pkt.payload = udpLen > UDP_HEADER ? view(b, off + UDP_HEADER, off + udpLen) : EMPTY_BYTES;
}

const SCTP_COMMON_HEADER = 12;

/** SCTP: the common header's ports and verification tag; the chunks after it are the payload. */
export function decodeSctp(
  pkt: DecodedPacket,
  b: Uint8Array,
  off: number,
  end: number,
  stats: DecodeStats,
): void {
  stats.sctp++;
  if (end - off < SCTP_COMMON_HEADER) {
    raiseEvent(pkt, stats, 'sctp.pkt_too_small', true);
    return;
  }
  const srcPort = u16be(b, off);
  const dstPort = u16be(b, off + 2);
  pkt.sctp = { srcPort, dstPort, verificationTag: u32be(b, off + 4) };
  pkt.srcPort = srcPort;
  pkt.dstPort = dstPort;
  pkt.payload = off + SCTP_COMMON_HEADER < end ? view(b, off + SCTP_COMMON_HEADER, end) : EMPTY_BYTES;
}

const ICMP_HEADER = 8;

/** ICMPv4 types whose second header word is an identifier and a sequence number. */
function icmpv4HasIdSeq(type: number): boolean {
  return type === 0 || type === 8 || (type >= 13 && type <= 18);
}

function icmpv4KnownType(type: number): boolean {
  return type === 0 || (type >= 3 && type <= 5) || (type >= 8 && type <= 18);
}

/** Destination unreachable, source quench, redirect, time exceeded, parameter problem: Suricata's ICMPV4_IS_ERROR_MSG. */
export function icmpv4IsError(type: number): boolean {
  return (type >= 3 && type <= 5) || type === 11 || type === 12;
}

const PROTO_TCP = 6;
const PROTO_UDP = 17;
/** Suricata's DecodePartialIPV4 reads the quoted transport at this fixed offset, whatever the quoted IHL. */
const QUOTED_IP_HEADER = 20;
/** It ties the error to the quoted TCP packet only with the whole 20-byte TCP header quoted (emb_tcph). */
const QUOTED_TCP = 20;
/** ... and to a UDP packet with its 8-byte header (emb_udph). */
const QUOTED_UDP = 8;

/**
 * Whether Suricata's DecodeICMPV4 decodes the packet an error of this type and code quotes:
 * destination unreachable up to code 15, source quench and parameter problem with code 0,
 * redirect up to code 3, time exceeded up to code 1.
 */
function icmpv4QuotesPacket(type: number, code: number): boolean {
  switch (type) {
    case 3:
      return code <= 15;
    case 4:
    case 12:
      return code === 0;
    case 5:
      return code <= 3;
    case 11:
      return code <= 1;
    default:
      return false;
  }
}

/**
 * The TCP or UDP tuple of the IPv4 packet quoted by an ICMP error (its bytes [off, end)), or
 * undefined when Suricata's DecodePartialIPV4 would not set the embedded TCP or UDP header:
 * stream/ uses it to give the error the flow of the packet it reports on. As in Suricata, the
 * transport header is read right after the first 20 bytes (IP options in the quoted header are
 * not skipped) and must be quoted whole (20 bytes for TCP, 8 for UDP).
 */
function quotedPacket(b: Uint8Array, off: number, end: number): QuotedPacket | undefined {
  if (end - off < QUOTED_IP_HEADER || b[off]! >> 4 !== 4) return undefined;
  const protocol = b[off + 9]!;
  let need: number;
  if (protocol === PROTO_TCP) need = QUOTED_TCP;
  else if (protocol === PROTO_UDP) need = QUOTED_UDP;
  else return undefined;
  // A later fragment carries no transport header: its first bytes are not ports.
  if ((u16be(b, off + 6) & 0x1fff) !== 0) return undefined;
  const t = off + QUOTED_IP_HEADER;
  if (t + need > end) return undefined;
  return { src: view(b, off + 12, off + 16), dst: view(b, off + 16, off + 20), protocol, srcPort: u16be(b, t), dstPort: u16be(b, t + 2) };
}

const ICMP_TIMESTAMP = 13;
const ICMP_TIMESTAMP_REPLY = 14;
const ICMP_ROUTER_ADVERT = 9;
/** Originate, receive and transmit timestamps after the 8-byte header (Suricata's ICMPV4Timestamp). */
const ICMP_TIMESTAMP_FIELDS = 12;

export function decodeIcmpv4(
  pkt: DecodedPacket,
  b: Uint8Array,
  off: number,
  end: number,
  stats: DecodeStats,
): void {
  stats.icmpv4++;
  const len = end - off;
  if (len < ICMP_HEADER) {
    raiseEvent(pkt, stats, 'icmpv4.pkt_too_small', true);
    return;
  }
  const type = b[off]!;
  const code = b[off + 1]!;
  if (!icmpv4KnownType(type)) raiseEvent(pkt, stats, 'icmpv4.unknown_type', false);
  const idSeq = icmpv4HasIdSeq(type);
  pkt.icmp = {
    v6: false,
    type,
    code,
    id: idSeq ? u16be(b, off + 4) : 0,
    seq: idSeq ? u16be(b, off + 6) : 0,
  };
  // Suricata's payload starts after icmpv4vars.hlen: the 8-byte header, plus the timestamps of a
  // timestamp request or reply and the address list of a router advertisement when they fit.
  let hlen = ICMP_HEADER;
  if (type === ICMP_TIMESTAMP || type === ICMP_TIMESTAMP_REPLY) {
    if (len >= ICMP_HEADER + ICMP_TIMESTAMP_FIELDS) hlen += ICMP_TIMESTAMP_FIELDS;
  } else if (type === ICMP_ROUTER_ADVERT) {
    const advertLen = b[off + 4]! * b[off + 5]! * 4; // number of addresses * entry size in 32-bit words
    if (len >= ICMP_HEADER + advertLen) hlen += advertLen;
  } else if (icmpv4IsError(type) && icmpv4QuotesPacket(type, code)) {
    const quoted = quotedPacket(b, off + ICMP_HEADER, end);
    if (quoted !== undefined) pkt.icmp.quoted = quoted;
  }
  pkt.payload = off + hlen < end ? view(b, off + hlen, end) : EMPTY_BYTES;
}

export function decodeIcmpv6(
  pkt: DecodedPacket,
  b: Uint8Array,
  off: number,
  end: number,
  stats: DecodeStats,
): void {
  stats.icmpv6++;
  if (end - off < ICMP_HEADER) {
    raiseEvent(pkt, stats, 'icmpv6.pkt_too_small', true);
    return;
  }
  const type = b[off]!;
  const echo = type === 128 || type === 129;
  pkt.icmp = {
    v6: true,
    type,
    code: b[off + 1]!,
    id: echo ? u16be(b, off + 4) : 0,
    seq: echo ? u16be(b, off + 6) : 0,
  };
  if (type === ICMPV6_PACKET_TOO_BIG) pkt.icmp.mtu = u16be(b, off + 4) * 65536 + u16be(b, off + 6);
  pkt.payload = off + ICMP_HEADER < end ? view(b, off + ICMP_HEADER, end) : EMPTY_BYTES;
}

const ICMPV6_PACKET_TOO_BIG = 2;

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
/** RFC 792: an error quotes the IP header and at least the first 8 bytes of its payload, enough for the ports. */
const QUOTED_TRANSPORT = 8;

/**
 * The TCP or UDP tuple of the IPv4 packet quoted by an ICMP error (its bytes [off, end)), or
 * undefined when no such packet is quoted whole enough to tell: stream/ uses it to give the
 * error the flow of the packet it reports on.
 */
function quotedPacket(b: Uint8Array, off: number, end: number): QuotedPacket | undefined {
  if (end - off < 20 || b[off]! >> 4 !== 4) return undefined;
  const hlen = (b[off]! & 0x0f) * 4;
  const protocol = b[off + 9]!;
  if (hlen < 20 || (protocol !== PROTO_TCP && protocol !== PROTO_UDP)) return undefined;
  // A later fragment carries no transport header: its first bytes are not ports.
  if ((u16be(b, off + 6) & 0x1fff) !== 0) return undefined;
  const t = off + hlen;
  if (t + QUOTED_TRANSPORT > end) return undefined;
  return { src: view(b, off + 12, off + 16), dst: view(b, off + 16, off + 20), protocol, srcPort: u16be(b, t), dstPort: u16be(b, t + 2) };
}

export function decodeIcmpv4(
  pkt: DecodedPacket,
  b: Uint8Array,
  off: number,
  end: number,
  stats: DecodeStats,
): void {
  stats.icmpv4++;
  if (end - off < ICMP_HEADER) {
    raiseEvent(pkt, stats, 'icmpv4.pkt_too_small', true);
    return;
  }
  const type = b[off]!;
  if (!icmpv4KnownType(type)) raiseEvent(pkt, stats, 'icmpv4.unknown_type', false);
  const idSeq = icmpv4HasIdSeq(type);
  pkt.icmp = {
    v6: false,
    type,
    code: b[off + 1]!,
    id: idSeq ? u16be(b, off + 4) : 0,
    seq: idSeq ? u16be(b, off + 6) : 0,
  };
  if (icmpv4IsError(type)) {
    const quoted = quotedPacket(b, off + ICMP_HEADER, end);
    if (quoted !== undefined) pkt.icmp.quoted = quoted;
  }
  pkt.payload = off + ICMP_HEADER < end ? view(b, off + ICMP_HEADER, end) : EMPTY_BYTES;
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

import type { DecodedPacket, IpHeader } from '../types/packet.js';
import { EMPTY_BYTES, u16be, u32be, view } from './bytes.js';
import { countInvalidFrame, raiseEvent } from './events.js';
import { newPacket } from './packet.js';
import type { DecodeStats } from './stats.js';
import { decodeIcmpv4, decodeIcmpv6, decodeSctp, decodeTcp, decodeUdp } from './transport.js';

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_SCTP = 132;

const IPV4_MIN_HEADER = 20;
const IPV6_HEADER = 40;

/** What a caller that already decoded the link layer (or rebuilt a datagram) knows about the packet. */
export interface DatagramBase {
  num: number;
  tsUs: number;
  frame: Uint8Array;
  wireLength: number;
  vlans: number[];
}

/**
 * Decodes an IP datagram (IPv4 or IPv6, chosen by the version nibble) and its transport.
 * Used for datagrams rebuilt from fragments; the returned packet's byte fields are views of
 * `bytes`. Returns null (counted as ipraw.invalid_ip_version) when the bytes are not IP at all.
 * Does not count decoder.pkts/bytes: the frame the datagram came from was counted already.
 */
export function decodeIpDatagram(
  bytes: Uint8Array,
  base: DatagramBase,
  stats: DecodeStats,
): DecodedPacket | null {
  const version = bytes.length > 0 ? bytes[0]! >> 4 : 0;
  if (version !== 4 && version !== 6) {
    countInvalidFrame(stats, 'ipraw.invalid_ip_version');
    return null;
  }
  const pkt = newPacket(base.num, base.tsUs, base.frame, base.wireLength, base.vlans);
  if (version === 4) decodeIpv4Into(pkt, bytes, 0, bytes.length, stats);
  else decodeIpv6Into(pkt, bytes, 0, bytes.length, stats);
  return pkt;
}

/**
 * IPv4 header at b[off..end). An invalid header leaves pkt.ip unset (Suricata drops the
 * whole layer); fragments get the IP layer and their raw payload but no transport.
 */
export function decodeIpv4Into(
  pkt: DecodedPacket,
  b: Uint8Array,
  off: number,
  end: number,
  stats: DecodeStats,
): void {
  stats.ipv4++;
  const len = end - off;
  if (len < IPV4_MIN_HEADER) {
    raiseEvent(pkt, stats, 'ipv4.pkt_too_small', true);
    return;
  }
  const vihl = b[off]!;
  if (vihl >> 4 !== 4) {
    raiseEvent(pkt, stats, 'ipv4.wrong_ip_version', true);
    return;
  }
  const hlen = (vihl & 0x0f) * 4;
  if (hlen < IPV4_MIN_HEADER) {
    raiseEvent(pkt, stats, 'ipv4.hlen_too_small', true);
    return;
  }
  const totalLength = u16be(b, off + 2);
  if (totalLength < hlen) {
    raiseEvent(pkt, stats, 'ipv4.iplen_smaller_than_hlen', true);
    return;
  }
  if (totalLength > len) {
    raiseEvent(pkt, stats, 'ipv4.trunc_pkt', true);
    return;
  }
  let options: number[] = NO_OPTIONS;
  if (hlen > IPV4_MIN_HEADER) {
    options = [];
    if (!readIpv4Options(pkt, b, off + IPV4_MIN_HEADER, off + hlen, options, stats)) return;
  }
  const flagsOffset = u16be(b, off + 6);
  const protocol = b[off + 9]!;
  const dgramEnd = off + totalLength;
  const moreFragments = (flagsOffset & 0x2000) !== 0;
  const fragOffset = (flagsOffset & 0x1fff) * 8;
  pkt.ip = {
    version: 4,
    src: view(b, off + 12, off + 16),
    dst: view(b, off + 16, off + 20),
    protocol,
    ttl: b[off + 8]!,
    tos: b[off + 1]!,
    id: u16be(b, off + 4),
    reservedBit: (flagsOffset & 0x8000) !== 0,
    dontFragment: (flagsOffset & 0x4000) !== 0,
    moreFragments,
    fragOffset,
    options,
    headerLength: hlen,
    totalLength,
    reassembled: false,
    datagram: off === 0 && dgramEnd === b.length ? b : view(b, off, dgramEnd),
    fragHeaderOffset: undefined,
    extHeaders: undefined,
  };
  const payloadOff = off + hlen;
  if (moreFragments || fragOffset > 0) {
    // Transport headers are only decoded once defragmentation has rebuilt the datagram.
    stats.ipv4Frag++;
    pkt.payload = payloadOff < dgramEnd ? view(b, payloadOff, dgramEnd) : EMPTY_BYTES;
    return;
  }
  if (protocol === IPPROTO_ICMPV6) {
    raiseEvent(pkt, stats, 'ipv4.icmpv6', true);
    return;
  }
  decodeTransport(pkt, protocol, b, payloadOff, dgramEnd, stats);
}

const NO_OPTIONS: number[] = Object.freeze([] as number[]) as number[];

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_RR = 0x07;
const OPT_QS = 0x19;
const OPT_TS = 0x44;
const OPT_SEC = 0x82;
const OPT_LSRR = 0x83;
const OPT_CIPSO = 0x86;
const OPT_SID = 0x88;
const OPT_SSRR = 0x89;
const OPT_RTRALT = 0x94;

/**
 * Suricata's DecodeIPV4Options. `out` receives, in order, the type codes Suricata records in
 * its options-set flags (what `ipopts` matches): end of list, no-op, and each known option
 * (RR, QS, TS, SEC, LSRR, CIPSO, SID, SSRR, router alert) that passes validation, first
 * occurrence only (a repeat raises ipv4.opt_duplicate); other option types are kept too, with
 * ipv4.opt_invalid, and decoding goes on. Returns false (the IP layer is dropped) only when an option's length byte is
 * below 2 (ipv4.opt_invalid_len) or runs past the options (Suricata: opt_invalid_len too; kanshi
 * keeps its older name ipv4.opt_malformed there). A known option that fails
 * validation raises ipv4.opt_invalid_len or ipv4.opt_malformed (the packet is invalid) but
 * decoding goes on without its code; a multi-byte option type in the last byte (no room for a
 * length) ends the list with ipv4.opt_eol_required and decoding goes on. Options whose length is not a
 * multiple of 8 raise ipv4.opt_pad_required (not invalid), as in Suricata.
 */
function readIpv4Options(
  pkt: DecodedPacket,
  b: Uint8Array,
  p: number,
  end: number,
  out: number[],
  stats: DecodeStats,
): boolean {
  // Options not filling a multiple of 8 bytes: Suricata warns and goes on.
  if ((end - p) % 8 !== 0) raiseEvent(pkt, stats, 'ipv4.opt_pad_required', false);
  let seen = 0; // known options met already, one bit each (duplicates are skipped)
  while (p < end) {
    const type = b[p]!;
    if (type === OPT_EOL) {
      out.push(type);
      return true; // the rest is padding
    }
    if (type === OPT_NOP) {
      out.push(type);
      p++;
      continue;
    }
    if (p + 1 >= end) {
      raiseEvent(pkt, stats, 'ipv4.opt_eol_required', false); // no room for the length
      return true;
    }
    const optLen = b[p + 1]!;
    // Suricata raises ipv4.opt_invalid_len for both; kanshi has long named the overrun
    // ipv4.opt_malformed (rules and test/match rely on it), so that name stays.
    if (optLen < 2 || p + optLen > end) {
      raiseEvent(pkt, stats, optLen < 2 ? 'ipv4.opt_invalid_len' : 'ipv4.opt_malformed', true);
      return false;
    }
    const bit = knownOptionBit(type);
    if (bit === 0) {
      raiseEvent(pkt, stats, 'ipv4.opt_invalid', false);
      out.push(type);
    } else if ((seen & bit) !== 0) raiseEvent(pkt, stats, 'ipv4.opt_duplicate', false);
    else {
      seen |= bit;
      if (ipv4OptionValid(pkt, b, p, optLen, type, stats)) out.push(type);
    }
    p += optLen;
  }
  return true;
}

function knownOptionBit(type: number): number {
  switch (type) {
    case OPT_RR:
      return 1;
    case OPT_QS:
      return 2;
    case OPT_TS:
      return 4;
    case OPT_SEC:
      return 8;
    case OPT_LSRR:
      return 16;
    case OPT_CIPSO:
      return 32;
    case OPT_SID:
      return 64;
    case OPT_SSRR:
      return 128;
    case OPT_RTRALT:
      return 256;
    default:
      return 0;
  }
}

/** Suricata's IPV4OptValidate* for the option of `len` bytes at b[p]; raises the event when not valid. */
function ipv4OptionValid(pkt: DecodedPacket, b: Uint8Array, p: number, len: number, type: number, stats: DecodeStats): boolean {
  let minLen: number;
  let exactLen = 0;
  switch (type) {
    case OPT_RR:
    case OPT_LSRR:
    case OPT_SSRR:
      minLen = 3;
      break;
    case OPT_TS:
      minLen = 5;
      break;
    case OPT_CIPSO:
      minLen = 10;
      break;
    case OPT_QS:
      minLen = 8;
      break;
    case OPT_SEC:
      minLen = exactLen = 11;
      break;
    default: // SID, router alert
      minLen = exactLen = 4;
  }
  if (len < minLen || (exactLen !== 0 && len !== exactLen)) {
    raiseEvent(pkt, stats, 'ipv4.opt_invalid_len', true);
    return false;
  }
  let ok = true;
  if (type === OPT_RR || type === OPT_LSRR || type === OPT_SSRR) {
    // The 1-based pointer is past type, length and pointer, a multiple of 4, and inside the option.
    const ptr = b[p + 2]!;
    ok = ptr >= 4 && ptr % 4 === 0 && ptr <= len + 1;
  } else if (type === OPT_TS) {
    const ptr = b[p + 2]!;
    // Suricata reads the flag at data + 3 (the option's sixth byte), not in the overflow/flag byte.
    const flag = p + 5 < b.length ? b[p + 5]! : 0;
    const recSize = flag === 1 || flag === 3 ? 8 : 4;
    ok = ptr >= 5 && (ptr - 5) % recSize === 0 && ptr <= len + 1;
  } else if (type === OPT_CIPSO) {
    ok = cipsoTagsValid(b, p + 6, len - 6);
  }
  if (!ok) raiseEvent(pkt, stats, 'ipv4.opt_malformed', true);
  return ok;
}

/** IPV4OptValidateCIPSO's walk of the tags after the 4-byte domain of interpretation. */
function cipsoTagsValid(b: Uint8Array, t: number, len: number): boolean {
  while (len > 0) {
    if (len < 2) return false;
    const ttype = b[t]!;
    const tlen = b[t + 1]!;
    t += 2;
    if (tlen > len) return false;
    if (ttype !== 1 && ttype !== 2 && ttype !== 5 && ttype !== 6 && ttype !== 7) return false;
    if (tlen < 4) return false;
    if (ttype !== 7 && b[t] !== 0) return false;
    t += tlen - 2;
    len -= tlen;
  }
  return true;
}

/** Extension headers walked in the IPv6 chain (others end it and are treated as the transport). */
const EH_HOP_BY_HOP = 0;
const EH_ROUTING = 43;
const EH_FRAGMENT = 44;
const EH_ESP = 50;
const EH_AH = 51;
const EH_NONE = 59;
const EH_DEST_OPTS = 60;
const EH_MOBILITY = 135;
const EH_HIP = 139;
const EH_SHIM6 = 140;

/**
 * IPv6 header and extension chain at b[off..end). An invalid fixed header leaves pkt.ip
 * unset; a broken extension header keeps the IP layer and drops what follows it.
 */
export function decodeIpv6Into(
  pkt: DecodedPacket,
  b: Uint8Array,
  off: number,
  end: number,
  stats: DecodeStats,
): void {
  stats.ipv6++;
  const len = end - off;
  if (len < IPV6_HEADER) {
    raiseEvent(pkt, stats, 'ipv6.pkt_too_small', true);
    return;
  }
  const word0 = u32be(b, off);
  if (word0 >>> 28 !== 6) {
    raiseEvent(pkt, stats, 'ipv6.wrong_ip_version', true);
    return;
  }
  const payloadLength = u16be(b, off + 4);
  if (IPV6_HEADER + payloadLength > len) {
    raiseEvent(pkt, stats, 'ipv6.trunc_pkt', true);
    return;
  }
  const dgramEnd = off + IPV6_HEADER + payloadLength;
  let nh = b[off + 6]!;
  const ip: IpHeader = {
    version: 6,
    src: view(b, off + 8, off + 24),
    dst: view(b, off + 24, off + 40),
    protocol: nh,
    ttl: b[off + 7]!,
    tos: (word0 >>> 20) & 0xff,
    id: 0,
    reservedBit: false,
    dontFragment: false,
    moreFragments: false,
    fragOffset: 0,
    options: NO_OPTIONS,
    headerLength: IPV6_HEADER,
    totalLength: IPV6_HEADER + payloadLength,
    reassembled: false,
    datagram: off === 0 && dgramEnd === b.length ? b : view(b, off, dgramEnd),
    fragHeaderOffset: undefined,
    extHeaders: undefined,
  };
  pkt.ip = ip;

  let p = off + IPV6_HEADER;
  let seen = 0; // bit per extension header kind, to flag duplicates
  let destOpts = 0;
  for (;;) {
    if (!isExtensionHeader(nh)) break;
    if (nh === EH_ESP || nh === EH_NONE) {
      // Nothing after these can be parsed: ESP is encrypted, "no next header" means nothing.
      if (nh === EH_NONE && p < dgramEnd) raiseEvent(pkt, stats, 'ipv6.data_after_none_header', false);
      break;
    }
    if (p + 8 > dgramEnd) {
      raiseEvent(pkt, stats, 'ipv6.trunc_exthdr', true);
      return;
    }
    const hdrLen = nh === EH_FRAGMENT ? 8 : nh === EH_AH ? (b[p + 1]! + 2) * 4 : (b[p + 1]! + 1) * 8;
    if (p + hdrLen > dgramEnd) {
      raiseEvent(pkt, stats, 'ipv6.trunc_exthdr', true);
      return;
    }
    (ip.extHeaders ??= []).push(nh);
    const bit = extHeaderBit(nh);
    if (nh === EH_DEST_OPTS) {
      // Two are allowed (before a routing header, and before the upper layer); a third is one
      // too many, as Suricata counts them.
      if (++destOpts === 3) raiseEvent(pkt, stats, duplicateEvent(nh), false);
    } else if ((seen & bit) !== 0) raiseEvent(pkt, stats, duplicateEvent(nh), false);
    seen |= bit;
    const next = b[p]!;
    if (nh === EH_HOP_BY_HOP || nh === EH_DEST_OPTS) {
      if (!tlvOptionsFit(b, p + 2, p + hdrLen)) {
        raiseEvent(pkt, stats, 'ipv6.exthdr_invalid_optlen', true);
        ip.protocol = next;
        ip.headerLength = p + hdrLen - off;
        return;
      }
    } else if (nh === EH_ROUTING) {
      if (b[p + 2] === 0) raiseEvent(pkt, stats, 'ipv6.rh_type_0', false);
    } else if (nh === EH_FRAGMENT) {
      const offsetFlags = u16be(b, p + 2);
      const fragOffset = offsetFlags & 0xfff8;
      const more = (offsetFlags & 1) !== 0;
      ip.id = u32be(b, p + 4);
      if (fragOffset !== 0 || more) {
        // A real fragment: what follows is a piece of the fragmentable part, left to defragmentation.
        stats.ipv6Frag++;
        ip.fragHeaderOffset = p - off;
        ip.fragOffset = fragOffset;
        ip.moreFragments = more;
        // As Suricata (IPV6_SET_L4PROTO with the fragment header's own number): a fragment's
        // protocol is 44, so ip_proto:44 matches it and protocol rules only the rebuilt datagram.
        // The fragment header's next header stays in the bytes (datagram[fragHeaderOffset]).
        ip.protocol = EH_FRAGMENT;
        ip.headerLength = p + 8 - off;
        pkt.payload = p + 8 < dgramEnd ? view(b, p + 8, dgramEnd) : EMPTY_BYTES;
        return;
      }
      // An atomic fragment (offset 0, no more fragments) carries the whole datagram.
      ip.fragHeaderOffset = p - off;
      raiseEvent(pkt, stats, 'ipv6.exthdr_useless_fh', false);
    }
    nh = next;
    p += hdrLen;
  }
  ip.protocol = nh;
  ip.headerLength = p - off;
  if (nh === IPPROTO_ICMP) {
    raiseEvent(pkt, stats, 'ipv6.icmpv4', true);
    return;
  }
  decodeTransport(pkt, nh, b, p, dgramEnd, stats);
}

function isExtensionHeader(nh: number): boolean {
  return (
    nh === EH_HOP_BY_HOP ||
    nh === EH_ROUTING ||
    nh === EH_FRAGMENT ||
    nh === EH_DEST_OPTS ||
    nh === EH_AH ||
    nh === EH_ESP ||
    nh === EH_NONE ||
    nh === EH_MOBILITY ||
    nh === EH_HIP ||
    nh === EH_SHIM6
  );
}

function extHeaderBit(nh: number): number {
  switch (nh) {
    case EH_HOP_BY_HOP:
      return 1;
    case EH_ROUTING:
      return 2;
    case EH_FRAGMENT:
      return 4;
    case EH_DEST_OPTS:
      return 8;
    case EH_AH:
      return 16;
    default:
      return 0;
  }
}

function duplicateEvent(nh: number) {
  switch (nh) {
    case EH_HOP_BY_HOP:
      return 'ipv6.exthdr_dupl_hh' as const;
    case EH_ROUTING:
      return 'ipv6.exthdr_dupl_rh' as const;
    case EH_FRAGMENT:
      return 'ipv6.exthdr_dupl_fh' as const;
    case EH_AH:
      return 'ipv6.exthdr_dupl_ah' as const;
    default:
      return 'ipv6.exthdr_dupl_dh' as const;
  }
}

/** Hop-by-hop and destination options are type-length-value records; Pad1 (type 0) is a lone byte. */
function tlvOptionsFit(b: Uint8Array, p: number, end: number): boolean {
  while (p < end) {
    if (b[p] === 0) {
      p++;
      continue;
    }
    if (p + 2 > end) return false;
    p += 2 + b[p + 1]!;
  }
  return p === end;
}

function decodeTransport(
  pkt: DecodedPacket,
  protocol: number,
  b: Uint8Array,
  off: number,
  end: number,
  stats: DecodeStats,
): void {
  switch (protocol) {
    case IPPROTO_TCP:
      decodeTcp(pkt, b, off, end, stats);
      return;
    case IPPROTO_UDP:
      decodeUdp(pkt, b, off, end, stats);
      return;
    case IPPROTO_ICMP:
      decodeIcmpv4(pkt, b, off, end, stats);
      return;
    case IPPROTO_ICMPV6:
      decodeIcmpv6(pkt, b, off, end, stats);
      return;
    case IPPROTO_SCTP:
      decodeSctp(pkt, b, off, end, stats);
      return;
    default:
      pkt.payload = off < end ? view(b, off, end) : EMPTY_BYTES;
  }
}

/**
 * Builds the unfragmented datagram a reassembler delivers: the first fragment's header
 * (IPv4: flags and offset cleared, lengths and checksum fixed; IPv6: the fragment header
 * removed from the chain) followed by `data`, the reassembled fragmentable part.
 * Returns null when the result would exceed the 65535-byte length field.
 */
export function rebuildDatagram(first: IpHeader, data: Uint8Array): Uint8Array | null {
  const dgram = first.datagram;
  if (dgram === undefined) return null;
  if (first.version === 4) {
    const hlen = first.headerLength;
    const total = hlen + data.length;
    if (total > 0xffff || hlen > dgram.length) return null;
    const out = new Uint8Array(total);
    out.set(dgram.subarray(0, hlen), 0);
    out.set(data, hlen);
    out[2] = total >> 8;
    out[3] = total & 0xff;
    out[6] = out[6]! & 0x40; // keep DF; clear MF, the reserved bit and the offset
    out[7] = 0;
    out[10] = 0;
    out[11] = 0;
    const sum = internetChecksum(out, 0, hlen);
    out[10] = sum >> 8;
    out[11] = sum & 0xff;
    return out;
  }
  const fh = first.fragHeaderOffset;
  if (fh === undefined || fh < IPV6_HEADER || fh > dgram.length) return null;
  const payloadLength = fh - IPV6_HEADER + data.length;
  if (payloadLength > 0xffff) return null;
  const out = new Uint8Array(fh + data.length);
  out.set(dgram.subarray(0, fh), 0);
  out.set(data, fh);
  out[4] = payloadLength >> 8;
  out[5] = payloadLength & 0xff;
  // The header whose next-header field pointed at the fragment header now points past it.
  let nextField = 6;
  let p = IPV6_HEADER;
  while (p < fh) {
    const nh = out[nextField]!;
    nextField = p;
    p += nh === EH_AH ? (out[p + 1]! + 2) * 4 : (out[p + 1]! + 1) * 8;
  }
  out[nextField] = dgram[fh]!; // the fragment header's next header
  return out;
}

/** RFC 1071 ones' complement sum of b[off..end), folded and complemented. */
export function internetChecksum(b: Uint8Array, off: number, end: number): number {
  let sum = 0;
  let i = off;
  for (; i + 1 < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i < end) sum += b[i]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

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
} from '../types/link-types.js';
import { macFor, parseEndpoint } from './addr.js';
import { type Bytes, put16, put32 } from './bytes.js';
import {
  type Address,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ethernetFrame,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_UDP,
  icmpBytes,
  ipBytes,
  ipv4Datagram,
  ipv6Datagram,
  type Ipv6ExtHeader,
  udpBytes,
} from './layers.js';

/** One packet ready to be written to a capture. */
export interface BuiltPacket {
  /** Capture time in microseconds since the Unix epoch. */
  tsUs: number;
  /** Nanoseconds past tsUs (0-999), kept by nanosecond-resolution writers. */
  extraNs?: number;
  /** The frame, link header included. */
  frame: Uint8Array;
  /** LINKTYPE_* of the frame (default 1, Ethernet). */
  linkType?: number;
  /** Original length on the wire when the frame is meant to look snapped (default frame length). */
  wireLength?: number;
}

/** Link-layer framing shared by the builders: Ethernet with optional VLAN tags. */
export interface LinkOptions {
  vlans?: readonly number[];
  srcMac?: Uint8Array | string;
  dstMac?: Uint8Array | string;
}

/** Wraps an IP datagram (v4 or v6 by its version nibble) in an Ethernet frame. */
export function ipPacket(datagram: Uint8Array, tsUs: number, link: LinkOptions = {}): BuiltPacket {
  const v6 = datagram.length > 0 && datagram[0]! >> 4 === 6;
  const src = v6 ? datagram.subarray(8, 24) : datagram.subarray(12, 16);
  const dst = v6 ? datagram.subarray(24, 40) : datagram.subarray(16, 20);
  const frame = ethernetFrame({
    src: link.srcMac ?? macFor(src),
    dst: link.dstMac ?? macFor(dst),
    etherType: v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4,
    payload: datagram,
    vlans: link.vlans ?? [],
  });
  return { tsUs, frame, linkType: LINKTYPE_ETHERNET };
}

export interface IpDatagramSpec {
  src: Address;
  dst: Address;
  protocol: number;
  payload: Bytes;
  ttl?: number;
  /** IPv4 identification. */
  id?: number;
  dontFragment?: boolean;
  /** IPv4 options (raw bytes). */
  options?: Bytes;
  /** IPv6 extension headers. */
  extHeaders?: Ipv6ExtHeader[];
}

/** An IPv4 or IPv6 datagram, chosen by the address family. */
export function ipDatagram(spec: IpDatagramSpec): Uint8Array {
  const src = ipBytes(spec.src);
  const dst = ipBytes(spec.dst);
  if (src.length !== dst.length) throw new Error('source and destination are of different IP versions');
  if (src.length === 16) {
    return ipv6Datagram({
      src,
      dst,
      nextHeader: spec.protocol,
      payload: spec.payload,
      hopLimit: spec.ttl ?? 64,
      extHeaders: spec.extHeaders ?? [],
    });
  }
  return ipv4Datagram({
    src,
    dst,
    protocol: spec.protocol,
    payload: spec.payload,
    ttl: spec.ttl ?? 64,
    id: spec.id ?? 0,
    dontFragment: spec.dontFragment ?? false,
    ...(spec.options !== undefined ? { options: spec.options } : {}),
  });
}

export interface UdpPacketSpec extends LinkOptions {
  /** "ip:port" or "[ipv6]:port". */
  src: string;
  dst: string;
  payload?: Bytes;
  tsUs: number;
  ttl?: number;
  id?: number;
}

export function udpPacket(spec: UdpPacketSpec): BuiltPacket {
  const s = parseEndpoint(spec.src);
  const d = parseEndpoint(spec.dst);
  const udp = udpBytes({ srcPort: s.port, dstPort: d.port, payload: spec.payload ?? '' }, s.ip, d.ip);
  const dgram = ipDatagram({
    src: s.ip,
    dst: d.ip,
    protocol: IPPROTO_UDP,
    payload: udp,
    ...(spec.ttl !== undefined ? { ttl: spec.ttl } : {}),
    ...(spec.id !== undefined ? { id: spec.id } : {}),
  });
  return ipPacket(dgram, spec.tsUs, spec);
}

export interface IcmpPacketSpec extends LinkOptions {
  src: Address;
  dst: Address;
  type: number;
  code?: number;
  id?: number;
  seq?: number;
  payload?: Bytes;
  tsUs: number;
  ttl?: number;
}

/** ICMPv4, or ICMPv6 when the addresses are IPv6. */
export function icmpPacket(spec: IcmpPacketSpec): BuiltPacket {
  const src = ipBytes(spec.src);
  const dst = ipBytes(spec.dst);
  const v6 = src.length === 16;
  const icmp = icmpBytes(
    { type: spec.type, code: spec.code ?? 0, id: spec.id ?? 0, seq: spec.seq ?? 0, payload: spec.payload ?? '' },
    src,
    dst,
  );
  const dgram = ipDatagram({
    src,
    dst,
    protocol: v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
    payload: icmp,
    ...(spec.ttl !== undefined ? { ttl: spec.ttl } : {}),
  });
  return ipPacket(dgram, spec.tsUs, spec);
}

export interface IcmpEchoSpec extends LinkOptions {
  src: Address;
  dst: Address;
  id: number;
  seq: number;
  payload?: Bytes;
  reply?: boolean;
  tsUs: number;
}

/** Echo request (or reply): type 8/0 for ICMPv4, 128/129 for ICMPv6. */
export function icmpEcho(spec: IcmpEchoSpec): BuiltPacket {
  const v6 = ipBytes(spec.src).length === 16;
  const type = v6 ? (spec.reply === true ? 129 : 128) : spec.reply === true ? 0 : 8;
  return icmpPacket({ ...spec, type });
}

/** A piece of a fragmented datagram: its offset in the fragmentable part and its bytes. */
export interface FragmentPiece {
  offset: number;
  data: Bytes;
  /** More-fragments flag; defaults to true for every piece but the last one given. */
  more?: boolean;
}

export interface FragmentsSpec extends LinkOptions {
  src: Address;
  dst: Address;
  /** Protocol of the reassembled payload. */
  protocol: number;
  id: number;
  /** Pieces in the order they are sent; they may overlap, repeat or leave holes. */
  pieces: readonly FragmentPiece[];
  tsUs: number;
  stepUs?: number;
  ttl?: number;
}

/**
 * Fragments written piece by piece, for overlap and evasion cases. The caller builds the
 * transport header (e.g. with udpBytes over the whole intended payload) into the first piece.
 */
export function ipFragments(spec: FragmentsSpec): BuiltPacket[] {
  const src = ipBytes(spec.src);
  const dst = ipBytes(spec.dst);
  const v6 = src.length === 16;
  const step = spec.stepUs ?? 1000;
  return spec.pieces.map((piece, i) => {
    const more = piece.more ?? i < spec.pieces.length - 1;
    const dgram = v6
      ? ipv6Datagram({
          src,
          dst,
          nextHeader: spec.protocol,
          payload: piece.data,
          hopLimit: spec.ttl ?? 64,
          extHeaders: [{ kind: 'fragment', offset: piece.offset, more, id: spec.id }],
        })
      : ipv4Datagram({
          src,
          dst,
          protocol: spec.protocol,
          payload: piece.data,
          ttl: spec.ttl ?? 64,
          id: spec.id,
          moreFragments: more,
          fragOffset: piece.offset,
        });
    return ipPacket(dgram, spec.tsUs + i * step, spec);
  });
}

export interface FragmentOptions {
  /** Payload bytes per fragment, in order (multiples of 8 except the last); the rest goes in one more fragment. */
  sizes: readonly number[];
  /** IPv6 fragment identification (IPv4 keeps the datagram's own id). */
  id?: number;
  stepUs?: number;
  /** Send order as indices into the fragment list (default: in order). */
  order?: readonly number[];
}

/**
 * Splits the IP datagram inside a built Ethernet packet into fragments. IPv4 options and
 * IPv6 extension headers stay in every fragment (the whole chain counts as unfragmentable).
 */
export function fragmentPacket(packet: BuiltPacket, options: FragmentOptions): BuiltPacket[] {
  const { datagram, link } = splitEthernet(packet.frame);
  const v6 = datagram[0]! >> 4 === 6;
  const hlen = v6 ? 40 : (datagram[0]! & 0x0f) * 4;
  const body = datagram.subarray(hlen);
  const pieces: { offset: number; data: Uint8Array }[] = [];
  let o = 0;
  for (const size of options.sizes) {
    if (o >= body.length) break;
    if (size <= 0 || (size % 8 !== 0 && o + size < body.length)) {
      throw new RangeError(`fragment size ${size} must be a positive multiple of 8`);
    }
    pieces.push({ offset: o, data: body.subarray(o, Math.min(o + size, body.length)) });
    o += size;
  }
  if (o < body.length) pieces.push({ offset: o, data: body.subarray(o) });
  const step = options.stepUs ?? 1000;
  const built = pieces.map((piece, i) => {
    const more = i < pieces.length - 1;
    let dgram: Uint8Array;
    if (v6) {
      dgram = ipv6Datagram({
        src: datagram.subarray(8, 24),
        dst: datagram.subarray(24, 40),
        nextHeader: datagram[6]!,
        payload: piece.data,
        hopLimit: datagram[7]!,
        extHeaders: [{ kind: 'fragment', offset: piece.offset, more, id: options.id ?? 1 }],
      });
    } else {
      dgram = ipv4Datagram({
        src: datagram.subarray(12, 16),
        dst: datagram.subarray(16, 20),
        protocol: datagram[9]!,
        payload: piece.data,
        ttl: datagram[8]!,
        tos: datagram[1]!,
        id: (datagram[4]! << 8) | datagram[5]!,
        dontFragment: false,
        moreFragments: more,
        fragOffset: piece.offset,
        options: datagram.subarray(20, hlen),
      });
    }
    return ipPacket(dgram, packet.tsUs, link);
  });
  const order = options.order ?? built.map((_, i) => i);
  return order.map((index, i) => {
    const p = built[index];
    if (p === undefined) throw new RangeError(`fragment order names fragment ${index}, but there are ${built.length}`);
    return { ...p, tsUs: packet.tsUs + i * step };
  });
}

/** The IP datagram of an Ethernet frame built here, and the framing needed to rebuild it. */
function splitEthernet(frame: Uint8Array): { datagram: Uint8Array; link: LinkOptions } {
  const vlans: number[] = [];
  let o = 12;
  let type = (frame[o]! << 8) | frame[o + 1]!;
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    vlans.push(((frame[o + 2]! << 8) | frame[o + 3]!) & 0x0fff);
    o += 4;
    type = (frame[o]! << 8) | frame[o + 1]!;
  }
  if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) throw new Error('frame does not carry IP');
  return {
    datagram: frame.subarray(o + 2),
    link: { vlans, dstMac: frame.slice(0, 6), srcMac: frame.slice(6, 12) },
  };
}

export interface RelinkOptions {
  /** LINKTYPE_NULL and LINKTYPE_NFLOG: write host-order fields big-endian (as a big-endian host would). */
  bigEndian?: boolean;
  /** LINKTYPE_NFLOG: the log prefix the rule set (an attribute before the packet), if any. */
  nflogPrefix?: string;
  /** LINKTYPE_PPP: leave out address and control, and write the protocol in one byte (negotiated compression). */
  pppCompressed?: boolean;
  /** BSD AF_INET6 value for NULL/LOOP frames: 24 (NetBSD/OpenBSD), 28 (FreeBSD) or 30 (macOS, default). */
  af6?: number;
}

/**
 * Re-frames an Ethernet packet built here for another link type (Linux cooked SLL/SLL2, raw IP,
 * BSD loopback, PPP, Cisco HDLC, Linux NFLOG), keeping its IP datagram. VLAN tags survive in SLL/SLL2 frames only.
 */
export function relink(packet: BuiltPacket, linkType: number, options: RelinkOptions = {}): BuiltPacket {
  const frame = packet.frame;
  const { datagram } = splitEthernet(frame);
  const v6 = datagram[0]! >> 4 === 6;
  let out: Uint8Array;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      out = frame;
      break;
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
    case 12:
    case 14:
      out = datagram.slice();
      break;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      out = new Uint8Array(4 + datagram.length);
      const family = v6 ? (options.af6 ?? 30) : 2;
      const bigEndian = linkType === LINKTYPE_LOOP || options.bigEndian === true;
      if (bigEndian) put32(out, 0, family);
      else out[0] = family;
      out.set(datagram, 4);
      break;
    }
    case LINKTYPE_LINUX_SLL: {
      // Keep everything after the MAC addresses: ethertype (or VLAN tags) and the datagram.
      const rest = frame.subarray(12);
      out = new Uint8Array(14 + rest.length);
      put16(out, 0, 0); // packet addressed to this host
      put16(out, 2, 1); // ARPHRD_ETHER
      put16(out, 4, 6);
      out.set(frame.subarray(6, 12), 6);
      out.set(rest, 14);
      break;
    }
    case LINKTYPE_LINUX_SLL2: {
      const rest = frame.subarray(14);
      out = new Uint8Array(20 + rest.length);
      out.set(frame.subarray(12, 14), 0); // protocol
      put32(out, 4, 1); // interface index
      put16(out, 8, 1); // ARPHRD_ETHER
      out[10] = 0;
      out[11] = 6;
      out.set(frame.subarray(6, 12), 12);
      out.set(rest, 20);
      break;
    }
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC: {
      const head = linkType === LINKTYPE_PPP && options.pppCompressed === true ? Uint8Array.of(v6 ? 0x57 : 0x21) : Uint8Array.of(0xff, 0x03, 0x00, v6 ? 0x57 : 0x21);
      out = new Uint8Array(head.length + datagram.length);
      out.set(head, 0);
      out.set(datagram, head.length);
      break;
    }
    case LINKTYPE_C_HDLC:
      out = new Uint8Array(4 + datagram.length);
      out[0] = 0x0f; // unicast
      put16(out, 2, v6 ? 0x86dd : 0x0800);
      out.set(datagram, 4);
      break;
    case LINKTYPE_NFLOG: {
      // Header (family, version 0, resource id 0), then attributes as the kernel writes them:
      // the packet header, the prefix, the packet itself last.
      const attrs: [number, Uint8Array][] = [[1, Uint8Array.of(v6 ? 0x86 : 0x08, v6 ? 0xdd : 0x00, 3, 0)]];
      if (options.nflogPrefix !== undefined) attrs.push([10, Uint8Array.from([...Buffer.from(options.nflogPrefix, 'latin1'), 0])]);
      attrs.push([9, datagram]);
      let n = 4;
      for (const [, v] of attrs) n += (4 + v.length + 3) & ~3;
      out = new Uint8Array(n);
      out[0] = v6 ? 10 : 2;
      let o = 4;
      for (const [type, v] of attrs) {
        const len = 4 + v.length;
        if (options.bigEndian === true) {
          put16(out, o, len);
          put16(out, o + 2, type);
        } else {
          out[o] = len & 0xff;
          out[o + 1] = len >> 8;
          out[o + 2] = type;
        }
        out.set(v, o + 4);
        o += (len + 3) & ~3;
      }
      break;
    }
    default:
      throw new Error(`cannot frame packets for link type ${linkType}`);
  }
  return { ...packet, frame: out, linkType };
}

import { parseIp, parseMac } from './addr.js';
import { type Bytes, concatBytes, finishChecksum, onesSum, put16, put32, toBytes } from './bytes.js';

/*
 * Header builders, one layer each. Lengths and checksums are computed unless overridden:
 * the overrides exist to build malformed packets on purpose.
 */

export type Address = Uint8Array | string;

export function ipBytes(a: Address): Uint8Array {
  return typeof a === 'string' ? parseIp(a) : a;
}

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

export interface Ipv4Spec {
  src: Address;
  dst: Address;
  protocol: number;
  payload: Bytes;
  ttl?: number;
  tos?: number;
  id?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  reservedBit?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset?: number;
  /** Raw option bytes; padded with end-of-list bytes to a multiple of 4. */
  options?: Bytes;
  /** Overrides: deliberately wrong values for malformed packets. */
  totalLength?: number;
  headerLengthWords?: number;
  version?: number;
  checksum?: number;
}

export function ipv4Datagram(spec: Ipv4Spec): Uint8Array {
  const payload = toBytes(spec.payload);
  const rawOptions = spec.options === undefined ? new Uint8Array(0) : toBytes(spec.options);
  const optLen = (rawOptions.length + 3) & ~3;
  const hlen = 20 + optLen;
  if (hlen > 60) throw new RangeError(`IPv4 options of ${rawOptions.length} bytes do not fit the header`);
  const out = new Uint8Array(hlen + payload.length);
  out[0] = ((spec.version ?? 4) << 4) | (spec.headerLengthWords ?? hlen / 4);
  out[1] = spec.tos ?? 0;
  put16(out, 2, spec.totalLength ?? hlen + payload.length);
  put16(out, 4, spec.id ?? 0);
  const fragOffset = spec.fragOffset ?? 0;
  if (fragOffset % 8 !== 0) throw new RangeError(`fragment offset ${fragOffset} is not a multiple of 8`);
  const flags =
    (spec.reservedBit === true ? 0x8000 : 0) |
    (spec.dontFragment === true ? 0x4000 : 0) |
    (spec.moreFragments === true ? 0x2000 : 0);
  put16(out, 6, flags | ((fragOffset / 8) & 0x1fff));
  out[8] = spec.ttl ?? 64;
  out[9] = spec.protocol;
  out.set(ipBytes(spec.src), 12);
  out.set(ipBytes(spec.dst), 16);
  out.set(rawOptions, 20);
  put16(out, 10, spec.checksum ?? finishChecksum(onesSum(out, 0, hlen)));
  out.set(payload, hlen);
  return out;
}

/** IPv6 extension headers; body bytes are padded with zeros (Pad1 options) to the unit size. */
export type Ipv6ExtHeader =
  | { kind: 'hop-by-hop' | 'destination' | 'routing'; data?: Bytes }
  | { kind: 'fragment'; offset: number; more: boolean; id: number }
  | { kind: 'ah'; data?: Bytes }
  | { kind: 'raw'; type: number; bytes: Bytes };

const EXT_TYPES = { 'hop-by-hop': 0, routing: 43, fragment: 44, ah: 51, destination: 60 } as const;

function extType(h: Ipv6ExtHeader): number {
  return h.kind === 'raw' ? h.type : EXT_TYPES[h.kind];
}

/** Encodes one extension header whose own "next header" byte is `next`. */
export function encodeExtHeader(h: Ipv6ExtHeader, next: number): Uint8Array {
  switch (h.kind) {
    case 'fragment': {
      const out = new Uint8Array(8);
      out[0] = next;
      if (h.offset % 8 !== 0) throw new RangeError(`fragment offset ${h.offset} is not a multiple of 8`);
      put16(out, 2, (h.offset & 0xfff8) | (h.more ? 1 : 0));
      put32(out, 4, h.id);
      return out;
    }
    case 'ah': {
      const data = toBytes(h.data ?? new Uint8Array(10));
      const total = Math.max(12, (data.length + 2 + 3) & ~3);
      const out = new Uint8Array(total);
      out[0] = next;
      out[1] = total / 4 - 2;
      out.set(data, 2);
      return out;
    }
    case 'raw': {
      const out = toBytes(h.bytes).slice();
      if (out.length > 0) out[0] = next;
      return out;
    }
    default: {
      const data = toBytes(h.data ?? new Uint8Array(0));
      const total = Math.max(8, (data.length + 2 + 7) & ~7);
      const out = new Uint8Array(total);
      out[0] = next;
      out[1] = total / 8 - 1;
      out.set(data, 2);
      return out;
    }
  }
}

export interface Ipv6Spec {
  src: Address;
  dst: Address;
  /** Protocol of the payload (after the extension headers). */
  nextHeader: number;
  payload: Bytes;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  extHeaders?: Ipv6ExtHeader[];
  /** Override of the payload length field. */
  payloadLength?: number;
  version?: number;
}

export function ipv6Datagram(spec: Ipv6Spec): Uint8Array {
  const exts = spec.extHeaders ?? [];
  const parts: Uint8Array[] = [];
  for (let i = 0; i < exts.length; i++) {
    const next = i + 1 < exts.length ? extType(exts[i + 1]!) : spec.nextHeader;
    parts.push(encodeExtHeader(exts[i]!, next));
  }
  parts.push(toBytes(spec.payload));
  const body = concatBytes(parts);
  const out = new Uint8Array(40 + body.length);
  const tc = spec.trafficClass ?? 0;
  put32(out, 0, (((spec.version ?? 6) << 28) | (tc << 20) | ((spec.flowLabel ?? 0) & 0xfffff)) >>> 0);
  put16(out, 4, spec.payloadLength ?? body.length);
  out[6] = exts.length > 0 ? extType(exts[0]!) : spec.nextHeader;
  out[7] = spec.hopLimit ?? 64;
  out.set(ipBytes(spec.src), 8);
  out.set(ipBytes(spec.dst), 24);
  out.set(body, 40);
  return out;
}

/** Sum of the TCP/UDP/ICMPv6 pseudo-header for the given addresses (4 or 16 bytes each). */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, protocol: number, length: number): number {
  let sum = onesSum(src) + onesSum(dst);
  if (src.length === 16) sum += Math.floor(length / 0x10000) + (length & 0xffff) + protocol;
  else sum += protocol + length;
  return sum;
}

/** Letters F S R P A U E C, in any order ("SA", "PA", "FA"), or the flag byte itself. */
export function tcpFlags(flags: number | string): number {
  if (typeof flags === 'number') return flags & 0xff;
  let v = 0;
  for (const ch of flags.toUpperCase()) {
    const bit = 'FSRPAUEC'.indexOf(ch);
    if (bit < 0) throw new Error(`unknown TCP flag "${ch}" in "${flags}" (use F S R P A U E C)`);
    v |= 1 << bit;
  }
  return v;
}

export interface TcpSpec {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number;
  flags: number | string;
  window?: number;
  urgent?: number;
  /** Raw option bytes; padded with end-of-list bytes to a multiple of 4. */
  options?: Bytes;
  payload?: Bytes;
  /** Overrides for malformed segments. */
  dataOffsetWords?: number;
  checksum?: number;
}

/** A TCP segment with its checksum computed over the pseudo-header of src and dst. */
export function tcpBytes(spec: TcpSpec, src: Address, dst: Address): Uint8Array {
  const payload = toBytes(spec.payload ?? new Uint8Array(0));
  const options = toBytes(spec.options ?? new Uint8Array(0));
  const hlen = 20 + ((options.length + 3) & ~3);
  if (hlen > 60) throw new RangeError(`TCP options of ${options.length} bytes do not fit the header`);
  const out = new Uint8Array(hlen + payload.length);
  put16(out, 0, spec.srcPort);
  put16(out, 2, spec.dstPort);
  put32(out, 4, spec.seq >>> 0);
  put32(out, 8, (spec.ack ?? 0) >>> 0);
  out[12] = (spec.dataOffsetWords ?? hlen / 4) << 4;
  out[13] = tcpFlags(spec.flags);
  put16(out, 14, spec.window ?? 65535);
  put16(out, 18, spec.urgent ?? 0);
  out.set(options, 20);
  out.set(payload, hlen);
  const sum = pseudoHeaderSum(ipBytes(src), ipBytes(dst), IPPROTO_TCP, out.length);
  put16(out, 16, spec.checksum ?? finishChecksum(onesSum(out, 0, out.length, sum)));
  return out;
}

/** TCP option encoders, to pass (concatenated) as TcpSpec.options. */
export const tcpOption = {
  mss: (mss: number): Uint8Array => Uint8Array.of(2, 4, mss >> 8, mss & 0xff),
  windowScale: (shift: number): Uint8Array => Uint8Array.of(1, 3, 3, shift),
  sackPermitted: (): Uint8Array => Uint8Array.of(1, 1, 4, 2),
  timestamp: (value: number, echo: number): Uint8Array => {
    const out = new Uint8Array(12);
    out[0] = 1;
    out[1] = 1;
    out[2] = 8;
    out[3] = 10;
    put32(out, 4, value);
    put32(out, 8, echo);
    return out;
  },
};

export interface UdpSpec {
  srcPort: number;
  dstPort: number;
  payload?: Bytes;
  /** Overrides for malformed datagrams. */
  length?: number;
  checksum?: number;
}

export function udpBytes(spec: UdpSpec, src: Address, dst: Address): Uint8Array {
  const payload = toBytes(spec.payload ?? new Uint8Array(0));
  const out = new Uint8Array(8 + payload.length);
  put16(out, 0, spec.srcPort);
  put16(out, 2, spec.dstPort);
  put16(out, 4, spec.length ?? out.length);
  out.set(payload, 8);
  const sum = pseudoHeaderSum(ipBytes(src), ipBytes(dst), IPPROTO_UDP, out.length);
  let checksum = spec.checksum ?? finishChecksum(onesSum(out, 0, out.length, sum));
  // A computed zero is sent as all ones: zero means "no checksum" in UDP.
  if (spec.checksum === undefined && checksum === 0) checksum = 0xffff;
  put16(out, 6, checksum);
  return out;
}

export interface IcmpSpec {
  type: number;
  code?: number;
  /** The second header word: identifier and sequence for echo messages. */
  id?: number;
  seq?: number;
  payload?: Bytes;
  checksum?: number;
}

/** ICMPv4 message, or ICMPv6 when src and dst are IPv6 (its checksum covers the pseudo-header). */
export function icmpBytes(spec: IcmpSpec, src: Address, dst: Address): Uint8Array {
  const payload = toBytes(spec.payload ?? new Uint8Array(0));
  const out = new Uint8Array(8 + payload.length);
  out[0] = spec.type;
  out[1] = spec.code ?? 0;
  put16(out, 4, spec.id ?? 0);
  put16(out, 6, spec.seq ?? 0);
  out.set(payload, 8);
  const s = ipBytes(src);
  const initial = s.length === 16 ? pseudoHeaderSum(s, ipBytes(dst), IPPROTO_ICMPV6, out.length) : 0;
  put16(out, 2, spec.checksum ?? finishChecksum(onesSum(out, 0, out.length, initial)));
  return out;
}

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;

export interface EthernetSpec {
  dst: Uint8Array | string;
  src: Uint8Array | string;
  etherType: number;
  payload: Bytes;
  /** VLAN ids, outermost first. With two or more, the outer tags use the 802.1ad TPID 0x88a8. */
  vlans?: readonly number[];
}

export function ethernetFrame(spec: EthernetSpec): Uint8Array {
  const vlans = spec.vlans ?? [];
  const payload = toBytes(spec.payload);
  const out = new Uint8Array(14 + 4 * vlans.length + payload.length);
  out.set(typeof spec.dst === 'string' ? parseMac(spec.dst) : spec.dst, 0);
  out.set(typeof spec.src === 'string' ? parseMac(spec.src) : spec.src, 6);
  let o = 12;
  for (let i = 0; i < vlans.length; i++) {
    put16(out, o, i < vlans.length - 1 ? ETHERTYPE_QINQ : ETHERTYPE_VLAN);
    put16(out, o + 2, vlans[i]! & 0x0fff);
    o += 4;
  }
  put16(out, o, spec.etherType);
  out.set(payload, o + 2);
  return out;
}

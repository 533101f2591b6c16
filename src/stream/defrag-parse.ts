/**
 * Reads a fragment's own IP header bytes. The decoded packet tells that it is a fragment; the
 * stream stage re-reads the header from the frame because it needs bytes the decoded form does
 * not keep (the IPv4 options, the IPv6 unfragmentable part, the fragment header's next header).
 */
import type { DecodedPacket, IpHeader } from '../types/packet.js';

export interface ParsedFragment {
  v6: boolean;
  /**
   * Tracker key, as Suricata's CMP_DEFRAGTRACKER: family, the two addresses in either order,
   * (IPv4) the protocol, the id, VLAN tags (and the tunnel layer).
   */
  key: string;
  /** Byte offset of this fragment's data within the datagram's fragmentable part. */
  offset: number;
  more: boolean;
  /** Fragment data (a view of the frame: copy before keeping). */
  data: Uint8Array;
  /** IPv4: the IP header with options. IPv6: the IPv6 header and extension headers before the Fragment header. */
  header: Uint8Array;
  /** IPv6: index in `header` of the next-header byte that names the Fragment header. */
  nextHeaderPos: number;
  /** IPv4: the protocol. IPv6: the Fragment header's next header (used from the offset-0 fragment). */
  nextHeader: number;
}

/** Why a packet flagged as a fragment cannot be used as one. */
export type FragmentRejection =
  /** The header bytes say it is whole after all (IPv6 atomic fragment, or flags the decoder read differently). */
  | 'not-fragment'
  /** The IP header could not be found in the frame or is malformed. */
  | 'invalid'
  /** The capture holds fewer bytes than the header's length says. */
  | 'truncated'
  /** IPv6 fragment with more fragments to come whose length is not a multiple of 8 (RFC 8200). */
  | 'invalid-length';

const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const IPV6_DEST_OPTS = 60;
const MAX_EXTENSION_HEADERS = 16;

export function parseFragment(pkt: DecodedPacket, ip: IpHeader, vlanKey: number): ParsedFragment | FragmentRejection {
  // The decoder may hand over the datagram itself; otherwise find the header in the frame.
  let bytes = ip.datagram;
  let start = 0;
  if (bytes === undefined || !validAddresses(ip) || !headerAt(bytes, 0, ip)) {
    bytes = pkt.frame;
    start = locateIpHeader(pkt, ip);
    if (start < 0) return 'invalid';
  }
  return ip.version === 4 ? parseV4(bytes, start, vlanKey) : parseV6(bytes, start, vlanKey);
}

function validAddresses(ip: IpHeader): boolean {
  const n = ip.version === 4 ? 4 : 16;
  return ip.src.length === n && ip.dst.length === n;
}

/**
 * Offset of the IP header in the frame, or -1. The decoder's payload view and header length
 * give it directly (when `ip.datagram` is not there); if they do not lead to a header with this packet's addresses (tunnels,
 * a payload that is not a view of the frame), the frame is searched for one.
 */
export function locateIpHeader(pkt: DecodedPacket, ip: IpHeader): number {
  const frame = pkt.frame;
  const payload = pkt.payload;
  if (!validAddresses(ip)) return -1;
  if (payload.buffer === frame.buffer) {
    const candidate = payload.byteOffset - frame.byteOffset - ip.headerLength;
    if (candidate >= 0 && headerAt(frame, candidate, ip)) return candidate;
  }
  const minLength = ip.version === 4 ? 20 : 40;
  for (let c = 0; c + minLength <= frame.length; c++) {
    if (headerAt(frame, c, ip)) return c;
  }
  return -1;
}

function headerAt(b: Uint8Array, c: number, ip: IpHeader): boolean {
  if (ip.version === 4) {
    return c + 20 <= b.length && b[c]! >> 4 === 4 && bytesAt(b, c + 12, ip.src) && bytesAt(b, c + 16, ip.dst);
  }
  return c + 40 <= b.length && b[c]! >> 4 === 6 && bytesAt(b, c + 8, ip.src) && bytesAt(b, c + 24, ip.dst);
}

function bytesAt(b: Uint8Array, at: number, want: Uint8Array): boolean {
  for (let i = 0; i < want.length; i++) if (b[at + i] !== want[i]) return false;
  return true;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Fixed-width hex, so that the strings order as the addresses do. */
function hex32(b: Uint8Array, at: number): string {
  return u32(b, at).toString(16).padStart(8, '0');
}

function parseV4(b: Uint8Array, c: number, vlanKey: number): ParsedFragment | FragmentRejection {
  const ihl = (b[c]! & 0x0f) * 4;
  if (ihl < 20 || c + ihl > b.length) return 'invalid';
  const totalLength = (b[c + 2]! << 8) | b[c + 3]!;
  if (totalLength < ihl) return 'invalid';
  if (c + totalLength > b.length) return 'truncated';
  const flagsOffset = (b[c + 6]! << 8) | b[c + 7]!;
  const more = (flagsOffset & 0x2000) !== 0;
  const offset = (flagsOffset & 0x1fff) * 8;
  if (!more && offset === 0) return 'not-fragment';
  const id = (b[c + 4]! << 8) | b[c + 5]!;
  const proto = b[c + 9]!;
  // Suricata's CMP_DEFRAGTRACKER: the addresses in either order, the protocol, the id, the VLANs.
  const src = u32(b, c + 12);
  const dst = u32(b, c + 16);
  const pair = src <= dst ? `${src}|${dst}` : `${dst}|${src}`;
  return {
    v6: false,
    key: `4|${pair}|${proto}|${id}|${vlanKey}`,
    offset,
    more,
    data: b.subarray(c + ihl, c + totalLength),
    header: b.subarray(c, c + ihl),
    nextHeaderPos: -1,
    nextHeader: proto,
  };
}

function parseV6(b: Uint8Array, c: number, vlanKey: number): ParsedFragment | FragmentRejection {
  const payloadLength = (b[c + 4]! << 8) | b[c + 5]!;
  // A zero payload length means a jumbogram (RFC 2675), which cannot be fragmented.
  if (payloadLength === 0) return 'invalid';
  const end = c + 40 + payloadLength;
  if (end > b.length) return 'truncated';
  let nextHeader = b[c + 6]!;
  let nextHeaderPos = c + 6;
  let p = c + 40;
  for (let n = 0; ; n++) {
    if (nextHeader === IPV6_FRAGMENT) break;
    if (n >= MAX_EXTENSION_HEADERS) return 'invalid';
    if (nextHeader !== IPV6_HOP_BY_HOP && nextHeader !== IPV6_ROUTING && nextHeader !== IPV6_DEST_OPTS && nextHeader !== IPV6_AH) {
      return 'not-fragment';
    }
    if (p + 2 > end) return 'invalid';
    const length = nextHeader === IPV6_AH ? (b[p + 1]! + 2) * 4 : (b[p + 1]! + 1) * 8;
    nextHeaderPos = p;
    nextHeader = b[p]!;
    p += length;
  }
  if (p + 8 > end) return 'invalid';
  const fragNextHeader = b[p]!;
  const offsetField = (b[p + 2]! << 8) | b[p + 3]!;
  const offset = offsetField & 0xfff8;
  const more = (offsetField & 1) !== 0;
  if (!more && offset === 0) return 'not-fragment';
  const data = b.subarray(p + 8, end);
  if (more && data.length % 8 !== 0) return 'invalid-length';
  const id = u32(b, p + 4);
  const src = `${hex32(b, c + 8)}${hex32(b, c + 12)}${hex32(b, c + 16)}${hex32(b, c + 20)}`;
  const dst = `${hex32(b, c + 24)}${hex32(b, c + 28)}${hex32(b, c + 32)}${hex32(b, c + 36)}`;
  // Suricata's CMP_DEFRAGTRACKER: the addresses in either order, the id and the VLANs. Its
  // protocol is the packet's, which for every IPv6 fragment is the Fragment header (44): the
  // Fragment header's next header is not part of the key (the offset-0 fragment's one is used).
  const pair = src <= dst ? `${src}|${dst}` : `${dst}|${src}`;
  return {
    v6: true,
    key: `6|${pair}|${id}|${vlanKey}`,
    offset,
    more,
    data,
    header: b.subarray(c, p),
    nextHeaderPos: nextHeaderPos - c,
    nextHeader: fragNextHeader,
  };
}

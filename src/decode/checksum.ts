/**
 * TCP checksums, verified as a receiver verifies them: a segment whose checksum is wrong never
 * reached the application, so an observer that believed it could be fed bytes the target never
 * saw (the classic insertion attack). The stream stage decides what to do with the verdict.
 */
import type { DecodedPacket, IpHeader } from '../types/packet.js';

const IPPROTO_TCP = 6;

/**
 * Whether the packet's TCP checksum is right: true or false, or undefined when it cannot be
 * told (a packet built without its raw segment).
 */
export function tcpChecksumValid(pkt: DecodedPacket): boolean | undefined {
  const tcp = pkt.tcp;
  const ip = pkt.ip;
  if (tcp === undefined || ip === undefined || tcp.raw === undefined) return undefined;
  const start = tcp.rawStart!;
  const end = tcp.rawEnd!;
  // The ones' complement sum over a correct segment (checksum field included) is all ones,
  // that is 0 modulo 65535 (never 0 itself: the pseudo-header holds the protocol number).
  return (pseudoHeaderSum(ip, end - start) + onesSum(tcp.raw, start, end)) % 0xffff === 0;
}

/**
 * Whether a packet's TCP checksum field holds what a sending host leaves there when its NIC is
 * to compute the checksum (offload): the folded pseudo-header sum (Linux's partial checksum), or
 * 0. A capture taken on that host shows its segments so; the receiver saw them right.
 */
export function tcpChecksumLooksOffloaded(pkt: DecodedPacket): boolean {
  const tcp = pkt.tcp;
  const ip = pkt.ip;
  if (tcp === undefined || ip === undefined || tcp.raw === undefined) return false;
  const at = tcp.rawStart! + 16;
  const field = (tcp.raw[at]! << 8) | tcp.raw[at + 1]!;
  if (field === 0) return true;
  let sum = pseudoHeaderSum(ip, tcp.rawEnd! - tcp.rawStart!);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return field === sum;
}

function pseudoHeaderSum(ip: IpHeader, length: number): number {
  const s = ip.src;
  const d = ip.dst;
  let sum = IPPROTO_TCP + length;
  for (let i = 0; i + 1 < s.length; i += 2) sum += ((s[i]! << 8) | s[i + 1]!) + ((d[i]! << 8) | d[i + 1]!);
  return sum;
}

let wordsOf: ArrayBufferLike | null = null;
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);

/**
 * The ones' complement sum of b[start, end) read as big-endian 16-bit words from `start`, as a
 * number congruent to it modulo 65535 (folding a ones' complement sum is reduction modulo
 * 65535, so the remainder stands for it: 0 for the folded 0xffff).
 *
 * The middle is summed as whole aligned 32-bit words of the underlying memory, three times as
 * fast as byte pairs: a word hi * 65536 + lo is congruent to hi + lo, and swapping the bytes of
 * a 16-bit value is multiplying it by 256 modulo 65535, which turns the little-endian pairing
 * of the words into big-endian (RFC 1071: the sum does not depend on byte order).
 */
export function onesSum(b: Uint8Array, start: number, end: number): number {
  const base = b.byteOffset;
  let i = start;
  let head = 0;
  // Bytes before the first aligned word, paired from `start`.
  while (((base + i) & 3) !== 0 && i < end) {
    head += ((i - start) & 1) === 0 ? b[i]! << 8 : b[i]!;
    i++;
  }
  if (end - i < 8) {
    for (; i < end; i++) head += ((i - start) & 1) === 0 ? b[i]! << 8 : b[i]!;
    return head % 0xffff;
  }
  if (b.buffer !== wordsOf) {
    wordsOf = b.buffer;
    words = new Int32Array(b.buffer, 0, b.buffer.byteLength >>> 2);
  }
  const w32 = words;
  const first = (base + i) >>> 2;
  const last = (base + end) >>> 2;
  // Exact in a double for up to 2^21 words (8 MiB), far beyond any segment.
  let mid = 0;
  for (let k = first; k < last; k++) mid += w32[k]! >>> 0;
  // Trailing bytes, paired as in the words (little-endian from an aligned address).
  for (let j = (last << 2) - base; j < end; j++) mid += ((base + j) & 1) === 0 ? b[j]! : b[j]! << 8;
  mid %= 0xffff;
  // Little-endian pairs are big-endian ones swapped; swapped back unless the words begin an odd
  // number of bytes after `start`, where the pairing from `start` is itself shifted by one.
  if (((i - start) & 1) === 0) mid = (mid * 256) % 0xffff;
  return (head + mid) % 0xffff;
}

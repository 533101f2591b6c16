import { decodeFrame } from '../../src/decode/decode-frame.js';
import { DecodeStats } from '../../src/decode/stats.js';
import type { BuiltPacket } from '../../src/traffic/index.js';
import type { DecodedPacket } from '../../src/types/packet.js';

export function decodeAll(packets: readonly BuiltPacket[]): DecodedPacket[] {
  const stats = new DecodeStats();
  return packets.map((p, i) => {
    const d = decodeFrame(p.linkType ?? 1, { num: i + 1, tsUs: p.tsUs, linkType: p.linkType ?? 1, data: p.frame, wireLength: p.frame.length, interfaceId: 0 }, stats);
    if (d === null) throw new Error(`packet ${i + 1} did not decode`);
    return d;
  });
}

/**
 * The bytes one side sent, laid out by sequence number relative to its SYN (first copy of a
 * byte wins). Enough to check what a session put on the wire, not a reassembler.
 */
export function streamOf(packets: readonly DecodedPacket[], srcPort: number): string {
  const syn = packets.find((p) => p.tcp?.srcPort === srcPort && (p.tcp.flags & 0x02) !== 0);
  if (syn === undefined) throw new Error(`no SYN from port ${srcPort}`);
  const base = (syn.tcp!.seq + 1) >>> 0;
  const bytes: (number | undefined)[] = [];
  for (const p of packets) {
    if (p.tcp?.srcPort !== srcPort) continue;
    const off = (p.tcp.seq - base) >>> 0;
    p.payload.forEach((b, i) => {
      if (bytes[off + i] === undefined) bytes[off + i] = b;
    });
  }
  return Array.from(bytes, (b) => (b === undefined ? '\u0000' : String.fromCharCode(b))).join('');
}

export function text(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}

/** Ones' complement verification of a checksummed region (sums to 0xffff when valid). */
export function checksumOk(parts: Uint8Array[]): boolean {
  let sum = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i += 2) sum += (part[i]! << 8) | (part[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

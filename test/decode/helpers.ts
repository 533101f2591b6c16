import { CaptureParser, type CaptureError } from '../../src/decode/capture-parser.js';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import type { RawFrame } from '../../src/decode/raw-frame.js';
import { DecodeStats } from '../../src/decode/stats.js';
import type { DecodedPacket } from '../../src/types/packet.js';

/** A frame copied out of the callback (the parser's own object and data are reused). */
export interface CopiedFrame {
  num: number;
  tsUs: number;
  linkType: number;
  data: Uint8Array;
  wireLength: number;
  interfaceId: number;
}

export function copyFrame(f: RawFrame): CopiedFrame {
  return { ...f, data: f.data.slice() };
}

/** Parses a whole capture held in memory, fed in chunks of `chunkSize` bytes. */
export function parseAll(
  bytes: Uint8Array,
  chunkSize = bytes.length || 1,
  name = 'test.pcap',
): { frames: CopiedFrame[]; error: CaptureError | undefined; parser: CaptureParser } {
  const frames: CopiedFrame[] = [];
  const parser = new CaptureParser(name, (f) => frames.push(copyFrame(f)));
  for (let o = 0; o < bytes.length; o += chunkSize) {
    if (!parser.feed(bytes.subarray(o, Math.min(o + chunkSize, bytes.length)))) break;
  }
  const error = parser.end();
  return { frames, error, parser };
}

/** Decodes one frame of the given link type (data copied, so the packet outlives nothing). */
export function decodeBytes(
  linkType: number,
  data: Uint8Array,
  stats = new DecodeStats(),
): DecodedPacket | null {
  return decodeFrame(linkType, { num: 1, tsUs: 0, linkType, data, wireLength: data.length, interfaceId: 0 }, stats);
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function text(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}

/**
 * Helpers for the rule-testing tests: rules files in a temporary directory, and a small capture
 * pipeline (decode, defragment, reassemble) that shows what a receiver reads of built packets.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { decodeIpDatagram } from '../../src/decode/ip.js';
import { DecodeStats } from '../../src/decode/stats.js';
import { StreamEngine, type StreamSink } from '../../src/stream/index.js';
import type { BuiltPacket } from '../../src/traffic/index.js';

export function tempDir(): { dir: string; write(rel: string, text: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'kanshi-ruletest-'));
  return {
    dir,
    write(rel, text) {
      const p = join(dir, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Received {
  /** Reassembled bytes per direction of the first TCP flow. */
  client: Uint8Array;
  server: Uint8Array;
  /** Transport payloads of the (defragmented) non-TCP packets, in order. */
  datagrams: Uint8Array[];
  gaps: number;
}

/** What the other end reads of these packets, after defragmentation and reassembly. */
export function receive(packets: readonly BuiltPacket[]): Received {
  const stats = new DecodeStats();
  const stream = new StreamEngine((bytes, base) => decodeIpDatagram(bytes, base, stats));
  const parts: Record<'client' | 'server', { offset: number; data: Uint8Array }[]> = { client: [], server: [] };
  const datagrams: Uint8Array[] = [];
  let gaps = 0;
  const sink: StreamSink = {
    packet: (pkt) => {
      if (pkt.tcp === undefined && pkt.payload.length > 0 && !(pkt.ip?.moreFragments ?? false) && (pkt.ip?.fragOffset ?? 0) === 0) datagrams.push(pkt.payload.slice());
    },
    streamData: (_flow, toServer, chunk, offset, gap) => {
      if (gap) gaps++;
      parts[toServer ? 'client' : 'server'].push({ offset, data: chunk.slice() });
    },
  };
  packets.forEach((p, i) => {
    const pkt = decodeFrame(p.linkType ?? 1, { num: i + 1, tsUs: p.tsUs, linkType: p.linkType ?? 1, data: p.frame, wireLength: p.frame.length, interfaceId: 0 }, stats);
    if (pkt !== null) stream.process(pkt, sink);
  });
  stream.flush(sink);
  const join = (list: { offset: number; data: Uint8Array }[]): Uint8Array => {
    const end = list.reduce((m, x) => Math.max(m, x.offset + x.data.length), 0);
    const out = new Uint8Array(end);
    for (const x of list) out.set(x.data, x.offset);
    return out;
  };
  return { client: join(parts.client), server: join(parts.server), datagrams, gaps };
}

export const latin1 = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);
export const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A chunked body decoded: each size read as the hex digits its line starts with, up to the last chunk. */
export function dechunked(body: Uint8Array): Uint8Array {
  const text = latin1(body);
  let at = 0;
  let out = '';
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    if (eol < 0) throw new Error(`no size line at ${at}`);
    const size = parseInt(text.slice(at, eol), 16);
    at = eol + 2;
    if (!(size > 0)) return bytesOf(out);
    out += text.slice(at, at + size);
    at += size + 2;
  }
}

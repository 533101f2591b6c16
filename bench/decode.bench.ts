/**
 * Read + decode throughput on a generated capture of at least 200 MB (large TCP segments,
 * as in bulk HTTP transfers). The capture is built once with the traffic builder into
 * bench/out/ and reused. Run standalone: npx tsx bench/decode.bench.ts
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCaptureFile } from '../src/decode/capture-reader.js';
import { decodeFrame } from '../src/decode/decode-frame.js';
import { DecodeStats } from '../src/decode/stats.js';
import { CaptureFileWriter, httpResponse, tcpSession } from '../src/traffic/index.js';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'out');
const CAPTURE = join(OUT_DIR, 'decode-bench.pcap');
const MIN_BYTES = 200 * 1024 * 1024;
const ROUNDS = 3;

/** Sessions of one small request and a 64 KiB response, until the file passes MIN_BYTES. */
function generateCapture(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const writer = new CaptureFileWriter(partial, { format: 'pcap' });
  const body = new Uint8Array(64 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = 0x20 + ((i * 7) % 95);
  const response = httpResponse({ headers: { 'Content-Type': 'application/octet-stream' }, body });
  let written = 0;
  let startUs = 1_700_000_000_000_000;
  for (let n = 0; written < MIN_BYTES; n++) {
    const s = tcpSession({
      client: `10.${(n >> 8) & 0xff}.${n & 0xff}.1:${1024 + (n % 60000)}`,
      server: '192.168.10.10:80',
      startUs,
      stepUs: 20,
    });
    s.handshake().send('client', `GET /file/${n} HTTP/1.1\r\nHost: bench\r\n\r\n`).send('server', response).close();
    for (const p of s.packets()) {
      writer.write(p);
      written += 16 + p.frame.length;
      startUs = p.tsUs + 20;
    }
  }
  writer.close();
  renameSync(partial, path);
}

function measure(path: string): { seconds: number; bytes: number; packets: number; decoded: number } {
  const stats = new DecodeStats();
  let decoded = 0;
  const t0 = process.hrtime.bigint();
  const result = readCaptureFile(path, (f) => {
    const p = decodeFrame(f.linkType, f, stats);
    if (p !== null && p.tcp !== undefined) decoded++;
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (result.error !== undefined) throw new Error(result.error.message);
  return { seconds, bytes: result.fileBytes, packets: result.frames, decoded };
}

export async function run(): Promise<Record<string, number>> {
  if (!existsSync(CAPTURE) || statSync(CAPTURE).size < MIN_BYTES) generateCapture(CAPTURE);
  let best = measure(CAPTURE); // the first round also warms the page cache and the JIT
  for (let i = 1; i < ROUNDS; i++) {
    const m = measure(CAPTURE);
    if (m.seconds < best.seconds) best = m;
  }
  if (best.decoded !== best.packets) throw new Error(`only ${best.decoded} of ${best.packets} packets decoded as TCP`);
  return {
    'decode.capture_mb': Math.round(best.bytes / 1e6),
    'decode.packets': best.packets,
    'decode.read_decode_mb_per_s': Math.round(best.bytes / 1e6 / best.seconds),
    'decode.read_decode_packets_per_s': Math.round(best.packets / best.seconds),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await run();
  for (const [name, value] of Object.entries(results)) console.log(`${name}: ${value}`);
}

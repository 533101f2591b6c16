/**
 * End-to-end capture pipeline throughput: read + decode + defragmentation/flows/TCP reassembly
 * + HTTP/SMTP parsing, on a generated capture of at least 200 MB of web-like traffic (many
 * keep-alive HTTP transactions with browser-like headers and mixed body sizes, some chunked,
 * a few reordered or retransmitted segments, some IPv6, some SMTP), with 64 sessions in
 * progress at any time so flows interleave as on a real link. Built once into bench/out/.
 *
 * Time is reported twice: wall clock, and CPU time of the measuring process (process.cpuUsage,
 * user + system, all threads: GC and compiler helpers included). On a shared, loaded machine
 * the CPU-time figure is the one that tells code changes apart. Each figure is the best of
 * PIPELINE_BENCH_ROUNDS passes (default 3) after one warm-up pass, each mode in a fresh process.
 *
 * Stages are also measured on their own (read+decode, read+decode+stream) so a regression
 * can be located. Detection (match/) is not part of this benchmark: the application sink only
 * counts transactions, so lazily built buffers (normalized URI, header buffers) are not built,
 * except in the `uri` mode, which asks every request for http.uri as URI rules would.
 *
 *   npx tsx bench/pipeline.bench.ts [capture.pcap]      (default: the generated capture)
 *   PIPELINE_BENCH_ROUNDS=5 PIPELINE_BENCH_MODES=full PIPELINE_BENCH_VERBOSE=1 npx tsx bench/pipeline.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AppLayer } from '../src/app/app-layer.js';
import { readCaptureFile } from '../src/decode/capture-reader.js';
import { decodeFrame } from '../src/decode/decode-frame.js';
import { decodeIpDatagram } from '../src/decode/ip.js';
import { DecodeStats } from '../src/decode/stats.js';
import { StreamEngine, type StreamSink } from '../src/stream/stream-engine.js';
import {
  CaptureFileWriter,
  httpResponse,
  smtpConversation,
  tcpSession,
  type BuiltPacket,
  type HttpResponseSpec,
  type TcpSession,
} from '../src/traffic/index.js';
import type { AppSink, HttpSide, HttpTxView, SmtpUnitView } from '../src/types/app.js';
import type { FlowView } from '../src/types/flow.js';
import type { DecodedPacket } from '../src/types/packet.js';
import { childExecArgv } from './child.js';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'out');
/** Bumped whenever the traffic mix changes, so an old capture is not measured as a new one. */
const CAPTURE_VERSION = 1;
const DEFAULT_CAPTURE = join(OUT_DIR, `pipeline-bench-v${CAPTURE_VERSION}.pcap`);
const MIN_BYTES = 200 * 1024 * 1024;
const ROUNDS = Math.max(1, Number(process.env.PIPELINE_BENCH_ROUNDS ?? 3));
const CONCURRENT_SESSIONS = 64;

// ---------------------------------------------------------------- traffic

/** Deterministic generator (xorshift32): the same capture on every machine. */
class Rng {
  constructor(private s: number) {}
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'curl/8.4.0',
];
const PATHS = ['/', '/index.html', '/static/js/app.', '/static/css/site.', '/api/v2/items', '/images/product/', '/search', '/account/login', '/cart/add', '/news/2023/11/'];
const EXTS = ['js', 'css', 'png', 'jpg', 'html', 'json', 'svg', 'woff2'];
const TYPES = ['text/html; charset=utf-8', 'application/javascript', 'text/css', 'image/png', 'image/jpeg', 'application/json'];

/** Body bytes that look like markup and text (not compressible to nothing, not all one byte). */
const BODY_SOURCE = (() => {
  const words = ['<div class="item">', '</div>\n', '<a href="/p/', '">', '</a>', 'lorem ', 'ipsum ', 'dolor ', 'sit ', 'amet ', '<span>', '</span>', '<li>', '</li>\n', '{"id":', ',"name":"', '"}', '0123456789'];
  const rng = new Rng(0x1234567);
  const out = new Uint8Array(512 * 1024);
  let o = 0;
  while (o < out.length) {
    const w = rng.pick(words);
    for (let i = 0; i < w.length && o < out.length; i++) out[o++] = w.charCodeAt(i);
  }
  return out;
})();

function bodyOf(rng: Rng, size: number): Uint8Array {
  const start = rng.int(0, BODY_SOURCE.length - size - 1);
  return BODY_SOURCE.subarray(start, start + size);
}

/** Response body size: mostly small and medium objects, a few large ones (mean about 8 KB). */
function responseSize(rng: Rng): number {
  const r = rng.next();
  if (r < 0.45) return rng.int(200, 2_000);
  if (r < 0.85) return rng.int(2_000, 12_000);
  if (r < 0.98) return rng.int(12_000, 48_000);
  return rng.int(48_000, 200_000);
}

function requestBytes(rng: Rng, host: string, n: number): Uint8Array {
  const base = rng.pick(PATHS);
  let uri = base.endsWith('.') || base.endsWith('/') ? `${base}${n}${base.endsWith('.') ? '' : '.'}${rng.pick(EXTS)}` : base;
  if (rng.next() < 0.4) uri += `?q=${rng.int(1, 1e6)}&lang=en&ref=${rng.next() < 0.2 ? 'a%20b%2Fc' : 'home'}&t=${rng.int(1, 1e9)}`;
  const post = rng.next() < 0.08;
  const ua = rng.pick(USER_AGENTS);
  let head =
    `${post ? 'POST' : 'GET'} ${uri} HTTP/1.1\r\n` +
    `Host: ${host}\r\n` +
    `User-Agent: ${ua}\r\n` +
    'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n' +
    'Accept-Language: en-US,en;q=0.5\r\n' +
    'Accept-Encoding: gzip, deflate, br\r\n';
  if (rng.next() < 0.7) head += `Referer: http://${host}/${rng.pick(PATHS).slice(1)}\r\n`;
  if (rng.next() < 0.6) head += `Cookie: session=${rng.int(1e8, 9e8)}abcdef${rng.int(1e8, 9e8)}; _ga=GA1.2.${rng.int(1e8, 9e8)}.${rng.int(1e9, 2e9)}; theme=dark\r\n`;
  head += 'Connection: keep-alive\r\n';
  let body: Uint8Array = new Uint8Array(0);
  if (post) {
    body = bodyOf(rng, rng.int(100, 4_000));
    head += `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n`;
  }
  head += '\r\n';
  const out = new Uint8Array(head.length + body.length);
  for (let i = 0; i < head.length; i++) out[i] = head.charCodeAt(i);
  out.set(body, head.length);
  return out;
}

function responseBytes(rng: Rng, n: number): Uint8Array {
  const r = rng.next();
  const headers: [string, string][] = [
    ['Date', 'Tue, 14 Nov 2023 22:13:20 GMT'],
    ['Server', rng.next() < 0.5 ? 'nginx/1.24.0' : 'Apache/2.4.58 (Unix)'],
  ];
  if (r < 0.08) return httpResponse({ status: 304, headers: [...headers, ['ETag', `"${n.toString(16)}-5f3a"`]] });
  if (r < 0.12) return httpResponse({ status: 302, headers: [...headers, ['Location', `/account/login?next=%2Fcart%2F${n}`]] });
  const status = r < 0.15 ? 404 : 200;
  headers.push(['Content-Type', rng.pick(TYPES)], ['Cache-Control', 'max-age=3600, public'], ['ETag', `"${n.toString(16)}-5f3a"`]);
  if (rng.next() < 0.15) headers.push(['Set-Cookie', `session=${rng.int(1e8, 9e8)}; Path=/; HttpOnly; Secure`]);
  const spec: HttpResponseSpec = { status, headers, body: bodyOf(rng, responseSize(rng)) };
  if (rng.next() < 0.2) spec.chunked = [8192, 8192, 16384];
  return httpResponse(spec);
}

function httpSession(rng: Rng, n: number): TcpSession {
  const v6 = n % 10 === 3;
  const port = 1024 + (n % 60000);
  const serverN = n % 17;
  const client = v6 ? `[2001:db8:1::${(n % 65000).toString(16)}]:${port}` : `10.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}:${port}`;
  // Some servers on a port other than 80: HTTP is detected by content.
  const server = v6 ? `[2001:db8:2::${serverN + 1}]:80` : `192.168.${serverN}.10:${serverN === 5 ? 8080 : 80}`;
  const s = tcpSession({ client, server, seed: n, stepUs: 50 });
  s.handshake();
  const host = `www.site${serverN}.example`;
  const exchanges = rng.int(1, 20);
  for (let k = 0; k < exchanges; k++) {
    s.send('client', requestBytes(rng, host, n * 32 + k));
    const res = responseBytes(rng, n * 32 + k);
    const segments = Math.ceil(res.length / 1460);
    const x = rng.next();
    if (segments >= 3 && x < 0.02) {
      // Two segments swapped on the way: out-of-order delivery.
      const order = Array.from({ length: segments }, (_, i) => i);
      order[1] = 2;
      order[2] = 1;
      s.send('server', res, { order });
    } else if (segments >= 2 && x < 0.03) {
      s.send('server', res, { duplicate: [0] }); // a retransmission
    } else {
      s.send('server', res);
    }
  }
  s.close();
  return s;
}

function smtpSession(rng: Rng, n: number): TcpSession {
  const text = `From: user${n}@example.org\r\nTo: dest${n}@example.net\r\nSubject: report ${n}\r\nMIME-Version: 1.0\r\n` +
    `Content-Type: text/plain; charset=us-ascii\r\n\r\n`;
  const body = bodyOf(rng, rng.int(1_000, 60_000));
  let message = text;
  for (let i = 0; i < body.length; i++) message += String.fromCharCode(body[i]!);
  return smtpConversation({
    client: `10.200.${(n >> 8) & 0xff}.${n & 0xff}:${2000 + (n % 50000)}`,
    server: '192.168.50.25:25',
    from: `user${n}@example.org`,
    to: [`dest${n}@example.net`, `copy${n}@example.net`],
    message,
    seed: n,
    stepUs: 50,
  });
}

/** Writes sessions, CONCURRENT_SESSIONS at a time with their packets interleaved, until MIN_BYTES. */
function generateCapture(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const writer = new CaptureFileWriter(partial, { format: 'pcap' });
  const rng = new Rng(0xc0ffee ^ CAPTURE_VERSION);
  let written = 24;
  let clockUs = 1_700_000_000_000_000;
  let n = 0;
  const active: { packets: BuiltPacket[]; next: number }[] = [];
  const open = (): void => {
    const s = n % 40 === 7 ? smtpSession(rng, n) : httpSession(rng, n);
    n++;
    active.push({ packets: s.packets(), next: 0 });
  };
  while (written < MIN_BYTES || active.length > 0) {
    while (written < MIN_BYTES && active.length < CONCURRENT_SESSIONS) open();
    for (let i = 0; i < active.length; i++) {
      const a = active[i]!;
      // A few packets of each session per turn, as bursts on a real link.
      for (let k = 0; k < 3 && a.next < a.packets.length; k++) {
        const p = a.packets[a.next++]!;
        clockUs += 7;
        writer.write({ ...p, tsUs: clockUs });
        written += 16 + p.frame.length;
      }
      if (a.next >= a.packets.length) {
        active.splice(i, 1);
        i--;
      }
    }
  }
  writer.close();
  renameSync(partial, path);
}

// ---------------------------------------------------------------- measurement

const MODES = ['decode', 'stream', 'full', 'uri'] as const;
type Mode = (typeof MODES)[number];

function modesToRun(): Mode[] {
  const asked = process.env.PIPELINE_BENCH_MODES?.split(',') ?? [...MODES];
  for (const m of asked) {
    if (!(MODES as readonly string[]).includes(m)) throw new Error(`PIPELINE_BENCH_MODES: unknown mode "${m}" (${MODES.join(', ')})`);
  }
  return asked as Mode[];
}

interface Measurement {
  wallS: number;
  cpuS: number;
  fileBytes: number;
  packets: number;
  httpTx: number;
  smtpUnits: number;
  streamBytes: number;
}

class CountingAppSink implements AppSink {
  httpTx = 0;
  smtpUnits = 0;
  uriBytes = 0;
  constructor(private readonly askUri: boolean) {}
  httpTransaction(_flow: FlowView, tx: HttpTxView, phase: HttpSide): void {
    if (phase !== 'request') return;
    this.httpTx++;
    if (this.askUri) this.uriBytes += tx.buffer('http.uri')?.length ?? 0;
  }
  smtpUnit(_flow: FlowView, _unit: SmtpUnitView): void {
    this.smtpUnits++;
  }
}

class PipelineSink implements StreamSink {
  streamBytes = 0;
  constructor(private readonly app: AppLayer | null) {}
  packet(_pkt: DecodedPacket, _flow: FlowView | null): void {}
  streamData(flow: FlowView, toServer: boolean, chunk: Uint8Array, streamOffset: number, gapBefore: boolean): void {
    this.streamBytes += chunk.length;
    this.app?.streamData(flow, toServer, chunk, streamOffset, gapBefore);
  }
  flowEnd(flow: FlowView): void {
    this.app?.flowEnd(flow);
  }
}

/**
 * One pass. No forced gc() between passes (even with --expose-gc): measured, it makes V8 shrink
 * the young generation each time, and every later pass gets slower (264 -> 152 MB/s over six).
 */
function measure(path: string, mode: Mode): Measurement {
  const decodeStats = new DecodeStats();
  const appSink = new CountingAppSink(mode === 'uri');
  const app = mode === 'full' || mode === 'uri' ? new AppLayer(appSink) : null;
  const engine = mode === 'decode' ? null : new StreamEngine((bytes, base) => decodeIpDatagram(bytes, base, decodeStats));
  const sink = new PipelineSink(app);
  let decoded = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = readCaptureFile(path, (f) => {
    const pkt = decodeFrame(f.linkType, f, decodeStats);
    if (pkt === null) return;
    decoded++;
    engine?.process(pkt, sink);
  });
  if (engine !== null) engine.flush(sink);
  app?.flushAll();
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (result.error !== undefined) throw new Error(result.error.message);
  if (decoded !== result.frames) throw new Error(`${result.frames - decoded} of ${result.frames} frames did not decode as IP`);
  return {
    wallS,
    cpuS: (cpu.user + cpu.system) / 1e6,
    fileBytes: result.fileBytes,
    packets: result.frames,
    httpTx: appSink.httpTx,
    smtpUnits: appSink.smtpUnits,
    streamBytes: sink.streamBytes,
  };
}

const VERBOSE = process.env.PIPELINE_BENCH_VERBOSE !== undefined;

/** Best wall time and best CPU time over the rounds (after a warm-up pass for JIT and page cache). */
function best(path: string, mode: Mode): Measurement {
  measure(path, mode);
  let out: Measurement | null = null;
  for (let i = 0; i < ROUNDS; i++) {
    const m = measure(path, mode);
    if (VERBOSE) {
      const mb = m.fileBytes / 1e6;
      process.stderr.write(`${mode} round ${i + 1}: ${Math.round(mb / m.wallS)} MB/s wall, ${Math.round(mb / m.cpuS)} MB/s cpu\n`);
    }
    if (out === null) out = m;
    else {
      out.wallS = Math.min(out.wallS, m.wallS);
      out.cpuS = Math.min(out.cpuS, m.cpuS);
    }
  }
  return out!;
}

const CHILD_FLAG = '--pipeline-bench-child';


/**
 * Each mode runs in a process of its own: measured, a mode run after others in the same process
 * (or after other benchmark modules) inherits their type feedback and heap sizing, and its
 * figures differed from those of a fresh process by up to a third, either way.
 */
function bestIsolated(path: string, mode: Mode): Measurement {
  const out = execFileSync(process.execPath, [...childExecArgv(), fileURLToPath(import.meta.url), CHILD_FLAG, mode, path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  const last = out.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Measurement;
}

export async function run(capturePath?: string): Promise<Record<string, number>> {
  const path = capturePath ?? DEFAULT_CAPTURE;
  if (capturePath === undefined && (!existsSync(path) || statSync(path).size < MIN_BYTES)) generateCapture(path);
  const modes = modesToRun();
  const r: Record<string, number> = {};
  let full: Measurement | null = null;
  for (const mode of modes) {
    const m = bestIsolated(path, mode);
    const mb = m.fileBytes / 1e6;
    if (r['pipeline.capture_mb'] === undefined) {
      r['pipeline.capture_mb'] = Math.round(mb);
      r['pipeline.packets'] = m.packets;
    }
    r[`pipeline.${mode}.mb_per_s`] = Math.round(mb / m.wallS);
    r[`pipeline.${mode}.cpu_mb_per_s`] = Math.round(mb / m.cpuS);
    if (mode === 'full') full = m;
  }
  if (full !== null) {
    r['pipeline.stream_mb'] = Math.round(full.streamBytes / 1e6);
    r['pipeline.http_transactions'] = full.httpTx;
    r['pipeline.smtp_units'] = full.smtpUnits;
    r['pipeline.full.packets_per_s'] = Math.round(full.packets / full.wallS);
    r['pipeline.full.cpu_packets_per_s'] = Math.round(full.packets / full.cpuS);
    r['pipeline.full.http_tx_per_s'] = Math.round(full.httpTx / full.wallS);
    r['pipeline.full.cpu_http_tx_per_s'] = Math.round(full.httpTx / full.cpuS);
  }
  return r;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === CHILD_FLAG) {
    console.log(JSON.stringify(best(process.argv[4]!, process.argv[3] as Mode)));
  } else {
    const results = await run(process.argv[2]);
    for (const [name, value] of Object.entries(results)) console.log(`${name}: ${value}`);
  }
}

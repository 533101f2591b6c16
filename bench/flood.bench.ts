/**
 * Floods through the whole `kanshi scan` process (bundled rules, correlation on): what a
 * capture of an attack on the sensor itself costs. Each flood is 300,000 packets at 10,000
 * packets per second of capture time, from addresses drawn at random (so nearly every packet
 * makes a new flow, defrag tracker or scan-table key and the caps are reached early):
 * - syn: TCP SYNs to one server port (a spoofed SYN flood);
 * - udp: 32-byte datagrams to random ports;
 * - frag: first fragments of UDP datagrams whose other fragments never come;
 * - icmp: echo requests.
 * Reported per flood: packets per second of the whole process and its peak resident memory.
 * Captures are generated once into bench/out/. Run alone with `npx tsx bench/flood.bench.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CaptureFileWriter, IPPROTO_UDP, icmpBytes, ipPacket, ipv4Datagram, tcpBytes, udpBytes } from '../src/traffic/index.js';
import type { BuiltPacket } from '../src/traffic/index.js';
import { machineProbeMs } from './child.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = join(HERE, 'out');
const BIN = join(HERE, '..', 'bin', 'kanshi.js');
const PACKETS = 300_000;
const FLOODS = ['syn', 'udp', 'frag', 'icmp'] as const;
type Flood = (typeof FLOODS)[number];

/** Deterministic pseudo-random numbers (the captures are the same on every machine). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

function packetOf(kind: Flood, i: number, rand: () => number): BuiltPacket {
  const r = rand();
  // A source in 1.0.0.0-223.255.255.255, never .0.
  const src = Uint8Array.of(1 + (r >>> 24) % 223, (r >>> 16) & 255, (r >>> 8) & 255, 1 + (r & 255) % 254);
  const dst = Uint8Array.of(192, 168, 1, 10);
  const tsUs = 1_048_000_000_000_000 + i * 100;
  const port = 1 + (rand() % 65535);
  const datagram = (protocol: number, id: number, payload: Uint8Array, moreFragments = false): BuiltPacket =>
    ipPacket(ipv4Datagram({ src, dst, protocol, id, moreFragments, payload }), tsUs);
  switch (kind) {
    case 'syn':
      return datagram(6, i & 0xffff, tcpBytes({ srcPort: 1024 + (port % 64000), dstPort: 445, seq: rand(), flags: 'S', window: 8192 }, src, dst));
    case 'udp':
      return datagram(IPPROTO_UDP, i & 0xffff, udpBytes({ srcPort: 1024 + (i % 60000), dstPort: port, payload: new Uint8Array(32) }, src, dst));
    case 'frag':
      // The UDP header and the first 64 bytes of a datagram announced as longer.
      return datagram(IPPROTO_UDP, port, udpBytes({ srcPort: 53, dstPort: 53, payload: new Uint8Array(64) }, src, dst), true);
    case 'icmp':
      return datagram(1, i & 0xffff, icmpBytes({ type: 8, id: 1, seq: i & 0xffff, payload: new Uint8Array(32) }, src, dst));
  }
}

function capturePath(kind: Flood): string {
  return join(OUT_DIR, `flood-${kind}.pcap`);
}

function generate(kind: Flood): void {
  const path = capturePath(kind);
  mkdirSync(OUT_DIR, { recursive: true });
  const partial = `${path}.partial`;
  const w = new CaptureFileWriter(partial, { format: 'pcap' });
  const rand = prng(20030125);
  for (let i = 0; i < PACKETS; i++) w.write(packetOf(kind, i, rand));
  w.close();
  renameSync(partial, path);
}

/** The whole scan in a child process; its wall time and peak RSS (from the child's own resource usage). */
function wholeProcess(kind: Flood): { seconds: number; maxRssMb: number } | undefined {
  const code = `
    const { loadCli } = await import(${JSON.stringify(pathToFileURL(join(HERE, '..', 'bin', 'load-cli.js')).href)});
    const { main } = loadCli();
    const t0 = performance.now();
    const status = await main(['scan', '--var', 'HOME_NET=192.168.0.0/16', '--format', 'fast', '-o', '/dev/null', ${JSON.stringify(capturePath(kind))}]);
    process.stdout.write(JSON.stringify({ status, seconds: (performance.now() - t0) / 1000, maxRssKb: process.resourceUsage().maxRSS }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    // A missing figure must not pass unnoticed.
    process.stderr.write(`flood ${kind}: the scan failed: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}\n`);
    return undefined;
  }
  const out = JSON.parse(r.stdout) as { status: number; seconds: number; maxRssKb: number };
  return out.status === 0 ? { seconds: out.seconds, maxRssMb: Math.round(out.maxRssKb / 1024) } : undefined;
}

export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (!existsSync(BIN)) return out;
  for (const kind of FLOODS) {
    if (!existsSync(capturePath(kind))) generate(kind);
    out[`flood.${kind}.machine_probe_ms`] = machineProbeMs();
    const w = wholeProcess(kind);
    if (w === undefined) continue;
    out[`flood.${kind}.packets_per_sec`] = Math.round(PACKETS / w.seconds);
    out[`flood.${kind}.max_rss_mb`] = w.maxRssMb;
  }
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await run();
  for (const [name, value] of Object.entries(results)) console.log(`${name}: ${value}`);
}

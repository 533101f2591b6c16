/**
 * kanshi scan end to end: rule load + compile times for the Snort community set (every rule
 * uncommented, in memory) and the active ET Open rules, then throughput (MB/s, packets/s) of
 * read + decode + reassembly + HTTP + detection over an HTTP-heavy capture of at least 200 MB,
 * generated once with the traffic builder into bench/out/.
 * Then the whole `kanshi scan` process (bin/kanshi.js, as built by `npm run build`), from its
 * start to its last alert written: node start-up, module loading, rule loading, compiling,
 * scanning, correlation and alert_fast output, as a user runs it (median and fastest of 5 runs).
 * Run standalone: npx tsx bench/scan.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ruleset } from '../src/match/ruleset.js';
import { Scanner } from '../src/match/scanner.js';
import { RuleLoader } from '../src/rule/loader.js';
import { VariableTable } from '../src/rule/variables.js';
import { CaptureFileWriter, httpRequest, httpResponse, tcpSession } from '../src/traffic/index.js';
import { fastest, machineProbeMs, median } from './child.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = join(HERE, 'out');
const CAPTURE = join(OUT_DIR, 'scan-bench.pcap');
const MIN_BYTES = 200 * 1024 * 1024;
const CORPORA = join(HERE, '..', '..', 'shared', 'corpora');
const COMMUNITY = join(CORPORA, 'snort-community', 'community.rules');
const ET_DIR = join(CORPORA, 'et-open-suricata5-20240421');

/** Deterministic pseudo-random numbers (the capture is the same on every machine). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const WORDS = ['index', 'news', 'images', 'static', 'api', 'v2', 'user', 'login', 'search', 'cart', 'product', 'assets', 'js', 'css', 'blog', 'archive', 'download', 'docs'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)',
  'curl/8.4.0',
];
/** A few requests in a hundred carry what attack rules look for, so evaluation paths run too. */
const ODD_PATHS = ['/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir', '/cgi-bin/phf?Qalias=x%0a/bin/cat%20/etc/passwd', '/index.php?id=1%20union%20select%20password%20from%20users', '/default.ida?NNNNNNNNNNNNNNNNNNNNNNNN%u9090%u6858'];

function htmlBody(rand: () => number, size: number): Uint8Array {
  const parts: string[] = ['<html><head><title>page</title></head><body>\n'];
  let n = parts[0]!.length;
  while (n < size) {
    const w = `<p>${WORDS[Math.floor(rand() * WORDS.length)]} ${Math.floor(rand() * 1e6)} lorem ipsum dolor sit amet</p>\n`;
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join('').slice(0, size), 'latin1');
}

function generateCapture(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const writer = new CaptureFileWriter(partial, { format: 'pcap' });
  const rand = prng(20030317);
  const bodies = [512, 2048, 8192, 16384, 32768].map((size) => htmlBody(rand, size));
  let written = 0;
  let ts = 1_700_000_000_000_000;
  for (let n = 0; written < MIN_BYTES; n++) {
    const s = tcpSession({
      client: `10.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${(n & 0xff) | 1}:${1024 + (n % 60000)}`,
      server: `192.168.${n % 8}.${10 + (n % 5)}:${n % 10 === 0 ? 8080 : 80}`,
      startUs: ts,
      stepUs: 30,
    });
    s.handshake();
    // Keep-alive sessions of a few exchanges.
    const exchanges = 1 + Math.floor(rand() * 4);
    for (let k = 0; k < exchanges; k++) {
      const odd = rand() < 0.02;
      const path = odd ? ODD_PATHS[Math.floor(rand() * ODD_PATHS.length)]! : `/${WORDS[Math.floor(rand() * WORDS.length)]}/${WORDS[Math.floor(rand() * WORDS.length)]}/${Math.floor(rand() * 1e5)}.html`;
      const req = httpRequest({
        method: rand() < 0.9 ? 'GET' : 'POST',
        uri: path,
        headers: { 'User-Agent': AGENTS[Math.floor(rand() * AGENTS.length)]!, Accept: '*/*', 'Accept-Encoding': 'identity', Cookie: `session=${Math.floor(rand() * 1e9)}` },
        ...(rand() < 0.1 ? { body: `user=admin&pass=${Math.floor(rand() * 1e6)}` } : {}),
      }, 'www.example.com');
      const body = bodies[Math.floor(rand() * bodies.length)]!;
      s.send('client', req);
      s.send('server', httpResponse({ status: rand() < 0.9 ? 200 : 404, headers: { 'Content-Type': 'text/html', Server: 'Apache/2.4.57' }, body }));
    }
    s.close();
    for (const p of s.packets()) {
      writer.write(p);
      written += 16 + p.frame.length;
      ts = p.tsUs + 30;
    }
  }
  writer.close();
  renameSync(partial, path);
}

interface Loaded {
  ruleset: Ruleset;
  loadMs: number;
  compileMs: number;
  rules: number;
}

/** Every rule of the community set, commented out or not. */
function communityText(): string {
  return readFileSync(COMMUNITY, 'utf8').replace(/^#\s*((?:alert|log|pass|drop|reject|sdrop)\s)/gm, '$1');
}

function load(source: 'community' | 'et'): Loaded {
  const t0 = performance.now();
  const loader = new RuleLoader({ vars: VariableTable.withDefaults() });
  if (source === 'community') {
    loader.loadText(COMMUNITY, communityText());
  } else {
    for (const f of readdirSync(ET_DIR).filter((f) => f.endsWith('.rules')).sort()) loader.loadFile(join(ET_DIR, f));
  }
  const t1 = performance.now();
  const ruleset = new Ruleset(loader.rules);
  const t2 = performance.now();
  return { ruleset, loadMs: t1 - t0, compileMs: t2 - t1, rules: ruleset.rules.length };
}

function scan(ruleset: Ruleset): { seconds: number; cpuSeconds: number; bytes: number; packets: number; alerts: number } {
  let alerts = 0;
  const scanner = new Scanner(ruleset, () => alerts++);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = scanner.scanCaptureFile(CAPTURE);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  if (r.error !== undefined) throw new Error(r.error);
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, bytes: r.bytes, packets: r.frames, alerts };
}

const BIN = join(HERE, '..', 'bin', 'kanshi.js');
const WHOLE_RUNS = 5;

/** Wall seconds of `kanshi scan -r RULES --format fast` over the capture, median and fastest of WHOLE_RUNS, and its alert count. */
function wholeProcess(rulesPath: string): { seconds: number; fastestSeconds: number; alerts: number } | undefined {
  const out = join(OUT_DIR, 'scan-bench.fast');
  const times: number[] = [];
  let alerts = 0;
  for (let i = 0; i < WHOLE_RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, 'scan', '-r', rulesPath, '--format', 'fast', '-o', out, CAPTURE], { stdio: 'ignore' });
    times.push((performance.now() - t0) / 1000);
    if (r.status !== 0) return undefined;
    alerts = readFileSync(out, 'latin1').split('\n').filter((l) => l.length > 0).length;
  }
  return { seconds: median(times), fastestSeconds: fastest(times), alerts };
}

export async function run(): Promise<Record<string, number>> {
  if (!existsSync(CAPTURE) || statSync(CAPTURE).size < MIN_BYTES) generateCapture(CAPTURE);
  const fileBytes = statSync(CAPTURE).size;
  const out: Record<string, number> = { 'scan.capture_mb': Math.round(fileBytes / 1e6) };
  for (const set of ['community', 'et'] as const) {
    if (!existsSync(set === 'community' ? COMMUNITY : ET_DIR)) continue;
    const l = load(set);
    const s = scan(l.ruleset);
    const total = (l.loadMs + l.compileMs) / 1000 + s.seconds;
    out[`scan.${set}.rules`] = l.rules;
    out[`scan.${set}.load_ms`] = Math.round(l.loadMs);
    out[`scan.${set}.compile_ms`] = Math.round(l.compileMs);
    out[`scan.${set}.load_compile_ms`] = Math.round(l.loadMs + l.compileMs);
    out[`scan.${set}.scan_mb_per_s`] = Math.round(fileBytes / 1e6 / s.seconds);
    out[`scan.${set}.scan_packets_per_s`] = Math.round(s.packets / s.seconds);
    // The machine is shared: CPU time shows what the engine itself costs under others' load.
    out[`scan.${set}.scan_cpu_mb_per_s`] = Math.round(fileBytes / 1e6 / s.cpuSeconds);
    out[`scan.${set}.end_to_end_mb_per_s`] = Math.round(fileBytes / 1e6 / total);
    out[`scan.${set}.alerts`] = s.alerts;
  }
  if (existsSync(BIN) && existsSync(COMMUNITY)) {
    const rulesPath = join(OUT_DIR, 'community-all.rules');
    writeFileSync(rulesPath, communityText());
    out['scan.community.whole_process_machine_probe_ms'] = machineProbeMs();
    const w = wholeProcess(rulesPath);
    if (w !== undefined) {
      out['scan.community.whole_process_s'] = Math.round(w.seconds * 100) / 100;
      out['scan.community.whole_process_mb_per_s'] = Math.round(fileBytes / 1e6 / w.seconds);
      out['scan.community.whole_process_fastest_s'] = Math.round(w.fastestSeconds * 100) / 100;
      out['scan.community.whole_process_fastest_mb_per_s'] = Math.round(fileBytes / 1e6 / w.fastestSeconds);
      out['scan.community.whole_process_alerts'] = w.alerts;
    }
  }
  return out;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await run();
  for (const [name, value] of Object.entries(results)) console.log(`${name}: ${value}`);
}

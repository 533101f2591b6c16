/**
 * Log throughput on a 1,000,000-line combined access log (generated once into bench/out/):
 * - parsing alone: read from disk, split into lines, parsed into records;
 * - detection: the same log scanned (Scanner.scanLogFile: parse + match + alerts counted)
 *   against the bundled rules (rules/*.rules) and against the ET Open HTTP rules.
 * The ET Open HTTP selection: every loaded rule of ../shared/corpora/et-open-suricata5-20240421
 * that inspects HTTP, i.e. whose header protocol is http (or http1), or that has a payload
 * keyword or buffer condition on an HTTP buffer (a sticky `http.*` buffer or an `http_*`
 * modifier, which the rule language maps to the same buffers). Rates are lines per CPU second
 * of the scan (rule loading excluded, reported separately), single-threaded; each scan runs in a
 * fresh process, as one `kanshi scan` does (see isolatedScan): three for the 1M-line log, their
 * medians printed, and the fastest run's wall rate beside them.
 * The generated log draws its paths from a short list, so buffer values repeat far more than in
 * a real log (which the scan memos exploit): the same scans are also reported on a variant in
 * which every URI is unique (a random `n=` query parameter appended), `*_unique_uri`.
 * The same lines in IIS's W3C extended format (`*_iis`) are scanned too.
 * Run alone with `npx tsx bench/logs.bench.ts`.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readLogFile } from '../src/logs/index.js';
import { Ruleset } from '../src/match/ruleset.js';
import { Scanner } from '../src/match/scanner.js';
import type { Rule } from '../src/rule/ast.js';
import { RuleLoader } from '../src/rule/loader.js';
import { VariableTable } from '../src/rule/variables.js';
import { childExecArgv, fastest, machineProbeMs, median } from './child.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = resolve(HERE, 'out');
const LOG_PATH = resolve(OUT_DIR, 'access-1m.log');
const UNIQUE_PATH = resolve(OUT_DIR, 'access-1m-unique-uri.log');
const IIS_PATH = resolve(OUT_DIR, 'iis-1m.log');
const LINES = 1_000_000;
/** Fresh-process scans of the 1M-line log per rule set (the unique-URI and IIS logs get one each). */
const MAIN_RUNS = 3;
const BUNDLED_RULES = resolve(HERE, '..', 'rules');
const ET_DIR = resolve(HERE, '..', '..', 'shared', 'corpora', 'et-open-suricata5-20240421');

/** Small deterministic PRNG (mulberry32) so every run parses the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'HEAD'];
const PATHS = [
  '/', '/index.html', '/images/logo.png', '/css/site.css', '/js/app.js', '/wp-login.php', '/admin/login.php',
  '/search?q=kanshi+ids', '/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir', '/default.ida?NNNNNNNNNNNNNNNNNNNN%u9090%u6858',
  '/cgi-bin/php?-d+allow_url_include%3d1', '/api/v1/items/12345?format=json&page=2', '/.env', '/phpmyadmin/index.php',
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'curl/7.68.0',
  'sqlmap/1.7.2#stable (https://sqlmap.org)',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Nikto/2.1.6',
];
const REFERERS = ['-', 'https://www.example.com/', 'https://www.google.com/search?q=example', '-'];
const STATUS = [200, 200, 200, 304, 404, 403, 500, 301];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

async function generate(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const rand = rng(20240421);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out = createWriteStream(LOG_PATH);
  let t = Date.UTC(2024, 2, 1) / 1000;
  let buf = '';
  for (let i = 0; i < LINES; i++) {
    t += rand() < 0.7 ? 0 : 1;
    const d = new Date(t * 1000);
    const stamp = `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
    const ip = `${1 + Math.floor(rand() * 223)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;
    buf += `${ip} - - [${stamp}] "${pick(METHODS)} ${pick(PATHS)} HTTP/1.1" ${pick(STATUS)} ${Math.floor(rand() * 50000)} "${pick(REFERERS)}" "${pick(AGENTS)}"\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

/** The bench log with a random query parameter appended to every URI (generated once). */
async function generateUnique(): Promise<void> {
  const rand = rng(4096);
  const out = createWriteStream(UNIQUE_PATH);
  let carry = '';
  for await (const chunk of createReadStream(LOG_PATH, { encoding: 'latin1', highWaterMark: 1 << 20 })) {
    const text = carry + (chunk as string);
    const cut = text.lastIndexOf('\n') + 1;
    carry = text.slice(cut);
    const body = text.slice(0, cut).replace(/"([A-Z]+) (\S+) HTTP\/1\.1"/g, (_m, method: string, path: string) => {
      const n = Math.floor(rand() * 1e9);
      return `"${method} ${path}${path.includes('?') ? '&' : '?'}n=${n} HTTP/1.1"`;
    });
    if (!out.write(body, 'latin1')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.write(carry, 'latin1');
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

/** The bench log's lines in IIS's W3C format (same requests, agents, referers and statuses). */
async function generateIis(): Promise<void> {
  const out = createWriteStream(IIS_PATH);
  out.write('#Software: Microsoft Internet Information Services 5.0\n#Version: 1.0\n#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs(User-Agent) cs(Referer)\n');
  const line = /^(\S+) - - \[(\d+)\/(\w+)\/(\d+):(\d+:\d+:\d+) [^\]]*\] "(\S+) ([^ ?]*)(?:\?(\S*))? HTTP\/1\.1" (\d+) (\d+) "([^"]*)" "([^"]*)"$/gm;
  let carry = '';
  for await (const chunk of createReadStream(LOG_PATH, { encoding: 'latin1', highWaterMark: 1 << 20 })) {
    const text = carry + (chunk as string);
    const cut = text.lastIndexOf('\n') + 1;
    carry = text.slice(cut);
    let body = '';
    for (const m of text.slice(0, cut).matchAll(line)) {
      const [, ip, day, mon, year, time, method, stem, query, status, bytes, referer, agent] = m as unknown as string[];
      const date = `${year}-${pad2(MONTHS.indexOf(mon!) + 1)}-${day}`;
      body += `${date} ${time} ${ip} - 192.0.2.1 80 ${method} ${stem} ${query || '-'} ${status} ${bytes} ${agent!.replace(/ /g, '+')} ${referer}\n`;
    }
    if (!out.write(body, 'latin1')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

async function timeParse(touch: boolean): Promise<{ secs: number; lines: number; records: number }> {
  let n = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const stats = await readLogFile(LOG_PATH, { format: 'combined' }, (r) => {
    n++;
    if (touch) sink += r.buffer('http.uri')?.length ?? 0;
  });
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  if (n !== stats.records || sink < 0) throw new Error('record count mismatch');
  return { secs, lines: stats.lines, records: stats.records };
}

/** A rule that inspects HTTP: protocol http, or a payload keyword or buffer condition on an HTTP buffer. */
function inspectsHttp(rule: Rule): boolean {
  if (rule.protocol === 'http' || rule.protocol === 'http1') return true;
  const det = rule.body?.detection;
  if (det === undefined) return false;
  if (det.payload.some((el) => el.buffer.startsWith('http.'))) return true;
  return det.conditions.some((c) => {
    const bc = c.option.module.bufferCondition;
    return bc !== undefined && bc(c.value).buffer.startsWith('http.');
  });
}

function loadRules(which: 'bundled' | 'et-http'): { ruleset: Ruleset; loadMs: number } {
  const t0 = performance.now();
  const loader = new RuleLoader({ vars: VariableTable.withDefaults() });
  const dir = which === 'bundled' ? BUNDLED_RULES : ET_DIR;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.rules')).sort()) loader.loadFile(join(dir, f));
  const rules = which === 'bundled' ? loader.rules : loader.rules.filter((r) => r.status === 'loaded' && inspectsHttp(r));
  const ruleset = new Ruleset(rules);
  return { ruleset, loadMs: performance.now() - t0 };
}

async function timeScan(ruleset: Ruleset, path = LOG_PATH, format = 'combined'): Promise<{ cpuSecs: number; secs: number; records: number; alerts: number }> {
  let alerts = 0;
  const scanner = new Scanner(ruleset, () => {
    alerts++;
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await scanner.scanLogFile(path, { format });
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  if (r.error !== undefined) throw new Error(r.error);
  return { cpuSecs: (cpu.user + cpu.system) / 1e6, secs, records: r.records, alerts };
}

const CHILD_FLAG = '--logs-bench-child';
type Which = 'bundled' | 'et-http';
interface ScanFigures {
  loadMs: number;
  rules: number;
  cpuSecs: number;
  secs: number;
  records: number;
  alerts: number;
}

/** In a child process: loads the rules, scans one file, prints the figures as JSON. */
async function childScan(which: Which, path: string, format: string): Promise<void> {
  const { ruleset, loadMs } = loadRules(which);
  const s = await timeScan(ruleset, path, format);
  const figures: ScanFigures = { loadMs, rules: ruleset.rules.length, ...s };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}


/**
 * Each scan runs in a process of its own, as one `kanshi scan` does: measured in one process,
 * the ET Open scan run after the bundled rules' scans inherited their type feedback and ran
 * about 15% slower than in a fresh process (179,000 against 209,000 lines per CPU second).
 */
function isolatedScan(which: Which, path: string, format: string): ScanFigures {
  const out = execFileSync(process.execPath, [...childExecArgv(), fileURLToPath(import.meta.url), CHILD_FLAG, which, path, format], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as ScanFigures;
}

export async function run(): Promise<Record<string, number>> {
  if (!existsSync(LOG_PATH)) await generate();
  if (!existsSync(UNIQUE_PATH)) await generateUnique();
  if (!existsSync(IIS_PATH)) await generateIis();
  const bytes = statSync(LOG_PATH).size;
  await timeParse(false); // warm-up (JIT, page cache)
  const parse = await timeParse(false);
  const withUri = await timeParse(true);
  const out: Record<string, number> = {
    'logs.combined.lines': parse.lines,
    'logs.combined.lines_per_sec': Math.round(parse.lines / parse.secs),
    'logs.combined.mb_per_sec': Math.round((bytes / parse.secs / 1e6) * 10) / 10,
    'logs.combined.lines_per_sec_with_http_uri': Math.round(withUri.lines / withUri.secs),
  };
  for (const which of ['bundled', 'et-http'] as const) {
    if (which === 'et-http' && !existsSync(ET_DIR)) continue;
    const key = which === 'bundled' ? 'logs.match.bundled' : 'logs.match.et_http';
    out[`${key}.machine_probe_ms`] = machineProbeMs();
    // Three fresh processes: the median and the fastest (see fastest() in child.ts).
    const runs = Array.from({ length: MAIN_RUNS }, () => isolatedScan(which, LOG_PATH, 'combined'));
    const s = runs[0]!;
    out[`${key}.rules`] = s.rules;
    out[`${key}.load_compile_ms`] = Math.round(median(runs.map((r) => r.loadMs)));
    out[`${key}.lines_per_cpu_sec`] = Math.round(median(runs.map((r) => r.records / r.cpuSecs)));
    out[`${key}.lines_per_sec`] = Math.round(median(runs.map((r) => r.records / r.secs)));
    out[`${key}.lines_per_sec_fastest`] = Math.round(s.records / fastest(runs.map((r) => r.secs)));
    out[`${key}.alerts`] = s.alerts;
    const u = isolatedScan(which, UNIQUE_PATH, 'combined');
    out[`${key}_unique_uri.lines_per_cpu_sec`] = Math.round(u.records / u.cpuSecs);
    out[`${key}_unique_uri.alerts`] = u.alerts;
    const iis = isolatedScan(which, IIS_PATH, 'iis');
    out[`${key}_iis.lines_per_cpu_sec`] = Math.round(iis.records / iis.cpuSecs);
    out[`${key}_iis.alerts`] = iis.alerts;
  }
  return out;
}

if (process.argv[2] === CHILD_FLAG) {
  await childScan(process.argv[3] as Which, process.argv[4]!, process.argv[5]!);
} else if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  run().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

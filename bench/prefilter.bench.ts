/**
 * Prefilter benchmark: the fast patterns of the Snort community set (every rule uncommented) and
 * of ET Open against ~200 MB of generated HTTP traffic (headers, HTML, JSON, script and binary
 * bodies). Rates are CPU time (process.cpuUsage), median of several passes: the machine is shared.
 *
 *   npx tsx bench/prefilter.bench.ts            (PREFILTER_BENCH_MB=50 for a shorter run)
 *
 * Fast patterns are extracted simply: for each rule, the content marked fast_pattern, else the
 * longest content (negated contents skipped), decoded from |hex| and backslash escapes, nocase
 * when a nocase follows it before the next content. All of a set's patterns go into one
 * prefilter, a harder case than the engine's port groups and per-buffer filters.
 *
 * Then the prefilters the engine itself builds for web traffic (rules compiled by Ruleset; the
 * stream and HTTP groups of a client port to port 80, one prefilter per buffer), each over the
 * first GROUP_TRAFFIC_MB of the same traffic: `groups.*` is their combined rate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuleGroup } from '../src/match/groups.js';
import { Prefilter, type PrefilterPattern } from '../src/match/prefilter/index.js';
import { Ruleset } from '../src/match/ruleset.js';
import { RuleLoader } from '../src/rule/loader.js';
import { VariableTable } from '../src/rule/variables.js';
import { corpus } from '../test/corpora.js';
import { median } from './child.js';

const ET_DIR = corpus('et-open-suricata5-20240421');
const COMMUNITY = corpus('snort-community', 'community.rules');
const TRAFFIC_BYTES = Number(process.env.PREFILTER_BENCH_MB ?? 200) * 1e6;
const SEGMENT = 1460;
const PASSES = 3;
const GROUP_TRAFFIC_BYTES = Math.min(TRAFFIC_BYTES, 50e6);

export async function run(): Promise<Record<string, number>> {
  const traffic = generateTraffic(TRAFFIC_BYTES, 0x5eed);
  const sets: Array<[string, PrefilterPattern[]]> = [
    ['community', extractFastPatternsFromText(readFileSync(COMMUNITY, 'latin1').replace(/^#\s*((?:alert|log|pass|drop|reject|sdrop)\s)/gm, '$1'))],
    ['et', extractFastPatterns(ET_DIR)],
  ];
  const results: Record<string, number> = { traffic_mb: traffic.bytes.length / 1e6, messages: traffic.messages };
  for (const [name, patterns] of sets) {
    for (const [k, v] of Object.entries(measure(patterns, traffic))) results[`${name}.${k}`] = v;
  }
  for (const name of ['community', 'et'] as const) {
    const filters = engineGroupPatterns(name).map((patterns) => Prefilter.build(patterns));
    for (const [k, v] of Object.entries(measureGroups(filters, traffic))) results[`${name}.groups.${k}`] = v;
  }
  return results;
}

/** The patterns of the engine's per-buffer prefilters in its groups for traffic from a client port to port 80. */
function engineGroupPatterns(set: 'community' | 'et'): PrefilterPattern[][] {
  const loader = new RuleLoader({ vars: VariableTable.withDefaults() });
  if (set === 'community') {
    loader.loadText(COMMUNITY, readFileSync(COMMUNITY, 'utf8').replace(/^#\s*((?:alert|log|pass|drop|reject|sdrop)\s)/gm, '$1'));
  } else {
    for (const f of readdirSync(ET_DIR).filter((f) => f.endsWith('.rules')).sort()) loader.loadFile(join(ET_DIR, f));
  }
  const ruleset = new Ruleset(loader.rules);
  const filters: PrefilterPattern[][] = [];
  const groups: RuleGroup[] = [];
  const lookups = [[ruleset.stream[0], 40000, 80], [ruleset.stream[1], 80, 40000], [ruleset.httpRequest, 40000, 80], [ruleset.httpResponse, 80, 40000]] as const;
  for (const [groupSet, src, dst] of lookups) {
    const n = groupSet.lookup(src, dst, groups);
    for (let g = 0; g < n; g++) {
      // As RuleGroup builds them: one prefilter per buffer over its rules' fast patterns.
      const byBuffer = new Map<string, PrefilterPattern[]>();
      for (const r of groups[g]!.members) {
        const fp = r.fastPattern;
        if (fp === null) continue;
        let list = byBuffer.get(fp.buffer);
        if (list === undefined) byBuffer.set(fp.buffer, (list = []));
        list.push({ id: r.index, bytes: fp.bytes, nocase: fp.nocase });
      }
      filters.push(...byBuffer.values());
    }
  }
  return filters;
}

/** Each filter over the first GROUP_TRAFFIC_BYTES, one scan per message: total bytes over total CPU time. */
function measureGroups(filters: Prefilter[], traffic: Traffic): Record<string, number> {
  let messages = 0;
  while (messages < traffic.messages && traffic.bounds[messages + 1]! <= GROUP_TRAFFIC_BYTES) messages++;
  const bytes = traffic.bounds[messages]!;
  const passOver = (m: Prefilter): number => {
    const out = m.createCandidateSet();
    const c0 = process.cpuUsage();
    for (let k = 0; k < messages; k++) {
      out.clear();
      m.scan(traffic.bytes, out, traffic.bounds[k]!, traffic.bounds[k + 1]!);
    }
    return cpuMs(c0);
  };
  let totalMs = 0;
  for (const m of filters) {
    passOver(m); // warm-up
    totalMs += median(Array.from({ length: PASSES }, () => passOver(m)));
  }
  return {
    filters: filters.length,
    teddy_engine_filters: filters.filter((m) => m.engine === 'teddy').length,
    step_engine_filters: filters.filter((m) => m.engine === 'step').length,
    patterns: filters.reduce((n, m) => n + m.distinctPatterns, 0),
    table_bytes: filters.reduce((n, m) => n + m.memoryBytes, 0),
    scan_cpu_mb_s: (filters.length * bytes) / 1e6 / (totalMs / 1000),
  };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
}

function measure(patterns: PrefilterPattern[], traffic: Traffic): Record<string, number> {
  // The first build of a set runs colder (less optimised code), as the engine's start-up does.
  const builds: number[] = [];
  let m = Prefilter.build([]);
  for (let k = 0; k < 5; k++) {
    const c0 = process.cpuUsage();
    m = Prefilter.build(patterns);
    builds.push(cpuMs(c0));
  }

  // Each HTTP message is one scan, into a set cleared per message, as the engine does.
  const out = m.createCandidateSet();
  const scanOnce = (): { cpuMs: number; hits: number } => {
    let hits = 0;
    const c0 = process.cpuUsage();
    for (let k = 0; k < traffic.messages; k++) {
      out.clear();
      m.scan(traffic.bytes, out, traffic.bounds[k]!, traffic.bounds[k + 1]!);
      hits += out.count;
    }
    return { cpuMs: cpuMs(c0), hits };
  };
  // The same bytes as TCP-sized chunks of one stream per message.
  const stream = m.createStream();
  const streamOnce = (): { cpuMs: number; hits: number } => {
    let hits = 0;
    const c0 = process.cpuUsage();
    for (let k = 0; k < traffic.messages; k++) {
      stream.reset();
      out.clear();
      for (let at = traffic.bounds[k]!, end = traffic.bounds[k + 1]!; at < end; at += SEGMENT) {
        m.scanStream(stream, traffic.bytes, out, at, Math.min(end, at + SEGMENT));
      }
      hits += out.count;
    }
    return { cpuMs: cpuMs(c0), hits };
  };
  scanOnce(); // warm-up: lets the JIT optimise the scan loops
  const scans: Array<{ cpuMs: number; hits: number }> = [];
  const streams: Array<{ cpuMs: number; hits: number }> = [];
  for (let k = 0; k < PASSES; k++) {
    scans.push(scanOnce());
    streams.push(streamOnce());
  }
  const mb = traffic.bytes.length / 1e6;
  return {
    patterns: patterns.length,
    distinct_patterns: m.distinctPatterns,
    step_engine: m.engine === 'step' ? 1 : 0,
    build_cold_cpu_ms: builds[0]!,
    build_cpu_ms: median(builds.slice(1)),
    table_bytes: m.memoryBytes,
    scan_cpu_mb_s: mb / (median(scans.map((s) => s.cpuMs)) / 1000),
    candidates_per_message: scans[0]!.hits / traffic.messages,
    stream_cpu_mb_s: mb / (median(streams.map((s) => s.cpuMs)) / 1000),
    stream_candidates_per_message: streams[0]!.hits / traffic.messages,
  };
}

// ---------------------------------------------------------------------------------------------
// Fast-pattern extraction

interface Content {
  bytes: Uint8Array;
  nocase: boolean;
  fastPattern: boolean;
}

export function extractFastPatterns(dir: string): PrefilterPattern[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.rules')).sort();
  return extractFastPatternsFromText(files.map((f) => readFileSync(join(dir, f), 'latin1')).join('\n'));
}

export function extractFastPatternsFromText(text: string): PrefilterPattern[] {
  const patterns: PrefilterPattern[] = [];
  for (const line of text.split('\n')) {
    if (!/^(alert|drop|reject|pass|log|sdrop)\s/.test(line)) continue;
    const open = line.indexOf('(');
    const close = line.lastIndexOf(')');
    if (open < 0 || close < open) continue;
    const contents: Content[] = [];
    let current: Content | null = null;
    for (const [keyword, value] of ruleOptions(line.slice(open + 1, close))) {
      if (keyword === 'content') {
        current = null;
        const m = /^"(.*)"$/s.exec(value);
        const bytes = m ? decodeContent(m[1]!) : null;
        if (bytes && bytes.length > 0) contents.push((current = { bytes, nocase: false, fastPattern: false }));
      } else if (keyword === 'nocase' && current) current.nocase = true;
      else if (keyword === 'fast_pattern' && current) current.fastPattern = true;
    }
    let best = contents.find((c) => c.fastPattern);
    if (!best) for (const c of contents) if (!best || c.bytes.length > best.bytes.length) best = c;
    if (best) patterns.push({ id: patterns.length, bytes: best.bytes, nocase: best.nocase });
  }
  return patterns;
}

/** Splits a rule body into [keyword, value] pairs, honouring quotes and backslash escapes. */
function ruleOptions(body: string): Array<[string, string]> {
  const options: Array<[string, string]> = [];
  let i = 0;
  while (i < body.length) {
    let j = i;
    let quoted = false;
    while (j < body.length) {
      const c = body[j];
      if (c === '\\') j++;
      else if (c === '"') quoted = !quoted;
      else if (c === ';' && !quoted) break;
      j++;
    }
    const option = body.slice(i, j).trim();
    if (option) {
      const colon = option.indexOf(':');
      options.push(colon < 0 ? [option, ''] : [option.slice(0, colon).trim(), option.slice(colon + 1).trim()]);
    }
    i = j + 1;
  }
  return options;
}

/** Content text to bytes: |41 42| hex runs and backslash escapes; null when malformed. */
function decodeContent(text: string): Uint8Array | null {
  const out: number[] = [];
  let hex = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (hex) {
      if (c === '|') hex = false;
      else if (c !== ' ') {
        const pair = text.slice(i, i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(pair)) return null;
        out.push(parseInt(pair, 16));
        i++;
      }
    } else if (c === '|') hex = true;
    else if (c === '\\' && i + 1 < text.length) out.push(text.charCodeAt(++i) & 0xff);
    else out.push(c.charCodeAt(0) & 0xff);
  }
  return hex ? null : Uint8Array.from(out);
}

// ---------------------------------------------------------------------------------------------
// Deterministic HTTP-ish traffic

interface Traffic {
  bytes: Uint8Array;
  /** Message k is bytes[bounds[k], bounds[k+1]). */
  bounds: Int32Array;
  messages: number;
}

class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() / 4294967296 < p;
  }
}

const WORDS = (
  'the of and to in is for on with that by this from are at as be or an it was your all we can more home page about ' +
  'contact news search login account user admin download update free online services products support help privacy ' +
  'terms policy blog video music games sports weather world business technology science health travel shopping cart ' +
  'checkout price order shipping review comments share follow subscribe newsletter javascript function window ' +
  'document element style class header footer content main section article image gallery photo media file data ' +
  'report system network server client request response error message status version release security config ' +
  'settings profile password email address phone number date time year month'
).split(' ');
const SEGMENTS = (
  'index,images,img,static,assets,js,css,api,v1,v2,wp-content,wp-includes,plugins,themes,uploads,admin,user,users,' +
  'account,login,search,products,product,category,cart,checkout,news,blog,post,posts,media,files,download,cdn,lib,' +
  'vendor,dist,build,public,resources,docs,help,support,fonts,ajax,rest,graphql'
).split(',');
const EXTENSIONS = ['.html', '.php', '.js', '.css', '.png', '.jpg', '.gif', '.json', '.aspx', '.jsp', '', '', '/', '.svg', '.woff2'];
const TLDS = ['com', 'net', 'org', 'io', 'de', 'co.uk', 'ru', 'cn', 'info', 'edu'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0)',
  'curl/8.4.0',
  'Wget/1.21.4',
  'python-requests/2.31.0',
  'Microsoft-CryptoAPI/10.0',
  'okhttp/4.12.0',
];
const CONTENT_TYPES = ['text/html; charset=utf-8', 'application/json', 'application/javascript', 'text/css', 'image/png',
  'image/jpeg', 'application/octet-stream', 'application/x-gzip', 'text/plain'];
const SERVERS = ['nginx/1.24.0', 'Apache/2.4.58 (Ubuntu)', 'Microsoft-IIS/10.0', 'cloudflare', 'gws', 'AmazonS3'];
const TOKEN_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

class Writer {
  buf: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }
  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }
  text(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i) & 0xff;
  }
  /** High-entropy bytes with zero runs, as in compressed and image bodies. */
  binary(r: Rng, n: number): void {
    this.reserve(n);
    for (let i = 0; i < n; i++) this.buf[this.length++] = r.chance(0.05) ? 0 : r.next() & 0xff;
  }
}

function token(r: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += TOKEN_CHARS[r.int(TOKEN_CHARS.length)];
  return s;
}

function host(r: Rng): string {
  return (r.chance(0.6) ? 'www.' : '') + r.pick(WORDS) + (r.chance(0.5) ? r.pick(WORDS) : '') + r.int(100) + '.' + r.pick(TLDS);
}

function uri(r: Rng): string {
  let u = '';
  const depth = 1 + r.int(4);
  for (let i = 0; i < depth; i++) u += '/' + (r.chance(0.7) ? r.pick(SEGMENTS) : r.pick(WORDS) + (r.chance(0.3) ? '-' + r.pick(WORDS) : ''));
  u += r.pick(EXTENSIONS);
  if (r.chance(0.4)) {
    const params = 1 + r.int(4);
    for (let i = 0; i < params; i++) u += (i ? '&' : '?') + r.pick(WORDS) + '=' + (r.chance(0.5) ? r.int(100000) : token(r, 4 + r.int(12)));
  }
  return u;
}

function html(w: Writer, r: Rng, size: number): void {
  const end = w.length + size;
  w.text(`<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${r.pick(WORDS)} ${r.pick(WORDS)}</title>\n`);
  w.text(`<link rel="stylesheet" href="${uri(r)}">\n<script src="${uri(r)}"></script>\n</head>\n<body class="${r.pick(WORDS)}">\n`);
  while (w.length < end) {
    const kind = r.int(10);
    if (kind < 4) {
      let p = '<p>';
      const n = 5 + r.int(30);
      for (let i = 0; i < n; i++) p += r.pick(WORDS) + (i % 9 === 8 ? '. ' : ' ');
      w.text(p + '</p>\n');
    } else if (kind < 6) w.text(`<div class="${r.pick(WORDS)}-${r.pick(WORDS)}" id="${token(r, 6)}"><a href="${uri(r)}">${r.pick(WORDS)}</a></div>\n`);
    else if (kind < 7) w.text(`<img src="${uri(r)}" alt="${r.pick(WORDS)}" width="${r.int(1000)}" height="${r.int(800)}">\n`);
    else if (kind < 8) w.text(`<script>var ${token(r, 5)} = document.getElementById("${r.pick(WORDS)}"); if (x.length > ${r.int(99)}) { window.location = "${uri(r)}"; }</script>\n`);
    else if (kind < 9) w.text(`<input type="hidden" name="${r.pick(WORDS)}" value="${token(r, 16 + r.int(32))}">\n`);
    else w.text(`<li><span>${r.pick(WORDS)}</span> ${r.int(100000)} ${r.pick(WORDS)}</li>\n`);
  }
  w.text('</body>\n</html>\n');
}

function json(w: Writer, r: Rng, size: number): void {
  const end = w.length + size;
  w.text('{"data":[');
  while (w.length < end) {
    w.text(`{"id":${r.int(1e6)},"name":"${r.pick(WORDS)} ${r.pick(WORDS)}","${r.pick(WORDS)}":"${token(r, 8)}","url":"${uri(r)}","active":${r.chance(0.5)}},`);
  }
  w.text('{}]}');
}

function script(w: Writer, r: Rng, size: number): void {
  const end = w.length + size;
  while (w.length < end) w.text(`function ${token(r, 6)}(${r.pick(WORDS)}) { return ${r.pick(WORDS)}.${r.pick(WORDS)}("${uri(r)}") + ${r.int(999)}; }\n`);
}

/** Requests and responses, one message each; text and binary bodies in realistic proportions. */
export function generateTraffic(totalBytes: number, seed: number): Traffic {
  const r = new Rng(seed);
  const w = new Writer(totalBytes + (1 << 20));
  const bounds: number[] = [0];
  while (w.length < totalBytes) {
    const post = r.chance(0.15);
    const method = post ? 'POST' : r.chance(0.95) ? 'GET' : 'HEAD';
    w.text(`${method} ${uri(r)} HTTP/1.1\r\nHost: ${host(r)}\r\nUser-Agent: ${r.pick(USER_AGENTS)}\r\n`);
    w.text('Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n');
    if (r.chance(0.5)) w.text(`Referer: http://${host(r)}${uri(r)}\r\n`);
    if (r.chance(0.6)) w.text(`Cookie: ${r.pick(WORDS)}=${token(r, 24)}; session=${token(r, 32)}\r\n`);
    w.text('Connection: keep-alive\r\n');
    if (post) {
      let body = '';
      const fields = 1 + r.int(6);
      for (let i = 0; i < fields; i++) body += (i ? '&' : '') + r.pick(WORDS) + '=' + token(r, 3 + r.int(20));
      w.text(`Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    } else w.text('\r\n');
    bounds.push(w.length);

    const type = r.pick(CONTENT_TYPES);
    const binary = type.startsWith('image') || type.includes('octet') || type.includes('gzip');
    const size = binary ? 500 + r.int(30000) : 200 + r.int(20000);
    const status = r.chance(0.9) ? '200 OK' : r.chance(0.5) ? '404 Not Found' : '302 Found';
    w.text(`HTTP/1.1 ${status}\r\nServer: ${r.pick(SERVERS)}\r\nDate: Mon, ${10 + r.int(18)} Nov 2024 ${10 + r.int(13)}:${10 + r.int(49)}:${10 + r.int(49)} GMT\r\n`);
    w.text(`Content-Type: ${type}\r\nContent-Length: ${size}\r\n`);
    if (r.chance(0.3)) w.text(`Set-Cookie: ${r.pick(WORDS)}=${token(r, 20)}; Path=/; HttpOnly\r\n`);
    w.text('Cache-Control: max-age=3600\r\n\r\n');
    if (type.startsWith('text/html')) html(w, r, size);
    else if (type === 'application/json') json(w, r, size);
    else if (type.startsWith('text/') || type.includes('javascript')) script(w, r, size);
    else w.binary(r, size);
    bounds.push(w.length);
  }
  return { bytes: w.buf.subarray(0, w.length), bounds: Int32Array.from(bounds), messages: bounds.length - 1 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = await run();
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(32)} ${Number.isInteger(v) ? v : v.toFixed(1)}`);
}

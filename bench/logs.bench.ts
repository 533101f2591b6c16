/**
 * Log parsing throughput: a 1,000,000-line combined access log (generated once into bench/out/)
 * read from disk, split into lines and parsed into records. Run alone with
 * `npx tsx bench/logs.bench.ts`.
 */
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readLogFile } from '../src/logs/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT_DIR = resolve(HERE, 'out');
const LOG_PATH = resolve(OUT_DIR, 'access-1m.log');
const LINES = 1_000_000;

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

export async function run(): Promise<Record<string, number>> {
  if (!existsSync(LOG_PATH)) await generate();
  const bytes = statSync(LOG_PATH).size;
  await timeParse(false); // warm-up (JIT, page cache)
  const parse = await timeParse(false);
  const withUri = await timeParse(true);
  return {
    'logs.combined.lines': parse.lines,
    'logs.combined.lines_per_sec': Math.round(parse.lines / parse.secs),
    'logs.combined.mb_per_sec': Math.round((bytes / parse.secs / 1e6) * 10) / 10,
    'logs.combined.lines_per_sec_with_http_uri': Math.round(withUri.lines / withUri.secs),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  run().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

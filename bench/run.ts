/**
 * Runs the benchmark modules listed below and prints one table. Each module exports
 * `async function run(): Promise<Record<string, number>>` (metric name -> value, the unit in
 * the name). A listed module whose file does not exist yet is skipped.
 *   npm run bench            all modules
 *   npm run bench -- rules   only modules whose name contains "rules"
 * Each module runs in a process of its own, as each kanshi command does: in one shared process
 * a module's figures depended on which modules ran before it (code the JIT had compiled for
 * their data, the heap they left), e.g. the ET Open log scan ran at 217,000 lines per CPU
 * second after the others and 280,000-310,000 alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { childExecArgv, machineProbeMs } from './child.js';

const MODULES = [
  'rules.bench.ts',
  'decode.bench.ts',
  'pipeline.bench.ts',
  'logs.bench.ts',
  'prefilter.bench.ts',
  'scan.bench.ts',
  'correlate.bench.ts',
  'flood.bench.ts',
];

interface BenchModule {
  run(): Promise<Record<string, number>>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** In a child: runs one module and writes its results as JSON on stdout. */
async function runOne(name: string): Promise<void> {
  const mod = (await import(pathToFileURL(join(here, name)).href)) as BenchModule;
  process.stdout.write(JSON.stringify(await mod.run()));
}

if (process.argv[2] === '--one') {
  await runOne(process.argv[3]!);
  process.exit(0);
}

const filter = process.argv[2];
const rows: Array<[string, string, number]> = [];
for (const name of MODULES) {
  if (filter && !name.includes(filter)) continue;
  const path = join(here, name);
  if (!existsSync(path)) {
    process.stderr.write(`bench: ${name} not present, skipped\n`);
    continue;
  }
  rows.push([name.replace(/\.bench\.ts$/, ''), 'machine probe before the module (ms, lower is faster)', machineProbeMs()]);
  process.stderr.write(`bench: running ${name}\n`);
  // The child's stderr (progress, warnings) goes straight through; its stdout is the results.
  const out = execFileSync(process.execPath, [...childExecArgv(), fileURLToPath(import.meta.url), '--one', name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  const results = JSON.parse(out) as Record<string, number>;
  for (const [metric, value] of Object.entries(results)) rows.push([name.replace(/\.bench\.ts$/, ''), metric, value]);
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1));
const w0 = Math.max(6, ...rows.map((r) => r[0].length));
const w1 = Math.max(6, ...rows.map((r) => r[1].length));
const w2 = Math.max(5, ...rows.map((r) => fmt(r[2]).length));
console.log(`${'module'.padEnd(w0)}  ${'metric'.padEnd(w1)}  ${'value'.padStart(w2)}`);
console.log(`${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ${'-'.repeat(w2)}`);
for (const [m, k, v] of rows) console.log(`${m.padEnd(w0)}  ${k.padEnd(w1)}  ${fmt(v).padStart(w2)}`);

/**
 * The performance targets, each read from its rows: the median (the figure the target is read
 * against), the fastest run, and the machine probe taken just before (the machine is shared, and
 * the same build measures up to three times slower while others load it).
 */
interface Target {
  label: string;
  module: string;
  median: string;
  fastest?: string;
  probe: string;
  /** The median must be at most (`max`) or at least (`min`) this. */
  max?: number;
  min?: number;
}

const TARGETS: readonly Target[] = [
  {
    label: 'ET Open parse + validation, fresh process (ms)',
    module: 'rules',
    median: 'et-open fresh process load, median of 5 (ms)',
    fastest: 'et-open fresh process load, fastest of 5 (ms)',
    probe: 'et-open machine probe before the fresh processes (ms)',
    max: 1500,
  },
  {
    label: 'community set, whole kanshi scan process (MB/s)',
    module: 'scan',
    median: 'scan.community.whole_process_mb_per_s',
    fastest: 'scan.community.whole_process_fastest_mb_per_s',
    probe: 'scan.community.whole_process_machine_probe_ms',
    min: 60,
  },
  {
    label: 'ET Open load + compile (ms)',
    module: 'scan',
    median: 'scan.et.load_compile_ms',
    probe: 'machine probe before the module (ms, lower is faster)',
    max: 3000,
  },
  {
    label: '1M-line access log, ET Open HTTP rules (lines/s)',
    module: 'logs',
    median: 'logs.match.et_http.lines_per_sec',
    fastest: 'logs.match.et_http.lines_per_sec_fastest',
    probe: 'logs.match.et_http.machine_probe_ms',
    min: 300_000,
  },
  {
    label: '1M-line access log, bundled rules (lines/s)',
    module: 'logs',
    median: 'logs.match.bundled.lines_per_sec',
    fastest: 'logs.match.bundled.lines_per_sec_fastest',
    probe: 'logs.match.bundled.machine_probe_ms',
    min: 300_000,
  },
];

const valueOf = (module: string, metric: string | undefined): number | undefined =>
  metric === undefined ? undefined : rows.find(([m, k]) => m === module && k === metric)?.[2];

const targetLines: string[] = [];
for (const t of TARGETS) {
  const median = valueOf(t.module, t.median);
  if (median === undefined) {
    // A module left out (npm run bench -- NAME) measured nothing; one that ran must have the row.
    if (rows.some(([m]) => m === t.module)) targetLines.push(`  ${t.label}: no row '${t.median}' in the ${t.module} results`);
    continue;
  }
  const fastest = valueOf(t.module, t.fastest);
  const probe = valueOf(t.module, t.probe);
  const met = t.max !== undefined ? median <= t.max : median >= t.min!;
  const goal = t.max !== undefined ? `at most ${t.max}` : `at least ${t.min}`;
  const parts = [`median ${fmt(median)}`];
  if (fastest !== undefined) parts.push(`fastest ${fmt(fastest)}`);
  if (probe !== undefined) parts.push(`probe ${fmt(probe)} ms`);
  targetLines.push(`  ${t.label}: ${goal}; ${parts.join(', ')}: ${met ? 'met' : 'missed'}`);
}
if (targetLines.length > 0) {
  console.log('');
  console.log('targets (read against the median; the probe is the machine speed when measured, lower is faster):');
  for (const line of targetLines) console.log(line);
}

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

/**
 * Parse + validate time of whole public rule sets, as `kanshi check` does it: the ET Open
 * snapshot (23,635 active + 6,579 commented rules) and the Snort community set with every
 * rule uncommented (4,005 rules). The first run includes the JIT warming up, as one CLI run
 * does; the median is over the runs after it. CPU time (all threads, GC helpers included) is
 * reported beside wall time because the machine is shared. The first run in this process
 * comes after other benchmark code ran, so ET Open is also loaded in fresh processes, and
 * timed as a whole `kanshi check` run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RuleLoader } from '../src/rule/loader.js';
import { VariableTable } from '../src/rule/variables.js';
import { corpus, REPO_ROOT } from '../test/corpora.js';
import { fastest, machineProbeMs, median } from './child.js';

const RUNS = 5;

function cpuMs(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

function measure(label: string, load: (l: RuleLoader) => void, out: Record<string, number>): void {
  const once = (): RuleLoader => {
    const l = new RuleLoader({ vars: VariableTable.withDefaults() });
    load(l);
    return l;
  };
  let loader: RuleLoader | undefined;
  const t0 = performance.now();
  const firstCpu = cpuMs(() => (loader = once()));
  out[`${label} first run (ms)`] = performance.now() - t0;
  out[`${label} first run cpu (ms)`] = firstCpu;
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t = performance.now();
    cpus.push(cpuMs(once));
    times.push(performance.now() - t);
  }
  out[`${label} median of ${RUNS} (ms)`] = median(times);
  out[`${label} median of ${RUNS} cpu (ms)`] = median(cpus);
  const c = loader!.counts();
  out[`${label} rules`] = c.loaded + c.skipped + c.disabled + c.invalid;
  out[`${label} errors`] = loader!.collector.errors;
  out[`${label} rules/s (median)`] = Math.round(out[`${label} rules`]! / (out[`${label} median of ${RUNS} (ms)`]! / 1000));
}

/** Fresh processes per figure: what one CLI run pays, JIT warm-up, module loading and heap growth included. */
const FRESH_RUNS = 5;

/**
 * Loads the ET Open directory once in a new process with the built loader (dist/, which
 * `npm run bench` builds first), reading every file from disk as `kanshi check` does, and
 * reports that one load's wall and CPU time (all threads).
 */
const FRESH_LOAD = `
const dir = process.argv[1];
const { readdirSync } = await import('node:fs');
const { RuleLoader } = await import(process.argv[2]);
const { VariableTable } = await import(process.argv[3]);
const files = readdirSync(dir).filter((f) => f.endsWith('.rules')).sort();
const t0 = performance.now();
const c0 = process.cpuUsage();
const l = new RuleLoader({ vars: VariableTable.withDefaults() });
for (const f of files) l.loadFile(dir + '/' + f);
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000, errors: l.collector.errors }));
`;

function freshProcess(label: string, dir: string, out: Record<string, number>): void {
  const dist = join(REPO_ROOT, 'dist', 'src', 'rule');
  const bin = join(REPO_ROOT, 'bin', 'kanshi.js');
  if (!existsSync(join(dist, 'loader.js'))) return;
  const walls: number[] = [];
  const cpus: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < FRESH_RUNS; i++) {
    const r = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', FRESH_LOAD, dir, join(dist, 'loader.js'), join(dist, 'variables.js')], { encoding: 'utf8' }),
    ) as { wall: number; cpu: number; errors: number };
    walls.push(r.wall);
    cpus.push(r.cpu);
    // The whole `kanshi check` process: node start-up, module loading, the load, the report.
    const t = performance.now();
    spawnSync(process.execPath, [bin, 'check', '--json', dir], { stdio: 'ignore' });
    whole.push(performance.now() - t);
  }
  out[`${label} fresh process load, median of ${FRESH_RUNS} (ms)`] = median(walls);
  out[`${label} fresh process load, fastest of ${FRESH_RUNS} (ms)`] = fastest(walls);
  out[`${label} fresh process load cpu, median of ${FRESH_RUNS} (ms)`] = median(cpus);
  out[`${label} kanshi check whole process, median of ${FRESH_RUNS} (ms)`] = median(whole);
  out[`${label} kanshi check whole process, fastest of ${FRESH_RUNS} (ms)`] = fastest(whole);
}

export async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const et = corpus('et-open-suricata5-20240421');
  const etFiles = readdirSync(et)
    .filter((f) => f.endsWith('.rules'))
    .sort()
    .map((f) => `${et}/${f}`);
  const etTexts = etFiles.map((f) => [f, readFileSync(f, 'utf8')] as const);
  measure('et-open', (l) => etTexts.forEach(([f, t]) => l.loadText(f, t)), out);
  out['et-open machine probe before the fresh processes (ms)'] = machineProbeMs();
  freshProcess('et-open', et, out);

  const community = corpus('snort-community', 'community.rules');
  const uncommented = readFileSync(community, 'utf8').replace(/^# (?=(alert|drop|pass|log) )/gm, '');
  measure('snort-community', (l) => l.loadText(community, uncommented), out);

  (globalThis as { gc?: () => void }).gc?.();
  out['heap after (MB)'] = Math.round(process.memoryUsage().heapUsed / 1e6);
  return out;
}

/**
 * Parse + validate time of whole public rule sets, as `kanshi check` does it: the ET Open
 * snapshot (23,635 active + 6,579 commented rules) and the Snort community set with every
 * rule uncommented (4,005 rules). The first run includes the JIT warming up, as one CLI run
 * does; the median is over the runs after it. CPU time (all threads, GC helpers included) is
 * reported beside wall time because the machine is shared.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { RuleLoader } from '../src/rule/loader.js';
import { VariableTable } from '../src/rule/variables.js';
import { corpus } from '../test/corpora.js';

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
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  out[`${label} median of ${RUNS} (ms)`] = median(times);
  out[`${label} median of ${RUNS} cpu (ms)`] = median(cpus);
  const c = loader!.counts();
  out[`${label} rules`] = c.loaded + c.skipped + c.disabled + c.invalid;
  out[`${label} errors`] = loader!.collector.errors;
  out[`${label} rules/s (median)`] = Math.round(out[`${label} rules`]! / (out[`${label} median of ${RUNS} (ms)`]! / 1000));
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

  const community = corpus('snort-community', 'community.rules');
  const uncommented = readFileSync(community, 'utf8').replace(/^# (?=(alert|drop|pass|log) )/gm, '');
  measure('snort-community', (l) => l.loadText(community, uncommented), out);

  (globalThis as { gc?: () => void }).gc?.();
  out['heap after (MB)'] = Math.round(process.memoryUsage().heapUsed / 1e6);
  return out;
}

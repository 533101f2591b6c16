/**
 * Runs one case: builds its input, scans it, and compares the alerts with what the case
 * expects. The verdict lists, for a failure, what was expected and what fired instead.
 */
import type { Alert } from '../types/alert.js';
import { BuildError, buildInput } from './build.js';
import type { Detector } from './detect.js';
import { explainVerdict } from './explain.js';
import type { TestCase } from './model.js';

export interface Verdict {
  passed: boolean;
  /** Why the case failed (empty when it passed). */
  problems: string[];
  alerts: Alert[];
  /** For a failed verdict: what the failing rules read and found (explain.ts). */
  why?: string[];
  /** The case was not scanned: a sid it names cannot fire (so there are no alerts to show). */
  notScanned?: boolean;
}

/** Problems with the sids a case names, before anything is scanned. */
export function sidProblems(c: TestCase, detector: Detector): string[] {
  const out: string[] = [];
  for (const sid of [...c.sids, ...c.fallback]) {
    const info = detector.rules.get(sid);
    if (info === undefined) out.push(`sid ${sid} is not in the rules`);
    else if (info.inactive !== undefined && c.sids.includes(sid)) out.push(`sid ${sid} (${info.where}) cannot fire: ${info.inactive}`);
  }
  return out;
}

/** Compares alerts with the case's expectation; `variant` allows its fallback sids to stand in. */
export function judge(c: TestCase, alerts: readonly Alert[], variant: boolean): string[] {
  const counts = new Map<number, number>();
  for (const a of alerts) counts.set(a.sid, (counts.get(a.sid) ?? 0) + 1);
  const problems: string[] = [];
  const fallbackFired = variant && c.fallback.some((s) => (counts.get(s) ?? 0) > 0);
  for (const sid of c.sids) {
    const n = counts.get(sid) ?? 0;
    if (c.expect === 'negative') {
      if (n > 0) problems.push(`sid ${sid} fired ${times(n)}`);
    } else if (n === 0) {
      if (!fallbackFired) problems.push(`sid ${sid} did not fire`);
    } else if (c.count !== undefined && n !== c.count) {
      problems.push(`sid ${sid} fired ${times(n)}, not ${times(c.count)}`);
    }
  }
  return problems;
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

/** What the case expects, in words. */
export function expectation(c: TestCase, variant = false): string {
  const sids = c.sids.join(', ');
  if (c.expect === 'negative') return `${sids} silent`;
  const count = c.count !== undefined ? ` exactly ${times(c.count)}` : '';
  const fallback = variant && c.fallback.length > 0 ? ` (or one of ${c.fallback.join(', ')})` : '';
  return `${sids} fire${c.sids.length === 1 ? 's' : ''}${count}${fallback}`;
}

/** The alerts, one line per sid: "3100501 x2 KANSHI WEB-IIS cmd.exe requested ...". */
export function describeAlerts(alerts: readonly Alert[]): string[] {
  if (alerts.length === 0) return ['no alerts'];
  const bySid = new Map<number, { n: number; msg: string }>();
  for (const a of alerts) {
    const e = bySid.get(a.sid);
    if (e === undefined) bySid.set(a.sid, { n: 1, msg: a.signature });
    else e.n++;
  }
  return [...bySid].sort((a, b) => a[0] - b[0]).map(([sid, e]) => `${sid} x${e.n} ${e.msg}`);
}

/** Runs a case as written. */
export async function runCase(c: TestCase, detector: Detector): Promise<Verdict> {
  const early = sidProblems(c, detector);
  if (early.length > 0) return { passed: false, problems: early, alerts: [], notScanned: true };
  let alerts: Alert[];
  try {
    alerts = await detector.detect(buildInput(c));
  } catch (e) {
    const where = e instanceof BuildError ? `${c.file}:${e.line}: ` : '';
    return { passed: false, problems: [`${where}${(e as Error).message}`], alerts: [] };
  }
  const problems = judge(c, alerts, false);
  if (problems.length === 0) return { passed: true, problems, alerts };
  return { passed: false, problems, alerts, why: await explainVerdict(c, detector, alerts) };
}

/**
 * Runs suricata-verify test cases (../shared/corpora/suricata-verify): loads a case's rules,
 * scans its pcap, and checks the case's alert expectations (test.yaml `checks` filtering
 * `event_type: alert`) against kanshi's EVE alert records. Checks on other event types (flow,
 * http, stats, fileinfo, ...) are outside detection and are reported as not checked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { Ruleset } from '../../src/match/ruleset.js';
import { Scanner } from '../../src/match/scanner.js';
import { eveAlert } from '../../src/output/eve.js';
import { parseRules, VariableTable } from '../../src/rule/index.js';

export interface VerifyCase {
  name: string;
  dir: string;
  rulesFile: string;
  pcap: string;
  checks: AlertCheck[];
  /** Checks on non-alert events, left out. */
  otherChecks: number;
  /** Suricata picks up sessions without a handshake only with `--set stream.midstream=true`. */
  midstream: boolean;
  /** `-k none` in the case's arguments: no checksum is verified. */
  checksumNone: boolean;
}

export interface AlertCheck {
  count: number;
  match: Record<string, unknown>;
}

export interface CaseResult {
  name: string;
  passed: boolean;
  failures: string[];
  alerts: Record<string, unknown>[];
  skippedRules: string[];
}

interface TestYaml {
  pcap?: string;
  args?: string[] | string;
  checks?: Array<{ filter?: { count?: number; match?: Record<string, unknown> } } & Record<string, unknown>>;
}

/** Every case under `root` (a directory holding test.yaml, at any depth). */
export function findCases(root: string): VerifyCase[] {
  const out: VerifyCase[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'test.yaml')) out.push(readCase(root, dir));
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
  };
  walk(root);
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function readCase(root: string, dir: string): VerifyCase {
  const spec = (loadYaml(readFileSync(join(dir, 'test.yaml'), 'utf8')) ?? {}) as TestYaml;
  const files = readdirSync(dir);
  const rules = files.filter((f) => f.endsWith('.rules'));
  const pcaps = files.filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng'));
  const pcap = spec.pcap !== undefined ? resolve(dir, spec.pcap) : pcaps.length > 0 ? join(dir, pcaps[0]!) : '';
  const checks: AlertCheck[] = [];
  let otherChecks = 0;
  for (const c of spec.checks ?? []) {
    const f = c.filter;
    if (f === undefined || f.match?.event_type !== 'alert') {
      otherChecks++;
      continue;
    }
    checks.push({ count: f.count ?? 1, match: f.match });
  }
  const args = Array.isArray(spec.args) ? spec.args.join(' ') : (spec.args ?? '');
  return {
    name: dir.slice(root.length + 1),
    midstream: /stream\.midstream=true/.test(args),
    checksumNone: /(^|\s)-k\s+none\b/.test(args),
    dir,
    rulesFile: rules.length > 0 ? join(dir, rules[0]!) : '',
    pcap,
    checks,
    otherChecks,
  };
}

/** Scans one case and compares the alert counts. */
export function runCase(c: VerifyCase): CaseResult {
  const text = c.rulesFile === '' ? '' : readFileSync(c.rulesFile, 'utf8');
  const parsed = parseRules(text, { file: c.rulesFile, vars: VariableTable.withDefaults() });
  const ruleset = new Ruleset(parsed.rules);
  const alerts: Record<string, unknown>[] = [];
  const scanner = new Scanner(ruleset, (a) => alerts.push(eveAlert(a)), {
    engine: { midstream: c.midstream },
    stream: { tcp: { midstream: c.midstream, ...(c.checksumNone ? { checksum: 'none' as const } : {}) } },
  });
  const failures: string[] = [];
  if (!existsSync(c.pcap)) failures.push(`pcap ${c.pcap} not found`);
  else {
    const r = scanner.scanCaptureFile(c.pcap);
    if (r.error !== undefined) failures.push(`capture: ${r.error}`);
  }
  for (const check of c.checks) {
    const n = alerts.filter((a) => matches(a, check.match)).length;
    if (n !== check.count) failures.push(`expected ${check.count} alert(s) matching ${JSON.stringify(check.match)}, got ${n}`);
  }
  const skippedRules = parsed.rules
    .filter((r) => r.status === 'skipped' || r.status === 'invalid')
    .map((r) => `${r.status}: ${r.unsupported.join(', ')}`)
    .concat(ruleset.skipped.map((s) => `compile: ${s.reason}`));
  return { name: c.name, passed: failures.length === 0, failures, alerts, skippedRules };
}

/**
 * Expectations not compared, with why:
 * - `flow.*`: Suricata's alert records carry the flow's counters at alert time; kanshi's do not.
 * - `pcap_cnt`, and the response fields (`http.length`, `http.status`) Suricata logs with a
 *   request alert: Suricata in IDS mode inspects data once the peer acknowledged it, kanshi when
 *   it arrives, so the packet an alert is reported on (and what of the response was seen by then)
 *   differs while the alert itself is the same.
 */
const NOT_COMPARED = /^(flow\..*|pcap_cnt|http\.length|http\.status)$/;

function matches(rec: Record<string, unknown>, match: Record<string, unknown>): boolean {
  for (const [path, want] of Object.entries(match)) {
    if (NOT_COMPARED.test(path)) continue;
    let v: unknown = rec;
    for (const part of path.split('.')) {
      const m = /^(.*)\[(\d+)\]$/.exec(part);
      const key = m ? m[1]! : part;
      v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      if (m) v = Array.isArray(v) ? v[Number(m[2])] : undefined;
    }
    if (v !== want && String(v) !== String(want)) return false;
  }
  return true;
}


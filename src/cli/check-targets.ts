import type { DiagnosticCollector } from '../rule/diagnostics.js';
import type { RuleLoader } from '../rule/loader.js';
import type { VariableTable } from '../rule/variables.js';
import { loadPolicyFile, ruleNumber } from '../correlate/policy.js';
import type { Statement } from '../correlate/policy-types.js';
import { SCAN_GID } from '../correlate/scan-detector.js';

/**
 * The kinds of file `kanshi check` validates. Rules files are built in; other stages add
 * their own file kinds (e.g. correlation policies) by appending a FileChecker to CHECK_TARGETS.
 */
export interface CheckContext {
  /** Rules loaded so far in this run, in the order given (rules files are checked first). */
  rules: RuleLoader;
  diagnostics: DiagnosticCollector;
  /** Variables after the command line's --var (policies resolve $HOME_NET etc. against them). */
  vars?: VariableTable;
}

export interface FileChecker {
  /** Label used in messages, e.g. 'rules'. */
  kind: string;
  /** Whether a file found while walking a directory belongs to this checker. */
  matches(path: string): boolean;
  /** Checks one file, reporting into ctx.diagnostics. */
  check(path: string, ctx: CheckContext): void;
  /** Adds the checker's own counts to the --json summary. */
  summarize?(ctx: CheckContext): Record<string, unknown>;
}

export const rulesChecker: FileChecker = {
  kind: 'rules',
  matches: (path) => path.endsWith('.rules'),
  check: (path, ctx) => ctx.rules.loadFile(path),
};

/** Correlation policies (threshold.config statements plus kanshi's own), with the same diagnostics as rules. */
export const policyChecker: FileChecker = {
  kind: 'policy',
  // Suricata's threshold.config, Snort's threshold.conf, and kanshi's *.policy.
  matches: (path) => path.endsWith('.policy') || /(^|[\\/])threshold\.conf(ig)?$/.test(path),
  check: (path, ctx) => {
    const load = loadPolicyFile(path, ctx.vars ? { vars: ctx.vars } : {});
    for (const d of load.diagnostics) ctx.diagnostics.add(d);
    warnUnknownRules(load.policy.statements, ctx);
    policiesChecked.set(ctx, (policiesChecked.get(ctx) ?? 0) + 1);
  },
  summarize: (ctx) => ({ policies: policiesChecked.get(ctx) ?? 0 }),
};
const policiesChecked = new WeakMap<CheckContext, number>();

/** Generators of kanshi's own events (the scan detector): no rule file defines their sids. */
const BUILT_IN_GIDS: ReadonlySet<number> = new Set([SCAN_GID]);

/**
 * As Suricata warns "can't suppress sid N, gid G: unknown rule": a suppress, event_filter or
 * rate_filter naming a rule that none of the rules checked with it defines never applies (a
 * mistyped sid in a tuning file would otherwise go unnoticed). Only when rules were checked too.
 */
function warnUnknownRules(statements: readonly Statement[], ctx: CheckContext): void {
  if (ctx.rules.rules.length === 0) return;
  const known = new Set<number>();
  const ownThreshold = new Set<number>();
  for (const r of ctx.rules.rules) {
    const sid = r.body?.meta.sid;
    if (sid === undefined) continue;
    const n = ruleNumber(r.body!.meta.gid, sid);
    known.add(n);
    if (r.body!.detection.threshold !== undefined || r.body!.detection.detectionFilter !== undefined) ownThreshold.add(n);
  }
  const warn = (st: Statement, message: string): void => {
    const o = st.origin;
    ctx.diagnostics.add({ file: o.file, line: o.line, col: o.col, severity: 'warning', message, length: 1 });
  };
  for (const st of statements) {
    if (st.kind !== 'suppress' && st.kind !== 'threshold' && st.kind !== 'rate_filter') continue;
    if (st.kind === 'rate_filter' && st.sid !== 0 && ownThreshold.has(ruleNumber(st.gid, st.sid))) {
      // As Suricata warns: the rule's own threshold takes precedence, the rate_filter is not applied.
      warn(st, `rule sid ${st.sid} has its own threshold or detection_filter, which takes precedence: this rate_filter never applies to it (remove the rule's threshold to rate-limit it here)`);
      continue;
    }
    if (st.sid === 0 || st.gid === 0 || BUILT_IN_GIDS.has(st.gid) || known.has(ruleNumber(st.gid, st.sid))) continue;
    warn(st, `no rule checked here has sid ${st.sid}${st.gid !== 1 ? ` (gid ${st.gid})` : ''}: this ${st.kind === 'threshold' ? 'event filter' : st.kind} never applies; check the sid`);
  }
}

/** Checked in this order; a file named on the command line goes to the first checker that matches it, else to rules. */
export const CHECK_TARGETS: FileChecker[] = [policyChecker, rulesChecker];

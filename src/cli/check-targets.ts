import type { DiagnosticCollector } from '../rule/diagnostics.js';
import type { RuleLoader } from '../rule/loader.js';
import type { VariableTable } from '../rule/variables.js';
import { loadPolicyFile } from '../correlate/policy.js';

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
  matches: (path) => path.endsWith('.policy') || /(^|[\\/])threshold\.config$/.test(path),
  check: (path, ctx) => {
    const load = loadPolicyFile(path, ctx.vars ? { vars: ctx.vars } : {});
    for (const d of load.diagnostics) ctx.diagnostics.add(d);
    policiesChecked.set(ctx, (policiesChecked.get(ctx) ?? 0) + 1);
  },
  summarize: (ctx) => ({ policies: policiesChecked.get(ctx) ?? 0 }),
};
const policiesChecked = new WeakMap<CheckContext, number>();

/** Checked in this order; a file named on the command line goes to the first checker that matches it, else to rules. */
export const CHECK_TARGETS: FileChecker[] = [policyChecker, rulesChecker];

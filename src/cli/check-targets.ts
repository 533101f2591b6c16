import type { DiagnosticCollector } from '../rule/diagnostics.js';
import type { RuleLoader } from '../rule/loader.js';

/**
 * The kinds of file `kanshi check` validates. Rules files are built in; other stages add
 * their own file kinds (e.g. correlation policies) by appending a FileChecker to CHECK_TARGETS.
 */
export interface CheckContext {
  /** Rules loaded so far in this run, in the order given (rules files are checked first). */
  rules: RuleLoader;
  diagnostics: DiagnosticCollector;
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

/** Checked in this order; a file named on the command line goes to the first checker that matches it, else to rules. */
export const CHECK_TARGETS: FileChecker[] = [rulesChecker];

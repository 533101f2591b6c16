/**
 * A whole `kanshi test` run: find case files, load the rules each one tests (once per set of
 * files and variables), run every case and, with properties, its variants; write shrunk
 * counterexamples as case files.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Diagnostic } from '../rule/diagnostics.js';
import { loadRules, rulesFiles, type Detector, type LoadedRules } from './detect.js';
import type { TestCase } from './model.js';
import { parseCaseFile } from './parse.js';
import { checkProperties, type PropertyResult } from './properties.js';
import { renderCase, slug } from './render.js';
import { describeAlerts, expectation, runCase, type Verdict } from './runner.js';

/** Extension of test-case files. */
export const CASE_EXTENSION = '.ktest';

export interface SuiteOptions {
  /** Case files, or directories searched for *.ktest. */
  paths: readonly string[];
  /** Rules files or directories; default: the rules next to each case file (see rulesFor). */
  rules?: readonly string[];
  /** Rule variables for every case (a case's own `var:` lines win). */
  vars?: readonly (readonly [string, string])[];
  properties?: boolean;
  seed?: number;
  runs?: number;
  /** Where counterexamples go; default: next to the case file. */
  outDir?: string;
  shrinkBudget?: number;
}

export interface CaseReport {
  case: TestCase;
  verdict: Verdict;
  property?: PropertyResult;
  /** Where the counterexample was written. */
  counterexampleFile?: string;
  /** The case and its variants behaved as expected. */
  passed: boolean;
  /**
   * ok: passed; fail: failed; known: failed as its known-issue says; fixed: passed, variants
   * included, although it names a known issue (the line may go).
   */
  status: 'ok' | 'fail' | 'known' | 'fixed';
}

export interface SuiteEvents {
  onDiagnostics?(list: readonly Diagnostic[]): void;
  onRules?(files: readonly string[], loaded: LoadedRules): void;
  onCase?(report: CaseReport): void;
}

export interface SuiteReport {
  files: string[];
  cases: CaseReport[];
  diagnostics: Diagnostic[];
  rulesErrors: number;
  seed: number;
  runs: number;
  properties: boolean;
}

/** Case files under the given paths, in a stable order. */
export function caseFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, explicit: boolean): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      if (explicit) out.push(p); // reported as unreadable
      return;
    }
    if (!st.isDirectory()) {
      if (explicit || p.endsWith(CASE_EXTENSION)) out.push(p);
      return;
    }
    for (const e of readdirSync(p).sort()) walk(join(p, e), false);
  };
  for (const p of paths) walk(p, true);
  return out;
}

/**
 * The rules a case file tests when none are named: the *.rules files of the directory above a
 * `tests` directory (rules/tests/x.ktest tests rules/*.rules), else of the file's own directory.
 */
export function rulesFor(caseFile: string): string[] {
  const dir = dirname(resolve(caseFile));
  const home = basename(dir) === 'tests' ? dirname(dir) : dir;
  if (!existsSync(home)) return [];
  return readdirSync(home)
    .filter((f) => f.endsWith('.rules'))
    .sort()
    .map((f) => join(home, f));
}

export async function runSuite(options: SuiteOptions, events: SuiteEvents = {}): Promise<SuiteReport> {
  const files = caseFiles(options.paths);
  const seed = options.seed ?? 0;
  const runs = options.runs ?? 100;
  const report: SuiteReport = { files, cases: [], diagnostics: [], rulesErrors: 0, seed, runs, properties: options.properties === true };
  const loaded = new Map<string, LoadedRules>();
  const rulesOf = (c: TestCase, fileRules: readonly string[]): LoadedRules => {
    const vars = new Map<string, string>(options.vars ?? []);
    for (const [n, v] of c.vars) vars.set(n, v);
    const varList = [...vars].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const key = JSON.stringify([fileRules, varList]);
    let r = loaded.get(key);
    if (r === undefined) {
      r = loadRules(fileRules, varList);
      loaded.set(key, r);
      report.rulesErrors += r.errors;
      events.onRules?.(fileRules, r);
    }
    return r;
  };
  // Counterexample files this run wrote: each failing case gets its own.
  const written = new Set<string>();
  for (const file of files) {
    const parsed = parseCaseFile(file);
    if (parsed.diagnostics.length > 0) {
      report.diagnostics.push(...parsed.diagnostics);
      events.onDiagnostics?.(parsed.diagnostics);
    }
    const fileRules = options.rules !== undefined ? rulesFiles(options.rules) : rulesFor(file);
    for (const c of parsed.cases) {
      const { detector } = rulesOf(c, fileRules);
      const r = await runOne(c, detector, options, seed, runs, written);
      report.cases.push(r);
      events.onCase?.(r);
    }
  }
  return report;
}

async function runOne(c: TestCase, detector: Detector, options: SuiteOptions, seed: number, runs: number, written: Set<string>): Promise<CaseReport> {
  const verdict = await runCase(c, detector);
  const out: CaseReport = { case: c, verdict, passed: verdict.passed, status: 'ok' };
  if (verdict.passed && options.properties === true) {
    const property = await checkProperties(c, detector, { seed, runs, ...(options.shrinkBudget !== undefined ? { shrinkBudget: options.shrinkBudget } : {}) });
    out.property = property;
    if (property.failure !== undefined) {
      out.passed = false;
      // A known weakness is reported, not written out again on every run.
      if (c.knownIssue === undefined) out.counterexampleFile = writeCounterexample(c, property, seed, options.outDir, reproduceCommand(options, seed, c.file), written);
    }
  }
  if (c.knownIssue === undefined) out.status = out.passed ? 'ok' : 'fail';
  // Without --properties a weakness that only variants show cannot be told from a fix.
  else out.status = !out.passed ? 'known' : options.properties === true ? 'fixed' : 'ok';
  return out;
}

/**
 * The command that finds the same failing variant again: the seed, and the rules, variables and
 * run count the suite was given (without them the cases may not even find their rules).
 */
export function reproduceCommand(options: Pick<SuiteOptions, 'rules' | 'vars' | 'runs' | 'outDir'>, seed: number, file: string): string {
  const parts = ['kanshi test --properties', `--seed ${seed}`];
  if (options.runs !== undefined && options.runs !== 100) parts.push(`--runs ${options.runs}`);
  if (options.outDir !== undefined) parts.push(`--out ${shellWord(options.outDir)}`);
  for (const r of options.rules ?? []) parts.push(`-r ${shellWord(r)}`);
  for (const [n, v] of options.vars ?? []) parts.push(`--var ${shellWord(`${n}=${v}`)}`);
  parts.push(shellWord(file));
  return parts.join(' ');
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=,+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Writes a failing variant as a case file; returns its path. `written` holds the paths this run
 * wrote already: two cases of one name and sid (in two files) get two files, not one overwritten.
 */
export function writeCounterexample(
  c: TestCase,
  property: PropertyResult,
  seed: number,
  outDir: string | undefined,
  reproduce = reproduceCommand({}, seed, c.file),
  written: Set<string> = new Set(),
): string {
  const f = property.failure!;
  const dir = outDir ?? dirname(c.file);
  mkdirSync(dir, { recursive: true });
  const base = `counterexample-${c.sids[0] ?? 0}-${slug(c.name)}`;
  let path = join(dir, `${base}${CASE_EXTENSION}`);
  for (let k = 2; written.has(path); k++) path = join(dir, `${base}-${k}${CASE_EXTENSION}`);
  written.add(path);
  const comments = [
    `Counterexample found by: ${reproduce}`,
    `for the case '${c.name}' (${c.file}:${c.line})`,
    'What the variant changes:',
    ...(f.changes.length > 0 ? f.changes : ['(nothing: the case as written)']).map((ch) => `  ${ch}`),
    `expected: ${expectation(c, true)}`,
    ...describeAlerts(f.alerts).map((a, i) => `${i === 0 ? 'actual:   ' : '          '}${a}`),
    '',
  ];
  const variant: TestCase = { ...f.variant, name: `${c.name} (counterexample, seed ${seed})` };
  writeFileSync(path, renderCase(variant, { comments, baseDir: dir }));
  return path;
}

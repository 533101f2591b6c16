import { formatDiagnostic } from '../rule/diagnostics.js';
import { FAMILY_NAMES } from '../ruletest/families.js';
import { describeAlerts, expectation } from '../ruletest/runner.js';
import { CASE_EXTENSION, reproduceCommand, runSuite, type CaseReport, type SuiteOptions, type SuiteReport } from '../ruletest/suite.js';
import { parseArgs } from './args.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError, type Command, type CommandIo } from './command.js';

const USAGE = `usage: kanshi test [--properties] [--seed N] [--runs N] [-r RULES]... [--var NAME=VALUE]... [--out DIR] [--json] [PATH...]

Runs rule test cases (*${CASE_EXTENSION} files; directories are searched; default rules/tests):
each case names sids, positive (they fire) or negative (they stay silent), and its traffic.
  --properties      also check generated variants of every case: evasions an attacker could send
                    (positive cases) and benign rewritings (negative cases); a failure is shrunk,
                    printed, and written as a case file
  --seed N          seed of the variants (default: random, printed); the same seed replays a run
  --runs N          variants per case (default 100)
  -r, --rules PATH  rules files or directories (repeatable); default: the *.rules files above the
                    case file's tests/ directory, or beside it
  --var NAME=VALUE  rule variable for every case (a case's own var: lines win)
  --out DIR         where counterexamples are written (default: beside the case file)
  --json            print one JSON object (every case with its verdict, then the totals) instead
                    of the text report, for a CI job to read
Variant families: ${FAMILY_NAMES.join(', ')}.
Exit status: 0 every case passed, 1 a case failed or a file has errors, 2 usage error.`;

export const testCommand: Command = {
  name: 'test',
  usage: USAGE,
  run: runTest,
};

function intFlag(values: string[] | undefined, name: string, min: number): number | undefined {
  const v = values?.at(-1);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > 0x7fffffff) throw new UsageError(`${name} takes a whole number of at least ${min}`);
  return Number(v);
}

async function runTest(argv: string[], io: CommandIo): Promise<number> {
  let options: Parameters<typeof runSuite>[0];
  let json = false;
  try {
    const args = parseArgs(argv, [
      { name: '--properties', takesValue: false },
      { name: '--seed', takesValue: true },
      { name: '--runs', takesValue: true },
      { name: '-r', takesValue: true },
      { name: '--rules', takesValue: true },
      { name: '--var', takesValue: true },
      { name: '--out', takesValue: true },
      { name: '--json', takesValue: false },
      { name: '--help', takesValue: false },
      { name: '-h', takesValue: false },
    ]);
    if (args.flags.has('--help') || args.flags.has('-h')) {
      io.stdout.write(USAGE + '\n');
      return EXIT_OK;
    }
    const vars: [string, string][] = [];
    for (const def of args.flags.get('--var') ?? []) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(def);
      if (m === null) throw new UsageError(`--var expects NAME=VALUE, got '${def}'`);
      vars.push([m[1]!, m[2]!]);
    }
    const rules = [...(args.flags.get('-r') ?? []), ...(args.flags.get('--rules') ?? [])];
    const out = args.flags.get('--out')?.at(-1);
    json = args.flags.has('--json');
    options = {
      paths: args.positionals.length > 0 ? args.positionals : ['rules/tests'],
      vars,
      properties: args.flags.has('--properties'),
      seed: intFlag(args.flags.get('--seed'), '--seed', 0) ?? Math.floor(Math.random() * 0x7fffffff),
      runs: intFlag(args.flags.get('--runs'), '--runs', 1) ?? 100,
      ...(rules.length > 0 ? { rules } : {}),
      ...(out !== undefined ? { outDir: out } : {}),
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`kanshi test: ${e.message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }

  const caret = io.stderr.isTTY === true;
  const report = await runSuite(options, {
    onDiagnostics: (list) => {
      for (const d of list) io.stderr.write(formatDiagnostic(d, caret) + '\n');
    },
    onRules: (files, loaded) => {
      if (files.length === 0) io.stderr.write('kanshi test: no rules files found for the cases: name them with -r\n');
      for (const d of loaded.diagnostics) if (d.severity === 'error') io.stderr.write(formatDiagnostic(d, caret) + '\n');
    },
    onCase: (r) => {
      if (!json) io.stdout.write(caseLines(r, options.seed!, options).join('\n') + '\n');
    },
  });
  if (report.files.length === 0) {
    io.stderr.write(`kanshi test: no test cases (*${CASE_EXTENSION}) under ${options.paths.join(', ')}\n`);
    return EXIT_USAGE;
  }
  if (report.cases.length === 0 && report.diagnostics.length === 0) {
    io.stderr.write(`kanshi test: ${report.files.join(', ')}: no test case in ${report.files.length === 1 ? 'it' : 'them'} (a case starts with a line '=== name')\n`);
  }
  io.stdout.write(json ? JSON.stringify(jsonReport(report, options)) + '\n' : summary(report).join('\n') + '\n');
  const failed = report.cases.filter((c) => c.status === 'fail').length;
  return failed === 0 && report.diagnostics.length === 0 && report.rulesErrors === 0 && report.cases.length > 0 ? EXIT_OK : EXIT_PROBLEMS;
}

function caseLines(r: CaseReport, seed: number, options: SuiteOptions): string[] {
  const c = r.case;
  const label = { ok: 'ok   ', fail: 'FAIL ', known: 'known', fixed: 'fixed' }[r.status];
  const head = `${label}  ${c.sids.join(',').padEnd(7)}  ${c.expect === 'positive' ? '+' : '-'} ${c.name}`;
  const p = r.property;
  const tail = p === undefined ? '' : p.skipped !== undefined ? `  [no variants: ${p.skipped}]` : p.failure === undefined ? `  [${p.variants} variants]` : '';
  const lines = [head + tail];
  if (r.status === 'fixed') {
    const how = p?.variants !== undefined && p.variants > 0 ? ` and ${p.variants} variants` : '';
    lines.push(`        at ${c.file}:${c.line}: the case${how} passed; if this is fixed, remove its known-issue line (${c.knownIssue})`);
  }
  if (r.passed) return lines;
  lines.push(`        at ${c.file}:${c.line}`);
  if (r.status === 'known') lines.push(`        known issue: ${c.knownIssue}`);
  if (!r.verdict.passed) {
    lines.push(`        expected: ${expectation(c)}`);
    lines.push(...r.verdict.problems.map((x) => `        problem:  ${x}`));
    if (r.verdict.notScanned === true) lines.push('        (not scanned: fix the rule or the sid first)');
    else lines.push(...describeAlerts(r.verdict.alerts).map((a, i) => `        ${i === 0 ? 'actual:  ' : '         '} ${a}`));
    lines.push(...whyLines(r.verdict.why));
    return lines;
  }
  const f = p!.failure!;
  lines.push(`        a variant fails (after ${p!.variants} variant${p!.variants === 1 ? '' : 's'}, shrunk ${f.shrinks} times):`);
  lines.push(...(f.changes.length > 0 ? f.changes : ['(no change: the case itself)']).map((ch) => `          ${ch}`));
  lines.push(`        expected: ${expectation(c, true)}`);
  lines.push(...f.problems.map((x) => `        problem:  ${x}`));
  lines.push(...describeAlerts(f.alerts).map((a, i) => `        ${i === 0 ? 'actual:  ' : '         '} ${a}`));
  lines.push(...whyLines(f.why));
  if (r.counterexampleFile !== undefined) lines.push(`        counterexample written to ${r.counterexampleFile}`);
  lines.push(`        reproduce: ${reproduceCommand(options, seed, c.file)}`);
  return lines;
}

/** The explanation under a failure: "why:" on its first line, the rest aligned under it. */
function whyLines(why: readonly string[] | undefined): string[] {
  return (why ?? []).map((w, i) => `        ${i === 0 ? 'why:     ' : '         '} ${w}`);
}

/** The report as one JSON object: each case's verdict (as the text report gives it), then the totals. */
function alertsBySid(alerts: readonly { sid: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of alerts) out[a.sid] = (out[a.sid] ?? 0) + 1;
  return out;
}

function jsonReport(report: SuiteReport, options: SuiteOptions): Record<string, unknown> {
  const cases = report.cases.map((r) => {
    const c = r.case;
    const alerts = alertsBySid(r.verdict.alerts);
    const entry: Record<string, unknown> = {
      file: c.file,
      line: c.line,
      name: c.name,
      sids: c.sids,
      expect: c.expect,
      status: r.status,
      problems: r.verdict.problems,
      alerts,
    };
    if (r.verdict.why !== undefined && r.verdict.why.length > 0) entry.why = r.verdict.why;
    if (c.knownIssue !== undefined) entry.known_issue = c.knownIssue;
    const p = r.property;
    if (p !== undefined) {
      entry.variants = p.variants;
      if (p.skipped !== undefined) entry.variants_skipped = p.skipped;
      if (p.failure !== undefined) {
        const f = p.failure;
        entry.failing_variant = {
          changes: f.changes,
          problems: f.problems,
          alerts: alertsBySid(f.alerts),
          ...(f.why !== undefined && f.why.length > 0 ? { why: f.why } : {}),
          shrinks: f.shrinks,
        };
        entry.reproduce = reproduceCommand(options, report.seed, c.file);
      }
    }
    if (r.counterexampleFile !== undefined) entry.counterexample = r.counterexampleFile;
    return entry;
  });
  const count = (s: CaseReport['status']): number => report.cases.filter((r) => r.status === s).length;
  return {
    cases,
    passed: count('ok') + count('fixed'),
    failed: count('fail'),
    known: count('known'),
    case_file_errors: report.diagnostics.length,
    diagnostics: report.diagnostics.map((d) => ({ file: d.file, line: d.line, col: d.col, severity: d.severity, message: d.message })),
    rules_errors: report.rulesErrors,
    properties: report.properties,
    ...(report.properties ? { seed: report.seed, runs: report.runs, variants: report.cases.reduce((n, r) => n + (r.property?.variants ?? 0), 0) } : {}),
  };
}

function summary(report: SuiteReport): string[] {
  const bySid = new Map<number, { cases: number; passed: number; known: number; variants: number }>();
  let variants = 0;
  for (const r of report.cases) {
    const v = r.property?.variants ?? 0;
    variants += v;
    for (const sid of r.case.sids) {
      const e = bySid.get(sid) ?? { cases: 0, passed: 0, known: 0, variants: 0 };
      e.cases++;
      if (r.passed) e.passed++;
      if (r.status === 'known') e.known++;
      e.variants += v;
      bySid.set(sid, e);
    }
  }
  const lines = ['', 'per rule:', `  ${'sid'.padEnd(9)} ${'cases'.padEnd(7)} ${report.properties ? 'variants  ' : ''}result`];
  for (const [sid, e] of [...bySid].sort((a, b) => a[0] - b[0])) {
    const v = report.properties ? `${String(e.variants).padEnd(9)} ` : '';
    const result = e.passed === e.cases ? 'ok' : e.passed + e.known === e.cases ? `ok, ${e.known} known issue${e.known > 1 ? 's' : ''}` : 'FAIL';
    lines.push(`  ${String(sid).padEnd(9)} ${`${e.passed}/${e.cases}`.padEnd(7)} ${v}${result}`);
  }
  lines.push('');
  if (report.properties) lines.push(`variants checked: ${variants} (seed ${report.seed}, ${report.runs} per case)`);
  const problems = report.diagnostics.length;
  if (problems > 0) lines.push(`case files with errors: ${new Set(report.diagnostics.map((d) => d.file)).size} (${problems} error${problems === 1 ? '' : 's'})`);
  if (report.rulesErrors > 0) lines.push(`rules errors: ${report.rulesErrors}`);
  const failed = report.cases.filter((c) => c.status === 'fail').length;
  const known = report.cases.filter((c) => c.status === 'known').length;
  if (known > 0) lines.push(`known issues: ${known} case${known > 1 ? 's' : ''} fail as their known-issue line says`);
  lines.push(`${report.cases.length - failed - known} passed, ${failed} failed`);
  return lines;
}

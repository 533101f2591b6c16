import { statSync } from 'node:fs';
import { DiagnosticCollector, formatDiagnostic } from '../rule/diagnostics.js';
import { RuleLoader } from '../rule/loader.js';
import { walkDirectory } from '../rule/walk.js';
import { siteClassifications } from '../rule/classification-config.js';
import { useSiteClassifications } from '../options/lib/classifications.js';
import { addContradictionWarnings, addUnsetFlowbitWarnings } from './never-match-notes.js';
import type { VariableTable } from '../rule/variables.js';
import { parseArgs } from './args.js';
import { variablesFromFlags } from './vars.js';
import { CHECK_TARGETS, rulesChecker, type CheckContext, type FileChecker } from './check-targets.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError, type Command, type CommandIo } from './command.js';

const USAGE = `usage: kanshi check [--var NAME=VALUE]... [--perf] [--json] PATH...

Parses and validates rules files (directories are searched for *.rules).
  --var NAME=VALUE  set a rule variable (overrides var/ipvar/portvar lines), e.g. --var HOME_NET=10.0.0.0/8
  --perf            also warn of rules the prefilter screens poorly: payload options without a
                    fast pattern, or a fast pattern of one or two bytes
  --json            print the summary as one JSON object
Exit status: 0 no errors, 1 errors found, 2 usage error.`;

export const checkCommand: Command = {
  name: 'check',
  usage: USAGE,
  run: runCheck,
};

interface Job {
  path: string;
  checker: FileChecker;
}

async function runCheck(argv: string[], io: CommandIo): Promise<number> {
  let jobs: Job[];
  let paths: readonly string[] = [];
  let vars: VariableTable;
  let fixed: Set<string>;
  let json: boolean;
  let perf: boolean;
  /** Directories named that held nothing to check: a wrong path must not pass as a clean check. */
  const emptyDirs: string[] = [];
  try {
    const args = parseArgs(argv, [
      { name: '--var', takesValue: true },
      { name: '--json', takesValue: false },
      { name: '--perf', takesValue: false },
      { name: '--help', takesValue: false },
      { name: '-h', takesValue: false },
    ]);
    if (args.flags.has('--help') || args.flags.has('-h')) {
      io.stdout.write(USAGE + '\n');
      return EXIT_OK;
    }
    json = args.flags.has('--json');
    perf = args.flags.has('--perf');
    ({ vars, fixed } = variablesFromFlags(args.flags.get('--var') ?? []));
    if (args.positionals.length === 0) throw new UsageError('no PATH given');
    jobs = collectJobs(args.positionals, emptyDirs);
    paths = args.positionals;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`kanshi check: ${e.message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }

  for (const n of emptyDirs) io.stderr.write(`kanshi check: error: ${n}\n`);
  const diagnostics = new DiagnosticCollector();
  useSiteClassifications(siteClassifications(paths, diagnostics));
  const ctx: CheckContext = { rules: new RuleLoader({ vars, fixedVars: fixed, collector: diagnostics }), diagnostics, vars };
  // Rules first: other file kinds (policies) may refer to the rules' sids.
  const ordered = [...jobs.filter((j) => j.checker === rulesChecker), ...jobs.filter((j) => j.checker !== rulesChecker)];
  for (const job of ordered) job.checker.check(job.path, ctx);
  addUnsetFlowbitWarnings(ctx.rules.rules, diagnostics);
  addContradictionWarnings(ctx.rules.rules, diagnostics);
  // Loaded only when asked: it compiles the rules with the scan engine, which check alone does not need.
  const perfWarnings = perf ? (await import('./perf-notes.js')).addPerfWarnings(ctx.rules.rules, diagnostics) : 0;

  const caret = io.stderr.isTTY === true;
  for (const d of diagnostics.list) io.stderr.write(formatDiagnostic(d, caret) + '\n');

  const c = ctx.rules.counts();
  const errors = diagnostics.errors + emptyDirs.length;
  if (json) {
    const unsupported = Object.fromEntries([...ctx.rules.unsupported].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
    const extra = Object.assign({}, ...CHECK_TARGETS.map((t) => t.summarize?.(ctx) ?? {}));
    // Every diagnostic too, for a CI job that annotates the lines (stderr still has them as text).
    const listed = diagnostics.list.map((d) => ({ file: d.file, line: d.line, col: d.col, severity: d.severity, message: d.message }));
    const summary = { loaded: c.loaded, disabled: c.disabled, skipped: c.skipped, errors, warnings: diagnostics.warnings, unsupported, ...extra, ...(perf ? { perf: perfWarnings } : {}), diagnostics: listed };
    io.stdout.write(JSON.stringify(summary) + '\n');
  } else {
    if (ctx.rules.unsupported.size > 0) {
      const top = [...ctx.rules.unsupported].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} (${n})`);
      io.stdout.write(`skipped for: ${top.join(', ')}\n`);
    }
    if (perf) io.stdout.write(`poorly screened: ${perfWarnings} rule${perfWarnings === 1 ? '' : 's'} (warnings above)\n`);
    io.stdout.write(`rules: ${c.loaded} loaded, ${c.disabled} disabled, ${c.skipped} skipped, ${errors} errors\n`);
  }
  return errors > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

/** Files named on the command line, and the matching files under named directories (sorted, recursive). */
function collectJobs(paths: readonly string[], empty: string[]): Job[] {
  const jobs: Job[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      // An input that cannot be read is an error of the check (exit 1, as in kanshi scan): the
      // loader reports it at the path, with the others still checked.
      jobs.push({ path: p, checker: CHECK_TARGETS.find((t) => t.matches(p)) ?? rulesChecker });
      continue;
    }
    if (st.isDirectory()) {
      const before = jobs.length;
      const walked = walkDirectory(p);
      for (const problem of walked.problems) empty.push(`cannot read '${problem.path}': ${problem.reason}`);
      for (const f of walked.files) {
        const checker = CHECK_TARGETS.find((t) => t.matches(f));
        if (checker) jobs.push({ path: f, checker });
      }
      if (jobs.length === before) empty.push(`no ${CHECK_TARGETS.map((t) => t.kind).join(' or ')} files under '${p}': nothing was checked there`);
    } else {
      jobs.push({ path: p, checker: CHECK_TARGETS.find((t) => t.matches(p)) ?? rulesChecker });
    }
  }
  return jobs;
}



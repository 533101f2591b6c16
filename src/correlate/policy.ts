import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../rule/diagnostics.js';
import { describeFsError } from '../types/fs-error.js';
import { parseAddressText, type IpSet } from '../rule/ip-set.js';
import { VariableTable } from '../rule/variables.js';
import { PolicyProblems } from './policy-diagnostics.js';
import { parsePolicyStatements } from './policy-parse.js';
import { buildStatement, buildVar, checkVar, type BuildContext } from './policy-statements.js';
import {
  DEFAULT_SCAN_THRESHOLDS,
  SCAN_KINDS,
  originAt,
  type ClassifyStatement,
  type EscalateStatement,
  type ExceptStatement,
  type HitSelector,
  type OutboundStatement,
  type RateFilterStatement,
  type RefusedStatement,
  type ScanKind,
  type ScanThreshold,
  type Statement,
  type SuppressStatement,
  type ThresholdStatement,
} from './policy-types.js';

export interface PolicyOptions {
  /** Starting variables (default: VariableTable.withDefaults()); the policy works on a copy. */
  vars?: VariableTable;
  /** `--var NAME=VALUE` from the command line: they win over the file's var lines. */
  varOverrides?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** Set for the bundled default policy (skips advice meant for hand-written policies). */
  bundled?: boolean;
}

export interface PolicyLoad {
  policy: Policy;
  /** Every problem found, in file order; errors mean the statements concerned were skipped. */
  diagnostics: Diagnostic[];
  errors: number;
}

/** A rule's gid:sid as one number (gid below 2^21 keeps it exact). */
export const ruleNumber = (gid: number, sid: number): number => gid * 4294967296 + sid;

/**
 * A compiled correlation policy: its statements, and indexes from a rule (gid, sid) or a
 * hit's classtype to the statements that apply.
 */
export class Policy {
  readonly suppressByRule = new Map<number, SuppressStatement[]>();
  readonly suppressByGid = new Map<number, SuppressStatement[]>();
  readonly suppressAll: SuppressStatement[] = [];
  readonly thresholdByRule = new Map<number, ThresholdStatement>();
  readonly thresholdByGid = new Map<number, ThresholdStatement>();
  thresholdAll: ThresholdStatement | undefined;
  readonly rateFilters: RateFilterStatement[] = [];
  /** Kanshi statements, most specific first (sid list, then classtype, then gid, then all), file order among equals. */
  readonly escalations: EscalateStatement[];
  readonly outbound: OutboundStatement[];
  readonly refused: RefusedStatement[];
  readonly excepts: ExceptStatement[];
  readonly classify: ClassifyStatement[];
  readonly scan: Record<ScanKind, ScanThreshold>;
  /** $HOME_NET once all variables are applied (scan events and reports use it). */
  readonly home: IpSet;

  constructor(
    readonly statements: readonly Statement[],
    readonly vars: VariableTable,
    problems: PolicyProblems | undefined,
  ) {
    const bySpecificity = <T extends { select: HitSelector; index: number }>(list: T[]): T[] =>
      list.sort((a, b) => specificity(b.select) - specificity(a.select) || a.index - b.index);
    const esc: EscalateStatement[] = [];
    const out: OutboundStatement[] = [];
    const ref: RefusedStatement[] = [];
    const exc: ExceptStatement[] = [];
    const cls: ClassifyStatement[] = [];
    const scan = {} as Record<ScanKind, ScanThreshold>;
    for (const k of SCAN_KINDS) scan[k] = { ...DEFAULT_SCAN_THRESHOLDS[k] };
    const scanSetAt = new Map<ScanKind, string>();

    for (const s of statements) {
      switch (s.kind) {
        case 'suppress': {
          const list = s.sid !== 0 ? getList(this.suppressByRule, ruleNumber(s.gid, s.sid)) : s.gid !== 0 ? getList(this.suppressByGid, s.gid) : this.suppressAll;
          list.push(s);
          break;
        }
        case 'threshold': {
          const key = s.sid !== 0 ? ruleNumber(s.gid, s.sid) : s.gid;
          const map = s.sid !== 0 ? this.thresholdByRule : s.gid !== 0 ? this.thresholdByGid : undefined;
          const earlier = map ? map.get(key) : this.thresholdAll;
          if (earlier) {
            // Snort refuses a second event_filter for one gen_id/sig_id; Suricata loads the file and
            // lets a sid's later line replace its earlier one, while a gen-wide or global filter
            // leaves rules that already have one alone (the first applies). A merged threshold.config
            // must not stop a scan, so this is a warning, and the filter that applies is Suricata's.
            const later = s.sid !== 0;
            problems?.warning(
              offsetOfStatement(problems, s.origin),
              s.origin.text.split(' ')[0]!.length,
              `gen_id ${s.gid}, sig_id ${s.sid} already has a ${earlier.keyword} at ${originAt(earlier.origin)}; ` +
                `${later ? 'this later one replaces it' : 'that first one applies and this one is ignored'}, as in Suricata: keep only one`,
            );
            if (!later) break;
          }
          if (map) map.set(key, s);
          else this.thresholdAll = s;
          break;
        }
        case 'rate_filter':
          this.rateFilters.push(s);
          break;
        case 'escalate':
          esc.push(s);
          break;
        case 'outbound':
          out.push(s);
          break;
        case 'refused':
          ref.push(s);
          break;
        case 'except':
          exc.push(s);
          break;
        case 'classify':
          cls.push(s);
          break;
        case 'scan': {
          const earlier = scanSetAt.get(s.scan);
          if (earlier) {
            problems?.error(offsetOfStatement(problems, s.origin), 4, `scan ${s.scan} is already set at ${earlier}: keep only one`);
            break;
          }
          scanSetAt.set(s.scan, originAt(s.origin));
          const t = scan[s.scan];
          if (s.count >= 0) t.count = s.count;
          if (s.seconds > 0) t.seconds = s.seconds;
          t.origin = s.origin;
          break;
        }
        case 'var':
          break;
      }
    }
    this.escalations = bySpecificity(esc);
    this.outbound = bySpecificity(out);
    this.refused = bySpecificity(ref);
    this.excepts = exc;
    this.classify = bySpecificity(cls);
    this.scan = scan;
    this.home = parseAddressText('$HOME_NET', vars, { error() {}, warning() {} }) ?? parseAddressText('any', vars, { error() {}, warning() {} })!;
  }

  /**
   * Whether a threshold/event_filter for exactly this gid:sid replaces the rule's own
   * `threshold:`/`detection_filter:` (Suricata: a specific global threshold overrides the
   * signature's; gen_id 0 / sig_id 0 ones never do). The matcher asks this before applying
   * a rule's own threshold.
   */
  overridesRuleThreshold(gid: number, sid: number): boolean {
    return this.thresholdByRule.has(ruleNumber(gid, sid));
  }
}

function getList<K, V>(m: Map<K, V[]>, k: K): V[] {
  let l = m.get(k);
  if (!l) m.set(k, (l = []));
  return l;
}

function specificity(s: HitSelector): number {
  return (s.sids ? 4 : 0) + (s.classtypes ? 2 : 0) + (s.gid !== undefined ? 1 : 0);
}

/** Offset of a statement's first character, from its line and column. */
function offsetOfStatement(problems: PolicyProblems, origin: { line: number; col: number }): number {
  return problems.offsetOf(origin.line, origin.col);
}

/** Parses and compiles a policy; every problem is reported, bad statements are left out. */
export function parsePolicy(source: string, file: string, options: PolicyOptions = {}): PolicyLoad {
  const problems = new PolicyProblems(file, source);
  const vars = (options.vars ?? VariableTable.withDefaults()).clone();
  const overrides = new Map<string, string>(
    options.varOverrides instanceof Map ? options.varOverrides : Object.entries(options.varOverrides ?? {}),
  );
  for (const [name, value] of overrides) vars.set(name, value, vars.kind(name) ?? 'any');
  const ctx: BuildContext = { problems, source, vars, bundled: options.bundled ?? false };
  const parsed = parsePolicyStatements(source, problems);
  const varLines = parsed.filter((p) => ['var', 'ipvar', 'portvar'].includes(p.node.keyword.text));
  for (const p of varLines) buildVar(p, ctx, new Set(overrides.keys()));
  for (const p of varLines) checkVar(p, ctx);
  const statements: Statement[] = [];
  for (const p of parsed) {
    if (['var', 'ipvar', 'portvar'].includes(p.node.keyword.text)) continue;
    const s = buildStatement(p, statements.length, ctx);
    if (s) statements.push(s);
  }
  const policy = new Policy(statements, vars, problems);
  problems.list.sort((a, b) => a.line - b.line || a.col - b.col);
  return { policy, diagnostics: problems.list, errors: problems.errorCount };
}

/** Reads and parses a policy file; an unreadable file is an error at its path (and an empty policy). */
export function loadPolicyFile(path: string, options: PolicyOptions = {}): PolicyLoad {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const empty = parsePolicy('', path, options);
    empty.diagnostics.unshift({ file: path, line: 1, col: 1, severity: 'error', message: `cannot read policy file: ${describeFsError(err)}`, length: 1 });
    return { ...empty, errors: empty.errors + 1 };
  }
  // A byte order mark (Windows editors save UTF-8 with one) is no part of the first statement.
  return parsePolicy(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, path, options);
}

/** rules/default.policy, found from this module whether it runs from src/ or from the build in dist/. */
export function defaultPolicyPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'rules', 'default.policy');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('rules/default.policy not found');
}

export function loadDefaultPolicy(options: PolicyOptions = {}): PolicyLoad {
  return loadPolicyFile(defaultPolicyPath(), { ...options, bundled: true });
}

/** A policy with no statements: defaults only (level mapping, scan thresholds). */
export function emptyPolicy(options: PolicyOptions = {}): Policy {
  return parsePolicy('', '<none>', options).policy;
}

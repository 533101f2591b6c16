import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Rule } from './ast.js';
import { buildRule, type RuleReporter } from './build.js';
import { DisabledRule } from './disabled-rule.js';
import { DiagnosticCollector, diagnosticAt, type Diagnostic, type Severity } from './diagnostics.js';
import { parseAddressText } from './ip-set.js';
import { parseLine, type IncludeNode, type VarNode } from './line-parser.js';
import { OptionValueCache } from './option-values.js';
import { parsePortText } from './port-set.js';
import { ACTIONS } from './protocols.js';
import { logicalLines, type LogicalLine } from './source.js';
import { VARIABLE_NAME, type VariableKind, type VariableTable } from './variables.js';
import { describeFsError } from '../types/fs-error.js';

export interface LoaderOptions {
  /** Shared by every file of the run; var/ipvar/portvar lines add to it. */
  vars: VariableTable;
  /** Variables set on the command line: lines in files do not override them. */
  fixedVars?: ReadonlySet<string>;
  collector?: DiagnosticCollector;
}

export interface LoadCounts {
  loaded: number;
  disabled: number;
  skipped: number;
  invalid: number;
}

/** Rules files with more Snort 3 rules than this share (or count) are reported as a whole. */
const SNORT3_FILE_SHARE = 0.5;
const SNORT3_FILE_COUNT = 50;

interface FileState {
  path: string;
  diagnostics: Array<{ d: Diagnostic; rule: boolean }>;
  rules: Rule[];
  enabledRuleLines: number;
  snort3: Array<{ rule: Rule; diagnostic: Diagnostic; advice: string }>;
  /** Set once the file's diagnostics went out: later reports (from other stages) go straight to the collector. */
  done: boolean;
}

/**
 * Loads rules files: logical lines, comments, disabled (commented-out) rules, variable lines,
 * includes (relative to the including file, cycles reported), duplicate sids across the run,
 * and files written for Snort 3. Every problem is collected; loading never stops at the first.
 */
export class RuleLoader {
  readonly rules: Rule[] = [];
  readonly collector: DiagnosticCollector;
  /** Skipped rules per keyword (or `protocol NAME`) that made them skipped. */
  readonly unsupported = new Map<string, number>();
  /** gid -> sid -> first rule: small-integer keys, cheap to hash. */
  private readonly sids = new Map<number, Map<number, Rule>>();
  private readonly stack: string[] = [];
  /** Files read so far (real paths): a file both included and named (a checked directory) loads once. */
  private readonly loadedFiles = new Set<string>();
  /** Option values by text, for the whole run (rules files repeat most option texts many times). */
  private readonly values = new OptionValueCache();
  /** Variables for disabled rules, which read their options later (see DisabledRule). */
  private snapshot: VariableTable | undefined = undefined;

  constructor(private readonly opts: LoaderOptions) {
    this.collector = opts.collector ?? new DiagnosticCollector();
  }

  counts(): LoadCounts {
    const c: LoadCounts = { loaded: 0, disabled: 0, skipped: 0, invalid: 0 };
    for (const r of this.rules) c[r.status === 'invalid' ? 'invalid' : r.status]++;
    return c;
  }

  /** Loads a file from disk (and what it includes); a file already loaded in this run is not read again. */
  loadFile(path: string): void {
    const id = canonicalPath(path);
    if (this.loadedFiles.has(id)) return;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      this.collector.add({ file: path, line: 1, col: 1, severity: 'error', message: `cannot read rules file: ${describeFsError(e)}`, length: 1 });
      return;
    }
    this.loadTextAs(id, path, text);
  }

  /** Loads rules text; `path` names it in diagnostics and anchors its relative includes. */
  loadText(path: string, text: string): void {
    this.loadTextAs(canonicalPath(path), path, text);
  }

  /** loadText for a file whose real path (`id`) is known. */
  private loadTextAs(id: string, path: string, text: string): void {
    // A byte order mark (Windows editors save UTF-8 with one) is no part of the first rule.
    const bom = text.charCodeAt(0) === 0xfeff;
    if (bom) text = text.slice(1);
    this.loadedFiles.add(id);
    this.stack.push(id);
    const state: FileState = { path, diagnostics: [], rules: [], enabledRuleLines: 0, snort3: [], done: false };
    if (bom) state.diagnostics.push({ d: bomWarning(path, text), rule: false });
    try {
      for (const line of logicalLines(path, text)) this.loadLine(line, state);
      this.finishFile(state);
    } finally {
      this.stack.pop();
    }
  }

  private loadLine(line: LogicalLine, state: FileState): void {
    const text = line.text;
    let i = 0;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i === text.length) return;
    if (text[i] === '#') {
      this.loadCommentLine(line, i, state);
      return;
    }
    const parsed = parseLine(text);
    const reporter = new LineReporter(line, state, this.collector);
    if (!parsed.ok) {
      const t = parsed.tokens;
      if (t.length >= 3 && t[0]!.type === 'word' && ACTIONS.has(t[0]!.value) && t[1]!.type === 'word' && t[2]!.type === 'lparen') {
        // Snort 3 lets a rule name only its service: `alert http (...)`.
        state.enabledRuleLines++;
        const advice = `write the full header, as ${t[0]!.value} ${t[1]!.value} any any -> any any (...)`;
        const message = `Snort 3 syntax is not supported (kanshi reads Snort 2 / Suricata rules): ${advice}`;
        const diagnostic = diagnosticAt(line, 'error', message, t[2]!.offset, 1);
        const rule = placeholderRule(line, t[0]!.value, t[1]!.value);
        state.rules.push(rule);
        this.rules.push(rule);
        state.snort3.push({ rule, diagnostic, advice });
        return;
      }
      reporter.add('error', parsed.error.message, parsed.error.offset, parsed.error.length, false);
      // A rule too broken to parse still counts as an invalid rule, as in `kanshi check`'s error count.
      if (t.length >= 2 && t[0]!.type === 'word' && ACTIONS.has(t[0]!.value)) {
        state.enabledRuleLines++;
        const rule = placeholderRule(line, t[0]!.value, t[1]!.type === 'word' ? t[1]!.value : '');
        state.rules.push(rule);
        this.rules.push(rule);
      }
      return;
    }
    const node = parsed.node;
    if (node.kind === 'var') return this.loadVarLine(node, line, reporter.lineReport());
    if (node.kind === 'include') return this.loadInclude(node, line, reporter.lineReport());
    state.enabledRuleLines++;
    const built = buildRule(node, text, line, { vars: this.opts.vars, enabled: true, reporter, values: this.values });
    const rule = built.rule;
    state.rules.push(rule);
    this.rules.push(rule);
    if (built.snort3) {
      state.snort3.push({ rule, diagnostic: diagnosticAt(line, 'error', built.snort3.message, built.snort3.offset, built.snort3.length), advice: built.snort3.advice });
      return;
    }
    this.registerSid(rule, built.sidAt ?? { offset: node.close.offset, length: 1 }, reporter);
  }

  /** `# alert ...` is a disabled rule when it parses as one; any other comment is just a comment. */
  private loadCommentLine(line: LogicalLine, hashAt: number, state: FileState): void {
    const text = line.text;
    let i = hashAt;
    while (i < text.length && (text[i] === '#' || text[i] === ' ' || text[i] === '\t')) i++;
    let j = i;
    while (j < text.length && text.charCodeAt(j) >= 97 && text.charCodeAt(j) <= 122) j++;
    if (j === i || !ACTIONS.has(text.slice(i, j)) || (text[j] !== ' ' && text[j] !== '\t')) return;
    const body = line.slice(i);
    const parsed = parseLine(body.text);
    if (!parsed.ok || parsed.node.kind !== 'rule') return;
    const rule = new DisabledRule(body, parsed.node.action.offset, this.varsSnapshot());
    state.rules.push(rule);
    this.rules.push(rule);
  }

  /** The variables as they stand now, unchanged by later var lines (one copy per change, not per rule). */
  private varsSnapshot(): VariableTable {
    const vars = this.opts.vars;
    if (this.snapshot === undefined || this.snapshot.version !== vars.version) this.snapshot = vars.clone();
    return this.snapshot;
  }

  private loadVarLine(node: VarNode, line: LogicalLine, report: (s: Severity, m: string, o: number, l: number) => void): void {
    const name = node.name.value;
    const start = node.value.first.offset;
    const raw = line.text.slice(start, node.value.last.offset + node.value.last.text.length);
    if (!VARIABLE_NAME.test(name)) {
      report('error', `'${name}' is not a variable name: use letters, digits and '_', starting with a letter`, node.name.offset, name.length);
      return;
    }
    const kind: VariableKind = node.keyword.value === 'ipvar' ? 'ip' : node.keyword.value === 'portvar' ? 'port' : 'any';
    const sink = {
      error: (m: string, o = 0, l = raw.length) => report('error', m, start + o, l),
      warning: (m: string, o = 0, l = raw.length) => report('warning', m, start + o, l),
    };
    if (this.opts.fixedVars?.has(name)) return;
    // Check the value now, where it is written, rather than at every rule that uses it.
    const probe = this.opts.vars.clone();
    probe.set(name, raw, kind);
    const ok = kind === 'ip' ? parseAddressText(raw, probe, sink) !== undefined : kind === 'port' ? parsePortText(raw, probe, sink) !== undefined : true;
    if (ok) this.opts.vars.set(name, raw, kind);
    else this.opts.vars.markInvalid(name, `${line.file}:${line.locate(start).line}`);
  }

  private loadInclude(node: IncludeNode, line: LogicalLine, report: (s: Severity, m: string, o: number, l: number) => void): void {
    const start = node.path.first.offset;
    const written = line.text.slice(start, node.path.last.offset + node.path.last.text.length);
    let missing: string | undefined;
    const expanded = written.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => {
      const v = this.opts.vars.get(name);
      if (v === undefined) missing ??= name;
      return v ?? whole;
    });
    if (missing !== undefined) {
      report('error', `undefined variable $${missing} in include: define it with --var ${missing}=PATH or a var line`, start, written.length);
      return;
    }
    const here = this.stack[this.stack.length - 1]!;
    const target = resolve(dirname(here), expanded);
    let id: string;
    try {
      if (statSync(target).isDirectory()) {
        report('error', `cannot include '${written}': it is a directory; include a rules file`, start, written.length);
        return;
      }
      id = canonicalPath(target);
    } catch (e) {
      report('error', `cannot include '${written}': ${describeFsError(e)}`, start, written.length);
      return;
    }
    const at = this.stack.indexOf(id);
    if (at >= 0) {
      const cycle = [...this.stack.slice(at), id].map((p) => p.split('/').pop()).join(' -> ');
      report('error', `include cycle: ${cycle}; remove one of these includes`, start, written.length);
      return;
    }
    this.loadFile(target);
  }

  private registerSid(rule: Rule, at: { offset: number; length: number }, reporter: LineReporter): void {
    const sid = rule.body?.meta.sid;
    if (sid === undefined) return;
    const gid = rule.body?.meta.gid ?? 1;
    let bySid = this.sids.get(gid);
    if (bySid === undefined) this.sids.set(gid, (bySid = new Map()));
    const first = bySid.get(sid);
    if (first === undefined) {
      bySid.set(sid, rule);
      return;
    }
    const where = `${first.loc.file}:${first.loc.line}:${first.loc.col}`;
    const rev = rule.body!.meta.rev;
    const firstRev = first.body?.meta.rev ?? 0;
    if (rev > firstRev && first.status !== 'invalid') {
      // An updated rule dropped in beside the old one: Suricata keeps the newer revision and warns.
      reporter.add('warning', `sid ${sid}${gid !== 1 ? ` (gid ${gid})` : ''} rev ${rev} replaces rev ${firstRev} at ${where}: the newer revision is kept`, at.offset, at.length, false);
      const i = this.rules.indexOf(first);
      if (i >= 0) this.rules.splice(i, 1);
      bySid.set(sid, rule);
      return;
    }
    const revHint = rev === firstRev ? 'give this rule another sid' : `give this rule another sid, or a rev above ${firstRev} to replace that rule`;
    reporter.add('error', `duplicate sid ${sid}${gid !== 1 ? ` (gid ${gid})` : ''}: already used by the rule at ${where}; ${revHint}`, at.offset, at.length, false);
    rule.status = 'invalid';
  }

  private finishFile(state: FileState): void {
    const n = state.snort3.length;
    const wholeFile = n > 0 && (n >= SNORT3_FILE_COUNT || n >= state.enabledRuleLines * SNORT3_FILE_SHARE);
    if (wholeFile) {
      const first = state.snort3[0]!.diagnostic;
      const advice = state.snort3[0]!.advice;
      const enabled = state.rules.filter((r) => r.enabled);
      for (const r of enabled) {
        r.status = 'invalid';
        const sid = r.body?.meta.sid;
        const bySid = this.sids.get(r.body?.meta.gid ?? 1);
        if (sid !== undefined && bySid?.get(sid) === r) bySid.delete(sid);
      }
      // The rules' own diagnostics would only repeat the dialect problem in other words, and a
      // sid they share with a loaded file is no clash: none of them is loaded.
      state.diagnostics = state.diagnostics.filter((x) => !x.rule && !x.d.message.startsWith('duplicate sid '));
      const message = `this file is written in Snort 3 rule syntax (${n} of ${enabled.length} rules use Snort 3 options) and none of its rules were loaded: kanshi reads Snort 2 / Suricata rules; here, ${advice}`;
      // One diagnostic, one error: the rules are counted as invalid, not as errors.
      state.diagnostics.push({ d: { ...first, message }, rule: false });
    } else {
      for (const s of state.snort3) {
        s.rule.status = 'invalid';
        state.diagnostics.push({ d: s.diagnostic, rule: true });
      }
    }
    state.diagnostics.sort((a, b) => a.d.line - b.d.line || a.d.col - b.d.col);
    for (const x of state.diagnostics) this.collector.add(x.d);
    state.diagnostics = [];
    state.done = true;
    for (const r of state.rules) {
      if (r.status !== 'skipped') continue;
      for (const k of r.unsupported) this.unsupported.set(k, (this.unsupported.get(k) ?? 0) + 1);
    }
  }
}

/**
 * Sends a line's diagnostics to its file's list (sorted and flushed when the file is done), or
 * straight to the collector once it is: rules keep their reporter for checks made later.
 */
class LineReporter implements RuleReporter {
  constructor(
    private readonly line: LogicalLine,
    private readonly state: FileState,
    private readonly collector: DiagnosticCollector,
  ) {}
  report(severity: Severity, message: string, offset: number, length: number): void {
    this.add(severity, message, offset, length, true);
  }
  /** Reports of the line itself (not of a rule in it), as a function. */
  lineReport(): (severity: Severity, message: string, offset: number, length: number) => void {
    return (severity, message, offset, length) => this.add(severity, message, offset, length, false);
  }
  add(severity: Severity, message: string, offset: number, length: number, rule: boolean): void {
    const d = diagnosticAt(this.line, severity, message, offset, length);
    if (this.state.done) this.collector.add(d);
    else this.state.diagnostics.push({ d, rule });
  }
}

/**
 * Suricata reads a byte order mark as part of the file's first word, and refuses the first
 * rule ("invalid action"); kanshi reads past it, so the file loads here and not there.
 */
function bomWarning(path: string, text: string): Diagnostic {
  const end = text.indexOf('\n');
  return {
    file: path,
    line: 1,
    col: 1,
    severity: 'warning',
    message: 'the file begins with a UTF-8 byte order mark, which Suricata 7 reads as part of line 1 (a rule there fails to load): save the file as UTF-8 without BOM',
    length: 1,
    sourceLine: (end < 0 ? text : text.slice(0, end)).replace(/\r$/, ''),
  };
}

function placeholderRule(line: LogicalLine, action: string, protocol: string): Rule {
  return {
    enabled: true,
    action,
    protocol,
    src: '',
    srcPort: '',
    direction: '->',
    dst: '',
    dstPort: '',
    options: [],
    body: undefined,
    header: undefined,
    status: 'invalid',
    unsupported: [],
    loc: { file: line.file, line: line.firstLine, col: 1 },
    source: line,
  };
}

function canonicalPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

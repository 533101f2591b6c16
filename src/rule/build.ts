import type { Token } from 'moo';
import type { KeywordContext, KeywordModule } from '../options/keyword.js';
import { keywordNames, lookupKeyword } from '../options/registry.js';
import { buildRuleBody, foreignOption, type OptionInstance, type SkipReason } from '../options/rule-body.js';
import type { CompiledHeader, Rule, RuleOption } from './ast.js';
import type { DiagnosticSink, PositionMap, Severity } from './diagnostics.js';
import { snort3Hint } from './dialect.js';
import { didYouMean } from './did-you-mean.js';
import { FOREIGN_KEYWORDS, SUGGESTED_FOREIGN_KEYWORDS } from './foreign-keywords.js';
import { parseAddressText } from './ip-set.js';
import type { RuleNode, SpecNode } from './line-parser.js';
import { parsePortText } from './port-set.js';
import { ACTIONS, PROTOCOLS, SKIPPED_ACTIONS } from './protocols.js';
import type { OptionValueCache } from './option-values.js';
import type { VariableTable } from './variables.js';

/** Where the problems of one rule go, with offsets in its logical line. */
export interface RuleReporter {
  report(severity: Severity, message: string, offset: number, length: number): void;
}

export interface BuildOptions {
  vars: VariableTable;
  enabled: boolean;
  reporter: RuleReporter;
  /** Values already read in this load, shared by the rules that repeat an option's text. */
  values?: OptionValueCache;
}

export interface BuiltRule {
  rule: Rule;
  errors: number;
  /** Set when the rule is written in Snort 3 syntax (its options were not read). */
  snort3?: { message: string; advice: string; offset: number; length: number };
  /** Where the sid value is written, for duplicate-sid reports. */
  sidAt?: { offset: number; length: number };
}

/** 1 at the char codes of keyword characters: letters, digits, `_`, `.`, `-`. */
const KEYWORD_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  KEYWORD_CHARS[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45 ? 1 : 0;
}

/**
 * Keyword characters (the lexer guarantees the first is a letter or `_`). A table rather than
 * comparisons: the first rules of a set use only some character classes, and compiled code that
 * never saw a digit or `-` in a keyword would be thrown away and compiled again on the first one.
 */
function isKeywordChar(c: number): boolean {
  return c < 128 && KEYWORD_CHARS[c] === 1;
}

/**
 * An option of a rule: the AST node, and the KeywordContext its module and buildRuleBody report
 * through (offsets relative to the value; a report without an offset covers the whole option).
 * One object per option for both roles: a large rule set has half a million options, all kept
 * for as long as their rules, so the value text is not kept beside the line it is part of.
 */
class OptionNode implements RuleOption, KeywordContext {
  module: KeywordModule | undefined = undefined;
  value: unknown = undefined;
  constructor(
    /** As written until a module claims the option, then the module's name for it. */
    public keyword: string,
    readonly offset: number,
    readonly length: number,
    /** Just after the ':' when a value was written. */
    readonly valueOffset: number,
    private readonly sink: RuleSink,
  ) {}
  get raw(): string | null {
    const line = this.sink.line;
    return line.charCodeAt(this.valueOffset - 1) === 58 /* : */ ? line.slice(this.valueOffset, this.offset + this.length) : null;
  }
  get written(): string {
    const m = this.module;
    if (m === undefined || m.aliases === undefined) return this.keyword;
    const line = this.sink.line;
    let end = this.offset;
    while (end < line.length && isKeywordChar(line.charCodeAt(end))) end++;
    return line.slice(this.offset, end);
  }
  valueEndsWithQuote(): boolean {
    const line = this.sink.line;
    let k = this.offset + this.length - 1;
    while (k >= this.valueOffset && (line.charCodeAt(k) === 32 || line.charCodeAt(k) === 9)) k--;
    return k >= this.valueOffset && line.charCodeAt(k) === 34;
  }
  get ctx(): KeywordContext | undefined {
    return this.module === undefined ? undefined : this;
  }
  get lookupVar(): (name: string) => string | undefined {
    return this.sink.lookupVar;
  }
  error(message: string, offset?: number, length?: number): void {
    this.at('error', message, offset, length);
  }
  warning(message: string, offset?: number, length?: number): void {
    this.at('warning', message, offset, length);
  }
  private at(severity: Severity, message: string, offset: number | undefined, length: number | undefined): void {
    if (offset === undefined) this.sink.report(severity, message, this.offset, length ?? this.length);
    else this.sink.report(severity, message, this.valueOffset + offset, length ?? Math.max(1, (this.raw?.length ?? this.keyword.length) - offset));
  }
}

/** Reads an option token (`  keyword : value;`) into an option node, positions as offsets in the line. */
function optionFromToken(t: Token, sink: RuleSink): OptionNode {
  const text = t.text;
  let i = 0;
  while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
  let k = i;
  while (k < text.length && isKeywordChar(text.charCodeAt(k))) k++;
  const keyword = text.slice(i, k);
  let j = k;
  while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
  const end = text.charCodeAt(text.length - 1) === 59 /* ; */ ? text.length - 1 : text.length;
  const hasValue = text.charCodeAt(j) === 58; /* : */
  return new OptionNode(keyword, t.offset + i, hasValue ? end - i : keyword.length, t.offset + (hasValue ? j + 1 : j), sink);
}

function specText(line: string, s: SpecNode): string {
  return line.slice(s.first.offset, s.last.offset + s.last.text.length);
}

/** Reports a header spec's problems at its place; one per rule, moved from spec to spec. */
class SpecSink implements DiagnosticSink {
  base = 0;
  length = 1;
  constructor(private readonly sink: RuleSink) {}
  at(spec: SpecNode, text: string): this {
    this.base = spec.first.offset;
    this.length = Math.max(1, text.length);
    return this;
  }
  error(message: string, offset = 0, length = this.length): void {
    this.sink.report('error', message, this.base + offset, length);
  }
  warning(message: string, offset = 0, length = this.length): void {
    this.sink.report('warning', message, this.base + offset, length);
  }
}

const BLANK_RUN = /\s+/g;

/** The spec without blanks. Nearly every spec has none: a look at its characters settles that without a regex. */
function stripBlanks(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Printable ASCII holds no blank but the space; anything else may be one of the blanks \s knows.
    if (c <= 0x20 || c >= 0x7f) return s.replace(BLANK_RUN, '');
  }
  return s;
}

let allKeywordNames: string[] | undefined;
function knownKeywordNames(): string[] {
  // The registry is fixed once modules are loaded; cache its names with the foreign ones.
  if (allKeywordNames === undefined) allKeywordNames = [...new Set([...keywordNames(), ...SUGGESTED_FOREIGN_KEYWORDS])];
  return allKeywordNames;
}

/** Where one rule's problems go while it is built (and later, for checks made by other stages). */
class RuleSink {
  errors = 0;
  readonly lookupVar: (name: string) => string | undefined;
  constructor(
    private readonly reporter: RuleReporter,
    vars: VariableTable,
    /** The rule's logical line, which its options' offsets index. */
    readonly line: string,
  ) {
    this.lookupVar = vars.lookup;
  }
  report(severity: Severity, message: string, offset: number, length: number): void {
    if (severity === 'error') this.errors++;
    this.reporter.report(severity, message, offset, length);
  }
}

/** Suggestions per unknown name: a file repeating one typo thousands of times costs one search. */
const hints = new Map<string, string>();
function keywordHint(name: string): string {
  let h = hints.get(name);
  if (h === undefined) {
    if (hints.size > 10_000) hints.clear();
    hints.set(name, (h = didYouMean(name, knownKeywordNames())));
  }
  return h;
}

/** The unsupported list of every rule that asks for nothing kanshi lacks; never changed once built. */
const NOTHING_UNSUPPORTED: readonly string[] = Object.freeze([]);

/**
 * Keywords read afresh every time: values that hardly ever repeat (msg, sid), and numbers or
 * names that cost less to read than to look up by their text (and take no memory to keep).
 */
const READ_EACH_TIME: ReadonlySet<string> = new Set(['msg', 'sid', 'rev', 'gid', 'priority', 'classtype', 'depth', 'offset', 'distance', 'within']);

/** Turns a parsed rule line into a Rule, reading every option with its keyword module. */
export function buildRule(node: RuleNode, line: string, map: PositionMap, opts: BuildOptions): BuiltRule {
  const sink = new RuleSink(opts.reporter, opts.vars, line);
  const at = map.locate(node.action.offset);

  const unsupported: string[] = [];
  // Suricata compares actions, protocols and keyword names without case (strcasecmp): `ALERT TCP`
  // and `Content:` load as written in lower case.
  const action = ACTIONS.has(node.action.value) ? node.action.value : node.action.value.toLowerCase();
  if (!ACTIONS.has(action)) {
    if (SKIPPED_ACTIONS.has(action)) unsupported.push(`action ${action}`);
    else sink.report('error', `unknown action '${action}'${didYouMean(action, [...ACTIONS, ...SKIPPED_ACTIONS]) || `: write one of ${[...ACTIONS].join(', ')}`}`, node.action.offset, action.length);
  }
  const protocol = PROTOCOLS.has(node.protocol.value) ? node.protocol.value : node.protocol.value.toLowerCase();
  const proto = PROTOCOLS.get(protocol);
  if (!proto) {
    sink.report('error', `unknown protocol '${protocol}'${didYouMean(protocol, PROTOCOLS.keys()) || ': write ip, tcp, udp, icmp or an application protocol such as http'}`, node.protocol.offset, protocol.length);
  } else if (!proto.evaluated) {
    unsupported.push(`protocol ${protocol}`);
  }

  checkSeparated(node, sink);

  const src = specText(line, node.src);
  const srcPort = specText(line, node.srcPort);
  const dst = specText(line, node.dst);
  const dstPort = specText(line, node.dstPort);
  const specSink = new SpecSink(sink);
  const srcSet = parseAddressText(src, opts.vars, specSink.at(node.src, src));
  const srcPortSet = parsePortText(srcPort, opts.vars, specSink.at(node.srcPort, srcPort));
  const dstSet = parseAddressText(dst, opts.vars, specSink.at(node.dst, dst));
  const dstPortSet = parsePortText(dstPort, opts.vars, specSink.at(node.dstPort, dstPort));
  const direction = node.direction.value === '<>' ? '<>' : '->';
  const header: CompiledHeader | undefined =
    srcSet && srcPortSet && dstSet && dstPortSet ? { src: srcSet, srcPort: srcPortSet, dst: dstSet, dstPort: dstPortSet, bidirectional: direction === '<>' } : undefined;

  const tokens = node.options;
  const options: OptionNode[] = new Array(tokens.length);
  for (let k = 0; k < tokens.length; k++) options[k] = optionFromToken(tokens[k]!, sink);
  const shared = opts.values;
  const rule: Rule = {
    enabled: opts.enabled,
    action: shared ? shared.intern(action) : action,
    protocol: shared ? shared.intern(protocol) : protocol,
    src: shared ? shared.intern(stripBlanks(src)) : stripBlanks(src),
    srcPort: shared ? shared.intern(stripBlanks(srcPort)) : stripBlanks(srcPort),
    direction,
    dst: shared ? shared.intern(stripBlanks(dst)) : stripBlanks(dst),
    dstPort: shared ? shared.intern(stripBlanks(dstPort)) : stripBlanks(dstPort),
    options,
    body: undefined,
    header,
    status: 'invalid',
    unsupported,
    loc: { file: map.file, line: at.line, col: at.col },
    source: map,
  };

  const snort3 = snort3Hint(options, isKnownKeyword);
  if (snort3) return { rule, errors: sink.errors + 1, snort3 };

  // Every option a module knows goes to buildRuleBody, read or not (it skips unread values
  // quietly), so problems in how the options combine are reported even in a rule with other errors.
  const instances: OptionInstance[] = [];
  let misspelt: Set<string> | undefined;
  let missingSemicolon = false;
  for (const option of options) {
    const written = option.keyword;
    const module = lookupKeyword(written) ?? lookupKeyword(written.toLowerCase());
    if (!module) {
      if (FOREIGN_KEYWORDS.has(written)) {
        if (!unsupported.includes(written)) unsupported.push(written);
        // Its place among the options still counts: after a sticky buffer it may be what inspects it.
        instances.push(foreignOption(written, option));
      } else {
        sink.report('error', `unknown keyword '${written}'${keywordHint(written) || ': check the spelling, or remove the option'}`, option.offset, written.length);
        // A misspelt `content` after a sticky buffer is what that buffer was for: holding its
        // place keeps the one mistake from being reported twice ("none follows" the buffer).
        (misspelt ??= new Set()).add(written);
        instances.push(foreignOption(written, option));
      }
      continue;
    }
    option.module = module;
    // The module's own string, shared by every rule, instead of a copy per option.
    option.keyword = module.keyword;
    const ctx: KeywordContext = option;
    // The option node itself is the OptionInstance: one object per option, not two.
    instances.push(option as RuleOption & OptionInstance);
    if (module.evaluable === false && !unsupported.includes(module.keyword)) unsupported.push(module.keyword);
    const raw = option.raw;
    if (module.takesValue === 'none' && raw !== null) {
      sink.report('error', `'${written}' takes no value: write ${written};`, option.offset, option.length);
      continue;
    }
    if (module.takesValue === 'required' && raw === null) {
      sink.report('error', `'${written}' needs a value: write ${written}:VALUE;`, option.offset, written.length);
      continue;
    }
    const swallowed = swallowedOption(option, raw, isKnownKeyword);
    if (swallowed) {
      missingSemicolon = true;
      sink.report('error', swallowed.message, swallowed.offset, 1);
      continue;
    }
    const before = sink.errors;
    let value: unknown;
    try {
      value = opts.values !== undefined && raw !== null && !READ_EACH_TIME.has(module.keyword) ? opts.values.read(module, raw, ctx) : module.parse(raw, ctx);
    } catch (e) {
      // A keyword module must not take the whole load down with it; report it at the option.
      sink.report('error', `internal error reading '${written}': ${e instanceof Error ? e.message : String(e)}`, option.offset, option.length);
    }
    if (value === undefined && sink.errors === before) sink.report('error', `invalid value for '${written}'`, option.valueOffset, Math.max(1, raw?.length ?? 1));
    option.value = value;
  }

  try {
    rule.body = buildRuleBody(instances);
  } catch (e) {
    sink.report('error', `internal error combining the options: ${e instanceof Error ? e.message : String(e)}`, node.open.offset, 1);
  }
  for (const k of rule.body?.unsupported ?? []) if (!unsupported.includes(k) && misspelt?.has(k) !== true) unsupported.push(k);
  warnEstablishedUdp(protocol, rule.body, options, sink);
  // Kept as long as the rule: without the spare capacity that pushing left, or shared when empty.
  rule.unsupported = unsupported.length > 0 ? unsupported.slice() : (NOTHING_UNSUPPORTED as string[]);

  let sidOption: RuleOption | undefined;
  let hasMsg = false;
  for (const o of options) {
    if (o.keyword === 'sid') sidOption ??= o;
    else if (o.keyword === 'msg') hasMsg = true;
  }
  // After a forgotten ';' the next option is inside this one's value: do not call it missing.
  if (!sidOption && !missingSemicolon) sink.report('error', 'missing sid: add sid:NUMBER; to identify the rule', node.close.offset, 1);
  if (!hasMsg && !missingSemicolon) sink.report('warning', 'missing msg: add msg:"..."; so its alerts say what was found', node.close.offset, 1);

  const errors = sink.errors;
  rule.status = !opts.enabled ? 'disabled' : errors > 0 ? 'invalid' : unsupported.length > 0 ? 'skipped' : 'loaded';
  if (rule.status === 'skipped') {
    const first = firstUnsupportedOffset(node, options, unsupported);
    sink.report('warning', skipMessage(unsupported, rule.body?.skipReasons ?? []), first.offset, first.length);
  }
  const sidAt = sidOption ? (sidOption.raw === null ? { offset: sidOption.offset, length: sidOption.length } : valueSpan(sidOption)) : undefined;
  return sidAt ? { rule, errors, sidAt } : { rule, errors };
}

/**
 * A UDP flow is established only once both sides have sent: a rule for the first datagram of an
 * exchange (a worm's single probe, a query) with flow:established never fires. Legitimate for
 * replies, so a warning; neither public rule set writes it.
 */
function warnEstablishedUdp(protocol: string, body: Rule['body'], options: readonly OptionNode[], sink: RuleSink): void {
  if (protocol !== 'udp' || body?.detection.flow?.state !== 'established') return;
  const flow = options.find((o) => o.keyword === 'flow');
  if (flow === undefined) return;
  sink.report(
    'warning',
    'flow:established on udp: a UDP flow is established only once both sides have sent, so a first datagram (a probe, a query) never matches; write flow:to_server (or to_client) unless the rule is for replies',
    flow.offset,
    flow.length,
  );
}

/**
 * `msg:"x" sid:1;` or `depth:4 content:"x";`: a value followed by `keyword:` (or a bare flag
 * keyword at its end) — the ';' between two options was forgotten, so the grammar saw one
 * option. Says where the ';' goes.
 */
function swallowedOption(o: RuleOption, raw: string | null, known: (k: string) => boolean): { message: string; offset: number } | undefined {
  if (raw === null) return undefined;
  let m: RegExpExecArray | null = null;
  if (raw.includes('"') && !raw.trimEnd().endsWith('"')) m = QUOTED_THEN_KEYWORD.exec(raw);
  // Cheap test first: an unquoted value with no blank in it cannot hold a second option.
  if (m === null && (raw.includes(' ') || raw.includes('\t'))) m = UNQUOTED_THEN_KEYWORD.exec(raw);
  if (!m || !known(m[3]!)) return undefined;
  const head = `${o.written}:${m[1]!.trim()}`;
  const shown = head.length > 40 ? `${o.written}:...` : head;
  const rest = raw.slice(m[1]!.length).trim();
  const next = rest.length > 24 ? `${m[3]}...` : rest;
  return { message: `missing ';' after ${shown}: write ${shown}; ${next}`, offset: o.valueOffset + m[1]!.length };
}

const isKnownKeyword = (k: string): boolean => lookupKeyword(k) !== undefined;
/** A quoted value, blanks, then a keyword with a value or at the end. */
const QUOTED_THEN_KEYWORD = /^(\s*!?\s*"(?:[^"\\]|\\.)*")(\s+)([A-Za-z_][A-Za-z0-9_.-]*)\s*(?::|$)/;
/** An unquoted value (no quote before the blank), blanks, then a keyword with a value or at the end. */
const UNQUOTED_THEN_KEYWORD = /^(\s*[^"\s][^"]*?)(\s+)([A-Za-z_][A-Za-z0-9_.-]*)\s*(?::|$)/;

/** The value of an option without its surrounding blanks. */
function valueSpan(t: { raw: string | null; valueOffset: number }): { offset: number; length: number } {
  const raw = t.raw ?? '';
  const lead = raw.length - raw.trimStart().length;
  return { offset: t.valueOffset + lead, length: Math.max(1, raw.trim().length) };
}

/** `rule skipped: kanshi does not evaluate protocol dns, 'dns.query' yet; pcre: <why>` */
function skipMessage(unsupported: readonly string[], reasons: readonly SkipReason[]): string {
  // Plain loops and concatenation: a large set has thousands of skipped rules.
  let specific: Map<string, string> | undefined;
  for (const r of reasons) {
    if (r.reason.endsWith('not evaluated yet')) continue;
    specific ??= new Map();
    if (!specific.has(r.keyword)) specific.set(r.keyword, r.reason);
  }
  let generic = '';
  for (const u of unsupported) {
    if (specific?.has(u) === true) continue;
    generic += (generic === '' ? '' : ', ') + (u.startsWith('protocol ') || u.startsWith('action ') ? u : `'${u}'`);
  }
  let text = generic === '' ? '' : `kanshi does not evaluate ${generic} yet`;
  if (specific !== undefined) for (const reason of specific.values()) text += (text === '' ? '' : '; ') + reason;
  return `rule skipped: ${text}`;
}

function firstUnsupportedOffset(node: RuleNode, options: readonly RuleOption[], unsupported: readonly string[]): { offset: number; length: number } {
  if (unsupported[0]?.startsWith('action ')) return { offset: node.action.offset, length: node.action.text.length };
  if (unsupported[0]?.startsWith('protocol ')) return { offset: node.protocol.offset, length: node.protocol.text.length };
  for (const t of options) if (unsupported.includes(t.keyword)) return { offset: t.offset, length: t.written.length };
  return { offset: node.action.offset, length: node.action.text.length };
}

/** Header fields must be separated by blanks, as Snort and Suricata split them. */
function checkSeparated(node: RuleNode, sink: RuleSink): void {
  adjacent(node.action, node.protocol, sink);
  adjacent(node.protocol, node.src.first, sink);
  adjacent(node.src.last, node.srcPort.first, sink);
  adjacent(node.srcPort.last, node.direction, sink);
  adjacent(node.direction, node.dst.first, sink);
  adjacent(node.dst.last, node.dstPort.first, sink);
}

function adjacent(prev: Token, next: Token, sink: RuleSink): void {
  if (prev.offset + prev.text.length === next.offset) {
    sink.report('error', `missing blank between '${prev.text}' and '${next.text}': separate the header fields with spaces`, next.offset, next.text.length);
  }
}

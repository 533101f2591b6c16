import nearley from 'nearley';
import type { Token } from 'moo';
import grammar, { type LineNode } from '../../grammar/rule.generated.js';
import { tokenize } from '../../grammar/rule-lexer.js';
import { keywordNames } from '../options/registry.js';
import { didYouMean } from './did-you-mean.js';
import { SUGGESTED_FOREIGN_KEYWORDS } from './foreign-keywords.js';

export type { LineNode, RuleNode, VarNode, IncludeNode, SpecNode } from '../../grammar/rule.generated.js';

export interface StructureError {
  message: string;
  offset: number;
  length: number;
}

export type LineParse = { ok: true; node: LineNode; tokens: Token[] } | { ok: false; error: StructureError; tokens: Token[] };

/**
 * Parses one logical line with the nearley grammar (grammar/rule.ne).
 *
 * Earley parsing costs microseconds per token, too slow for tens of thousands of rules, but the
 * grammar's result depends only on the sequence of token types (and on the values of tokens the
 * grammar names literally, such as `var`). So the first line of each token shape is parsed by
 * nearley and its tree is kept as a template of token indices; later lines of the same shape
 * reuse it. A run of option tokens counts as one symbol of the shape when the tree holds the
 * run as one list, so rules that differ only in their number of options share a template.
 * Every structural decision still comes from the grammar.
 */
export function parseLine(text: string): LineParse {
  if (text.length > MAX_LINE) {
    return { ok: false, error: { message: `line too long (${text.length} characters): kanshi reads rules of up to ${MAX_LINE} characters`, offset: 0, length: 1 }, tokens: [] };
  }
  const tokens = tokenize(text);
  const shape = shapeOf(tokens);
  let template = templates.get(shape.collapsed) ?? templates.get(shape.exact);
  if (template === undefined) {
    // Failures depend on the shape alone too: a file of garbage lines costs one Earley parse per shape.
    const known = failures.get(shape.exact);
    const outcome = known ?? runGrammar(tokens);
    if (!outcome.ok) {
      if (!known) {
        if (failures.size >= MAX_TEMPLATES) failures.clear();
        failures.set(shape.exact, outcome);
      }
      return { ok: false, error: describeFailure(text, tokens, outcome), tokens };
    }
    const indexByOffset = new Map(tokens.map((t, i) => [t.offset, i]));
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    const collapsed = shape.run ? tryTemplate(outcome.node, { indexByOffset, run: shape.run, count: tokens.length }) : undefined;
    if (collapsed) templates.set(shape.collapsed, (template = collapsed));
    else templates.set(shape.exact, (template = tryTemplate(outcome.node, { indexByOffset, run: undefined, count: tokens.length })!));
  }
  return { ok: true, node: template(tokens) as LineNode, tokens };
}

/** The grammar's own parse of a line, without the shape memo (for tests of the memo). */
export function parseLineWithGrammar(text: string): { nodes: LineNode[]; tokens: Token[] } {
  const tokens = tokenize(text);
  const g = Object.create(compiled) as nearley.Grammar;
  g.lexer = new ReplayLexer(tokens) as unknown as nearley.Lexer;
  const parser = new nearley.Parser(g);
  try {
    parser.feed('');
  } catch {
    return { nodes: [], tokens };
  }
  return { nodes: parser.results as LineNode[], tokens };
}

/** Far beyond any real rule (the longest public ones are ~10 KB); bounds the work one line can cause. */
export const MAX_LINE = 256 * 1024;

const compiled = nearley.Grammar.fromCompiled(grammar);

/** Token values the grammar matches literally (`var`, `include`, ...): they are part of a shape. */
const LITERALS: ReadonlySet<string> = new Set(
  grammar.ParserRules.flatMap((r) => r.symbols).flatMap((s) => (typeof s === 'object' && s !== null && 'literal' in s ? [String(s.literal)] : [])),
);

/** One character per token: its type, or the literal it spells. */
const shapeCodes = new Map<string, string>();
function shapeCode(name: string): string {
  let c = shapeCodes.get(name);
  if (c === undefined) shapeCodes.set(name, (c = String.fromCharCode(65 + shapeCodes.size)));
  return c;
}

interface Shape {
  /** One symbol per token. */
  exact: string;
  /** The same, with the run of option tokens as one symbol (when the line has exactly one run). */
  collapsed: string;
  run: { start: number; end: number } | undefined;
}

function shapeOf(tokens: readonly Token[]): Shape {
  let exact = '';
  let collapsed = '';
  let run: { start: number; end: number } | undefined;
  let runs = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const type = t.type ?? '';
    const code = shapeCode(type === 'word' && LITERALS.has(t.value) ? `=${t.value}` : type);
    exact += code;
    if (type === 'option') {
      if (i === 0 || tokens[i - 1]!.type !== 'option') {
        runs++;
        run = { start: i, end: i + 1 };
        collapsed += RUN_CODE;
      } else run!.end = i + 1;
    } else collapsed += code;
  }
  return runs === 1 ? { exact, collapsed, run } : { exact, collapsed: exact, run: undefined };
}

/** Marks a collapsed run of options; never a token-type code (those are letters from 'A'). */
const RUN_CODE = '*';

/** Builds a parse tree from a line's tokens, following the tree the grammar gave for the same shape. */
type Template = (tokens: readonly Token[]) => unknown;
const MAX_TEMPLATES = 10_000;
const templates = new Map<string, Template>();
const failures = new Map<string, { ok: false; at: number; expected: Set<string> }>();

function isToken(x: object): x is Token {
  return 'offset' in x && 'type' in x && 'text' in x;
}

interface TemplateContext {
  indexByOffset: ReadonlyMap<number, number>;
  /** The option run, when the template may stretch it; tokens after it are addressed from the end. */
  run: { start: number; end: number } | undefined;
  count: number;
}

/** undefined when the tree uses the option run other than as one whole list (no collapsed template then). */
function tryTemplate(node: unknown, ctx: TemplateContext): Template | undefined {
  let source: string;
  try {
    source = templateSource(node, ctx);
  } catch (e) {
    if (e === NOT_COLLAPSIBLE) return undefined;
    throw e;
  }
  // One function per shape, its tree written out as a literal: objects of one shape each, and
  // no call per node. The source holds token indexes, property names and strings of the grammar
  // (JSON-quoted), never text of the line.
  return new Function('ts', `return ${source};`) as Template;
}

const NOT_COLLAPSIBLE = new Error('tree addresses single tokens of the option run');

/** JS source of an expression that rebuilds `node` from a line's tokens `ts`. */
function templateSource(node: unknown, ctx: TemplateContext): string {
  if (node === null || node === undefined) return 'null';
  if (typeof node === 'string') return JSON.stringify(node);
  const run = ctx.run;
  if (Array.isArray(node)) {
    if (run && isWholeRun(node, ctx)) return `ts.slice(${run.start}, ts.length - ${ctx.count - run.end})`;
    return `[${node.map((n) => templateSource(n, ctx)).join(', ')}]`;
  }
  if (typeof node === 'object') {
    if (isToken(node)) {
      const i = ctx.indexByOffset.get(node.offset)!;
      if (!run || i < run.start) return `ts[${i}]`;
      if (i < run.end) throw NOT_COLLAPSIBLE;
      return `ts[ts.length - ${ctx.count - i}]`;
    }
    const fields = Object.keys(node).map((k) => `${JSON.stringify(k)}: ${templateSource((node as Record<string, unknown>)[k], ctx)}`);
    return `{ ${fields.join(', ')} }`;
  }
  throw new Error(`grammar node holds a ${typeof node}: nodes must be made of tokens, strings and arrays`);
}

function isWholeRun(node: unknown[], ctx: TemplateContext): boolean {
  const run = ctx.run!;
  if (node.length !== run.end - run.start) return false;
  for (let k = 0; k < node.length; k++) {
    const t = node[k];
    if (typeof t !== 'object' || t === null || !isToken(t) || ctx.indexByOffset.get(t.offset) !== run.start + k) return false;
  }
  return true;
}

/** Replays already-lexed tokens to nearley. */
class ReplayLexer {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}
  reset(): void {
    this.i = 0;
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
  save(): object {
    return {};
  }
  formatError(): string {
    return '';
  }
  has(): boolean {
    return true;
  }
}

type GrammarOutcome = { ok: true; node: LineNode } | { ok: false; at: number; expected: Set<string> };

function runGrammar(tokens: readonly Token[]): GrammarOutcome {
  const g = Object.create(compiled) as nearley.Grammar;
  g.lexer = new ReplayLexer(tokens) as unknown as nearley.Lexer;
  const parser = new nearley.Parser(g);
  try {
    parser.feed('');
  } catch {
    return { ok: false, at: parser.current, expected: expectedAt(parser) };
  }
  if (parser.results.length === 0) return { ok: false, at: tokens.length, expected: expectedAt(parser) };
  return { ok: true, node: parser.results[0] as LineNode };
}

/** Terminal symbols (token types or literals) the parser could have taken next. */
function expectedAt(parser: nearley.Parser): Set<string> {
  const out = new Set<string>();
  const table = (parser as unknown as { table: unknown[] }).table;
  const column = table[parser.current] as { states: Array<{ rule: nearley.Rule; dot: number }> } | undefined;
  for (const st of column?.states ?? []) {
    const sym = st.rule.symbols[st.dot] as unknown;
    if (sym && typeof sym === 'object') {
      if ('type' in sym) out.add(String((sym as { type: string }).type));
      else if ('literal' in sym) out.add(`"${String((sym as { literal: string }).literal)}"`);
    }
  }
  return out;
}

/** snort.conf lines that people pass as rules files. */
const CONFIG_DIRECTIVES: ReadonlySet<string> = new Set(['config', 'preprocessor', 'output', 'dynamicpreprocessor', 'dynamicengine', 'dynamicdetection', 'event_filter', 'rate_filter', 'suppress', 'ruletype', 'attribute_table', 'ipvar6']);

const HEADER_FIELDS = ['action', 'protocol', 'source address', 'source port', 'direction (-> or <>)', 'destination address', 'destination port', "'(' to open the options"];
const HEADER_SHAPE = 'a rule reads: action protocol src_addr src_port -> dst_addr dst_port (keyword:value; ...)';

function show(t: Token): string {
  const s = t.text.length > 40 ? t.text.slice(0, 37) + '...' : t.text;
  return `'${s}'`;
}

/** Turns a grammar failure into a message that says what to write. */
function describeFailure(text: string, tokens: readonly Token[], f: { at: number; expected: Set<string> }): StructureError {
  const bad = tokens[f.at];
  const end = { offset: text.trimEnd().length, length: 1 };
  const at = bad ? { offset: bad.offset, length: bad.text.length } : end;
  const first = tokens[0];
  if (first?.type === 'word' && CONFIG_DIRECTIVES.has(first.value)) {
    return { message: `'${first.value}' is a Snort configuration directive, not a rule: kanshi reads rules files (set variables with var/ipvar/portvar lines or --var)`, offset: first.offset, length: first.text.length };
  }

  if (bad?.type === 'badOption') return describeBadOption(bad, text);
  const inOptions = f.expected.has('option') || f.expected.has('rparen');
  const hidden = bad?.type === 'stray' ? invisible(bad.text) : undefined;
  if (hidden !== undefined) {
    const where = inOptions ? 'in the options' : `where the ${HEADER_FIELDS[Math.min(fieldIndex(tokens, f.at), HEADER_FIELDS.length - 1)]} belongs`;
    return { message: `unexpected ${hidden.name} ${where}: ${hidden.fix}`, ...at };
  }
  if (inOptions) {
    if (!bad) return { message: "missing ')' at the end of the rule: close the options with ')'", ...end };
    if (bad.type === 'stray' && bad.text === ';') return { message: "empty option: remove the extra ';'", ...at };
    if (bad.type === 'stray') return { message: `unexpected ${show(bad)} in the options: write keyword:value; or keyword;`, ...at };
    return { message: `unexpected ${show(bad)} after ')': the rule ends at its closing parenthesis`, ...at };
  }
  if (f.expected.size === 0 && bad) return { message: `unexpected ${show(bad)} after ')': the rule ends at its closing parenthesis`, ...at };

  // A header problem: find which field the parser was at by counting the fields before it.
  const open = openBracket(tokens, f.at);
  if (open && (!bad || bad.type === 'lparen' || bad.type === 'dir')) {
    return { message: "missing ']' to close this list", offset: open.offset, length: 1 };
  }
  if (open && bad && (bad.type === 'word' || bad.type === 'variable' || bad.type === 'lbracket' || bad.type === 'bang')) {
    return { message: `missing ']' to close this list (or ',' before ${show(bad)})`, offset: open.offset, length: 1 };
  }
  if (bad?.type === 'rbracket') return describeClose(text, tokens, f.at, at);
  if (bad?.type === 'comma' && !open) return { message: "',' outside a list: put list elements in [brackets], as [80,443]", ...at };
  if (bad?.type === 'stray' && bad.text === '"') return { message: `unexpected '"' in the rule header: ${HEADER_SHAPE}`, ...at };
  const field = fieldIndex(tokens, f.at);
  if (tokens[0]?.value === 'var' || tokens[0]?.value === 'ipvar' || tokens[0]?.value === 'portvar') {
    if (tokens.length < 3 || (f.expected.size > 0 && f.at <= 2)) return { message: `incomplete variable line: write ${tokens[0].value} NAME VALUE`, ...at };
  }
  if (tokens[0]?.value === 'include' && tokens.length === 1) return { message: 'include needs a file: write include PATH', ...at };
  if (field === 4 && bad && (bad.type === 'word' || bad.type === 'stray')) {
    return gluedPort(text, tokens, f.at) ?? { message: `${show(bad)} is not a direction: write -> or <>`, ...at };
  }
  if (field < HEADER_FIELDS.length) {
    const what = HEADER_FIELDS[field]!;
    if (!bad) return { message: `missing ${what}: ${HEADER_SHAPE}`, ...end };
    if (bad.type === 'lparen' || bad.type === 'dir') return { message: `missing ${what} before ${show(bad)}: ${HEADER_SHAPE}`, ...at };
    if (field === HEADER_FIELDS.length - 1) return { message: `missing '(' before ${show(bad)}: the options go in parentheses, as (msg:"..."; sid:1;)`, ...at };
    return { message: `unexpected ${show(bad)} where the ${what} belongs: ${HEADER_SHAPE}`, ...at };
  }
  if (bad && field >= HEADER_FIELDS.length) return { message: `too many fields before the options at ${show(bad)}: ${HEADER_SHAPE}`, ...at };
  return { message: `cannot read this line: ${HEADER_SHAPE}`, ...at };
}

function describeBadOption(token: Token, line: string): StructureError {
  const lead = token.text.length - token.text.trimStart().length;
  const t = { text: token.text.slice(lead), offset: token.offset + lead };
  const text = t.text;
  const colon = text.indexOf(':');
  const keyword = (colon < 0 ? text : text.slice(0, colon)).trim();
  // The keyword stopped at a character no keyword holds: say which, rather than ask for a ';'
  // that would leave half a keyword behind.
  const after = token.offset + token.text.length;
  const next = colon < 0 && text.trimEnd() === keyword ? line.codePointAt(after) : undefined;
  if (next === 0x22 /* " */) {
    return { message: `missing ':' between '${keyword}' and its value: write ${keyword}:${valueAt(line, after)};`, offset: after, length: 1 };
  }
  if (next === 0x3d /* = */ && text === keyword) {
    return { message: `use ':' between '${keyword}' and its value, not '=': write ${keyword}:${valueAt(line, after + 1)};`, offset: after, length: 1 };
  }
  if (next !== undefined && next > 0x7f && text === keyword) {
    const ch = String.fromCodePoint(next);
    let end = token.offset + token.text.length;
    while (end < line.length && !/[\s;:()"]/.test(line[end]!)) end++;
    const word = line.slice(t.offset, end);
    const code = next.toString(16).toUpperCase().padStart(4, '0');
    const hint = didYouMean(word.replace(/[^\x00-\x7f]/g, ''), knownKeywords());
    return {
      message: `'${ch}' (U+${code}) in the keyword '${word}': keywords are written in ASCII letters, digits, '_', '.' and '-' (a look-alike letter pasted from a web page or a document?)${hint}`,
      offset: token.offset + token.text.length,
      length: ch.length,
    };
  }
  const value = colon < 0 ? '' : text.slice(colon + 1);
  const quote = unclosedQuote(value);
  if (quote >= 0) {
    return { message: `unterminated quote in the value of '${keyword}': add the closing '"'`, offset: t.offset + colon + 1 + quote, length: value.length - quote };
  }
  const written = text.trimEnd().replace(/\)\s*$/, '');
  const shown = written.length > 40 ? `${keyword}:...` : written;
  return { message: `missing ';' after ${shown}: end every option with ';', as ${shown};`, offset: t.offset + written.length, length: 1 };
}

/** The value written at `from` (blanks skipped): a quoted string, or up to the next ';' or ')'; cut short when long. */
function valueAt(line: string, from: number): string {
  let i = from;
  while (line[i] === ' ' || line[i] === '\t') i++;
  let end = i;
  if (line[i] === '"') {
    end = i + 1;
    while (end < line.length && line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
    end = Math.min(line.length, end + 1);
  } else {
    while (end < line.length && line[end] !== ';' && line[end] !== ')') end++;
  }
  const value = line.slice(i, end).trimEnd();
  if (value === '') return '"..."';
  return value.length > 40 ? `${value.slice(0, 36)}...${value[0] === '"' ? '"' : ''}` : value;
}

/** Blanks that look like a plain space, and characters that show as nothing, by code point. */
const INVISIBLE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00a0, 'no-break space'],
  [0x2007, 'figure space'],
  [0x2009, 'thin space'],
  [0x202f, 'narrow no-break space'],
  [0x3000, 'ideographic space'],
  [0x200b, 'zero-width space'],
  [0x200c, 'zero-width non-joiner'],
  [0x200d, 'zero-width joiner'],
  [0x2060, 'word joiner'],
  [0xfeff, 'byte order mark'],
]);

/**
 * A character that a message could not show (it looks like a space, or like nothing): its
 * code point and name, and how to fix it. Pasted from a web page or a word processor, or a
 * byte order mark left by an editor.
 */
function invisible(text: string): { name: string; fix: string } | undefined {
  const cp = text.codePointAt(0)!;
  const spaceLike = (cp >= 0x2000 && cp <= 0x200a) || cp === 0x00a0 || cp === 0x202f || cp === 0x3000;
  const name = INVISIBLE_NAMES.get(cp) ?? (spaceLike ? 'space' : undefined);
  if (name === undefined) return undefined;
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return { name: `${code} (${name})`, fix: spaceLike ? 'replace it with a plain space' : 'remove it (most editors do not show it)' };
}

/** A ']' the grammar did not expect: after a trailing ',', in an empty list, or with no '['. */
function describeClose(line: string, tokens: readonly Token[], at: number, span: { offset: number; length: number }): StructureError {
  const prev = tokens[at - 1];
  const open = openBracket(tokens, at);
  if (prev?.type === 'comma' && open !== undefined) {
    return { message: `trailing ',' before ']': remove it, as ${line.slice(open.offset, prev.offset)}]`, offset: prev.offset, length: 1 };
  }
  if (prev?.type === 'lbracket') return { message: "empty list '[]': write at least one element between the brackets, or any", offset: prev.offset, length: 2 };
  return { message: "unbalanced ']': remove it or add the matching '['", ...span };
}

/** `[2001:db8::1]:80`: a port written onto a bracketed address, as in a URL. */
function gluedPort(line: string, tokens: readonly Token[], upto: number): StructureError | undefined {
  for (let k = 1; k < upto && k < tokens.length; k++) {
    const t = tokens[k]!;
    const close = tokens[k - 1]!;
    if (t.type !== 'word' || t.text[0] !== ':' || close.type !== 'rbracket' || close.offset + 1 !== t.offset) continue;
    const open = openBracket(tokens, k - 1);
    const address = open === undefined ? ']' : line.slice(open.offset, close.offset + 1);
    return { message: `'${t.text}' is joined to the address: a port goes in its own field after a space, as ${address} ${t.text.slice(1)}`, offset: t.offset, length: t.text.length };
  }
  return undefined;
}

/** Index of a quote left open in a value (escapes honoured), or -1. */
function unclosedQuote(value: string): number {
  let open = -1;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') i++;
    else if (c === '"') open = open < 0 ? i : -1;
  }
  return open;
}

function openBracket(tokens: readonly Token[], upto: number): Token | undefined {
  const stack: Token[] = [];
  for (let i = 0; i < upto && i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'lbracket') stack.push(t);
    else if (t.type === 'rbracket') stack.pop();
    else if (t.type === 'lparen') return undefined;
  }
  return stack[stack.length - 1];
}

/** How many header fields are complete before token `upto` (a bracketed list counts as one). */
function fieldIndex(tokens: readonly Token[], upto: number): number {
  let fields = 0;
  let depth = 0;
  for (let i = 0; i < upto && i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'lbracket') depth++;
    else if (t.type === 'rbracket') {
      depth--;
      if (depth === 0) fields++;
    } else if (depth === 0 && t.type !== 'bang') fields++;
  }
  return fields;
}

let keywordList: string[] | undefined;
function knownKeywords(): string[] {
  return (keywordList ??= [...new Set([...keywordNames(), ...SUGGESTED_FOREIGN_KEYWORDS])]);
}

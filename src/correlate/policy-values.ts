import type { OptionNode, StatementNode, ValueNode } from '../../grammar/policy.generated.js';
import { LEVELS, type Level } from '../types/level.js';
import { parseAddressText, type IpSet } from '../rule/ip-set.js';
import type { VariableTable } from '../rule/variables.js';
import { didYouMean, type PolicyProblems } from './policy-diagnostics.js';
import { isStandardClasstype, standardClasstypes } from './classifications.js';
import { classtypeLevels } from './levels.js';
import type { CodeSet } from './policy-types.js';

/** What every option reader needs: where to report, the file text, the variables. */
export interface ReadContext {
  problems: PolicyProblems;
  source: string;
  vars: VariableTable;
}

const nodeText = (ctx: ReadContext, v: ValueNode): string => ctx.source.slice(v.start, v.end);

/**
 * The options of one statement by name. Reports options given twice and, at the end,
 * options the statement does not take (with a "did you mean").
 */
export class OptionTable {
  private readonly byName = new Map<string, OptionNode>();

  constructor(
    private readonly statement: StatementNode,
    private readonly ctx: ReadContext,
  ) {
    for (const o of statement.options) {
      const name = o.name.text;
      const earlier = this.byName.get(name);
      if (earlier) {
        ctx.problems.error(o.name.offset, name.length, `'${name}' is given twice in this statement (first at column ${earlier.name.col}): keep one`);
        continue;
      }
      this.byName.set(name, o);
    }
  }

  get keyword(): string {
    return this.statement.keyword.text;
  }

  get(name: string): OptionNode | undefined {
    return this.byName.get(name);
  }

  /** Reports a missing option at the statement keyword, saying what to write. */
  require(name: string, example: string): OptionNode | undefined {
    const o = this.byName.get(name);
    if (!o) {
      const k = this.statement.keyword;
      this.ctx.problems.error(k.offset, k.text.length, `${this.keyword} needs '${example}'`);
    }
    return o;
  }

  /** Reports every option not in `allowed`. */
  checkAllowed(allowed: readonly string[]): void {
    for (const [name, o] of this.byName) {
      if (allowed.includes(name)) continue;
      // `ip 1.2.3.4, 5.6.7.8`: the comma ended the ip option, and the next address reads as one.
      const list = allowed.find((a) => a === 'ip' || a === 'apply_to');
      const given = list !== undefined ? this.byName.get(list) : undefined;
      const before = given !== undefined && given.values.length > 0 ? this.ctx.source.slice(given.values[0]!.start, given.values[given.values.length - 1]!.end) : 'a.b.c.d';
      const hint = list !== undefined && ADDRESS_LIKE.test(name) ? `; to list addresses write them in brackets: ${list} [${before},${name}]` : '';
      const shown = name.length > 60 ? `${name.slice(0, 60)}...` : name;
      this.ctx.problems.error(
        o.name.offset,
        name.length,
        `${this.keyword} has no option '${shown}'${hint || didYouMean(name, allowed)}; it takes ${allowed.join(', ')}`,
      );
    }
  }
}

/** A word that reads as an address or block (IPv4, IPv6, CIDR, a negation or a variable). */
const ADDRESS_LIKE = /^!?(\$[A-Za-z_]\w*|[0-9a-fA-F:.]*[0-9][0-9a-fA-F:.]*(\/\d{1,3})?)$/;

/** The single word value of an option, or a report saying what to write. */
export function singleWord(ctx: ReadContext, o: OptionNode, example: string): { text: string; offset: number } | undefined {
  if (o.values.length === 1 && o.values[0]!.kind === 'word') {
    const v = o.values[0]!;
    return { text: v.first.text, offset: v.start };
  }
  const at = o.values.length > 0 ? o.values[o.values.length > 1 ? 1 : 0]! : undefined;
  if (!at) ctx.problems.error(o.name.offset, o.name.text.length, `'${o.name.text}' needs a value: write '${example}'`);
  else if (o.values.length > 1)
    ctx.problems.error(at.start, o.values[o.values.length - 1]!.end - at.start, `'${o.name.text}' takes one value: write '${example}' (is a ',' missing?)`);
  else ctx.problems.error(at.start, at.end - at.start, `'${o.name.text}' takes a plain value: write '${example}'`);
  return undefined;
}

export interface IntRange {
  min: number;
  max: number;
  /** Also accept -1 (Snort's "disabled" count). */
  minusOne?: boolean;
}

export function readInt(ctx: ReadContext, o: OptionNode, example: string, range: IntRange): number | undefined {
  const w = singleWord(ctx, o, example);
  if (!w) return undefined;
  if (!/^-?\d+$/.test(w.text)) {
    ctx.problems.error(w.offset, w.text.length, `'${o.name.text}' needs a whole number, not '${w.text}': write '${example}'`);
    return undefined;
  }
  const n = Number(w.text);
  if (range.minusOne && n === -1) return -1;
  if (n < range.min || n > range.max || !Number.isSafeInteger(n)) {
    const allowed = range.minusOne ? `-1 or ${range.min} to ${range.max}` : `${range.min} to ${range.max}`;
    ctx.problems.error(w.offset, w.text.length, `'${o.name.text}' must be ${allowed}, not ${w.text}`);
    return undefined;
  }
  return n;
}

/** Seconds for kanshi's scan statements: a positive number, fractions allowed (`0.5`). */
export function readSeconds(ctx: ReadContext, o: OptionNode, example: string): number | undefined {
  const w = singleWord(ctx, o, example);
  if (!w) return undefined;
  if (!/^\d+(\.\d+)?$/.test(w.text) || Number(w.text) <= 0 || Number(w.text) > 86400 * 366) {
    ctx.problems.error(w.offset, w.text.length, `'${o.name.text}' needs a positive number of seconds, not '${w.text}': write '${example}'`);
    return undefined;
  }
  return Number(w.text);
}

export function readChoice<T extends string>(ctx: ReadContext, o: OptionNode, choices: readonly T[], example: string): T | undefined {
  const w = singleWord(ctx, o, example);
  if (!w) return undefined;
  if ((choices as readonly string[]).includes(w.text)) return w.text as T;
  const list = choices.length === 2 ? `${choices[0]} or ${choices[1]}` : `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
  ctx.problems.error(w.offset, w.text.length, `unknown ${o.name.text} '${w.text}'${didYouMean(w.text, choices)}: write ${list}`);
  return undefined;
}

/** A level name; case does not matter (`critical` is Critical). */
export function readLevel(ctx: ReadContext, o: OptionNode): Level | undefined {
  const w = singleWord(ctx, o, 'level Critical');
  if (!w) return undefined;
  const found = LEVELS.find((l) => l.toLowerCase() === w.text.toLowerCase());
  if (found) return found;
  ctx.problems.error(w.offset, w.text.length, `unknown level '${w.text}'${didYouMean(w.text, LEVELS)}: write Information, Warning, Critical or Emergency`);
  return undefined;
}

/**
 * An address option: one value (`10.0.0.1`, `10.0.0.0/8`, `$HOME_NET`, `[a,b]`, `!x`) or
 * several separated by spaces as Snort's threshold.conf allows (`ip 10.1.0.0/16 10.2.0.0/16`).
 */
export function readAddress(ctx: ReadContext, o: OptionNode, example: string): { set: IpSet; text: string } | undefined {
  if (o.values.length === 0) {
    ctx.problems.error(o.name.offset, o.name.text.length, `'${o.name.text}' needs an address: write '${example}'`);
    return undefined;
  }
  for (const v of o.values) {
    if (v.kind === 'string') {
      ctx.problems.error(v.start, v.end - v.start, `an address is written without quotes: write '${example}'`);
      return undefined;
    }
  }
  const first = o.values[0]!;
  const last = o.values[o.values.length - 1]!;
  const raw = ctx.source.slice(first.start, last.end);
  let text = raw;
  let map: ((rel: number) => number) | undefined;
  if (o.values.length > 1) {
    // Same length, separators become commas, wrapped in [...]: positions shift by one.
    const chars = raw.split('');
    for (let i = 1; i < o.values.length; i++) {
      const gapStart = o.values[i - 1]!.end - first.start;
      chars[gapStart] = ',';
    }
    text = `[${chars.join('')}]`;
    map = (rel) => Math.max(0, Math.min(raw.length - 1, rel - 1));
  }
  const before = ctx.problems.errorCount;
  const set = parseAddressText(text, ctx.vars, ctx.problems.sinkAt(first.start, raw.length, map));
  if (!set || ctx.problems.errorCount > before) return undefined;
  return { set, text: raw };
}

/** A text value: a quoted string (with `\"` and `\\` escapes) or a single word. */
export function readText(ctx: ReadContext, o: OptionNode, example: string): string | undefined {
  if (o.values.length === 1 && o.values[0]!.kind === 'string') {
    const t = o.values[0]!.first.text;
    return t.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  const w = singleWord(ctx, o, example);
  return w?.text;
}

export interface Alternative {
  text: string;
  offset: number;
}

/**
 * Several values of one kind: `a|b|c`, `[a, b, c]`, or quoted strings, in any mix.
 * Used for sid lists, classtype lists, status codes and server names.
 */
export function readAlternatives(ctx: ReadContext, o: OptionNode, example: string): Alternative[] | undefined {
  if (o.values.length === 0) {
    ctx.problems.error(o.name.offset, o.name.text.length, `'${o.name.text}' needs a value: write '${example}'`);
    return undefined;
  }
  const out: Alternative[] = [];
  const visit = (v: ValueNode): boolean => {
    if (v.kind === 'list') {
      if (v.items.length === 0) {
        ctx.problems.error(v.start, v.end - v.start, `empty list: write '${example}'`);
        return false;
      }
      return v.items.every(visit);
    }
    if (v.kind === 'string') {
      out.push({ text: v.first.text.slice(1, -1).replace(/\\(.)/g, '$1'), offset: v.start });
      return true;
    }
    let offset = v.start;
    for (const part of nodeText(ctx, v).split('|')) {
      if (part === '') {
        ctx.problems.error(offset, 1, `empty alternative in '${nodeText(ctx, v)}': write '${example}'`);
        return false;
      }
      out.push({ text: part, offset });
      offset += part.length + 1;
    }
    return true;
  };
  return o.values.every(visit) ? out : undefined;
}

export function readSids(ctx: ReadContext, o: OptionNode): Set<number> | undefined {
  const alts = readAlternatives(ctx, o, 'sig_id 2001219|2001220');
  if (!alts) return undefined;
  const sids = new Set<number>();
  let ok = true;
  for (const a of alts) {
    if (!/^\d+$/.test(a.text) || Number(a.text) < 1 || Number(a.text) > 0xffffffff) {
      ctx.problems.error(a.offset, a.text.length, `'${a.text}' is not a signature id: write a number from 1 to 4294967295`);
      ok = false;
    } else sids.add(Number(a.text));
  }
  return ok ? sids : undefined;
}

const CLASSTYPE_NAME = /^[A-Za-z0-9_.-]+$/;

export function readClasstypes(ctx: ReadContext, o: OptionNode): Set<string> | undefined {
  const alts = readAlternatives(ctx, o, 'classtype web-application-attack|attempted-admin');
  if (!alts) return undefined;
  const out = new Set<string>();
  let ok = true;
  for (const a of alts) {
    if (!CLASSTYPE_NAME.test(a.text)) {
      ctx.problems.error(a.offset, a.text.length, `'${a.text}' is not a classtype name (letters, digits, '-', '_' and '.')`);
      ok = false;
    } else {
      out.add(a.text);
      // A site may name classes of its own (its classification.config): only a near miss of a
      // known one is said, as a statement with a misspelt classtype silently applies to nothing.
      if (!knownClasstype(a.text)) {
        const hint = didYouMean(a.text, knownClasstypeNames());
        if (hint !== '') ctx.problems.warning(a.offset, a.text.length, `'${a.text}' is no classtype kanshi knows${hint}: the statement applies only to rules of that class`);
      }
    }
  }
  return ok ? out : undefined;
}

/** Status or reply codes: `404`, `4xx`, `400|404|501`, `[400, 404]`. */
export function readCodes(ctx: ReadContext, o: OptionNode, example: string): CodeSet | undefined {
  const alts = readAlternatives(ctx, o, example);
  if (!alts) return undefined;
  const exact = new Set<number>();
  const classes = new Set<number>();
  let ok = true;
  for (const a of alts) {
    if (/^[1-5]\d\d$/.test(a.text)) exact.add(Number(a.text));
    else if (/^[1-5][xX][xX]$/.test(a.text)) classes.add(Number(a.text[0]));
    else {
      ctx.problems.error(a.offset, a.text.length, `'${a.text}' is not a reply code: write a three-digit code such as 404, or a class such as 5xx`);
      ok = false;
    }
  }
  return ok ? { exact, classes, text: alts.map((a) => a.text).join('|') } : undefined;
}

export function codeMatches(codes: CodeSet, code: number): boolean {
  return codes.exact.has(code) || codes.classes.has(Math.floor(code / 100));
}

/**
 * Whether `text` matches an analyst's glob (`*` any run of characters, `?` one character,
 * everything else literal), anchored at both ends. Greedy with one backtrack point, so the
 * cost stays O(pattern x text) whatever the pattern: no regex engine, no blow-up.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const pc = p < pattern.length ? pattern.charCodeAt(p) : -1;
    if (pc === 42 /* * */) {
      starP = p++;
      starT = t;
    } else if (pc !== -1 && (pc === 63 /* ? */ || pc === text.charCodeAt(t))) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p++;
  return p === pattern.length;
}

/**
 * An analyst's glob made ready for matching many texts: the common shapes (a literal, or a
 * literal followed by `*`, as in `"/healthcheck*"`) become a comparison or a prefix test;
 * anything else runs globMatch. Same answers as globMatch for every text.
 */
export class CompiledGlob {
  private readonly kind: 0 | 1 | 2;
  /** The literal (kind 0), the prefix (kind 1), or the whole pattern (kind 2). */
  private readonly text: string;

  constructor(pattern: string) {
    let end = pattern.length;
    while (end > 0 && pattern.charCodeAt(end - 1) === 42 /* * */) end--;
    const head = pattern.slice(0, end);
    if (head.includes('*') || head.includes('?')) {
      this.kind = 2;
      this.text = pattern;
    } else {
      this.kind = end === pattern.length ? 0 : 1;
      this.text = head;
    }
  }

  matches(text: string): boolean {
    if (this.kind === 0) return text === this.text;
    if (this.kind === 1) return text.startsWith(this.text);
    return globMatch(this.text, text);
  }
}

function knownClasstype(name: string): boolean {
  return isStandardClasstype(name) || classtypeLevels().has(name);
}

let classtypeNames: string[] | undefined;
function knownClasstypeNames(): string[] {
  return (classtypeNames ??= [...new Set([...standardClasstypes(), ...classtypeLevels().keys()])]);
}

import type { DiagnosticSink } from './diagnostics.js';
import { closest, editDistance } from './did-you-mean.js';
import { VARIABLE_NAME, type VariableTable } from './variables.js';

/**
 * The list syntax shared by address and port specs: `elem`, `!elem`, `[a, b, ![c, $D]]`, `$VAR`.
 * A list is the union of its plain elements minus the union of its negated ones; a list of
 * negations only starts from everything (as Snort and Suricata read `[!80,!443]`).
 */
export interface SetAlgebra<S> {
  /** 'address' or 'port', for messages. */
  readonly what: string;
  universe(): S;
  empty(): S;
  union(a: S, b: S): S;
  unionAll(sets: readonly S[]): S;
  subtract(a: S, b: S): S;
  isEmpty(s: S): boolean;
  /** Parses one element (no brackets, no `!`, no `$`); reports relative to `text`. */
  atom(text: string, sink: DiagnosticSink): S | undefined;
}

interface Scanner {
  text: string;
  pos: number;
  depth: number;
  /** Set after an error that makes the rest of the text meaningless; enclosing lists stay quiet. */
  abandoned: boolean;
}

/** Deeper nesting than any real spec needs; the bound keeps hostile input from exhausting the stack. */
export const MAX_LIST_DEPTH = 32;

/** Variables defined through variables, as deep as Suricata's address and port parsers recurse (64). */
export const MAX_VARIABLE_DEPTH = 64;

/**
 * One evaluation's variable expansions: the chain being expanded (cycle detection) and each
 * variable's expansion once computed, so `[$A,$A]` over `[$B,$B]` over ... stays linear.
 */
interface Expansion<S> {
  chain: string[];
  memo: Map<string, CachedExpansion<S>>;
}

/** Expansions of variables, cached per table version (rules use the same few variables thousands of times). */
interface CachedExpansion<S> {
  value: S | undefined;
  problems: Array<{ severity: 'error' | 'warning'; message: string }>;
}
const expansionCaches = new WeakMap<VariableTable, Map<string, { version: number; map: Map<string, CachedExpansion<unknown>> }>>();

function cacheFor<S>(vars: VariableTable, what: string): Map<string, CachedExpansion<S>> {
  let byWhat = expansionCaches.get(vars);
  if (!byWhat) expansionCaches.set(vars, (byWhat = new Map()));
  let entry = byWhat.get(what);
  if (!entry || entry.version !== vars.version) byWhat.set(what, (entry = { version: vars.version, map: new Map() }));
  return entry.map as Map<string, CachedExpansion<S>>;
}

/**
 * Parses a spec once per text and variable-table version, replaying its diagnostics on each use:
 * a rules file writes the same few specs ($HOME_NET, any, $HTTP_PORTS) tens of thousands of times,
 * and the resulting sets are immutable, so rules share them.
 */
const specCaches = new WeakMap<VariableTable, Map<string, { version: number; map: Map<string, { value: unknown; problems: BufferedProblem[] }> }>>();
interface BufferedProblem {
  severity: 'error' | 'warning';
  message: string;
  offset: number | undefined;
  length: number | undefined;
}
const SPEC_CACHE_LIMIT = 10_000;

export function cachedSpec<S, R>(text: string, vars: VariableTable, sink: DiagnosticSink, algebra: SetAlgebra<S>, build: (s: S) => R): R | undefined {
  let byWhat = specCaches.get(vars);
  if (!byWhat) specCaches.set(vars, (byWhat = new Map()));
  let entry = byWhat.get(algebra.what);
  if (!entry || entry.version !== vars.version) byWhat.set(algebra.what, (entry = { version: vars.version, map: new Map() }));
  let hit = entry.map.get(text);
  if (!hit) {
    const problems: BufferedProblem[] = [];
    const collect: DiagnosticSink = {
      error: (message, offset, length) => problems.push({ severity: 'error', message, offset, length }),
      warning: (message, offset, length) => problems.push({ severity: 'warning', message, offset, length }),
    };
    const v = evaluateSetText(text, vars, collect, algebra);
    hit = { value: v === undefined ? undefined : build(v), problems };
    if (entry.map.size >= SPEC_CACHE_LIMIT) entry.map.clear();
    entry.map.set(text, hit);
  }
  for (const p of hit.problems) sink[p.severity](p.message, p.offset, p.length);
  return hit.value as R | undefined;
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function skipSpace(s: Scanner): void {
  while (s.pos < s.text.length && isSpace(s.text[s.pos]!)) s.pos++;
}

/** Evaluates a whole spec; undefined when it has errors (all of them reported). */
export function evaluateSetText<S>(
  text: string,
  vars: VariableTable,
  sink: DiagnosticSink,
  algebra: SetAlgebra<S>,
  expanding: Expansion<S> = { chain: [], memo: new Map() },
): S | undefined {
  const s: Scanner = { text, pos: 0, depth: 0, abandoned: false };
  let failed = false;
  const guard: DiagnosticSink = {
    error(message, offset, length) {
      failed = true;
      sink.error(message, offset, length);
    },
    warning(message, offset, length) {
      sink.warning(message, offset, length);
    },
  };
  skipSpace(s);
  if (s.pos >= text.length) {
    guard.error(`empty ${algebra.what}: write any, a value, a [list] or a $VARIABLE`, 0, Math.max(1, text.length));
    return undefined;
  }
  const value = parseElement(s, vars, guard, algebra, expanding);
  skipSpace(s);
  if (s.pos < text.length && !failed) {
    const c = text[s.pos]!;
    const hint = c === ']' ? `unbalanced ']' in ${algebra.what}: remove it or add the matching '['` : `unexpected '${c}' in ${algebra.what}: separate list elements with ',' inside [brackets]`;
    guard.error(hint, s.pos, 1);
  }
  if (failed || value === undefined) return undefined;
  if (expanding.chain.length === 0 && algebra.isEmpty(value)) {
    if (!text.includes('$')) {
      guard.error(`${algebra.what} '${text.trim()}' matches nothing: it negates everything it lists`, 0, Math.max(1, text.length));
      return undefined;
    }
    // `!$HOME_NET` is empty while HOME_NET is `any`: the rule is fine, the variables are not set yet.
    sink.warning(`${algebra.what} '${text.trim()}' matches nothing with the current variables (${describeVars(text, vars)}): the rule cannot match until they are set, e.g. --var HOME_NET=10.0.0.0/8`, 0, Math.max(1, text.length));
  }
  return value;
}

function describeVars(text: string, vars: VariableTable): string {
  const names = [...new Set(text.match(/\$[A-Za-z_][A-Za-z0-9_]*/g) ?? [])];
  return names.map((n) => `${n}=${vars.get(n.slice(1)) ?? '?'}`).join(', ');
}

function parseElement<S>(s: Scanner, vars: VariableTable, sink: DiagnosticSink, alg: SetAlgebra<S>, expanding: Expansion<S>): S | undefined {
  skipSpace(s);
  let negated = false;
  while (s.text[s.pos] === '!') {
    negated = !negated;
    s.pos++;
    skipSpace(s);
  }
  const v = parsePrimary(s, vars, sink, alg, expanding);
  if (v === undefined) return undefined;
  return negated ? alg.subtract(alg.universe(), v) : v;
}

function parsePrimary<S>(s: Scanner, vars: VariableTable, sink: DiagnosticSink, alg: SetAlgebra<S>, expanding: Expansion<S>): S | undefined {
  const { text } = s;
  const start = s.pos;
  if (start >= text.length) {
    sink.error(`missing ${alg.what} after '!' or ',': write a value, a [list] or a $VARIABLE`, Math.max(0, start - 1), 1);
    return undefined;
  }
  const c = text[start]!;
  if (c === '[') return parseList(s, vars, sink, alg, expanding);
  if (c === ',' || c === ']') {
    sink.error(`empty element in ${alg.what} list: remove the extra ','`, start, 1);
    return undefined;
  }
  let end = start;
  while (end < text.length && !isSpace(text[end]!) && text[end] !== ',' && text[end] !== ']' && text[end] !== '[') end++;
  s.pos = end;
  const word = text.slice(start, end);
  if (c === '$') return expandVariable(word, start, vars, sink, alg, expanding);
  const local: DiagnosticSink = {
    error: (m, o = 0, l = word.length) => sink.error(m, start + o, l),
    warning: (m, o = 0, l = word.length) => sink.warning(m, start + o, l),
  };
  return alg.atom(word, local);
}

function parseList<S>(s: Scanner, vars: VariableTable, sink: DiagnosticSink, alg: SetAlgebra<S>, expanding: Expansion<S>): S | undefined {
  const open = s.pos;
  if (s.depth >= MAX_LIST_DEPTH) {
    sink.error(`${alg.what} lists nested more than ${MAX_LIST_DEPTH} deep: flatten the list`, open, 1);
    s.pos = s.text.length;
    s.abandoned = true;
    return undefined;
  }
  s.depth++;
  try {
    return parseListBody(s, open, vars, sink, alg, expanding);
  } finally {
    s.depth--;
  }
}

function parseListBody<S>(s: Scanner, open: number, vars: VariableTable, sink: DiagnosticSink, alg: SetAlgebra<S>, expanding: Expansion<S>): S | undefined {
  s.pos++; // '['
  // Elements are collected and combined once at the end: a union per element would make a long list quadratic.
  const plus: S[] = [];
  const minus: S[] = [];
  let ok = true;
  skipSpace(s);
  if (s.text[s.pos] === ']') {
    sink.error(`empty ${alg.what} list '[]': list at least one element, or write any`, open, 2);
    s.pos++;
    return undefined;
  }
  for (;;) {
    skipSpace(s);
    let negated = false;
    while (s.text[s.pos] === '!') {
      negated = !negated;
      s.pos++;
      skipSpace(s);
    }
    const v = parsePrimary(s, vars, sink, alg, expanding);
    if (v === undefined) ok = false;
    else if (negated) minus.push(v);
    else plus.push(v);
    skipSpace(s);
    const c = s.text[s.pos];
    if (c === ',') {
      s.pos++;
      continue;
    }
    if (c === ']') {
      s.pos++;
      break;
    }
    if (c === undefined) {
      if (!s.abandoned) sink.error(`missing ']' to close the ${alg.what} list opened here`, open, 1);
      return undefined;
    }
    sink.error(`unexpected '${c}' in ${alg.what} list: separate elements with ','`, s.pos, 1);
    // Resynchronise at the next separator so later elements are still checked.
    while (s.pos < s.text.length && s.text[s.pos] !== ',' && s.text[s.pos] !== ']') s.pos++;
    ok = false;
    if (s.text[s.pos] === ',') s.pos++;
    else if (s.text[s.pos] === ']') {
      s.pos++;
      break;
    } else return undefined;
  }
  if (!ok) return undefined;
  const base = plus.length > 0 ? alg.unionAll(plus) : alg.universe();
  return minus.length === 0 ? base : alg.subtract(base, alg.unionAll(minus));
}

/** `did you mean $HOME_NET? or ` for a name one slip away from a defined variable of the right kind. */
function nearVariable(name: string, vars: VariableTable, what: string): string {
  const wrongKind = what === 'port' ? 'ip' : 'port';
  const near = closest(name, vars.names().filter((n) => vars.kind(n) !== wrongKind));
  // Variable names share long parts (_PORTS, _NET, _SERVERS): only a slip or two is a likely typo.
  if (near === undefined || editDistance(name.toLowerCase(), near.toLowerCase(), 2) > 2) return '';
  return `did you mean $${near}? or `;
}

function expandVariable<S>(
  word: string,
  at: number,
  vars: VariableTable,
  sink: DiagnosticSink,
  alg: SetAlgebra<S>,
  expanding: Expansion<S>,
): S | undefined {
  const name = word.slice(1);
  if (!VARIABLE_NAME.test(name)) {
    sink.error(`'${word}' is not a variable name: write $ followed by letters, digits or '_'`, at, word.length);
    return undefined;
  }
  const value = vars.get(name);
  if (value === undefined) {
    const broken = vars.invalidAt(name);
    sink.error(
      broken !== undefined
        ? `$${name} has no value: its definition at ${broken} has errors; fix it there`
        : `undefined variable $${name}: ${nearVariable(name, vars, alg.what)}define it with --var ${name}=VALUE or ${alg.what === 'port' ? 'a portvar' : 'an ipvar'} line`,
      at,
      word.length,
    );
    return undefined;
  }
  const kind = vars.kind(name);
  if ((kind === 'port' && alg.what === 'address') || (kind === 'ip' && alg.what === 'port')) {
    sink.error(`$${name} is ${kind === 'port' ? 'a port' : 'an address'} variable: it cannot stand for ${alg.what === 'port' ? 'ports' : 'addresses'} here`, at, word.length);
    return undefined;
  }
  const chain = expanding.chain;
  if (chain.includes(name)) {
    sink.error(`variable $${name} refers to itself (${[...chain, name].map((n) => '$' + n).join(' -> ')})`, at, word.length);
    return undefined;
  }
  if (chain.length >= MAX_VARIABLE_DEPTH) {
    sink.error(`variables defined through more than ${MAX_VARIABLE_DEPTH} other variables (from $${chain[0]}): define one of them with its value`, at, word.length);
    return undefined;
  }
  // Values without the chain's cycles are the same wherever the variable is met: kept for the run
  // (per table version) when expanded at the top, for this evaluation when met inside another.
  const cache = cacheFor<S>(vars, alg.what);
  let hit = (chain.length === 0 ? cache.get(name) : undefined) ?? expanding.memo.get(name);
  if (!hit) {
    const problems: CachedExpansion<S>['problems'] = [];
    const collect: DiagnosticSink = {
      error: (m) => problems.push({ severity: 'error', message: m }),
      warning: (m) => problems.push({ severity: 'warning', message: m }),
    };
    chain.push(name);
    let v: S | undefined;
    try {
      v = evaluateSetText(value, vars, collect, alg, expanding);
    } finally {
      chain.pop();
    }
    hit = { value: v, problems };
    expanding.memo.set(name, hit);
    if (chain.length === 0) cache.set(name, hit);
  }
  for (const p of hit.problems) {
    const m = p.message.startsWith('in $') ? p.message : `in $${name} (${value}): ${p.message}`;
    if (p.severity === 'error') sink.error(m, at, word.length);
    else sink.warning(m, at, word.length);
  }
  if (hit.value === undefined && hit.problems.every((p) => p.severity !== 'error')) {
    sink.error(`variable $${name} has no usable value`, at, word.length);
  }
  return hit.value;
}

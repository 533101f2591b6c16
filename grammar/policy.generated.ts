// Generated from policy.ne by scripts/build-grammar.mjs. Do not edit.
// @ts-nocheck
// Generated automatically by nearley, version unknown
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var word: any;
declare var comma: any;
declare var string: any;
declare var lbracket: any;
declare var rbracket: any;

import { policyLexer } from './policy-lexer.js';
import type { Token } from 'moo';

/** One value of an option: a word, a quoted string, or a bracketed list. */
export interface ValueNode {
  kind: 'word' | 'string' | 'list';
  /** Offsets in the file: the value's text is source.slice(start, end). */
  start: number;
  end: number;
  first: Token;
  /** Elements of a list (empty for words and strings). */
  items: ValueNode[];
}

export interface OptionNode {
  name: Token;
  values: ValueNode[];
}

export interface StatementNode {
  keyword: Token;
  options: OptionNode[];
}

/**
 * What the parser itself returns: the statement's options and each option's values as chains
 * (see Chain), made arrays by statementOf once the line is parsed. A rule that ends where the
 * line may end completes at every token, so building arrays in its postprocessor would copy
 * the whole statement at each one.
 */
export interface RawStatement {
  keyword: Token;
  options: Chain<ParsedOption> | null;
}
interface ParsedOption {
  name: Token;
  values: Chain<ValueNode> | null;
}

export function statementOf(p: RawStatement): StatementNode {
  return { keyword: p.keyword, options: chainArray(p.options).map((o) => ({ name: o.name, values: chainArray(o.values) })) };
}

const tokenEnd = (t: Token): number => t.offset + t.text.length;

/**
 * A list being built, newest element first: each step of a left-recursive rule adds one link
 * instead of copying what came before (copying made a 50,000-address list quadratic in time and
 * memory, as every Earley state kept its own copy). A link holds one element, or (for a list's
 * comma-separated items) the chain of one item's words. Turned into an array once, at the end.
 */
interface Chain<T> {
  item?: T;
  sub?: Chain<T>;
  prev: Chain<T> | null;
}
function chainArray<T>(c: Chain<T> | null): T[] {
  const links: Chain<T>[] = [];
  for (let k = c; k !== null; k = k.prev) links.push(k);
  const out: T[] = [];
  for (let i = links.length - 1; i >= 0; i--) {
    const l = links[i]!;
    if (l.sub !== undefined) for (const x of chainArray(l.sub)) out.push(x);
    else out.push(l.item!);
  }
  return out;
}

const leaf = (t: Token, kind: 'word' | 'string'): ValueNode => ({ kind, start: t.offset, end: tokenEnd(t), first: t, items: [] });

interface NearleyToken {
  value: any;
  [key: string]: any;
};

interface NearleyLexer {
  reset: (chunk: string, info: any) => void;
  next: () => NearleyToken | undefined;
  save: () => any;
  formatError: (token: never) => string;
  has: (tokenType: string) => boolean;
};

interface NearleyRule {
  name: string;
  symbols: NearleySymbol[];
  postprocess?: (d: any[], loc?: number, reject?: {}) => any;
};

type NearleySymbol = string | { literal: any } | { test: (token: any) => boolean };

interface Grammar {
  Lexer: NearleyLexer | undefined;
  ParserRules: NearleyRule[];
  ParserStart: string;
};

const grammar: Grammar = {
  Lexer: policyLexer,
  ParserRules: [
    {"name": "statement$ebnf$1", "symbols": ["options"], "postprocess": id},
    {"name": "statement$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "statement", "symbols": [(policyLexer.has("word") ? {type: "word"} : word), "statement$ebnf$1"], "postprocess": (d): RawStatement => ({ keyword: d[0], options: d[1] ?? null })},
    {"name": "options", "symbols": ["option"], "postprocess": (d): Chain<ParsedOption> => ({ item: d[0], prev: null })},
    {"name": "options", "symbols": ["options", (policyLexer.has("comma") ? {type: "comma"} : comma), "option"], "postprocess": (d): Chain<ParsedOption> => ({ item: d[2], prev: d[0] })},
    {"name": "option", "symbols": [(policyLexer.has("word") ? {type: "word"} : word), "values"], "postprocess": (d): ParsedOption => ({ name: d[0], values: d[1] })},
    {"name": "values", "symbols": [], "postprocess": (): Chain<ValueNode> | null => null},
    {"name": "values", "symbols": ["values", "value"], "postprocess": (d): Chain<ValueNode> => ({ item: d[1], prev: d[0] })},
    {"name": "value", "symbols": [(policyLexer.has("word") ? {type: "word"} : word)], "postprocess": (d): ValueNode => leaf(d[0], 'word')},
    {"name": "value", "symbols": [(policyLexer.has("string") ? {type: "string"} : string)], "postprocess": (d): ValueNode => leaf(d[0], 'string')},
    {"name": "value", "symbols": ["list"], "postprocess": id},
    {"name": "list$ebnf$1", "symbols": ["items"], "postprocess": id},
    {"name": "list$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "list", "symbols": [(policyLexer.has("lbracket") ? {type: "lbracket"} : lbracket), "list$ebnf$1", (policyLexer.has("rbracket") ? {type: "rbracket"} : rbracket)], "postprocess": (d): ValueNode => ({ kind: 'list', start: d[0].offset, end: tokenEnd(d[2]), first: d[0], items: chainArray<ValueNode>(d[1] ?? null) })},
    {"name": "items", "symbols": ["listItem"], "postprocess": (d): Chain<ValueNode> => ({ sub: d[0], prev: null })},
    {"name": "items", "symbols": ["items", (policyLexer.has("comma") ? {type: "comma"} : comma), "listItem"], "postprocess": (d): Chain<ValueNode> => ({ sub: d[2], prev: d[0] })},
    {"name": "listItem", "symbols": ["value"], "postprocess": (d): Chain<ValueNode> => ({ item: d[0], prev: null })},
    {"name": "listItem", "symbols": ["listItem", "value"], "postprocess": (d): Chain<ValueNode> => ({ item: d[1], prev: d[0] })}
  ],
  ParserStart: "statement",
};

export default grammar;

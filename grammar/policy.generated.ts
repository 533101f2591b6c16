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

const tokenEnd = (t: Token): number => t.offset + t.text.length;
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
    {"name": "statement", "symbols": [(policyLexer.has("word") ? {type: "word"} : word), "statement$ebnf$1"], "postprocess": (d): StatementNode => ({ keyword: d[0], options: d[1] ?? [] })},
    {"name": "options", "symbols": ["option"], "postprocess": (d): OptionNode[] => [d[0]]},
    {"name": "options", "symbols": ["options", (policyLexer.has("comma") ? {type: "comma"} : comma), "option"], "postprocess": (d): OptionNode[] => [...d[0], d[2]]},
    {"name": "option$ebnf$1", "symbols": []},
    {"name": "option$ebnf$1", "symbols": ["option$ebnf$1", "value"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "option", "symbols": [(policyLexer.has("word") ? {type: "word"} : word), "option$ebnf$1"], "postprocess": (d): OptionNode => ({ name: d[0], values: d[1] })},
    {"name": "value", "symbols": [(policyLexer.has("word") ? {type: "word"} : word)], "postprocess": (d): ValueNode => leaf(d[0], 'word')},
    {"name": "value", "symbols": [(policyLexer.has("string") ? {type: "string"} : string)], "postprocess": (d): ValueNode => leaf(d[0], 'string')},
    {"name": "value", "symbols": ["list"], "postprocess": id},
    {"name": "list$ebnf$1", "symbols": ["items"], "postprocess": id},
    {"name": "list$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "list", "symbols": [(policyLexer.has("lbracket") ? {type: "lbracket"} : lbracket), "list$ebnf$1", (policyLexer.has("rbracket") ? {type: "rbracket"} : rbracket)], "postprocess": (d): ValueNode => ({ kind: 'list', start: d[0].offset, end: tokenEnd(d[2]), first: d[0], items: d[1] ?? [] })},
    {"name": "items", "symbols": ["listItem"], "postprocess": (d): ValueNode[] => d[0]},
    {"name": "items", "symbols": ["items", (policyLexer.has("comma") ? {type: "comma"} : comma), "listItem"], "postprocess": (d): ValueNode[] => [...d[0], ...d[2]]},
    {"name": "listItem$ebnf$1", "symbols": ["value"]},
    {"name": "listItem$ebnf$1", "symbols": ["listItem$ebnf$1", "value"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "listItem", "symbols": ["listItem$ebnf$1"], "postprocess": (d): ValueNode[] => d[0]}
  ],
  ParserStart: "statement",
};

export default grammar;

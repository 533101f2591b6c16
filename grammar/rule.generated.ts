// Generated from rule.ne by scripts/build-grammar.mjs. Do not edit.
// @ts-nocheck
// Generated automatically by nearley, version unknown
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var word: any;
declare var dir: any;
declare var lparen: any;
declare var rparen: any;
declare var option: any;
declare var variable: any;
declare var bang: any;
declare var lbracket: any;
declare var rbracket: any;
declare var comma: any;

import { ruleLexer } from './rule-lexer.js';
import type { Token } from 'moo';

/** Where a header spec (address, port, or a variable's value) sits in the line. */
export interface SpecNode {
  first: Token;
  last: Token;
}

export interface RuleNode {
  kind: 'rule';
  action: Token;
  protocol: Token;
  src: SpecNode;
  srcPort: SpecNode;
  direction: Token;
  dst: SpecNode;
  dstPort: SpecNode;
  open: Token;
  options: Token[];
  close: Token;
}

export interface VarNode {
  kind: 'var';
  keyword: Token;
  name: Token;
  value: SpecNode;
}

export interface IncludeNode {
  kind: 'include';
  keyword: Token;
  path: SpecNode;
}

export type LineNode = RuleNode | VarNode | IncludeNode;

// Nodes hold only tokens (no computed offsets): the parser front memoises parses by token
// types and rebuilds a node from another line's tokens, which needs nodes made of tokens alone.
const span = (first: Token, last: Token): SpecNode => ({ first, last });

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
  Lexer: ruleLexer,
  ParserRules: [
    {"name": "line", "symbols": ["rule"], "postprocess": id},
    {"name": "line", "symbols": ["varLine"], "postprocess": id},
    {"name": "line", "symbols": ["includeLine"], "postprocess": id},
    {"name": "rule", "symbols": [(ruleLexer.has("word") ? {type: "word"} : word), (ruleLexer.has("word") ? {type: "word"} : word), "spec", "spec", (ruleLexer.has("dir") ? {type: "dir"} : dir), "spec", "spec", (ruleLexer.has("lparen") ? {type: "lparen"} : lparen), "options", (ruleLexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess":  (d): RuleNode => ({
          kind: 'rule', action: d[0], protocol: d[1], src: d[2], srcPort: d[3], direction: d[4],
          dst: d[5], dstPort: d[6], open: d[7], options: d[8], close: d[9],
        }) },
    {"name": "options", "symbols": [], "postprocess": () => []},
    {"name": "options", "symbols": ["options", (ruleLexer.has("option") ? {type: "option"} : option)], "postprocess": (d): Token[] => { d[0].push(d[1]); return d[0]; }},
    {"name": "varLine", "symbols": ["varKeyword", (ruleLexer.has("word") ? {type: "word"} : word), "spec"], "postprocess": (d): VarNode => ({ kind: 'var', keyword: d[0], name: d[1], value: d[2] })},
    {"name": "varKeyword", "symbols": [{"literal":"var"}], "postprocess": id},
    {"name": "varKeyword", "symbols": [{"literal":"ipvar"}], "postprocess": id},
    {"name": "varKeyword", "symbols": [{"literal":"portvar"}], "postprocess": id},
    {"name": "includeLine$ebnf$1", "symbols": ["pathPart"]},
    {"name": "includeLine$ebnf$1", "symbols": ["includeLine$ebnf$1", "pathPart"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "includeLine", "symbols": [{"literal":"include"}, "includeLine$ebnf$1"], "postprocess": (d): IncludeNode => ({ kind: 'include', keyword: d[0], path: span(d[1][0], d[1][d[1].length - 1]) })},
    {"name": "pathPart", "symbols": [(ruleLexer.has("word") ? {type: "word"} : word)], "postprocess": id},
    {"name": "pathPart", "symbols": [(ruleLexer.has("variable") ? {type: "variable"} : variable)], "postprocess": id},
    {"name": "spec$ebnf$1", "symbols": []},
    {"name": "spec$ebnf$1", "symbols": ["spec$ebnf$1", (ruleLexer.has("bang") ? {type: "bang"} : bang)], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "spec", "symbols": ["spec$ebnf$1", "specPrimary"], "postprocess":  (d): SpecNode => {
          const inner: SpecNode = d[1];
          return d[0].length ? { first: d[0][0], last: inner.last } : inner;
        } },
    {"name": "specPrimary", "symbols": [(ruleLexer.has("word") ? {type: "word"} : word)], "postprocess": (d): SpecNode => span(d[0], d[0])},
    {"name": "specPrimary", "symbols": [(ruleLexer.has("variable") ? {type: "variable"} : variable)], "postprocess": (d): SpecNode => span(d[0], d[0])},
    {"name": "specPrimary", "symbols": [(ruleLexer.has("lbracket") ? {type: "lbracket"} : lbracket), "specList", (ruleLexer.has("rbracket") ? {type: "rbracket"} : rbracket)], "postprocess": (d): SpecNode => span(d[0], d[2])},
    {"name": "specList", "symbols": ["spec"], "postprocess": () => null},
    {"name": "specList", "symbols": ["specList", (ruleLexer.has("comma") ? {type: "comma"} : comma), "spec"], "postprocess": () => null}
  ],
  ParserStart: "line",
};

export default grammar;

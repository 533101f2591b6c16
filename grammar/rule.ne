# The structure of one logical line of a rules file: a rule, a variable line, or an include.
# Keyword values are opaque `option` tokens (see rule-lexer.ts); addresses and ports are
# specs whose text the rule front evaluates (src/rule/ip-set.ts, src/rule/port-set.ts).
# Whitespace tokens are dropped before tokens reach the parser.

@preprocessor typescript

@{%
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
%}

@lexer ruleLexer

line -> rule {% id %}
      | varLine {% id %}
      | includeLine {% id %}

rule -> %word %word spec spec %dir spec spec %lparen options %rparen
  {% (d): RuleNode => ({
       kind: 'rule', action: d[0], protocol: d[1], src: d[2], srcPort: d[3], direction: d[4],
       dst: d[5], dstPort: d[6], open: d[7], options: d[8], close: d[9],
     }) %}

# Left-recursive and appending in place: nearley's `:*` copies the list at every option.
# Safe here because the grammar is unambiguous, so each partial list has one continuation.
options -> null {% () => [] %}
         | options %option {% (d): Token[] => { d[0].push(d[1]); return d[0]; } %}

varLine -> varKeyword %word spec
  {% (d): VarNode => ({ kind: 'var', keyword: d[0], name: d[1], value: d[2] }) %}

varKeyword -> "var" {% id %} | "ipvar" {% id %} | "portvar" {% id %}

includeLine -> "include" pathPart:+
  {% (d): IncludeNode => ({ kind: 'include', keyword: d[0], path: span(d[1][0], d[1][d[1].length - 1]) }) %}

pathPart -> %word {% id %} | %variable {% id %}

# An address or port spec: `any`, a value, `$VAR`, `[spec, ...]`, each optionally negated.
spec -> %bang:* specPrimary
  {% (d): SpecNode => {
       const inner: SpecNode = d[1];
       return d[0].length ? { first: d[0][0], last: inner.last } : inner;
     } %}

specPrimary -> %word {% (d): SpecNode => span(d[0], d[0]) %}
             | %variable {% (d): SpecNode => span(d[0], d[0]) %}
             | %lbracket specList %rbracket {% (d): SpecNode => span(d[0], d[2]) %}

specList -> spec {% () => null %} | specList %comma spec {% () => null %}

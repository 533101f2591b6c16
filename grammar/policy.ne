# The structure of one statement of a correlation policy file:
#   keyword option value..., option value..., ...
# e.g. `suppress gen_id 1, sig_id 2003614, track by_src, ip [10.0.0.0/8,$DMZ]`.
# What each option means, and which options a statement takes, is checked after parsing
# (src/correlate/policy-statements.ts); this grammar only knows words, strings, lists and commas.
# The parser is fed the tokens of one line at a time (see policy-lexer.ts).

@preprocessor typescript

@{%
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
%}

@lexer policyLexer

statement -> %word options:?
  {% (d): StatementNode => ({ keyword: d[0], options: d[1] ?? [] }) %}

options -> option {% (d): OptionNode[] => [d[0]] %}
         | options %comma option {% (d): OptionNode[] => [...d[0], d[2]] %}

option -> %word value:* {% (d): OptionNode => ({ name: d[0], values: d[1] }) %}

value -> %word {% (d): ValueNode => leaf(d[0], 'word') %}
       | %string {% (d): ValueNode => leaf(d[0], 'string') %}
       | list {% id %}

list -> %lbracket items:? %rbracket
  {% (d): ValueNode => ({ kind: 'list', start: d[0].offset, end: tokenEnd(d[2]), first: d[0], items: d[1] ?? [] }) %}

items -> listItem {% (d): ValueNode[] => d[0] %}
       | items %comma listItem {% (d): ValueNode[] => [...d[0], ...d[2]] %}

# A list element may itself be several words (`[10.0.0.0/8 !10.1.0.0/16]` is not valid,
# but reporting it is the address parser's job, which sees the whole list text).
listItem -> value:+ {% (d): ValueNode[] => d[0] %}

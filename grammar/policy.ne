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
%}

@lexer policyLexer

statement -> %word options:?
  {% (d): RawStatement => ({ keyword: d[0], options: d[1] ?? null }) %}

options -> option {% (d): Chain<ParsedOption> => ({ item: d[0], prev: null }) %}
         | options %comma option {% (d): Chain<ParsedOption> => ({ item: d[2], prev: d[0] }) %}

option -> %word values {% (d): ParsedOption => ({ name: d[0], values: d[1] }) %}

values -> null {% (): Chain<ValueNode> | null => null %}
        | values value {% (d): Chain<ValueNode> => ({ item: d[1], prev: d[0] }) %}

value -> %word {% (d): ValueNode => leaf(d[0], 'word') %}
       | %string {% (d): ValueNode => leaf(d[0], 'string') %}
       | list {% id %}

list -> %lbracket items:? %rbracket
  {% (d): ValueNode => ({ kind: 'list', start: d[0].offset, end: tokenEnd(d[2]), first: d[0], items: chainArray<ValueNode>(d[1] ?? null) }) %}

items -> listItem {% (d): Chain<ValueNode> => ({ sub: d[0], prev: null }) %}
       | items %comma listItem {% (d): Chain<ValueNode> => ({ sub: d[2], prev: d[0] }) %}

# A list element may itself be several words (`[10.0.0.0/8 !10.1.0.0/16]` is not valid,
# but reporting it is the address parser's job, which sees the whole list text).
listItem -> value {% (d): Chain<ValueNode> => ({ item: d[0], prev: null }) %}
          | listItem value {% (d): Chain<ValueNode> => ({ item: d[1], prev: d[0] }) %}

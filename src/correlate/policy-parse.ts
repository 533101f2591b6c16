import nearley from 'nearley';
import type { Token } from 'moo';
import grammar, { statementOf, type RawStatement, type StatementNode } from '../../grammar/policy.generated.js';
import { policyMooLexer, SKIPPED_TOKENS } from '../../grammar/policy-lexer.js';
import type { PolicyProblems } from './policy-diagnostics.js';

export interface ParsedStatement {
  node: StatementNode;
  /** The statement's tokens (no whitespace or comments), for its one-line text. */
  tokens: Token[];
}

const compiledGrammar = nearley.Grammar.fromCompiled(grammar);

/**
 * Splits a policy file into statements (one per line, `\` continues a line) and parses each
 * on its own, so one bad line is reported and skipped while the others are still checked.
 */
export function parsePolicyStatements(source: string, problems: PolicyProblems): ParsedStatement[] {
  const out: ParsedStatement[] = [];
  let line: Token[] = [];
  policyMooLexer.reset(source);
  for (;;) {
    const t = policyMooLexer.next();
    if (t === undefined || t.type === 'nl') {
      if (line.length > 0) {
        const node = parseLine(line, problems);
        if (node) out.push({ node, tokens: line });
      }
      line = [];
      if (t === undefined) break;
      continue;
    }
    if (SKIPPED_TOKENS.has(t.type!)) continue;
    line.push(t);
  }
  return out;
}

function parseLine(tokens: Token[], problems: PolicyProblems): StatementNode | undefined {
  // Lexical problems first: they explain the parse failures they would cause.
  let lexicalProblem = false;
  for (const t of tokens) {
    if (t.type === 'badString') {
      problems.error(t.offset, t.text.length, 'this string has no closing \'"\': end it on the same line');
      lexicalProblem = true;
    } else if (t.type === 'stray') {
      const what = t.text === '\\' ? "a '\\' continues a statement only at the very end of a line" : `unexpected character '${t.text}'`;
      problems.error(t.offset, 1, what);
      lexicalProblem = true;
    }
  }
  if (lexicalProblem) return undefined;

  const parser = new nearley.Parser(compiledGrammar);
  try {
    parser.feed(tokens as unknown as string);
  } catch (err) {
    const bad = (err as { token?: Token }).token;
    const index = bad ? tokens.indexOf(bad) : -1;
    reportUnexpected(tokens, index < 0 ? 0 : index, problems);
    return undefined;
  }
  if (parser.results.length === 0) {
    reportIncomplete(tokens, problems);
    return undefined;
  }
  return statementOf(parser.results[0] as RawStatement);
}

const STATEMENT_HINT =
  'a statement starts with a keyword: suppress, threshold, event_filter, rate_filter, var, ipvar, escalate, outbound, refused, except, scan or classify';

/** Depth of `[` nesting just before tokens[index]. */
function depthBefore(tokens: readonly Token[], index: number): number {
  let depth = 0;
  for (let i = 0; i < index; i++) {
    if (tokens[i]!.type === 'lbracket') depth++;
    else if (tokens[i]!.type === 'rbracket') depth--;
  }
  return depth;
}

function reportUnexpected(tokens: readonly Token[], index: number, problems: PolicyProblems): void {
  const t = tokens[index]!;
  const prev = index > 0 ? tokens[index - 1] : undefined;
  const at = (message: string): void => problems.error(t.offset, t.text.length, message);
  if (index === 0) {
    at(`'${t.text}' cannot start a statement: ${STATEMENT_HINT}`);
    return;
  }
  const inList = depthBefore(tokens, index) > 0;
  switch (t.type) {
    case 'comma':
      if (inList) at("empty element in a list: remove the extra ','");
      else if (prev!.type === 'comma') at("two commas in a row: remove one, or write the missing option between them");
      else if (index === 1) at(`',' right after '${prev!.text}': write the first option (such as 'gen_id 1') before the first comma`);
      else at("unexpected ','");
      return;
    case 'rbracket':
      at("']' has no matching '['");
      return;
    case 'lbracket':
    case 'string':
      if (prev!.type === 'comma' || index === 1) {
        at(`an option starts with its name, then its value (for example 'ip ${t.type === 'lbracket' ? '[10.0.0.0/8]' : t.text}')`);
        return;
      }
      at(`unexpected '${t.text}'`);
      return;
    default:
      at(`unexpected '${t.text}'`);
  }
}

function reportIncomplete(tokens: readonly Token[], problems: PolicyProblems): void {
  const last = tokens[tokens.length - 1]!;
  const depth = depthBefore(tokens, tokens.length);
  if (depth > 0) {
    let open: Token | undefined;
    let d = 0;
    for (let i = tokens.length - 1; i >= 0; i--) {
      const t = tokens[i]!;
      if (t.type === 'rbracket') d++;
      else if (t.type === 'lbracket') {
        if (d === 0) {
          open = t;
          break;
        }
        d--;
      }
    }
    const o = open ?? last;
    problems.error(o.offset, 1, "this '[' is not closed: add ']' before the end of the statement (continue a long line with '\\')");
    return;
  }
  if (last.type === 'comma') {
    problems.error(last.offset, 1, "the statement ends with ',': remove it, or write the missing option after it");
    return;
  }
  problems.error(last.offset, last.text.length, 'incomplete statement');
}

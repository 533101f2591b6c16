import moo from 'moo';

/**
 * Tokens of a correlation policy file (Snort/Suricata threshold.config statements plus
 * kanshi's own statements, all in the same `keyword option value, option value` style).
 *
 * A statement is one line; a backslash at the end of a line continues it (threshold.config
 * files are often written that way). `#` starts a comment that runs to the end of the line.
 * Option values are words, double-quoted strings, or bracketed lists; what a word means
 * (a number, an address, a level) is decided by the statement that uses it, never here.
 */
export const policyMooLexer = moo.compile({
  continuation: { match: /\\[ \t]*\r?\n/, lineBreaks: true },
  nl: { match: /\r?\n/, lineBreaks: true },
  ws: /[ \t\f\v\r]+/,
  comment: /#[^\r\n]*/,
  comma: ',',
  lbracket: '[',
  rbracket: ']',
  string: /"(?:[^"\\\r\n]|\\.)*"/,
  /** A quote with no closing quote on its line. */
  badString: /"(?:[^"\\\r\n]|\\.)*\\?/,
  word: /[^\s,[\]"#\\]+/,
  stray: { match: /[^]/, lineBreaks: true },
});

/** Token types that carry no structure: they never reach the parser. */
export const SKIPPED_TOKENS: ReadonlySet<string> = new Set(['ws', 'comment', 'continuation']);

/**
 * The lexer nearley drives: it replays the tokens of ONE statement, already lexed by
 * policyMooLexer and split at line ends, so a bad statement can be reported and skipped
 * while the rest of the file is still checked.
 */
class StatementTokens {
  private tokens: readonly moo.Token[] = [];
  private pos = 0;

  reset(chunk: string | readonly moo.Token[]): void {
    this.tokens = typeof chunk === 'string' ? [] : chunk;
    this.pos = 0;
  }

  next(): moo.Token | undefined {
    return this.tokens[this.pos++];
  }

  save(): Record<string, never> {
    return {};
  }

  formatError(token: moo.Token, message?: string): string {
    return `${message ?? 'unexpected token'} '${token.text}' at line ${token.line} col ${token.col}`;
  }

  has(tokenType: string): boolean {
    return policyMooLexer.has(tokenType);
  }
}

export const policyLexer = new StatementTokens();

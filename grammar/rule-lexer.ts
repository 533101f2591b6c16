import moo from 'moo';

/**
 * Tokens of one logical rules-file line (a rule, a var/ipvar/portvar line, or an include).
 *
 * The header is lexed into small tokens (words, `$VAR`, brackets, `!`, `,`, direction).
 * Inside the parentheses each option `keyword[:value];` is ONE token: option values are
 * opaque here (their keyword module parses them), and nearley's cost grows with the token
 * count, so a rule costs about a dozen header tokens plus one token per option.
 *
 * An option value runs to the first `;` that is neither escaped (`\;`) nor inside a
 * double-quoted string. The `badOption` tokens catch an option that does not end that way,
 * so the parser can say what is missing instead of failing on a stray character.
 */

/**
 * A `;` inside a quoted string is part of the value unless it looks like the end of the option:
 * followed by `keyword:`, `keyword;` or the closing `)`. Quotes inside pcre patterns are often
 * left unescaped (`['"]`), so a quote that cannot close this way is an ordinary character, and
 * the value then ends at the next unescaped `;` as in Snort and Suricata.
 */
const SEMI_IN_QUOTES = String.raw`;(?![ \t]*(?:[A-Za-z_][A-Za-z0-9_.\-]*[ \t]*[:;]|\)[ \t]*$))`;
const QUOTED_BODY = String.raw`[^"\\;\n]*(?:(?:\\[^\n]|${SEMI_IN_QUOTES})[^"\\;\n]*)*"`;
/**
 * An option value: runs of plain characters between quoted strings, escape pairs, and quotes
 * that cannot close. Written as `plain* (special plain*)*` with disjoint parts, so a value
 * that lacks its `;` fails in linear time instead of backtracking over every way to split it.
 */
const VALUE = String.raw`[^;\\"\n]*(?:(?:"${QUOTED_BODY}|"(?!${QUOTED_BODY})|\\[^\n])[^;\\"\n]*)*`;
const KEYWORD = String.raw`[A-Za-z_][A-Za-z0-9_.\-]*`;

/** Leading blanks belong to the option token: half as many tokens for the lexer to produce. */
export const OPTION_RE = new RegExp(String.raw`[ \t]*${KEYWORD}[ \t]*(?::${VALUE})?;`);
/** An option with no terminating `;`: unterminated quote, or `;` forgotten before `)` or the end. */
const BAD_OPTION_RE = new RegExp(String.raw`[ \t]*${KEYWORD}[ \t]*(?::${VALUE}\\?)?`);

// Lines reach the lexer already split, so only `stray` may see a line break: moo counts line
// breaks in every token of a lineBreaks rule, which would cost a scan per blank.
//
// Single characters come first in each state: moo matches those through a table instead of
// running its combined regex, but only for the rules listed before the first regex rule. None
// of them can start a longer token of its state, so the order decides nothing else. A blank
// becomes a one-character `ws` token that way (a run of blanks becomes several, all dropped
// anyway), so the header's usual single blanks cost a lookup each. In the options state a blank
// may begin an option token (leading blanks belong to it), so blanks stay in the regex there.
const mooLexer = moo.states({
  header: {
    lparen: { match: '(', push: 'options' },
    lbracket: '[',
    rbracket: ']',
    comma: ',',
    bang: '!',
    ws: [{ match: [' ', '\t'] }, { match: /[ \t\r\f\v]+/ }],
    dir: ['->', '<>'],
    variable: /\$[A-Za-z_][A-Za-z0-9_]*/,
    word: /[^\s\[\],!()$;"]+/,
    stray: { match: /[^]/, lineBreaks: true },
  },
  options: {
    rparen: { match: ')', pop: 1 },
    option: OPTION_RE,
    badOption: BAD_OPTION_RE,
    ws: /[ \t\r\f\v]+/,
    stray: { match: /[^]/, lineBreaks: true },
  },
});

/** All tokens of a line except whitespace, in order. */
export function tokenize(text: string): moo.Token[] {
  mooLexer.reset(text);
  const out: moo.Token[] = [];
  for (let t = mooLexer.next(); t !== undefined; t = mooLexer.next()) if (t.type !== 'ws') out.push(t);
  return out;
}

/** The lexer nearley drives: moo's, minus whitespace tokens (they carry no structure). */
export const ruleLexer = {
  reset(chunk: string, info?: moo.LexerState): void {
    mooLexer.reset(chunk, info);
  },
  next(): moo.Token | undefined {
    let t = mooLexer.next();
    while (t !== undefined && t.type === 'ws') t = mooLexer.next();
    return t;
  },
  save(): moo.LexerState {
    return mooLexer.save();
  },
  formatError(token: moo.Token, message?: string): string {
    return mooLexer.formatError(token, message);
  },
  has(tokenType: string): boolean {
    return mooLexer.has(tokenType);
  },
};

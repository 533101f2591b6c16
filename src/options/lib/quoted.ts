import type { KeywordContext } from '../keyword.js';
import { isBlank, skipBlanks } from './text.js';

/**
 * A double-quoted text value (msg): a backslash takes the next character literally, as
 * Suricata reads it (`\"`, `\;`, `\\`; `\d` is `d`). Printing escapes `\`, `"` and `;`.
 */
export function parseQuotedText(keyword: string, raw: string | null, ctx: KeywordContext): string | undefined {
  const example = `${keyword}:"text";`;
  if (raw === null) {
    ctx.error(`${keyword} needs a quoted text: write ${example}`);
    return undefined;
  }
  const open = skipBlanks(raw, 0);
  if (open >= raw.length) {
    ctx.error(`${keyword} needs a quoted text: write ${example}`, 0, Math.max(1, raw.length));
    return undefined;
  }
  if (raw.charCodeAt(open) !== 0x22) {
    let end = raw.length;
    while (end > open && isBlank(raw.charCodeAt(end - 1))) end--;
    ctx.error(unquotedAdvice(keyword, raw.slice(open, end)), open, end - open);
    return undefined;
  }
  // The common case (no escapes): one native search and one slice.
  const close = raw.indexOf('"', open + 1);
  if (close > open && raw.lastIndexOf('\\', close) <= open && raw.lastIndexOf(';', close) <= open && skipBlanks(raw, close + 1) === raw.length) {
    return raw.slice(open + 1, close);
  }
  let text = '';
  let i = open + 1;
  let from = i;
  for (;;) {
    if (i >= raw.length) {
      ctx.error(`unterminated string: add the closing " to the ${keyword}`, open, raw.length - open);
      return undefined;
    }
    const c = raw.charCodeAt(i);
    if (c === 0x5c) {
      if (i + 1 >= raw.length) {
        ctx.error(`unterminated string: add the closing " to the ${keyword}`, open, raw.length - open);
        return undefined;
      }
      text += raw.slice(from, i);
      from = i + 1;
      i += 2;
      continue;
    }
    if (c === 0x3b) {
      ctx.error(`a ; inside ${keyword} must be escaped: write \\;`, i, 1);
      return undefined;
    }
    if (c === 0x22) break;
    i++;
  }
  text += raw.slice(from, i);
  const after = skipBlanks(raw, i + 1);
  if (after < raw.length) {
    // `msg:"x" content:"y";`: the lexer ran the option on because its ';' was left out.
    const next = NEXT_OPTION.exec(raw.slice(after));
    if (next !== null) {
      ctx.error(`missing ';' after ${keyword}:"${text}": end each option with ';', as ${keyword}:"${text}"; ${next[1]}...`, i, 1);
    } else {
      ctx.error(`unexpected text after the closing quote of ${keyword}: a " inside the text must be escaped as \\"`, after, raw.length - after);
    }
    return undefined;
  }
  return text;
}

/** Quote marks that are not `"`: typographic quotes pasted from a document, and single quotes. */
const OTHER_QUOTES = /^[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\u2018\u2019\u201A\u201B\u2032\uFF02']+|[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\u2018\u2019\u201A\u201B\u2032\uFF02']+$/g;

/**
 * How to quote an unquoted value: `write msg:"text";`. A value between other quote marks
 * (“text”, 'text') is shown between plain double quotes, without the marks.
 */
export function unquotedAdvice(keyword: string, value: string, prefix = ''): string {
  const bare = value.replace(OTHER_QUOTES, '');
  if (bare === value) return `${keyword} must be quoted: write ${keyword}:${prefix}"${value}";`;
  const mark = value.startsWith(bare) ? value[value.length - 1] : value[0];
  return `${keyword} must be quoted with plain double quotes ("), not ${mark}: write ${keyword}:${prefix}"${bare}";`;
}

/** The start of another option (`keyword:` or `keyword;`) where a value should have ended. */
const NEXT_OPTION = /^([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[:;]/;

export function printQuotedText(text: string): string {
  let s = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c || c === 0x22 || c === 0x3b) s += '\\';
    s += text[i];
  }
  return s + '"';
}

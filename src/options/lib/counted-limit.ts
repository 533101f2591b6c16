import type { KeywordContext } from '../keyword.js';
import { orList, parseDecimal, requireValue, splitList, splitWord, type Piece } from './text.js';

/** The `name value, name value` settings threshold and detection_filter share. */
export function parseSettings(
  keyword: string,
  raw: string | null,
  ctx: KeywordContext,
  fields: readonly string[],
  example: string,
): Map<string, Piece> | undefined {
  const v = requireValue(keyword, raw, ctx, example);
  if (v === undefined || raw === null) return undefined;
  const out = new Map<string, Piece>();
  for (const p of splitList(raw, ',', v.offset, v.offset + v.text.length)) {
    const { word, rest } = splitWord(p);
    if (!fields.includes(word.text)) {
      ctx.error(
        word.text === '' ? `empty ${keyword} setting: remove the extra comma` : `unknown ${keyword} setting "${word.text}": use ${orList([...fields])}`,
        p.offset,
        Math.max(1, p.text.length),
      );
      return undefined;
    }
    if (out.has(word.text)) {
      ctx.error(`${keyword} sets ${word.text} twice: remove one`, p.offset, p.text.length);
      return undefined;
    }
    if (rest.text === '') {
      ctx.error(`${keyword} ${word.text} needs a value: write ${example}`, p.offset, p.text.length);
      return undefined;
    }
    out.set(word.text, rest);
  }
  const missing = fields.filter((f) => !out.has(f));
  if (missing.length > 0) {
    ctx.error(`${keyword} needs ${orList(fields as string[]).replace(/ or /, ' and ')}: missing ${missing.join(', ')}; write ${example}`, v.offset, v.text.length);
    return undefined;
  }
  return out;
}

export function parseChoice<T extends string>(keyword: string, what: string, p: Piece, choices: readonly T[], ctx: KeywordContext): T | undefined {
  if ((choices as readonly string[]).includes(p.text)) return p.text as T;
  ctx.error(`${keyword} ${what} must be ${orList([...choices])}, not "${p.text}"`, p.offset, p.text.length);
  return undefined;
}

export function parseCount(keyword: string, what: string, p: Piece, min: number, ctx: KeywordContext): number | undefined {
  const n = parseDecimal(p.text);
  if (n === undefined || n < min || n > 4294967295) {
    ctx.error(`${keyword} ${what} must be a whole number from ${min} to 4294967295, not "${p.text}"`, p.offset, p.text.length);
    return undefined;
  }
  return n;
}

import type { KeywordContext } from '../keyword.js';

/** Small scanning helpers shared by the keyword modules (no regex backtracking on rule text). */

export function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x0b || code === 0x0c;
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isHexDigit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

export function hexValue(code: number): number {
  if (code <= 0x39) return code - 0x30;
  if (code <= 0x46) return code - 0x37;
  return code - 0x57;
}

export function isIdentStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

export function isIdentChar(code: number): boolean {
  return isIdentStart(code) || isDigit(code);
}

/** `[A-Za-z_][A-Za-z0-9_]*`: byte_extract variable names. */
export function isIdentifier(text: string): boolean {
  if (text.length === 0 || !isIdentStart(text.charCodeAt(0))) return false;
  for (let i = 1; i < text.length; i++) if (!isIdentChar(text.charCodeAt(i))) return false;
  return true;
}

export function skipBlanks(text: string, i: number, end = text.length): number {
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** A piece of a value with its position in the raw text (for diagnostics). */
export interface Piece {
  text: string;
  offset: number;
}

/** The value without surrounding blanks, and where it starts. */
export function trimmed(raw: string, start = 0, end = raw.length): Piece {
  // Native trimming: these run hundreds of thousands of times while a rule set loads.
  const part = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  const left = part.trimStart();
  return { text: left.trimEnd(), offset: start + part.length - left.length };
}

/**
 * Splits on `sep` outside double quotes (a backslash escapes the next character),
 * trimming each piece. `a, b,,c` gives four pieces, the third empty.
 */
export function splitList(raw: string, sep = ',', start = 0, end = raw.length): Piece[] {
  const part = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  if (part.indexOf('"') < 0 && part.indexOf('\\') < 0) {
    const out: Piece[] = [];
    let at = start;
    for (const chunk of part.split(sep)) {
      out.push(trimmedChunk(chunk, at));
      at += chunk.length + 1;
    }
    return out;
  }
  const out: Piece[] = [];
  const sepCode = sep.charCodeAt(0);
  let from = start;
  let inQuote = false;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x5c) {
      i++;
    } else if (c === 0x22) {
      inQuote = !inQuote;
    } else if (c === sepCode && !inQuote) {
      out.push(trimmed(raw, from, i));
      from = i + 1;
    }
  }
  out.push(trimmed(raw, from, end));
  return out;
}

function trimmedChunk(chunk: string, at: number): Piece {
  const left = chunk.trimStart();
  return { text: left.trimEnd(), offset: at + chunk.length - left.length };
}

/** Splits a piece at its first run of blanks: `count 5` gives `count` and `5`. */
export function splitWord(p: Piece): { word: Piece; rest: Piece } {
  const t = p.text;
  let i = t.indexOf(' ');
  const tab = t.indexOf('\t');
  if (i < 0 || (tab >= 0 && tab < i)) i = tab;
  if (i < 0) return { word: p, rest: { text: '', offset: p.offset + t.length } };
  const rest = trimmedChunk(t.slice(i), p.offset + i);
  return { word: { text: t.slice(0, i), offset: p.offset }, rest };
}

/** Decimal digits only (no sign), up to Number.MAX_SAFE_INTEGER. */
export function parseDecimal(text: string): number | undefined {
  if (text.length === 0 || text.length > 16) return undefined;
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return undefined;
    v = v * 10 + (c - 0x30);
  }
  return v <= Number.MAX_SAFE_INTEGER ? v : undefined;
}

/** Decimal, or hexadecimal with a `0x` prefix. */
export function parseDecOrHex(text: string): number | undefined {
  if (text.length > 2 && text.charCodeAt(0) === 0x30 && (text.charCodeAt(1) | 0x20) === 0x78) {
    const hex = text.slice(2);
    if (hex.length > 13) return undefined;
    let v = 0;
    for (let i = 0; i < hex.length; i++) {
      const c = hex.charCodeAt(i);
      if (!isHexDigit(c)) return undefined;
      v = v * 16 + hexValue(c);
    }
    return v;
  }
  return parseDecimal(text);
}

/** Optional leading `-` or `+`, then decimal digits. */
export function parseSigned(text: string): number | undefined {
  const c = text.charCodeAt(0);
  if (c === 0x2d) {
    const v = parseDecimal(text.slice(1));
    return v === undefined ? undefined : v === 0 ? 0 : -v;
  }
  if (c === 0x2b) return parseDecimal(text.slice(1));
  return parseDecimal(text);
}

/** Reports a value given to a bare keyword; true when the keyword was correctly written bare. */
export function expectNoValue(keyword: string, raw: string | null, ctx: KeywordContext): boolean {
  // `nocase:;` carries no value either; accept it as the bare keyword.
  if (raw === null || trimmed(raw).text === '') return true;
  const t = trimmed(raw);
  ctx.error(`${keyword} takes no value: write ${keyword};`, t.offset, t.text.length);
  return false;
}

/** The trimmed value of a keyword that needs one, or undefined (reported) when it is missing or empty. */
export function requireValue(keyword: string, raw: string | null, ctx: KeywordContext, example: string): Piece | undefined {
  if (raw === null) {
    ctx.error(`${keyword} needs a value: write ${example}`);
    return undefined;
  }
  const t = trimmed(raw);
  if (t.text === '') {
    ctx.error(`${keyword} needs a value: write ${example}`, 0, Math.max(1, raw.length));
    return undefined;
  }
  return t;
}

/** Appends the UTF-8 bytes of a code point (rules files are UTF-8; Snort and Suricata match those bytes). */
export function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** Nearest candidates by edit distance, for "did you mean" hints in value errors. */
export function closest(word: string, candidates: readonly string[], maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestD = maxDistance + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase(), bestD);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** `a, b or c` for messages. */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

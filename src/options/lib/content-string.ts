import type { KeywordContext } from '../keyword.js';
import { unquotedAdvice } from './quoted.js';
import { hexValue, isBlank, isHexDigit, pushUtf8, skipBlanks } from './text.js';

const encoder = new TextEncoder();
/** Characters that need the careful path: escapes, hex blocks, and a `;` (an error). */
const SPECIAL = /[\\|;]/;

/** Index of the first `"` at or after `from` that no backslash escapes, or -1. */
function closingQuote(raw: string, from: number): number {
  for (let q = raw.indexOf('"', from); q >= 0; q = raw.indexOf('"', q + 1)) {
    let n = 0;
    while (raw.charCodeAt(q - 1 - n) === 0x5c) n++;
    if (n % 2 === 0) return q;
  }
  return -1;
}

/**
 * UTF-8 bytes of raw[from, to): copied directly when all ASCII (nearly every content), which
 * also leaves short arrays in the JavaScript heap instead of a native buffer each.
 */
function plainBytes(raw: string, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let k = from; k < to; k++) {
    const c = raw.charCodeAt(k);
    if (c >= 0x80) return encoder.encode(raw.slice(from, to));
    out[k - from] = c;
  }
  return out;
}

/** Growable byte buffer for the careful path (content strings are short; one shared scratch). */
class ByteWriter {
  private static scratch = new Uint8Array(4096);
  private buf = ByteWriter.scratch;
  length = 0;

  push(b: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
      ByteWriter.scratch = bigger;
    }
    this.buf[this.length++] = b;
  }

  pushCodePoint(cp: number): void {
    const tmp: number[] = [];
    pushUtf8(tmp, cp);
    for (const b of tmp) this.push(b);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * Content strings: `[!]"text|41 42|more"`, as content and uricontent write them.
 * Escapes are `\"`, `\;`, `\\` (and `\:`, which Snort accepts); every other byte goes in a
 * `|hex|` block. Errors point at the exact character inside the raw value.
 */
export interface ContentBytes {
  bytes: Uint8Array;
  negated: boolean;
}

export function parseContentString(keyword: string, raw: string | null, ctx: KeywordContext): ContentBytes | undefined {
  const example = `${keyword}:"abc";`;
  if (raw === null) {
    ctx.error(`${keyword} needs a quoted string: write ${example}`);
    return undefined;
  }
  let i = skipBlanks(raw, 0);
  let negated = false;
  if (raw.charCodeAt(i) === 0x21 /* ! */) {
    negated = true;
    i = skipBlanks(raw, i + 1);
  }
  if (i >= raw.length) {
    ctx.error(`${keyword} needs a quoted string: write ${example}`, 0, Math.max(1, raw.length));
    return undefined;
  }
  if (raw.charCodeAt(i) !== 0x22) {
    const end = unquotedEnd(raw, i);
    ctx.error(unquotedAdvice(keyword, raw.slice(i, end), negated ? '!' : ''), i, end - i);
    return undefined;
  }
  const open = i;
  i++;
  // Most contents are plain text: one native search and a direct copy.
  const close = closingQuote(raw, i);
  if (close >= 0 && !SPECIAL.test(raw.slice(i, close)) && close > i && skipBlanks(raw, close + 1) === raw.length) {
    return { bytes: plainBytes(raw, i, close), negated };
  }
  const out = new ByteWriter();
  let closed = -1;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c === 0x22 /* " */) {
      closed = i;
      break;
    }
    if (c === 0x5c /* \ */) {
      const n = raw.charCodeAt(i + 1);
      if (n === 0x22 || n === 0x3b || n === 0x5c || n === 0x3a) {
        out.push(n);
        i += 2;
        continue;
      }
      if (i + 1 >= raw.length) {
        ctx.error(`unterminated string: add the closing " to the ${keyword}`, open, raw.length - open);
        return undefined;
      }
      const { advice, length } = escapeAdvice(raw, open, i);
      const shown = String.fromCodePoint(raw.codePointAt(i + 1)!);
      ctx.error(`unknown escape \\${shown} in ${keyword}: only \\" \\; \\\\ and \\: are escapes; ${advice}`, i, length);
      return undefined;
    }
    if (c === 0x3b /* ; */) {
      ctx.error(`a ; inside ${keyword} must be escaped: write \\; or |3B|`, i, 1);
      return undefined;
    }
    if (c === 0x7c /* | */) {
      const end = parseHexBlock(keyword, raw, i, out, ctx);
      if (end < 0) return undefined;
      i = end + 1;
      continue;
    }
    if (c < 0x80) {
      out.push(c);
      i++;
    } else {
      const cp = raw.codePointAt(i)!;
      out.pushCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
    }
  }
  if (closed < 0) {
    ctx.error(`unterminated string: add the closing " to the ${keyword}`, open, raw.length - open);
    return undefined;
  }
  const after = skipBlanks(raw, closed + 1);
  if (after < raw.length) {
    if (raw.charCodeAt(after) === 0x2c /* , */) {
      const mods = raw.slice(after + 1).trim();
      const hint = mods
        .split(',')
        .map((m) => m.trim())
        .filter((m) => m.length > 0)
        .map((m) => m.replace(/\s+/, ':') + ';')
        .join(' ');
      ctx.error(
        `"${keyword}:"...",${mods}" is Snort 3 syntax: in Snort 2 and Suricata rules each modifier is its own option; write ${keyword}:"${raw.slice(open + 1, closed)}";${hint ? ' ' + hint : ''}`,
        after,
        raw.length - after,
      );
      return undefined;
    }
    if (raw.trimEnd().endsWith('"')) {
      // Suricata refuses it too ("invalid unescaped double quote" in a content): the quote was meant as a byte.
      const text = raw.slice(open + 1, raw.trimEnd().length - 1);
      ctx.error(
        `unescaped " inside ${keyword} ends the string early: write \\" or |22| for a quote, as ${keyword}:"${text.replace(/(?<!\\)"/g, '\\"')}";`,
        closed,
        1,
      );
      return undefined;
    }
    ctx.error(`unexpected text after the closing quote of ${keyword}: end the option with ; here`, after, raw.length - after);
    return undefined;
  }
  if (out.length === 0) {
    ctx.error(`${keyword} must not be empty: write at least one byte, e.g. ${example}`, open, closed - open + 1);
    return undefined;
  }
  return { bytes: out.bytes(), negated };
}

/** Parses `|...|` starting at `open`; returns the index of the closing `|`, or -1 after reporting. */
function parseHexBlock(keyword: string, raw: string, open: number, out: ByteWriter, ctx: KeywordContext): number {
  let i = open + 1;
  let nibbles = 0;
  let pending = 0;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c === 0x7c) {
      if (nibbles % 2 !== 0) {
        ctx.error(`odd number of hex digits in |...| block of ${keyword}: each byte needs two digits, e.g. |0A| not |A|`, open, i - open + 1);
        return -1;
      }
      return i;
    }
    // A quote inside a hex block ends the string before the block was closed.
    if (c === 0x22) break;
    if (isHexDigit(c)) {
      pending = (pending << 4) | hexValue(c);
      nibbles++;
      if (nibbles % 2 === 0) {
        out.push(pending);
        pending = 0;
      }
    } else if (c === 0x09) {
      // Suricata takes spaces (and commas) between hex bytes, and refuses the rest.
      ctx.error(`a tab inside the |...| block of ${keyword}: separate hex bytes with spaces, as |0D 0A|`, i, 1);
      return -1;
    } else if (!isBlank(c) && c !== 0x2c) {
      // Suricata skips commas between hex bytes (|0d,0a|) as it skips blanks.
      const shown = String.fromCodePoint(raw.codePointAt(i)!);
      ctx.error(
        `bad hex character '${shown}' in |...| block of ${keyword}: use digits 0-9 and A-F in pairs, e.g. |0D 0A|, and close the block with |`,
        i,
        1,
      );
      return -1;
    }
    i++;
  }
  ctx.error(`unterminated hex block: add the closing | to the ${keyword}, or write |7C| for a literal |`, open, raw.length - open);
  return -1;
}

/** Bytes that C-style escapes stand for, which a writer may expect to work in a content. */
const C_ESCAPES: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09, '0': 0x00 };

/**
 * How to write what an unknown escape at `at` probably meant: `\x41\x42` the bytes in a hex
 * block, `\n` a newline, anything else a literal backslash; with the span to underline.
 */
function escapeAdvice(raw: string, open: number, at: number): { advice: string; length: number } {
  const run = /^(?:\\x[0-9A-Fa-f]{2})+/.exec(raw.slice(at));
  if (run !== null) {
    const hex = run[0].split('\\x').slice(1).map((h) => h.toUpperCase());
    return { advice: `write the bytes ${run[0]} as a hex block: |${hex.join(' ')}|`, length: run[0].length };
  }
  const next = raw[at + 1]!;
  const c = C_ESCAPES[next];
  if (c !== undefined) return { advice: `write |${hex2(c)}| for that byte, or \\\\${next} for a backslash and ${next}`, length: 2 };
  const close = closingQuote(raw, at + 2);
  const text = raw.slice(open + 1, close < 0 ? raw.length : close);
  const k = at - open - 1;
  const replaced = (s: string): string => text.slice(0, k) + s + text.slice(k + 1);
  return { advice: `for a literal backslash write ${replaced('\\\\')} or ${replaced('|5C|')}`, length: 2 };
}

function unquotedEnd(raw: string, i: number): number {
  let e = raw.length;
  while (e > i && isBlank(raw.charCodeAt(e - 1))) e--;
  return e;
}

const HEX = '0123456789ABCDEF';

function hex2(b: number): string {
  return HEX[b >> 4]! + HEX[b & 15]!;
}

/** Printable ASCII as text (escaping `"` `;` `\`), every other byte in `|hex|` blocks. */
export function printContentBytes(bytes: Uint8Array): string {
  let s = '"';
  let inHex = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const printable = b >= 0x20 && b <= 0x7e && b !== 0x7c;
    if (printable) {
      if (inHex) {
        s += '|';
        inHex = false;
      }
      if (b === 0x22 || b === 0x3b || b === 0x5c) s += '\\';
      s += String.fromCharCode(b);
    } else {
      s += inHex ? ' ' : '|';
      inHex = true;
      s += hex2(b);
    }
  }
  if (inHex) s += '|';
  return s + '"';
}

export function printContentString(v: ContentBytes): string {
  return (v.negated ? '!' : '') + printContentBytes(v.bytes);
}

/**
 * The byte notation of test-case sections, both ways: a line of case text to bytes
 * (escapes, repetition macros, hex) and bytes back to lines a person can read.
 *
 *   \\  \r  \n  \t  \xNN  \{        escapes (nothing else after a backslash)
 *   {{N*TEXT}}                        TEXT (itself with escapes) repeated N times
 *
 * Characters above U+007F typed in a case file stand for their UTF-8 bytes; \xNN is one byte.
 */

/** A problem in one line of case text; `col` is 0-based within the line. */
export class TextError extends Error {
  constructor(
    message: string,
    readonly col: number,
    readonly length = 1,
  ) {
    super(message);
  }
}

/** Longest expansion a single {{N*...}} may produce: a bound, so a typo cannot exhaust memory. */
export const MAX_REPEAT_BYTES = 16 << 20;

const encoder = new TextEncoder();

/** Growable byte buffer (case text is small; macros may make it large). */
class ByteSink {
  private buf = new Uint8Array(64);
  length = 0;

  push(b: number): void {
    if (this.length === this.buf.length) this.grow(1);
    this.buf[this.length++] = b;
  }

  pushAll(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.buf.length) this.grow(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  private grow(extra: number): void {
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}

function hexDigit(c: string): number {
  const v = parseInt(c, 16);
  return c.length === 1 && !Number.isNaN(v) ? v : -1;
}

/** Decodes one line of escaped text. With `raw`, the line is taken as is (UTF-8). */
export function decodeText(line: string, raw = false): Uint8Array {
  if (raw) return encoder.encode(line);
  const out = new ByteSink();
  decodeInto(line, 0, line.length, out, true);
  return out.bytes();
}

function decodeInto(text: string, start: number, end: number, out: ByteSink, macros: boolean): void {
  let i = start;
  while (i < end) {
    const c = text[i]!;
    if (c === '\\') {
      i = decodeEscape(text, i, end, out);
      continue;
    }
    if (c === '{' && text[i + 1] === '{') {
      if (!macros) throw new TextError('a {{...}} repetition cannot contain another one', i, 2);
      i = decodeMacro(text, i, end, out, false);
      continue;
    }
    const code = text.codePointAt(i)!;
    if (code < 0x80) out.push(code);
    else out.pushAll(encoder.encode(String.fromCodePoint(code)));
    i += code > 0xffff ? 2 : 1;
  }
}

function decodeEscape(text: string, i: number, end: number, out: ByteSink): number {
  const next = i + 1 < end ? text[i + 1] : undefined;
  switch (next) {
    case '\\':
      out.push(0x5c);
      return i + 2;
    case 'r':
      out.push(0x0d);
      return i + 2;
    case 'n':
      out.push(0x0a);
      return i + 2;
    case 't':
      out.push(0x09);
      return i + 2;
    case '{':
      out.push(0x7b);
      return i + 2;
    case 'x': {
      const h = i + 2 < end ? hexDigit(text[i + 2]!) : -1;
      const l = i + 3 < end ? hexDigit(text[i + 3]!) : -1;
      if (h < 0 || l < 0) throw new TextError('\\x needs two hex digits, as in \\x0d', i, Math.min(4, end - i));
      out.push((h << 4) | l);
      return i + 4;
    }
    case undefined:
      throw new TextError('a line cannot end with a lone backslash; write \\\\ for a backslash', i);
    default:
      throw new TextError(`unknown escape \\${next}; write \\\\ for a backslash (escapes: \\\\ \\r \\n \\t \\xNN \\{)`, i, 2);
  }
}

/** {{N*TEXT}}: returns the index after the closing braces. */
function decodeMacro(text: string, i: number, end: number, out: ByteSink, hex: boolean): number {
  const close = text.indexOf('}}', i + 2);
  if (close < 0 || close >= end) throw new TextError('{{ without a closing }}; write \\{ for a literal brace', i, 2);
  const body = text.slice(i + 2, close);
  const m = /^\s*(\d+)\s*\*/.exec(body);
  if (m === null) throw new TextError('a repetition is written {{COUNT*TEXT}}, e.g. {{300*A}}', i, close + 2 - i);
  const count = Number(m[1]);
  const unit = new ByteSink();
  const unitStart = i + 2 + m[0].length;
  if (hex) decodeHexInto(text, unitStart, close, unit, false);
  else decodeInto(text, unitStart, close, unit, false);
  if (unit.length === 0) throw new TextError('a repetition needs something to repeat', i, close + 2 - i);
  if (count * unit.length > MAX_REPEAT_BYTES) {
    throw new TextError(`a repetition may produce at most ${MAX_REPEAT_BYTES} bytes`, i, close + 2 - i);
  }
  const bytes = unit.bytes();
  for (let k = 0; k < count; k++) out.pushAll(bytes);
  return close + 2;
}

/** Decodes hex text: pairs of hex digits, whitespace ignored, {{N*HEX}} repetitions, # comments. */
export function decodeHex(line: string): Uint8Array {
  const out = new ByteSink();
  decodeHexInto(line, 0, line.length, out, true);
  return out.bytes();
}

function decodeHexInto(text: string, start: number, end: number, out: ByteSink, macros: boolean): void {
  let i = start;
  while (i < end) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '|') {
      i++;
      continue;
    }
    if (c === '#' && macros) return;
    if (c === '{' && text[i + 1] === '{') {
      if (!macros) throw new TextError('a {{...}} repetition cannot contain another one', i, 2);
      i = decodeMacro(text, i, end, out, true);
      continue;
    }
    const h = hexDigit(c);
    const l = i + 1 < end ? hexDigit(text[i + 1]!) : -1;
    if (h < 0 || l < 0) throw new TextError('hex sections hold pairs of hex digits (spaces, | and # comments allowed)', i, 2);
    out.push((h << 4) | l);
    i += 2;
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** Runs at least this long are written as {{N*...}} when rendering. */
const MIN_RUN_BYTES = 24;
const MAX_PERIOD = 8;

function escapeByte(b: number): string {
  switch (b) {
    case 0x5c:
      return '\\\\';
    case 0x0d:
      return '\\r';
    case 0x0a:
      return '\\n';
    case 0x09:
      return '\\t';
    case 0x7b:
      return '\\{';
    default:
      if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
      return `\\x${b.toString(16).padStart(2, '0')}`;
  }
}

/** How many whole repetitions of bytes[i..i+period) start at i. */
function repetitions(bytes: Uint8Array, i: number, period: number): number {
  let n = 1;
  let j = i + period;
  outer: while (j + period <= bytes.length) {
    for (let k = 0; k < period; k++) if (bytes[j + k] !== bytes[i + k]) break outer;
    n++;
    j += period;
  }
  return n;
}

/**
 * Bytes as escaped text that decodeText turns back into the same bytes. Long runs of a short
 * pattern become {{N*PATTERN}}; a trailing space is escaped so editors cannot lose it.
 */
export function encodeText(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  while (i < bytes.length) {
    let best: { period: number; reps: number } | null = null;
    for (let p = 1; p <= MAX_PERIOD && i + p * 2 <= bytes.length; p++) {
      const reps = repetitions(bytes, i, p);
      if (reps >= 4 && reps * p >= MIN_RUN_BYTES && (best === null || reps * p > best.reps * best.period)) best = { period: p, reps };
    }
    if (best !== null) {
      let unit = '';
      for (let k = 0; k < best.period; k++) unit += escapeByte(bytes[i + k]!).replace('}', '\\x7d');
      s += `{{${best.reps}*${unit}}}`;
      i += best.period * best.reps;
      continue;
    }
    s += escapeByte(bytes[i]!);
    i++;
  }
  return s.replace(/ $/, '\\x20');
}

/** Bytes as hex text (16 bytes a line), runs written as {{N*XX}}. */
export function encodeHex(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let i = 0;
  const flush = (): void => {
    if (line.length > 0) lines.push(line.join(' '));
    line = [];
  };
  while (i < bytes.length) {
    const reps = repetitions(bytes, i, 1);
    if (reps >= 16) {
      flush();
      lines.push(`{{${reps}*${bytes[i]!.toString(16).padStart(2, '0')}}}`);
      i += reps;
      continue;
    }
    line.push(bytes[i]!.toString(16).padStart(2, '0'));
    if (line.length === 16) flush();
    i++;
  }
  flush();
  return lines;
}

/** Whether bytes read as text (mostly printable) rather than binary. */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  let odd = 0;
  for (const b of bytes) if ((b < 0x20 && b !== 0x0d && b !== 0x0a && b !== 0x09) || b >= 0x7f) odd++;
  return odd * 4 <= bytes.length;
}

import type { KeywordContext } from '../keyword.js';
import { isBlank, isDigit, isHexDigit, orList, parseDecOrHex, type Piece } from './text.js';

/**
 * The one numeric grammar every numeric keyword shares (ttl, dsize, urilen, itype, bsize, ...):
 *
 *   `5` (equal)  `!5` (not equal)  `<5` `>5` `<=5` `>=5`  `5<>9`  `5-9`
 *
 * Each keyword declares which forms it accepts and its value bounds. The two range forms are
 * kept apart (`<>` and `-`) because Snort and Suricata read them differently for some keywords;
 * the matcher decides what each means for its keyword.
 */
export type RangeOp = '=' | '!=' | '<' | '>' | '<=' | '>=' | '<>' | '-';

export interface NumericRange {
  op: RangeOp;
  a: number;
  /** The upper end, for `<>` and `-` only. */
  b?: number;
}

export interface RangeSpec {
  keyword: string;
  min: number;
  max: number;
  ops: readonly RangeOp[];
  /** Accept `0x1f` (and Suricata's `x1f` for tos). */
  hex?: boolean;
}

const SHAPE: Record<RangeOp, (k: string) => string> = {
  '=': () => '5',
  '!=': () => '!5',
  '<': () => '<5',
  '>': () => '>5',
  '<=': () => '<=5',
  '>=': () => '>=5',
  '<>': () => '5<>9',
  '-': () => '5-9',
};

function forms(spec: RangeSpec): string {
  return orList(spec.ops.map((o) => `${spec.keyword}:${SHAPE[o](spec.keyword)}`));
}

interface NumberToken {
  value: number | undefined;
  start: number;
  end: number;
}

function readNumber(text: string, i: number, hex: boolean): NumberToken {
  const start = i;
  if (hex && (text.charCodeAt(i) | 0x20) === 0x78) {
    // Suricata's tos also takes `x1f`.
    i++;
    while (i < text.length && isHexDigit(text.charCodeAt(i))) i++;
    const digits = text.slice(start + 1, i);
    return { value: digits.length > 0 ? parseDecOrHex('0x' + digits) : undefined, start, end: i };
  }
  if (hex && text.charCodeAt(i) === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78) {
    i += 2;
    while (i < text.length && isHexDigit(text.charCodeAt(i))) i++;
    return { value: parseDecOrHex(text.slice(start, i)), start, end: i };
  }
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  return { value: i > start ? parseDecOrHex(text.slice(start, i)) : undefined, start, end: i };
}

function skip(text: string, i: number): number {
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Parses one range from `value` (already trimmed; `value.offset` is its place in the raw text).
 * Reports at the exact offset of the offending part.
 */
export function parseRange(value: Piece, spec: RangeSpec, ctx: KeywordContext): NumericRange | undefined {
  const text = value.text;
  const at = value.offset;
  let i = skip(text, 0);
  let op: RangeOp | undefined;
  const c0 = text.charCodeAt(i);
  const c1 = text.charCodeAt(i + 1);
  if (c0 === 0x21 /* ! */) {
    op = '!=';
    // Suricata's integer keywords take `!=5` as well as `!5`.
    i += c1 === 0x3d ? 2 : 1;
  } else if (c0 === 0x3c /* < */) {
    op = c1 === 0x3d ? '<=' : '<';
    i += op.length;
  } else if (c0 === 0x3e /* > */) {
    op = c1 === 0x3d ? '>=' : '>';
    i += op.length;
  } else if (c0 === 0x3d /* = */) {
    op = '=';
    i++;
  }
  const opStart = 0;
  i = skip(text, i);
  const first = readNumber(text, i, spec.hex === true);
  if (first.end === first.start) {
    const shown = text.length > 0 ? `"${text}"` : 'nothing';
    ctx.error(`${spec.keyword} expects a number such as ${forms(spec)}, not ${shown}`, at + i, Math.max(1, text.length - i));
    return undefined;
  }
  if (!checkBounds(first, spec, at, ctx)) return undefined;
  i = skip(text, first.end);
  let b: NumberToken | undefined;
  if (op === undefined && i < text.length) {
    if (text.charCodeAt(i) === 0x3c && text.charCodeAt(i + 1) === 0x3e) {
      op = '<>';
      i += 2;
    } else if (text.charCodeAt(i) === 0x2d) {
      op = '-';
      i += 1;
    }
    if (op !== undefined) {
      i = skip(text, i);
      b = readNumber(text, i, spec.hex === true);
      if (b.end === b.start) {
        ctx.error(`${spec.keyword} range needs an upper bound: write ${spec.keyword}:${first.value}${op}${(first.value ?? 0) + 1}`, at + i, 1);
        return undefined;
      }
      if (!checkBounds(b, spec, at, ctx)) return undefined;
      i = skip(text, b.end);
    }
  }
  if (i < text.length) {
    ctx.error(`unexpected "${text.slice(i)}" after the number: ${spec.keyword} takes ${forms(spec)}`, at + i, text.length - i);
    return undefined;
  }
  const resolved: RangeOp = op ?? '=';
  if (!spec.ops.includes(resolved)) {
    ctx.error(`${spec.keyword} does not take the "${resolved === '=' ? 'N' : resolved}" form: write ${forms(spec)}`, at + opStart, text.length);
    return undefined;
  }
  if (b !== undefined) {
    if (first.value! >= b.value!) {
      ctx.error(
        `range ${first.value}${resolved}${b.value} is empty: write the smaller number first, e.g. ${spec.keyword}:${Math.min(first.value!, b.value!)}${resolved}${Math.max(first.value!, b.value!) + (first.value === b.value ? 1 : 0)}`,
        at + first.start,
        b.end - first.start,
      );
      return undefined;
    }
    return { op: resolved, a: first.value!, b: b.value! };
  }
  const a = first.value!;
  if ((resolved === '<' && a <= spec.min) || (resolved === '>' && a >= spec.max)) {
    const side = resolved === '<' ? `below ${spec.min}` : `above ${spec.max}`;
    ctx.warning(`${spec.keyword}:${resolved}${a} can never match: ${spec.keyword} is never ${side} (Suricata refuses it)`, at, text.length);
  }
  return { op: resolved, a };
}

function checkBounds(n: NumberToken, spec: RangeSpec, at: number, ctx: KeywordContext): boolean {
  if (n.value === undefined || n.value < spec.min || n.value > spec.max) {
    ctx.error(`${spec.keyword} value ${n.value ?? 'too large'} is out of range: use ${spec.min} to ${spec.max}`, at + n.start, n.end - n.start);
    return false;
  }
  return true;
}

export function printRange(r: NumericRange): string {
  switch (r.op) {
    case '=':
      return String(r.a);
    case '!=':
      return `!${r.a}`;
    case '<>':
    case '-':
      return `${r.a}${r.op}${r.b}`;
    default:
      return `${r.op}${r.a}`;
  }
}

export const ALL_RANGE_OPS: readonly RangeOp[] = ['=', '!=', '<', '>', '<=', '>=', '<>', '-'];

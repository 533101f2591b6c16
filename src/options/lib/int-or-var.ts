import type { KeywordContext } from '../keyword.js';
import { isIdentifier, parseDecOrHex, type Piece } from './text.js';

/**
 * A number, or the name of a variable set earlier in the rule by byte_extract or byte_math
 * (usable in offset, depth, distance, within, isdataat, byte_test and byte_jump).
 * rule-body.ts checks that the variable exists at that point of the rule.
 */
export type IntOrVar = number | string;

export interface IntBounds {
  /** What the number is, for messages: "depth", "byte_test offset", ... */
  what: string;
  min: number;
  max: number;
  /** Whether a byte_extract variable name is allowed here. */
  variable?: boolean;
}

export function parseIntOrVar(p: Piece, bounds: IntBounds, ctx: KeywordContext): IntOrVar | undefined {
  const t = p.text;
  if (t === '') {
    ctx.error(`${bounds.what} needs a number${bounds.variable ? ' or a byte_extract variable' : ''}`, p.offset, 1);
    return undefined;
  }
  const c = t.charCodeAt(0);
  const negative = c === 0x2d;
  const digits = negative || c === 0x2b ? t.slice(1) : t;
  const d0 = digits.charCodeAt(0);
  if (d0 >= 0x30 && d0 <= 0x39) {
    const v = parseDecOrHex(digits);
    if (v === undefined) {
      // Well-formed digits too long for an exact number are a range problem, not a typo.
      const message = /^(?:[0-9]+|0[xX][0-9a-fA-F]+)$/.test(digits)
        ? `${bounds.what} ${t} is out of range: use ${bounds.min} to ${bounds.max}`
        : `${bounds.what} "${t}" is not a number: write digits, e.g. ${Math.max(bounds.min, 0)}`;
      ctx.error(message, p.offset, t.length);
      return undefined;
    }
    const n = negative ? (v === 0 ? 0 : -v) : v;
    if (n < bounds.min || n > bounds.max) {
      ctx.error(`${bounds.what} ${n} is out of range: use ${bounds.min} to ${bounds.max}`, p.offset, t.length);
      return undefined;
    }
    return n;
  }
  if (bounds.variable && isIdentifier(t)) return t;
  ctx.error(
    bounds.variable
      ? `${bounds.what} "${t}" is neither a number nor a byte_extract variable name`
      : `${bounds.what} "${t}" is not a number: write digits, e.g. ${Math.max(bounds.min, 0)}`,
    p.offset,
    t.length,
  );
  return undefined;
}

export function printIntOrVar(v: IntOrVar): string {
  return String(v);
}

import type { NumericRange } from './range.js';

/**
 * Whether `x` satisfies a numeric keyword value. Both range spellings, `a<>b` and `a-b`, are
 * exclusive of their ends, as in Suricata (`dsize:300<>400` is 301..399).
 */
export function rangeHolds(r: NumericRange, x: number): boolean {
  switch (r.op) {
    case '=':
      return x === r.a;
    case '!=':
      return x !== r.a;
    case '<':
      return x < r.a;
    case '>':
      return x > r.a;
    case '<=':
      return x <= r.a;
    case '>=':
      return x >= r.a;
    case '<>':
    case '-':
      return x > r.a && x < (r.b ?? r.a);
  }
}

/** The largest `x` that satisfies the value, or undefined when it has no upper bound (`>5`, `!5`). */
export function rangeMax(r: NumericRange): number | undefined {
  switch (r.op) {
    case '=':
    case '<=':
      return r.a;
    case '<':
      return r.a - 1;
    case '<>':
    case '-':
      return (r.b ?? r.a) - 1;
    default:
      return undefined;
  }
}

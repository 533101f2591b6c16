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

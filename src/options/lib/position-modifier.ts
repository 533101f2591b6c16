import type { KeywordModule } from '../keyword.js';
import { parseIntOrVar, type IntOrVar } from './int-or-var.js';
import { requireValue } from './text.js';

/** offset, depth, distance and within: one number (or byte_extract variable) for the preceding content. */
export function positionModifier(keyword: string, min: number, max: number, example: number): KeywordModule<IntOrVar> {
  return {
    keyword,
    category: 'modifier',
    takesValue: 'required',
    parse(raw, ctx) {
      const v = requireValue(keyword, raw, ctx, `${keyword}:${example};`);
      return v && parseIntOrVar(v, { what: keyword, min, max, variable: true }, ctx);
    },
    print: (value) => String(value),
  };
}

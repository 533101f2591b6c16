import type { KeywordModule } from '../keyword.js';
import { LEVELS, type Level } from '../../types/level.js';
import { orList, requireValue } from '../lib/text.js';

/** kanshi's `level:Information|Warning|Critical|Emergency;` the rule's base event level. */
export const level: KeywordModule<Level> = {
  keyword: 'level',
  category: 'meta',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    const v = requireValue('level', raw, ctx, 'level:Warning;');
    if (v === undefined) return undefined;
    const found = LEVELS.find((l) => l.toLowerCase() === v.text.toLowerCase());
    if (found !== undefined) return found;
    ctx.error(`unknown level "${v.text}": write level:${orList([...LEVELS])}`, v.offset, v.text.length);
    return undefined;
  },
  print: (value) => value,
};

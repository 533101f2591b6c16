import type { KeywordModule } from '../keyword.js';
import { parseDecimal, splitList, trimmed } from '../lib/text.js';
import { setOptionsValid } from './dataset.js';

const OPERATORS: readonly string[] = ['>', '<', '>=', '<=', '=='];
const EXAMPLE = 'datarep:bad-hosts,>,50,type string,load bad-hosts.csv;';

/**
 * `datarep:bad-hosts,>,50,type string,load bad-hosts.csv;` compares the reputation the named set
 * gives the current sticky buffer. Recognised and syntax-checked, not evaluated: the rule is
 * skipped. The value is kept as written (trimmed).
 */
export const datarep: KeywordModule<string> = {
  keyword: 'datarep',
  category: 'payload',
  takesValue: 'required',
  evaluable: false,
  parse(raw, ctx) {
    const t = raw === null ? undefined : trimmed(raw);
    const parts = t === undefined || t.text === '' ? [] : splitList(raw!);
    if (parts.length < 3 || parts[0]!.text === '') {
      ctx.error(`datarep needs a set name, an operator and a value: write ${EXAMPLE}`, 0, Math.max(1, raw?.length ?? 0));
      return undefined;
    }
    const [, op, value] = parts as [unknown, { text: string; offset: number }, { text: string; offset: number }];
    if (!OPERATORS.includes(op.text)) {
      ctx.error(`datarep operator must be one of ${OPERATORS.join(' ')}, not "${op.text}"`, op.offset, Math.max(1, op.text.length));
      return undefined;
    }
    if (parseDecimal(value.text) === undefined) {
      ctx.error(`datarep value must be a whole number, not "${value.text}": write ${EXAMPLE}`, value.offset, Math.max(1, value.text.length));
      return undefined;
    }
    return setOptionsValid('datarep', parts.slice(3), ctx) ? t!.text : undefined;
  },
  print: (v) => v,
};

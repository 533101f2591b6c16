import type { KeywordModule } from '../keyword.js';
import { parseDecimal, requireValue, splitList } from '../lib/text.js';

export interface FlowintValue {
  name: string;
  op: '+' | '-' | '=' | '==' | '!=' | '<' | '>' | '<=' | '>=' | 'isset' | 'notset' | 'isnotset';
  /** A number or another flowint's name; absent for isset/notset. */
  value?: number | string;
}

const ARITH = ['+', '-', '=', '==', '!=', '<', '>', '<=', '>='];
const NAME_RE = /^[A-Za-z0-9_.\-]+$/;

/** `flowint:name,+,1;` integer counters per flow (Suricata); recognised, not evaluated yet. */
export const flowint: KeywordModule<FlowintValue> = {
  keyword: 'flowint',
  category: 'non-payload',
  takesValue: 'required',
  evaluable: false,
  parse(raw, ctx) {
    const v = requireValue('flowint', raw, ctx, 'flowint:name,+,1;');
    if (v === undefined || raw === null) return undefined;
    const parts = splitList(raw, ',', v.offset, v.offset + v.text.length);
    const name = parts[0]!;
    const op = parts[1];
    if (!NAME_RE.test(name.text) || op === undefined) {
      ctx.error('flowint takes a name, an operator and a value: write flowint:name,+,1;', v.offset, v.text.length);
      return undefined;
    }
    if (op.text === 'isset' || op.text === 'notset' || op.text === 'isnotset') {
      if (parts.length > 2) {
        ctx.error(`flowint ${op.text} takes no value`, parts[2]!.offset, 1);
        return undefined;
      }
      return { name: name.text, op: op.text };
    }
    const value = parts[2];
    if (!ARITH.includes(op.text) || value === undefined || parts.length > 3) {
      ctx.error(`flowint operator must be one of + - = == != < > <= >= isset notset, followed by a value: write flowint:${name.text},+,1;`, op.offset, Math.max(1, op.text.length));
      return undefined;
    }
    const n = parseDecimal(value.text);
    if (n === undefined && !NAME_RE.test(value.text)) {
      ctx.error(`flowint value must be a number or a flowint name, not "${value.text}"`, value.offset, Math.max(1, value.text.length));
      return undefined;
    }
    return { name: name.text, op: op.text as FlowintValue['op'], value: n ?? value.text };
  },
  print: (v) => [v.name, v.op, ...(v.value !== undefined ? [String(v.value)] : [])].join(','),
};

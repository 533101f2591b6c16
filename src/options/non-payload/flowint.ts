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

/**
 * `flowint:name,+,1;` unsigned 32-bit counters per flow (Suricata): `=`, `+` and `-` change one
 * when the rule matches; `==` `!=` `<` `>` `<=` `>=`, `isset` and `notset` are conditions of the
 * rule. A value may name another counter (0 while unset); comparing an unset counter fails, and
 * `+` on one starts it at the value.
 */
export const flowint: KeywordModule<FlowintValue> = {
  keyword: 'flowint',
  category: 'non-payload',
  takesValue: 'required',
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

/** Whether the operation changes the counter (applied when the rule matches) rather than tests it. */
export function flowintModifies(v: FlowintValue): boolean {
  return v.op === '=' || v.op === '+' || v.op === '-';
}

function target(ints: ReadonlyMap<string, number> | null | undefined, v: FlowintValue): number {
  if (typeof v.value === 'number') return v.value;
  return v.value === undefined ? 0 : (ints?.get(v.value) ?? 0);
}

/** A condition (==, !=, <, >, <=, >=, isset, notset) on the flow's counters. */
export function flowintHolds(ints: ReadonlyMap<string, number> | null | undefined, v: FlowintValue): boolean {
  const cur = ints?.get(v.name);
  if (v.op === 'isset') return cur !== undefined;
  if (v.op === 'notset' || v.op === 'isnotset') return cur === undefined;
  if (cur === undefined) return false;
  const t = target(ints, v);
  switch (v.op) {
    case '==':
      return cur === t;
    case '!=':
      return cur !== t;
    case '<':
      return cur < t;
    case '>':
      return cur > t;
    case '<=':
      return cur <= t;
    case '>=':
      return cur >= t;
    default:
      return false;
  }
}

/** Applies a change (=, +, -) to `ints`; `-` on an unset counter does nothing, as in Suricata. */
export function applyFlowint(ints: Map<string, number>, v: FlowintValue): void {
  const t = target(ints, v);
  const cur = ints.get(v.name);
  if (v.op === '=') ints.set(v.name, t >>> 0);
  else if (v.op === '+') ints.set(v.name, ((cur ?? 0) + t) >>> 0);
  else if (v.op === '-' && cur !== undefined) ints.set(v.name, (cur - t) >>> 0);
}

import type { KeywordModule } from '../keyword.js';
import { splitList, trimmed } from '../lib/text.js';

export type FlowbitsCommand = 'set' | 'setx' | 'unset' | 'toggle' | 'isset' | 'isnotset' | 'noalert' | 'reset';

export interface FlowbitsValue {
  cmd: FlowbitsCommand;
  /** Bit names; empty for noalert and reset. */
  names: string[];
  /** How several names combine: `a&b` (all) or `a|b` (any, isset/isnotset only). */
  op: 'all' | 'any';
  /** Snort's optional group name. */
  group?: string;
  /**
   * Snort 2.9's group check `isset,any,GROUP` / `isnotset,all,GROUP`: the names are every bit
   * set with that group (known once all rules are loaded), combined by `op`.
   */
  ofGroup?: true;
}

const COMMANDS: readonly FlowbitsCommand[] = ['set', 'setx', 'unset', 'toggle', 'isset', 'isnotset', 'noalert', 'reset'];
const NAME_RE = /^[A-Za-z0-9_.\-]+$/;

/** `flowbits:set,name;` `flowbits:isset,a|b;` `flowbits:noalert;` state shared by the rules of one flow. */
export const flowbits: KeywordModule<FlowbitsValue> = {
  keyword: 'flowbits',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    if (raw === null || trimmed(raw).text === '') {
      ctx.error('flowbits needs a command: write flowbits:set,name; or flowbits:isset,name;', 0, Math.max(1, raw?.length ?? 0));
      return undefined;
    }
    const parts = splitList(raw);
    const cmdP = parts[0]!;
    const cmd = cmdP.text as FlowbitsCommand;
    if (!COMMANDS.includes(cmd)) {
      ctx.error(`unknown flowbits command "${cmdP.text}": use set, unset, toggle, isset, isnotset or noalert`, cmdP.offset, Math.max(1, cmdP.text.length));
      return undefined;
    }
    if (cmd === 'noalert') {
      if (parts.length > 1) {
        ctx.error('flowbits:noalert takes no bit name: write flowbits:noalert;', parts[1]!.offset, 1);
        return undefined;
      }
      return { cmd, names: [], op: 'all' };
    }
    if (parts.length > 3) {
      ctx.error(`flowbits takes a command, bit names and an optional group: write flowbits:${cmd},name;`, parts[3]!.offset, 1);
      return undefined;
    }
    if (cmd === 'reset') {
      // Snort's `flowbits:reset[,group]` clears every bit (of the group).
      if (parts.length > 2) {
        ctx.error('flowbits:reset takes at most a group name: write flowbits:reset; or flowbits:reset,group;', parts[2]!.offset, 1);
        return undefined;
      }
      const g = parts[1];
      if (g === undefined) return { cmd, names: [], op: 'all' };
      if (!NAME_RE.test(g.text)) {
        ctx.error(`bad flowbits group name "${g.text}"`, g.offset, Math.max(1, g.text.length));
        return undefined;
      }
      return { cmd, names: [], op: 'all', group: g.text };
    }
    const namesP = parts[1];
    if (namesP === undefined || namesP.text === '') {
      ctx.error(`flowbits:${cmd} needs a bit name: write flowbits:${cmd},name;`, namesP?.offset ?? cmdP.offset, 1);
      return undefined;
    }
    const groupForm = parts[2];
    if ((cmd === 'isset' || cmd === 'isnotset') && (namesP.text === 'any' || namesP.text === 'all') && groupForm !== undefined) {
      if (!NAME_RE.test(groupForm.text)) {
        ctx.error(`bad flowbits group name "${groupForm.text}"`, groupForm.offset, Math.max(1, groupForm.text.length));
        return undefined;
      }
      return { cmd, names: [], op: namesP.text, group: groupForm.text, ofGroup: true };
    }
    const hasOr = namesP.text.includes('|');
    const hasAnd = namesP.text.includes('&');
    if (hasOr && hasAnd) {
      ctx.error('flowbits cannot mix | and &: use a|b (any of them) or a&b (all of them)', namesP.offset, namesP.text.length);
      return undefined;
    }
    if (hasOr && cmd !== 'isset' && cmd !== 'isnotset') {
      ctx.error(`flowbits:${cmd} cannot take a|b: | (any of) works with isset and isnotset only; write a&b or one name`, namesP.offset, namesP.text.length);
      return undefined;
    }
    const names: string[] = [];
    let at = namesP.offset;
    for (const n of namesP.text.split(hasOr ? '|' : '&')) {
      const t = trimmed(n);
      if (!NAME_RE.test(t.text)) {
        ctx.error(`bad flowbit name "${t.text}": use letters, digits, _, . and -`, at + t.offset, Math.max(1, n.length));
        return undefined;
      }
      names.push(t.text);
      at += n.length + 1;
    }
    const out: FlowbitsValue = { cmd, names, op: hasOr ? 'any' : 'all' };
    const groupP = parts[2];
    if (groupP !== undefined) {
      if (!NAME_RE.test(groupP.text)) {
        ctx.error(`bad flowbits group name "${groupP.text}"`, groupP.offset, Math.max(1, groupP.text.length));
        return undefined;
      }
      out.group = groupP.text;
    }
    return out;
  },
  print(v) {
    if (v.cmd === 'noalert') return 'noalert';
    const parts: string[] = [v.cmd];
    if (v.ofGroup === true) parts.push(v.op);
    if (v.names.length > 0) parts.push(v.names.join(v.op === 'any' ? '|' : '&'));
    if (v.group !== undefined) parts.push(v.group);
    return parts.join(',');
  },
};

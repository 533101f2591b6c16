/** flowbits on a flow: the checks rules make (isset / isnotset, `a|b` and `a&b`) and the commands they apply. */
import type { FlowView } from '../types/flow.js';

/** isset (`set`) or isnotset of any (`any`) or all of the names. */
export function flowbitCheckHolds(bits: ReadonlySet<string> | null, names: readonly string[], set: boolean, any: boolean): boolean {
  for (let i = 0; i < names.length; i++) {
    const has = bits !== null && bits.has(names[i]!);
    if (has === set) {
      if (any) return true;
    } else if (!any) return false;
  }
  return !any;
}

export function applyFlowbit(flow: FlowView, cmd: string, names: readonly string[], group: string | undefined, groups: ReadonlyMap<string, readonly string[]>): void {
  const bits = (flow.bits ??= new Set<string>());
  switch (cmd) {
    case 'set':
      for (const n of names) bits.add(n);
      return;
    case 'setx':
      if (group !== undefined) for (const n of groups.get(group) ?? []) bits.delete(n);
      for (const n of names) bits.add(n);
      return;
    case 'unset':
      for (const n of names) bits.delete(n);
      return;
    case 'toggle':
      for (const n of names) {
        if (bits.has(n)) bits.delete(n);
        else bits.add(n);
      }
      return;
    case 'reset':
      if (group === undefined) bits.clear();
      else for (const n of groups.get(group) ?? []) bits.delete(n);
      return;
  }
}

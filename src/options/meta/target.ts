import type { KeywordModule } from '../keyword.js';
import { requireValue } from '../lib/text.js';

export type TargetValue = 'src_ip' | 'dest_ip';

/** `target:src_ip|dest_ip;` which side of the alert is the target (Suricata). */
export const target: KeywordModule<TargetValue> = {
  keyword: 'target',
  category: 'meta',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    const v = requireValue('target', raw, ctx, 'target:dest_ip;');
    if (v === undefined) return undefined;
    if (v.text === 'src_ip' || v.text === 'dest_ip') return v.text;
    ctx.error(`target must be src_ip or dest_ip, not "${v.text}"`, v.offset, v.text.length);
    return undefined;
  },
  print: (value) => value,
};

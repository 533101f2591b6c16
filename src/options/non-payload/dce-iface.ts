import type { KeywordModule } from '../keyword.js';
import { FACT_DCE, type HeaderFacts } from '../matcher.js';
import { requireValue, splitList } from '../lib/text.js';

export interface DceIfaceValue {
  /** Lower-case 8-4-4-4-12 hex text. */
  uuid: string;
  /** A test of the interface's major version, when written. */
  version?: { op: '<' | '>' | '=' | '!'; value: number };
  anyFrag: boolean;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * `dce_iface:<uuid>[,<op><version>][,any_frag];` the DCE/RPC request calls this interface: the
 * one its presentation context was bound to (TCP), or the one its header names (UDP), with a
 * major version `<`, `>`, `=` or `!` (not equal to) the one given. Requests are inspected whole
 * (their fragments joined), so `any_frag` changes nothing and is accepted as written.
 */
export const dceIface: KeywordModule<DceIfaceValue> = {
  keyword: 'dce_iface',
  aliases: ['dcerpc.iface'],
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const example = 'dce_iface:4b324fc8-1670-01d3-1278-5a47bf6ee188;';
    if (requireValue('dce_iface', raw, ctx, example) === undefined || raw === null) return undefined;
    const parts = splitList(raw);
    const first = parts[0]!;
    if (!UUID.test(first.text)) {
      ctx.error(`dce_iface needs an interface UUID written 8-4-4-4-12 in hex, not "${first.text}": write ${example}`, first.offset, Math.max(1, first.text.length));
      return undefined;
    }
    const out: DceIfaceValue = { uuid: first.text.toLowerCase(), anyFrag: false };
    for (const p of parts.slice(1)) {
      if (p.text === 'any_frag' && !out.anyFrag) {
        out.anyFrag = true;
        continue;
      }
      const m = /^([<>=!])\s*([0-9]{1,5})$/.exec(p.text);
      if (m !== null && out.version === undefined && Number(m[2]) <= 65535) {
        out.version = { op: m[1] as '<' | '>' | '=' | '!', value: Number(m[2]) };
        continue;
      }
      ctx.error(`unknown or repeated dce_iface option "${p.text}": use a version test such as >2 (<, >, = or ! and 0-65535) or any_frag`, p.offset, Math.max(1, p.text.length));
      return undefined;
    }
    return out;
  },
  print: (v) => [v.uuid, ...(v.version ? [`${v.version.op}${v.version.value}`] : []), ...(v.anyFrag ? ['any_frag'] : [])].join(','),
  condition(v) {
    const uuid = v.uuid;
    const ver = v.version;
    const test =
      ver === undefined ? (h: HeaderFacts): boolean => h.dceIface === uuid
      : ver.op === '<' ? (h: HeaderFacts): boolean => h.dceIface === uuid && h.dceVersion < ver.value
      : ver.op === '>' ? (h: HeaderFacts): boolean => h.dceIface === uuid && h.dceVersion > ver.value
      : ver.op === '=' ? (h: HeaderFacts): boolean => h.dceIface === uuid && h.dceVersion === ver.value
      : (h: HeaderFacts): boolean => h.dceIface === uuid && h.dceVersion !== ver.value;
    return { needs: FACT_DCE, test };
  },
};

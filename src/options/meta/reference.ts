import type { KeywordModule } from '../keyword.js';
import { requireValue, trimmed } from '../lib/text.js';

export interface ReferenceValue {
  /** Lower-case system name: url, cve, bugtraq, ... */
  type: string;
  id: string;
}

/** The systems of Snort's and Suricata's stock reference.config. */
export const KNOWN_REFERENCE_TYPES: readonly string[] = [
  'url', 'cve', 'bugtraq', 'bid', 'nessus', 'arachnids', 'mcafee', 'osvdb', 'msb', 'md5', 'sha1', 'sha256',
  'secunia', 'exploitdb', 'edb', 'telus', 'openpacket', 'securitytracker', 'xforce', 'et', 'etpro', 'cert', 'system',
];

/** `reference:type,id;` a pointer to outside documentation. */
export const reference: KeywordModule<ReferenceValue> = {
  keyword: 'reference',
  category: 'meta',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('reference', raw, ctx, 'reference:url,example.com/advisory;');
    if (v === undefined || raw === null) return undefined;
    const comma = raw.indexOf(',', v.offset);
    if (comma < 0) {
      // A lone system name (reference:cve;) lacks the id; anything else is most likely the id.
      const lone = v.text.trim().toLowerCase();
      if (KNOWN_REFERENCE_TYPES.includes(lone)) {
        const id = lone === 'url' ? 'example.com/advisory' : lone === 'cve' ? '2024-1234' : 'ID';
        ctx.error(`reference ${lone} needs its id after a comma: write reference:${lone},${id};`, v.offset, v.text.length);
      } else ctx.error(`reference needs a type and an id: write reference:url,${v.text}; or reference:cve,2024-1234;`, v.offset, v.text.length);
      return undefined;
    }
    const type = trimmed(raw, v.offset, comma);
    const id = trimmed(raw, comma + 1, v.offset + v.text.length);
    if (!/^[A-Za-z0-9_-]+$/.test(type.text)) {
      ctx.error(`reference type "${type.text}" is not a name: write e.g. reference:url,example.com/advisory;`, type.offset, Math.max(1, type.text.length));
      return undefined;
    }
    if (id.text === '') {
      ctx.error(`reference ${type.text} needs an id after the comma`, comma, 1);
      return undefined;
    }
    const t = type.text.toLowerCase();
    if (!KNOWN_REFERENCE_TYPES.includes(t)) {
      ctx.warning(`unknown reference type "${type.text}" (not in reference.config)`, type.offset, type.text.length);
    }
    return { type: t, id: id.text };
  },
  print: (value) => `${value.type},${value.id}`,
};

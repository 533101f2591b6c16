import type { KeywordModule } from '../keyword.js';
import { isBlank, skipBlanks } from '../lib/text.js';

export interface MetadataEntry {
  key: string;
  /** Everything after the key (may hold spaces); empty when only a key was written. */
  value: string;
}

const EXAMPLE = 'metadata:created_at 2024_01_01, signature_severity Major;';

/** `metadata:key value, key value;` free-form key/value pairs (carried to alert output). */
export const metadata: KeywordModule<MetadataEntry[]> = {
  keyword: 'metadata',
  category: 'meta',
  takesValue: 'required',
  parse(raw, ctx) {
    if (raw === null) {
      ctx.error(`metadata needs a value: write ${EXAMPLE}`);
      return undefined;
    }
    // ET rules carry long metadata lists: split with native string search, entry by entry.
    const out: MetadataEntry[] = [];
    const quoted = raw.indexOf('"') >= 0;
    let from = 0;
    for (;;) {
      let comma = raw.indexOf(',', from);
      if (quoted && comma >= 0) comma = commaOutsideQuotes(raw, from);
      const end = comma < 0 ? raw.length : comma;
      const entry = raw.slice(from, end).trim();
      if (entry === '') {
        if (out.length === 0 && comma < 0) {
          ctx.error(`metadata needs a value: write ${EXAMPLE}`, 0, Math.max(1, raw.length));
        } else {
          ctx.error('empty metadata entry: remove the extra comma', Math.min(skipBlanks(raw, from), raw.length - 1), 1);
        }
        return undefined;
      }
      out.push(metadataEntry(entry));
      if (comma < 0) return out;
      from = comma + 1;
    }
  },
  print: (value) => value.map((e) => (e.value === '' ? e.key : `${e.key} ${e.value}`)).join(', '),
};

/**
 * Entries by text: a rule set repeats a few thousand distinct entries (`signature_severity Major`,
 * `created_at 2019_01_01`) hundreds of thousands of times, so rules share one immutable entry each.
 */
const entries = new Map<string, MetadataEntry>();
const MAX_ENTRIES = 50_000;

function metadataEntry(text: string): MetadataEntry {
  let e = entries.get(text);
  if (e === undefined) {
    // A copy of its own: a slice of the rules file would keep the whole file alive in this table
    // (V8 copies slices shorter than 13 characters; longer ones point into the text they came from).
    const own = text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
    const space = firstBlank(own);
    e = space < 0 ? { key: own, value: '' } : { key: own.slice(0, space), value: own.slice(space + 1).trim() };
    if (entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(own, e);
  }
  return e;
}

function firstBlank(text: string): number {
  for (let i = 0; i < text.length; i++) if (isBlank(text.charCodeAt(i))) return i;
  return -1;
}

/** The next `,` at or after `from` that is not inside double quotes, or -1. */
function commaOutsideQuotes(text: string, from: number): number {
  let inQuote = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) inQuote = !inQuote;
    else if (c === 0x2c && !inQuote) return i;
  }
  return -1;
}

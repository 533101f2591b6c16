import type { KeywordContext, KeywordModule } from '../keyword.js';
import type { HeaderFacts } from '../matcher.js';
import { requireValue } from './text.js';

/** One name of a flag list, as written (lower-cased), with its `!`. */
export interface FlagItem {
  name: string;
  negated: boolean;
}

/**
 * Reads `[!]name{SEP[!]name}` (SEP one of `separators`, blanks around it), names matched without
 * regard to case against `names`. Reports an unknown, repeated or missing name at its position.
 */
export function parseFlagList(keyword: string, raw: string | null, ctx: KeywordContext, names: Readonly<Record<string, number>>, separators: string, example: string): FlagItem[] | undefined {
  const known = Object.keys(names).join(', ');
  if (requireValue(keyword, raw, ctx, `${keyword}:${example};`) === undefined || raw === null) return undefined;
  const items: FlagItem[] = [];
  let i = 0;
  const n = raw.length;
  for (;;) {
    while (i < n && (raw[i] === ' ' || raw[i] === '\t')) i++;
    const start = i;
    let negated = false;
    if (raw[i] === '!') {
      negated = true;
      i++;
      while (i < n && (raw[i] === ' ' || raw[i] === '\t')) i++;
    }
    const nameAt = i;
    while (i < n && !separators.includes(raw[i]!) && raw[i] !== ' ' && raw[i] !== '\t') i++;
    const name = raw.slice(nameAt, i).toLowerCase();
    if (name === '') {
      ctx.error(`${keyword} has an empty item: write names such as ${example} separated by '${separators[0]}'`, start, Math.max(1, i - start));
      return undefined;
    }
    if (names[name] === undefined) {
      ctx.error(`unknown ${keyword} name "${raw.slice(nameAt, i)}": use ${known}`, nameAt, i - nameAt);
      return undefined;
    }
    if (items.some((it) => it.name === name)) {
      ctx.error(`${keyword} names ${name} twice: remove one`, nameAt, i - nameAt);
      return undefined;
    }
    items.push({ name, negated });
    while (i < n && (raw[i] === ' ' || raw[i] === '\t')) i++;
    if (i >= n) return items;
    if (!separators.includes(raw[i]!)) {
      ctx.error(`${keyword} items are separated by '${separators[0]}': write ${example}`, i, 1);
      return undefined;
    }
    i++;
  }
}

/**
 * The flags the items name and the negated ones among them. A flag word w matches the list when
 * `((w & flags) ^ mask) !== 0`: some plain item is set, or some negated item is not (Snort's SSL
 * rule options).
 */
export function flagMasks(items: readonly FlagItem[], names: Readonly<Record<string, number>>): { flags: number; mask: number } {
  let flags = 0;
  let mask = 0;
  for (const it of items) {
    const bit = names[it.name]!;
    flags |= bit;
    if (it.negated) mask |= bit;
  }
  return { flags, mask };
}

export function printFlagList(items: readonly FlagItem[]): string {
  return items.map((it) => (it.negated ? '!' : '') + it.name).join(',');
}

export interface FlagListValue {
  items: FlagItem[];
}

/**
 * A keyword whose value is a flag list (`ssl_state`, `ssl_version`): a condition on the flag word
 * `read` takes from the facts, which need `needs`, matching as flagMasks says.
 */
export function flagListKeyword(
  keyword: string,
  names: Readonly<Record<string, number>>,
  separators: string,
  example: string,
  needs: number,
  read: (h: HeaderFacts) => number,
): KeywordModule<FlagListValue> {
  return {
    keyword,
    category: 'non-payload',
    takesValue: 'required',
    parse(raw, ctx) {
      const items = parseFlagList(keyword, raw, ctx, names, separators, example);
      return items === undefined ? undefined : { items };
    },
    print: (v) => printFlagList(v.items),
    condition(v) {
      const { flags, mask } = flagMasks(v.items, names);
      return { needs, test: (h: HeaderFacts) => ((read(h) & flags) ^ mask) !== 0 };
    },
  };
}

import type { KeywordContext, KeywordModule } from '../keyword.js';
import { splitList, splitWord, trimmed, type Piece } from '../lib/text.js';

/** The options a data set declaration takes after its name (Suricata's datasets and datarep). */
export const SET_OPTIONS: readonly string[] = ['type', 'load', 'state', 'save', 'memcap', 'hashsize'];
const SET_TYPES: readonly string[] = ['string', 'md5', 'sha256', 'ipv4', 'ipv6', 'ip'];
const COMMANDS: readonly string[] = ['set', 'unset', 'isset', 'isnotset'];
const EXAMPLE = 'dataset:isset,bad-domains,type string,load bad-domains.lst;';

/**
 * `dataset:isset,bad-domains,type string,load bad-domains.lst;` looks the current sticky buffer up
 * in (or adds it to) a named set. Recognised and syntax-checked, not evaluated: the rule is skipped.
 * The value is kept as written (trimmed).
 */
export const dataset: KeywordModule<string> = {
  keyword: 'dataset',
  category: 'payload',
  takesValue: 'required',
  evaluable: false,
  parse(raw, ctx) {
    const t = raw === null ? undefined : trimmed(raw);
    if (t === undefined || t.text === '') {
      ctx.error(`dataset needs a command and a set name: write ${EXAMPLE}`, 0, Math.max(1, raw?.length ?? 0));
      return undefined;
    }
    const parts = splitList(raw!);
    const cmd = parts[0]!;
    if (!COMMANDS.includes(cmd.text)) {
      ctx.error(`unknown dataset command "${cmd.text}": use set, unset, isset or isnotset, as in ${EXAMPLE}`, cmd.offset, Math.max(1, cmd.text.length));
      return undefined;
    }
    const name = parts[1];
    if (name === undefined || name.text === '') {
      ctx.error(`dataset:${cmd.text} needs a set name: write ${EXAMPLE}`, name?.offset ?? cmd.offset + cmd.text.length, 1);
      return undefined;
    }
    return setOptionsValid('dataset', parts.slice(2), ctx) ? t.text : undefined;
  },
  print: (v) => v,
};

/**
 * Checks `type string, load file, memcap 10mb, ...` of a dataset or datarep: each option once
 * known, and with a value. Reports the first problem; true when there is none.
 */
export function setOptionsValid(keyword: string, parts: readonly Piece[], ctx: KeywordContext): boolean {
  for (const p of parts) {
    const { word, rest } = splitWord(p);
    if (!SET_OPTIONS.includes(word.text)) {
      ctx.error(`unknown ${keyword} option "${word.text}": use ${SET_OPTIONS.join(', ')} (each followed by its value, as type string)`, word.offset, Math.max(1, word.text.length));
      return false;
    }
    if (rest.text === '') {
      ctx.error(`${keyword} option ${word.text} needs a value: write ${word.text === 'type' ? 'type string' : `${word.text} VALUE`}`, word.offset, word.text.length);
      return false;
    }
    if (word.text === 'type' && !SET_TYPES.includes(rest.text)) {
      ctx.error(`unknown ${keyword} type "${rest.text}": use ${SET_TYPES.join(', ')}`, rest.offset, rest.text.length);
      return false;
    }
  }
  return true;
}

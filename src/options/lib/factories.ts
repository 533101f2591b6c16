import type { KeywordCategory, KeywordContext, KeywordModule } from '../keyword.js';
import { expectNoValue, requireValue } from './text.js';

/**
 * Builders for the keywords whose modules differ only in name and metadata: bare flags,
 * sticky buffers, buffer content modifiers, transforms, and keywords recognised but not
 * evaluated yet. Each keyword still has its own file that calls one of these.
 */

/** The value of a bare keyword (`nocase;`): present or not. */
export type Bare = true;

interface Common {
  aliases?: readonly string[];
  evaluable?: boolean;
  singleUse?: boolean;
}

export function bareKeyword(keyword: string, category: KeywordCategory, opts: Common & { buffer?: string } = {}): KeywordModule<Bare> {
  return {
    keyword,
    category,
    takesValue: 'none',
    ...opts,
    parse(raw: string | null, ctx: KeywordContext): Bare | undefined {
      return expectNoValue(keyword, raw, ctx) ? true : undefined;
    },
    print(): null {
      return null;
    },
  };
}

/** `http.uri;` and friends: every payload keyword after it inspects `buffer`. */
export function stickyBuffer(keyword: string, buffer: string, opts: Common = {}): KeywordModule<Bare> {
  return bareKeyword(keyword, 'sticky-buffer', { ...opts, buffer });
}

/** `content:"x"; http_uri;`: moves the preceding content to `buffer` (the Snort 2 form). */
export function bufferModifier(keyword: string, buffer: string, opts: Common = {}): KeywordModule<Bare> {
  return bareKeyword(keyword, 'modifier', { ...opts, buffer });
}

/**
 * A transform without arguments (`to_lowercase;`), applied to the current sticky buffer by
 * `apply`; without it the keyword is recognised but not evaluated.
 */
export function transform(keyword: string, opts: Common & { apply?: (buf: Uint8Array) => Uint8Array } = {}): KeywordModule<Bare> {
  const { apply, ...common } = opts;
  const m = bareKeyword(keyword, 'transform', apply === undefined ? { ...common, evaluable: false } : common);
  return apply === undefined ? m : { ...m, transform: () => apply };
}

/**
 * A keyword kanshi recognises but does not evaluate yet (and whose value it keeps as text):
 * its rules are skipped with a warning naming it. The value must still be present when required.
 */
export function unevaluated(
  keyword: string,
  category: KeywordCategory,
  takesValue: 'none' | 'required' | 'optional',
  example: string,
  opts: Omit<Common, 'evaluable'> & { buffer?: string } = {},
): KeywordModule<string | Bare> {
  return {
    keyword,
    category,
    takesValue,
    evaluable: false,
    ...opts,
    parse(raw: string | null, ctx: KeywordContext): string | Bare | undefined {
      if (takesValue === 'none') return expectNoValue(keyword, raw, ctx) ? true : undefined;
      if (takesValue === 'optional' && (raw === null || raw.trim() === '')) return true;
      const v = requireValue(keyword, raw, ctx, example);
      return v?.text;
    },
    print(value: string | Bare): string | null {
      return value === true ? null : value;
    },
  };
}

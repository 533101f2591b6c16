/**
 * finalNewlineDollar: PCRE's default `$` where nothing can follow it becomes `(\n?)$`, so the
 * pattern keeps to V8's linear engine or RE2; anywhere else only lookaround spells it exactly.
 */
import { describe, expect, it } from 'vitest';
import { finalNewlineDollar } from '../../../src/options/lib/regex-runner.js';

const D = '(?=\\n?$)';

describe('finalNewlineDollar', () => {
  it('rewrites a $ that ends the pattern, a branch or a plain group, numbering the new groups', () => {
    expect(finalNewlineDollar(`a${D}`)).toEqual({ source: 'a(\\n?)$', groups: [1] });
    expect(finalNewlineDollar(`(a)${D}|(b)${D}`)).toEqual({ source: '(a)(\\n?)$|(b)(\\n?)$', groups: [2, 4] });
    expect(finalNewlineDollar(`(?:x|(a${D}))`)).toEqual({ source: '(?:x|(a(\\n?)$))', groups: [2] });
    expect(finalNewlineDollar(`[(]a${D}`)).toEqual({ source: '[(]a(\\n?)$', groups: [1] });
    expect(finalNewlineDollar('a$')).toEqual({ source: 'a$', groups: [] });
  });

  it('leaves a $ followed by more of the pattern, or inside lookaround or a repeat, to lookaround', () => {
    expect(finalNewlineDollar(`a${D}\\n`)).toBeNull();
    expect(finalNewlineDollar(`(?:a${D})?`)).toBeNull();
    expect(finalNewlineDollar(`(?:a${D}){2}`)).toBeNull();
    expect(finalNewlineDollar(`(?=a${D})a`)).toBeNull();
    expect(finalNewlineDollar(`(?!a${D})`)).toBeNull();
    // New groups would renumber the ones a back-reference names.
    expect(finalNewlineDollar(`(a)(?:\\1)${D}`)).toBeNull();
  });
});

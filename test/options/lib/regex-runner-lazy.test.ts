/**
 * regexRunner: the engine tier of a pattern is chosen on its first search where the quick
 * syntax check proves no tier can fail on it, and right away otherwise, so a pattern no tier can
 * run is still refused at load. Either way the runner behaves exactly as compileRegex's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BacktrackRegex } from '../../../src/options/lib/pcre-backtrack.js';
import { backtrackAccepts, compileRegex, regexRunner, type RegexRunner } from '../../../src/options/lib/regex-runner.js';
import { translatePcre } from '../../../src/options/lib/pcre-translate.js';

const NO_OPTIONS = { caseless: false, dotall: false, multiline: false, extended: false, anchored: false, dollarEndOnly: false, ungreedy: false };

/** Characters that make up regex syntax, plus a few literals and bytes above ASCII. */
const SYNTAX = ['a', 'b', 'x', 'k', 'u', 'q', 'd', 'B', '0', '1', '9', 'F', '\\', '(', ')', '[', ']', '^', '$', '.', '*', '+', '?', '{', '}', ',', '|', '-', ':', '=', '!', '<', '\n', '\u00e9', '\u0100'];
const syntaxString = fc.array(fc.constantFrom(...SYNTAX), { maxLength: 14 }).map((cs) => cs.join(''));

function parses(source: string, flags: string): boolean {
  try {
    new BacktrackRegex(source, flags);
    return true;
  } catch {
    return false;
  }
}

function outcome(r: RegexRunner, subject: string, from: number): [boolean, number, number, boolean] {
  const found = r.exec(subject, from);
  return [found, found ? r.start : -1, found ? r.end : -1, r.limited];
}

describe('backtrackAccepts', () => {
  it('accepts only what the bounded backtracking matcher parses', () => {
    fc.assert(
      fc.property(syntaxString, fc.constantFrom('', 'i', 's', 'y'), (source, flags) => {
        if (backtrackAccepts(source)) expect(parses(source, flags)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts what the pcre translator produces for common patterns', () => {
    for (const p of ['abc[0-9]+', '^GET\\s+\\/[a-z]{3,}\\.php\\?id=\\d+', '(?i)user-agent\\x3a[^\\r\\n]*curl', '(a|b)\\1', '[\\x00-\\x1f\\]-]+$', '(?m)^x-[a-z]+:\\s*(?!ok)']) {
      const t = translatePcre(p, NO_OPTIONS);
      if (t.kind !== 'ok') throw new Error(`cannot translate ${p}`);
      expect(backtrackAccepts(t.regex.source)).toBe(true);
      expect(parses(t.regex.source, t.regex.flags)).toBe(true);
    }
  });

  it('leaves escapes, groups and nesting the parser may refuse to the eager path', () => {
    for (const s of ['a\\q', '\\u0041', '\\xZZ', '(?<n>a)', '(?>a)', 'a)', '(a', '[a', '[a-\\d]', '[\\B]', 'a\\', '\u0100', `${'('.repeat(40)}a${')'.repeat(40)}`]) {
      expect(backtrackAccepts(s)).toBe(false);
    }
  });
});

describe('regexRunner', () => {
  it('finds the same matches, on the same tier, as the eagerly chosen runner', () => {
    const patterns = ['abc[0-9]+', 'a[^\\n]{100,}b', 'abc$', '(?m)a|^b$', '(a)\\1', 'x(?=y)', '(?m)^foo$', '(?i)HeLLo', '^(a+)+$'];
    for (const p of patterns) {
      const t = translatePcre(p, NO_OPTIONS);
      if (t.kind !== 'ok') throw new Error(`cannot translate ${p}`);
      const { source, flags } = t.regex;
      const lazy = regexRunner(source, flags);
      const eager = compileRegex(source, flags).runner;
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', 'y', '1', '\n', 'f', 'o', 'H', 'e', 'l'), maxLength: 40 }), fc.nat(45), (subject, from) => {
          expect(outcome(lazy, subject, from)).toEqual(outcome(eager, subject, from));
        }),
        { numRuns: 150 },
      );
      expect(lazy.tier).toBe(eager.tier);
    }
  });

  it('shares one runner per pattern, flags and limits', () => {
    expect(regexRunner('shared[0-9]', 'i')).toBe(regexRunner('shared[0-9]', 'i'));
    expect(regexRunner('shared[0-9]', 'i')).not.toBe(regexRunner('shared[0-9]', ''));
  });

  it('refuses at once, with compileRegex message, a pattern no tier can run', () => {
    const source = '(a)(?:\\1)(?<n>b)';
    expect(() => compileRegex(source, '')).toThrow(/cannot be run with a bounded cost/);
    expect(() => regexRunner(source, '')).toThrow(/cannot be run with a bounded cost/);
  });
});

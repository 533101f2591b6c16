/**
 * The literals a pcre requires (src/match/pcre-literal.ts): one of them must occur in every
 * subject the pattern matches, otherwise a rule screened by them would miss matches the full
 * evaluation finds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LITERALS, requiredPcreLiterals, type PcreLiteral } from '../../src/match/pcre-literal.js';

function texts(set: readonly PcreLiteral[] | null): string[] | null {
  return set === null ? null : set.map((l) => Buffer.from(l.bytes).toString('latin1') + (l.nocase ? '/i' : '')).sort();
}

function contains(subject: string, lit: PcreLiteral): boolean {
  const needle = Buffer.from(lit.bytes).toString('latin1');
  // The prefilter folds ASCII letters only.
  const fold = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return lit.nocase ? fold(subject).includes(fold(needle)) : subject.includes(needle);
}

const ATOMS = [
  'a', 'b', 'c', 'A', '%', '0', '\\x61', '\\x62', '\\xc0', '.', '[ab]', '[aA]', '[cC]', '[^a]', '[a-c]', '[\\x2e\\x2f]', '[%0]',
  '(?:ab|c)', '(?:%[cC]0|\\xc0)', '(?:ab|)', '(a)', '(a|b)', '\\d', '\\w', '\\b', '^', '$', '\\/', '/', '\\n', 'x', '(?=ab)', '(?!a)', '(?<=b)',
];
const QUANTS = ['', '', '', '?', '*', '+', '{0,2}', '{1,2}', '{2}', '{2,}', '+?', '*+'];
const ZERO_WIDTH = new Set(['^', '$', '\\b', '(?=ab)', '(?!a)', '(?<=b)']);

const sequenceArb = fc
  .array(fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...QUANTS)), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.map(([a, q]) => (ZERO_WIDTH.has(a) ? a : a + (q === '*+' ? '*' : q))).join(''));
const patternArb = fc.array(sequenceArb, { minLength: 1, maxLength: 3 }).map((branches) => branches.join('|'));
const subjectArb = fc
  .array(fc.constantFrom('a', 'b', 'c', 'A', 'B', 'C', '%', '0', '1', '.', '/', '\n', 'x', '\xc0', '\xe0'), { maxLength: 24 })
  .map((cs) => cs.join(''));

describe('requiredPcreLiterals', () => {
  it('finds the literals of the top-level sequence', () => {
    expect(texts(requiredPcreLiterals('(?:DPT=|\\/)1434\\b', ''))).toEqual(['/1434', 'DPT=1434']);
    expect(texts(requiredPcreLiterals('^[^?]*\\/(?:winnt|windows)\\/system32\\/', 'i'))).toEqual(['/system32//i']);
    expect(texts(requiredPcreLiterals('abc?def', ''))).toEqual(['abcdef', 'abdef']);
    expect(texts(requiredPcreLiterals('\\x41\\x42C+D*', ''))).toEqual(['ABC']);
  });

  it('gives one literal per branch of an alternation', () => {
    expect(texts(requiredPcreLiterals('^(?:GET|HEAD|POST)$', 'i'))).toEqual(['get/i', 'head/i', 'post/i']);
    expect(texts(requiredPcreLiterals('abc|def', ''))).toEqual(['abc', 'def']);
    // Each branch must give one: a branch that can match anything leaves the rule unscreened.
    expect(requiredPcreLiterals('abc|d', '')).toBeNull();
    expect(requiredPcreLiterals('abc|\\d+', '')).toBeNull();
  });

  it('expands small groups and classes into the encodings an evasion uses', () => {
    // Two dots in any of three encodings, then a backslash in any of three.
    const traversal = texts(requiredPcreLiterals('^[^?]*(?:\\.|%2[eE]|%[uU]002[eE]){2}(?:%5[cC]|%[uU]005[cC]|\\x5c)', ''))!;
    expect(traversal).toHaveLength(27);
    expect(traversal).toContain('..\\');
    expect(traversal).toContain('%2e%u002e%5c/i');
    // A class holding both cases of a letter is that letter, any case.
    expect(texts(requiredPcreLiterals('%[cC]0\\xaf', ''))).toEqual(['%c0\xaf/i']);
    expect(texts(requiredPcreLiterals('ab[xy]', ''))).toEqual(['abx', 'aby']);
    // The first repetitions of a long repeat join the run before it.
    expect(requiredPcreLiterals('^\\/[\\x01-\\x1f]{256}', '')).toHaveLength(31);
    expect(requiredPcreLiterals('^\\/[\\x01-\\x3f]{256}', '')).toBeNull(); // a class of 63 bytes ends the run
  });

  it('gives up on what it does not fully read', () => {
    expect(requiredPcreLiterals('abc(?i)def', '')).toBeNull();
    expect(requiredPcreLiterals('abc def', 'x')).toBeNull();
    expect(requiredPcreLiterals('\\Qabc\\E', '')).toBeNull();
    expect(requiredPcreLiterals('ab{,3}cd', '')).toBeNull();
    expect(requiredPcreLiterals('(?(1)ab|cd)', '')).toBeNull();
    expect(requiredPcreLiterals('abc)', '')).toBeNull();
    expect(requiredPcreLiterals('a.b', '')).toBeNull(); // no literal of two bytes
  });

  it('keeps non-ASCII bytes out of case-insensitive literals', () => {
    expect(texts(requiredPcreLiterals('ab\\xe9cd', 'i'))).toEqual(['ab/i']);
  });

  it('stays within its bound on literals', () => {
    expect(requiredPcreLiterals('[a-p][a-p][a-p]', '')).toBeNull();
    const set = requiredPcreLiterals('(?:a|b|c|d)(?:e|f|g|h)(?:i|j|k|l)(?:m|n|o|p)', '')!;
    expect(set.length).toBeLessThanOrEqual(MAX_LITERALS);
  });

  it('one of the literals occurs in every subject the pattern matches', () => {
    fc.assert(
      fc.property(patternArb, fc.boolean(), fc.array(subjectArb, { minLength: 1, maxLength: 8 }), (pattern, nocase, subjects) => {
        const set = requiredPcreLiterals(pattern, nocase ? 'i' : '', 1);
        if (set === null) return;
        expect(set.length).toBeGreaterThan(0);
        expect(set.length).toBeLessThanOrEqual(MAX_LITERALS);
        const re = new RegExp(pattern, nocase ? 'i' : '');
        for (const s of subjects) {
          if (re.exec(s) !== null) expect(set.some((l) => contains(s, l)), `${pattern} on ${JSON.stringify(s)}: ${texts(set)}`).toBe(true);
        }
      }),
      { numRuns: 4000 },
    );
  });
});

/**
 * The literal a pcre requires (src/match/pcre-literal.ts) must occur in every subject the pattern
 * matches: otherwise a rule screened by it would miss matches the full evaluation finds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requiredPcreLiteral } from '../../src/match/pcre-literal.js';

const ATOMS = ['a', 'b', 'c', 'A', '\\x61', '\\x62', '.', '[ab]', '[^a]', '(?:ab|c)', '(a)', '\\d', '\\b', '^', '$', '\\/', '/', '\\n', 'x'];
const QUANTS = ['', '', '', '?', '*', '+', '{0,2}', '{1,2}', '{2}', '+?', '*+'];

const patternArb = fc
  .array(fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...QUANTS)), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.map(([a, q]) => (a === '^' || a === '$' || a === '\\b' ? a : a + (q === '*+' ? '*' : q))).join(''));
const subjectArb = fc.array(fc.constantFrom('a', 'b', 'c', 'A', 'B', '1', '/', '\n', 'x'), { maxLength: 24 }).map((cs) => cs.join(''));

function contains(subject: string, lit: Uint8Array, nocase: boolean): boolean {
  const needle = Buffer.from(lit).toString('latin1');
  return nocase ? subject.toLowerCase().includes(needle.toLowerCase()) : subject.includes(needle);
}

describe('requiredPcreLiteral', () => {
  it('finds the longest literal of the top-level sequence', () => {
    expect(Buffer.from(requiredPcreLiteral('(?:DPT=|\\/)1434\\b', '')!.bytes).toString()).toBe('1434');
    const sys = requiredPcreLiteral('^[^?]*\\/(?:winnt|windows)\\/system32\\/', 'i')!;
    expect(Buffer.from(sys.bytes).toString()).toBe('/system32/');
    expect(sys.nocase).toBe(true);
    expect(Buffer.from(requiredPcreLiteral('abc?def', '')!.bytes).toString()).toBe('def');
    expect(Buffer.from(requiredPcreLiteral('\\x41\\x42C+D*', '')!.bytes).toString()).toBe('ABC');
  });

  it('gives up on what it does not fully read', () => {
    expect(requiredPcreLiteral('abc|def', '')).toBeNull();
    expect(requiredPcreLiteral('abc(?i)def', '')).toBeNull();
    expect(requiredPcreLiteral('abc def', 'x')).toBeNull();
    expect(requiredPcreLiteral('\\Qabc\\E', '')).toBeNull();
    expect(requiredPcreLiteral('ab{,3}cd', '')).toBeNull();
    expect(requiredPcreLiteral('a\\d', '')).toBeNull(); // shorter than two bytes
  });

  it('keeps non-ASCII bytes out of case-insensitive literals', () => {
    const lit = requiredPcreLiteral('ab\\xe9cd', 'i')!;
    expect(Buffer.from(lit.bytes).toString('latin1')).toBe('ab');
  });

  it('occurs in every subject the pattern matches', () => {
    fc.assert(
      fc.property(patternArb, fc.boolean(), fc.array(subjectArb, { minLength: 1, maxLength: 6 }), (pattern, nocase, subjects) => {
        const lit = requiredPcreLiteral(pattern, nocase ? 'i' : '', 1);
        if (lit === null) return;
        const re = new RegExp(pattern, nocase ? 'i' : '');
        for (const s of subjects) {
          const m = re.exec(s);
          if (m !== null) expect(contains(s, lit.bytes, lit.nocase), `${pattern} on ${JSON.stringify(s)}`).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

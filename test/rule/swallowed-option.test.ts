import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unquotedThenKeyword } from '../../src/rule/build.js';

/** The definition the scanner replaces: an unquoted value, blanks, then a keyword with a value or at the end. */
const REFERENCE = /^(\s*[^"\s][^"]*?)(\s+)([A-Za-z_][A-Za-z0-9_.-]*)\s*(?::|$)/;

function viaRegex(raw: string): { valueEnd: number; keyword: string } | undefined {
  const m = REFERENCE.exec(raw);
  return m === null ? undefined : { valueEnd: m[1]!.length, keyword: m[3]! };
}

function viaScanner(raw: string): { valueEnd: number; keyword: string } | undefined {
  const f = unquotedThenKeyword(raw);
  return f === undefined ? undefined : { valueEnd: f.valueEnd, keyword: raw.slice(f.keywordStart, f.keywordEnd) };
}

describe('the option-value scan for a forgotten semicolon', () => {
  it('finds what the regex finds on option values as rule sets write them', () => {
    for (const raw of [
      'affected_product Windows_XP_Vista_7_8_10, attack_target Client_Endpoint, signature_severity Major',
      '9500004 rev:2',
      '4 content:"b"',
      '"x" sid:1',
      '  a  b  :',
      'x\u00a0nocase',
      'established,to_server',
      'url,www.example.com/a b',
      '1 -rev:2',
      'a "b" c:',
    ]) {
      expect(viaScanner(raw), raw).toEqual(viaRegex(raw));
    }
  });

  it('agrees with the regex on random values', () => {
    const piece = fc.constantFrom(' ', '\t', '\u00a0', '\u2003', '"', ':', ',', ';', 'a', 'Z', '_', '9', '.', '-', 'rev', 'sid', 'nocase', 'x:', ' :', '\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
        const raw = parts.join('');
        expect(viaScanner(raw)).toEqual(viaRegex(raw));
      }),
      { numRuns: 20_000 },
    );
  });
});

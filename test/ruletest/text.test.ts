import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHex, decodeText, encodeHex, encodeText, TextError } from '../../src/ruletest/text.js';
import { bytesOf } from './helpers.js';

describe('section text notation', () => {
  it('decodes escapes, repetitions and UTF-8', () => {
    expect(decodeText('a\\r\\n\\t\\\\\\x00\\xff\\{')).toEqual(bytesOf('a\r\n\t\\\x00\xff{'));
    expect(decodeText('/{{3*ab}}/{{2*\\x90}}')).toEqual(bytesOf('/ababab/\x90\x90'));
    expect(decodeText('é')).toEqual(Uint8Array.from([0xc3, 0xa9]));
    expect(decodeText('a\\qb', true)).toEqual(bytesOf('a\\qb'));
  });

  it('reports bad escapes and macros with their column', () => {
    const col = (t: string): number => {
      try {
        decodeText(t);
      } catch (e) {
        return (e as TextError).col;
      }
      return -1;
    };
    expect(col('ab\\q')).toBe(2);
    expect(col('x\\x4')).toBe(1);
    expect(col('abc{{3*x')).toBe(3);
    expect(col('{{x*3}}')).toBe(0);
    expect(col('ab\\')).toBe(2);
    expect(() => decodeText('{{99999999*ab}}')).toThrow(/at most/);
  });

  it('decodes hex with comments, bars and repetitions', () => {
    expect(decodeHex('04 01|02 # comment ff')).toEqual(Uint8Array.from([4, 1, 2]));
    expect(decodeHex('{{3*01 02}} ff')).toEqual(Uint8Array.from([1, 2, 1, 2, 1, 2, 0xff]));
    expect(() => decodeHex('0g')).toThrow(TextError);
  });

  it('renders any bytes as text that decodes back to them', () => {
    const pieces = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom('{{', '}}', '\\', '{', ' ', '\r\n').map(bytesOf), fc.tuple(fc.integer({ min: 1, max: 90 }), fc.uint8Array({ minLength: 1, maxLength: 3 })).map(([n, u]) => new Uint8Array(Array.from({ length: n }, () => [...u]).flat())));
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 6 }), (parts) => {
        const bytes = new Uint8Array(parts.flatMap((p) => [...p]));
        const text = encodeText(bytes);
        expect(text).not.toMatch(/[\r\n]/);
        expect(text).not.toMatch(/ $/);
        expect(decodeText(text)).toEqual(bytes);
        expect(decodeHex(encodeHex(bytes).join('\n').replace(/\n/g, ' '))).toEqual(bytes);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('writes long runs compactly', () => {
    expect(encodeText(bytesOf('/' + 'A'.repeat(65534)))).toBe('/{{65534*A}}');
    expect(encodeText(bytesOf('%u0041'.repeat(100)))).toBe('{{100*%u0041}}');
    expect(encodeHex(new Uint8Array(40))).toEqual(['{{40*00}}']);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeUri } from '../../src/app/http/normalize-uri.js';
import type { Target } from '../../src/ruletest/model.js';
import {
  allowedEncodings,
  analyzeUri,
  encodablePositions,
  encodeByte,
  ENC_DOUBLE,
  ENC_DOUBLE_BOTH,
  ENC_DOUBLE_HI,
  ENC_DOUBLE_LO,
  ENC_FULLWIDTH,
  ENC_OVERLONG2,
  ENC_OVERLONG3,
  ENC_OVERLONG_RAW,
  ENC_PCT_UPPER,
  ENC_U,
  hexLetterPositions,
  pathLetterPositions,
  rewriteUri,
  slashPositions,
} from '../../src/ruletest/variants/uri.js';
import { bytesOf, latin1 } from './helpers.js';

/** URIs made of the pieces IIS evasions are made of: escapes of every kind, dots, slashes, bare bytes. */
const piece = fc.constantFrom(
  '/', '//', '/./', '/..', '..', '.', 'a', 'B', 'z', '0', '9', 'f', 'cmd.exe', 'scripts', '%', '%2', '%u', '%u00',
  '%25', '%2541', '%41', '%c0%af', '%c1%1c', '%c1%9c', '%e0%80%af', '%u0041', '%uff41', '%%35c', '%%35%63', '%5c', '%2e',
  '%2f', '%252f', '%255c', '%25c0', '%25u0041', '\\', '\xc0\xaf', '\xc1', '\xe0\x80', ';', '+', '?', '&x=1', '=', '#',
);
const uriArb = fc.array(piece, { maxLength: 14 }).map((a) => bytesOf('/' + a.join('')));

function rewriteAt(raw: Uint8Array, target: Target, encs: [number, number][], tricks: [number, number][], flips: number[]): Uint8Array {
  const a = analyzeUri(raw);
  const positions = encodablePositions(a, target);
  const encode = new Map<number, number>();
  for (const [p, k] of encs) {
    if (positions.length === 0) break;
    const i = positions[p % positions.length]!;
    const kinds = allowedEncodings(a, i, target);
    encode.set(i, kinds[k % kinds.length]!);
  }
  const slashes = slashPositions(a);
  const t = new Map<number, number>();
  for (const [p, k] of tricks) {
    if (slashes.length === 0) break;
    const s = slashes[p % slashes.length]!;
    t.set(s.index, s.tricks[k % s.tricks.length]!);
  }
  const letters = target === 'iis' ? [...pathLetterPositions(a), ...hexLetterPositions(a)] : hexLetterPositions(a);
  const flipCase = new Set<number>();
  for (const p of flips) if (letters.length > 0) flipCase.add(letters[p % letters.length]!);
  return rewriteUri(a, target, { encode, flipCase, tricks: t });
}

const pairs = fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 });

describe('URI rewritings', () => {
  it('normalize back to the same URI as IIS reads it (case aside: IIS ignores it)', () => {
    fc.assert(
      fc.property(uriArb, pairs, pairs, fc.array(fc.nat(), { maxLength: 6 }), (raw, encs, tricks, flips) => {
        const out = rewriteAt(raw, 'iis', encs, tricks, flips);
        expect(latin1(normalizeUri(out).bytes).toLowerCase()).toBe(latin1(normalizeUri(raw).bytes).toLowerCase());
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('normalize back to exactly the same URI for other servers', () => {
    fc.assert(
      fc.property(uriArb, pairs, pairs, fc.array(fc.nat(), { maxLength: 6 }), (raw, encs, tricks, flips) => {
        const out = rewriteAt(raw, 'any', encs, tricks, flips);
        expect(latin1(normalizeUri(out).bytes)).toBe(latin1(normalizeUri(raw).bytes));
      }),
      { numRuns: 2000, seed: 43 },
    );
  });

  it('write each IIS form of a character as IIS decodes it', () => {
    const forms = (b: number, k: number): string => latin1(Uint8Array.from(encodeByte(b, k)));
    expect(forms(0x63, ENC_PCT_UPPER)).toBe('%63');
    expect(forms(0x63, ENC_U)).toBe('%u0063');
    expect(forms(0x63, ENC_FULLWIDTH)).toBe('%uFF43');
    expect(forms(0x2f, ENC_OVERLONG2)).toBe('%C0%AF');
    expect(forms(0x5c, ENC_OVERLONG2)).toBe('%C1%9C');
    expect(forms(0x2f, ENC_OVERLONG3)).toBe('%E0%80%AF');
    expect(forms(0x2f, ENC_OVERLONG_RAW)).toBe('\xc0\xaf');
    expect(forms(0x5c, ENC_DOUBLE)).toBe('%255C');
    expect(forms(0x5c, ENC_DOUBLE_HI)).toBe('%%35C');
    expect(forms(0x5c, ENC_DOUBLE_LO)).toBe('%5%43');
    expect(forms(0x5c, ENC_DOUBLE_BOTH)).toBe('%25%35%43');
    for (let b = 0x21; b < 0x7f; b++) {
      for (const k of [ENC_PCT_UPPER, ENC_U, ENC_OVERLONG2, ENC_OVERLONG3, ENC_OVERLONG_RAW, ENC_DOUBLE, ENC_DOUBLE_HI, ENC_DOUBLE_LO, ENC_DOUBLE_BOTH]) {
        const uri = Uint8Array.from([0x2f, 0x61, ...encodeByte(b, k), 0x62]);
        expect(latin1(normalizeUri(uri).bytes)).toBe(latin1(normalizeUri(Uint8Array.from([0x2f, 0x61, b, 0x62])).bytes));
      }
    }
  });

  it('never touch the leading slash, the query separator or the query syntax', () => {
    const a = analyzeUri(bytesOf('/x/cmd.exe?/c+dir&a=b%20c'));
    const q = a.raw.indexOf(0x3f);
    for (const target of ['iis', 'any'] as const) {
      for (const i of encodablePositions(a, target)) {
        expect(i).toBeGreaterThan(0);
        expect(i).not.toBe(q);
        if (i > q) {
          // Unreserved characters and '/' only: '&', '=', '+' keep their form.
          expect(String.fromCharCode(a.raw[i]!)).toMatch(/[A-Za-z0-9\-._~/]/);
          expect(allowedEncodings(a, i, target)).toEqual([0, 1]);
        }
      }
    }
    expect(encodablePositions(analyzeUri(bytesOf('*')), 'iis')).toEqual([]);
    // A traversal in a parameter can be written escaped: '.' and '/' of the query take %XX.
    const t = analyzeUri(bytesOf('/view.php?file=../etc'));
    const qt = latin1(t.raw).indexOf('?');
    expect(encodablePositions(t, 'any').filter((i) => i > qt).map((i) => String.fromCharCode(t.raw[i]!)).join('')).toBe('file../etc');
  });

  it('only give exact forms next to a first-pass % or an overlong lead byte', () => {
    const a = analyzeUri(bytesOf('/%2541x/%c0zz/ok'));
    const at = (ch: string, from = 0): number => latin1(a.raw).indexOf(ch, from);
    expect(allowedEncodings(a, at('4'), 'iis')).toEqual([0, 1, 2, 3]);
    expect(allowedEncodings(a, at('z'), 'iis')).toEqual([0, 1, 2, 3]);
    expect(allowedEncodings(a, at('o'), 'iis').length).toBeGreaterThan(4);
  });

  it('insert // only where no .. segment can follow', () => {
    const tricks = (s: string): number[][] => slashPositions(analyzeUri(bytesOf(s))).map((x) => x.tricks);
    expect(tricks('/a/b/c')).toEqual([[0, 1], [0, 1], [0, 1]]);
    expect(tricks('/a/../b')).toEqual([[0], [0], [0, 1]]);
    expect(tricks('/a/%2e%2e/b')).toEqual([[0], [0], [0, 1]]);
  });
});

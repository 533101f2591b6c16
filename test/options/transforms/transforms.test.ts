import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lookupKeyword } from '../../../src/options/registry.js';

const apply = (keyword: string, text: string): string => {
  const m = lookupKeyword(keyword)!;
  const t = m.transform!(true);
  return Buffer.from(t(Buffer.from(text, 'latin1'))).toString('latin1');
};

describe('transforms', () => {
  it.each([
    ['dotprefix', 'example.com', '.example.com'],
    ['dotprefix', '', '.'],
    ['to_lowercase', 'GET /Admin\xC9', 'get /admin\xC9'],
    ['to_uppercase', 'get /admin\xe9', 'GET /ADMIN\xe9'],
    ['strip_whitespace', ' a\tb\r\nc \x0b\x0cd ', 'abcd'],
    ['compress_whitespace', 'a  \t b\r\n\r\nc ', 'a b c '],
    ['url_decode', '%2e%2E/%41+b%zz%4', '../A b%zz%4'],
    // Names up to the first ':' of each line; values (and a ':' inside them) keep their case.
    ['header_lowercase', 'X-Forwarded-For: A:B\r\nHOST:Example\r\n', 'x-forwarded-for: A:B\r\nhost:Example\r\n'],
    ['header_lowercase', 'NoColon\nX: Y', 'nocolon\nx: Y'],
    ['strip_pseudo_headers', 'Host: a\n:method: GET\nAccept: b\n:path: /x', 'Host: a\nAccept: b\n'],
    ['strip_pseudo_headers', ':authority: a', ''],
    ['strip_pseudo_headers', 'A: b\r\nC: d\r\n', 'A: b\r\nC: d\r\n'],
  ])('%s(%j) = %j', (keyword, input, output) => {
    expect(apply(keyword, input)).toBe(output);
  });

  it('hash transforms give the raw digest', () => {
    for (const h of ['md5', 'sha1', 'sha256']) {
      expect(Buffer.from(apply(`to_${h}`, 'abc'), 'latin1').toString('hex')).toBe(createHash(h).update('abc').digest('hex'));
    }
  });

  it('transforms kanshi cannot run yet stay unevaluated (their rules are skipped by name)', () => {
    for (const k of ['domain', 'tld', 'pcrexform', 'from_base64']) {
      const m = lookupKeyword(k)!;
      expect(m.evaluable === false && m.transform === undefined, k).toBe(true);
    }
  });

  it('xor: the key repeated over the buffer; applied twice gives the input back', () => {
    const m = lookupKeyword('xor')!;
    const ctx = { error: () => undefined, warning: () => undefined } as never;
    const key = m.parse!('"0102ff"', ctx) as Uint8Array;
    expect(Buffer.from(m.transform!(key)(Buffer.from('ABCD', 'latin1'))).toString('hex')).toBe('4040bc45');
    expect(m.print(key)).toBe('"0102ff"');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.uint8Array({ maxLength: 64 }), (k, b) => {
        const t = m.transform!(k);
        expect(t(t(b))).toEqual(Uint8Array.from(b));
      }),
    );
  });

  it('property: transforms never modify their input', () => {
    const keywords = ['dotprefix', 'to_lowercase', 'to_uppercase', 'strip_whitespace', 'compress_whitespace', 'url_decode', 'to_md5', 'header_lowercase', 'strip_pseudo_headers'];
    fc.assert(
      fc.property(fc.constantFrom(...keywords), fc.uint8Array({ maxLength: 64 }), (k, b) => {
        const copy = Uint8Array.from(b);
        lookupKeyword(k)!.transform!(true)(b);
        expect(b).toEqual(copy);
      }),
    );
  });
});

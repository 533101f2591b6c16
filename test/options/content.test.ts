import { describe, expect, it } from 'vitest';
import { bytes, err, located, ok, print } from './helpers.js';

describe('content', () => {
  it('parses text, hex blocks and escapes', () => {
    expect(ok('content', '"abc"')).toEqual({ bytes: bytes('abc'), negated: false });
    expect(ok('content', '"a|0D 0a|b"')).toEqual({ bytes: bytes('a\r\nb'), negated: false });
    expect(ok('content', '"|410a|"')).toEqual({ bytes: bytes('A\n'), negated: false });
    expect(ok('content', String.raw`"q\"s\;b\\c\:"`)).toEqual({ bytes: bytes('q"s;b\\c:'), negated: false });
    expect(ok('content', ' !"x"')).toEqual({ bytes: bytes('x'), negated: true });
    expect(ok('content', '! "x" ')).toEqual({ bytes: bytes('x'), negated: true });
  });

  it('encodes non-ASCII characters as their UTF-8 bytes', () => {
    expect(ok('content', '"é"')).toEqual({ bytes: Uint8Array.from([0xc3, 0xa9]), negated: false });
  });

  it('prints printable ASCII as text and the rest as hex, escaping " ; \\', () => {
    const v = ok('content', String.raw`"GET|20|/a\"b\;c\\d|7C 00 ff|"`);
    expect(print('content', v)).toBe(String.raw`"GET /a\"b\;c\\d|7C 00 FF|"`);
    expect(print('content', ok('content', '!"|0d 0a 0d 0a|"'))).toBe('!"|0D 0A 0D 0A|"');
  });

  it('reports an unterminated string at the opening quote', () => {
    expect(err('content', '"abc')).toEqual({ severity: 'error', message: 'unterminated string: add the closing " to the content', offset: 0, length: 4 });
    expect(err('content', ' !"ab\\')).toEqual({ severity: 'error', message: 'unterminated string: add the closing " to the content', offset: 2, length: 4 });
  });

  it('reports an unterminated hex block at its opening |', () => {
    expect(err('content', '"ab|41 42"')).toEqual({ severity: 'error', message: 'unterminated hex block: add the closing | to the content, or write |7C| for a literal |', offset: 3, length: 7 });
  });

  it('reports odd hex digits over the whole block', () => {
    expect(err('content', '"x|414|y"')).toEqual({
      severity: 'error',
      message: 'odd number of hex digits in |...| block of content: each byte needs two digits, e.g. |0A| not |A|',
      offset: 2,
      length: 5,
    });
  });

  it('reports a bad hex character at that character', () => {
    expect(err('content', '"|41 4G|"')).toEqual({
      severity: 'error',
      message: "bad hex character 'G' in |...| block of content: use digits 0-9 and A-F in pairs, e.g. |0D 0A|, and close the block with |",
      offset: 6,
      length: 1,
    });
  });

  it('rejects unknown escapes, saying how to write the byte', () => {
    expect(err('content', String.raw`"a\nb"`)).toEqual({
      severity: 'error',
      message: String.raw`unknown escape \n in content: only \" \; \\ and \: are escapes; write |0A| for that byte, or \\n for a backslash and n`,
      offset: 2,
      length: 2,
    });
  });

  it('suggests the bytes a run of \\xHH escapes meant, underlining the run', () => {
    expect(err('content', String.raw`"\x41\x42"`)).toEqual({
      severity: 'error',
      message: String.raw`unknown escape \x in content: only \" \; \\ and \: are escapes; write the bytes \x41\x42 as a hex block: |41 42|`,
      offset: 1,
      length: 8,
    });
  });

  it('suggests a literal backslash for any other unknown escape', () => {
    expect(err('content', String.raw`"C:\Windows"`)).toEqual({
      severity: 'error',
      message: String.raw`unknown escape \W in content: only \" \; \\ and \: are escapes; for a literal backslash write C:\\Windows or C:|5C|Windows`,
      offset: 3,
      length: 2,
    });
  });

  it('says how to write a quote that ended the string early', () => {
    expect(err('content', '"value="x""')).toEqual({
      severity: 'error',
      message: String.raw`unescaped " inside content ends the string early: write \" or |22| for a quote, as content:"value=\"x\"";`,
      offset: 7,
      length: 1,
    });
  });

  it('skips commas between hex bytes, as Suricata does', () => {
    expect(ok('content', '"|0d,0a|x|41, 42|"')).toEqual({ bytes: bytes('\r\nxAB'), negated: false });
    expect(print('content', ok('content', '"|0d,0a|"'))).toBe('"|0D 0A|"');
  });

  it('explains the Snort 3 comma form', () => {
    expect(err('content', '"abc",nocase')).toEqual({
      severity: 'error',
      message: '"content:"...",nocase" is Snort 3 syntax: in Snort 2 and Suricata rules each modifier is its own option; write content:"abc"; nocase;',
      offset: 5,
      length: 7,
    });
    expect(err('content', '"abc", depth 4, offset 2').message).toBe(
      '"content:"...",depth 4, offset 2" is Snort 3 syntax: in Snort 2 and Suricata rules each modifier is its own option; write content:"abc"; depth:4; offset:2;',
    );
  });

  it('asks for quotes, rejects empty strings and stray text', () => {
    expect(err('content', 'abc')).toEqual({ severity: 'error', message: 'content must be quoted: write content:"abc";', offset: 0, length: 3 });
    expect(err('content', '""')).toEqual({ severity: 'error', message: 'content must not be empty: write at least one byte, e.g. content:"abc";', offset: 0, length: 2 });
    expect(err('content', '"a" b')).toEqual({ severity: 'error', message: 'unexpected text after the closing quote of content: end the option with ; here', offset: 4, length: 1 });
    expect(err('content', null)).toEqual({ severity: 'error', message: 'content needs a quoted string: write content:"abc";' });
    expect(err('content', '"a;b"')).toEqual({ severity: 'error', message: 'a ; inside content must be escaped: write \\; or |3B|', offset: 2, length: 1 });
  });

  it('uricontent parses the same way and inspects http.uri', () => {
    expect(ok('uricontent', '"/a.php"')).toEqual({ bytes: bytes('/a.php'), negated: false });
    expect(err('uricontent', '"x').message).toBe('unterminated string: add the closing " to the uricontent');
  });
});

describe('content, as Suricata 7 reads it', () => {
  it('rejects a tab between the bytes of a hex block', () => {
    expect(located('alert tcp any any -> any any (msg:"t"; content:"|41\t42|"; sid:1;)')).toEqual([
      '1:52: error: a tab inside the |...| block of content: separate hex bytes with spaces, as |0D 0A|',
    ]);
    expect(ok('content', '"|41 42|"')).toEqual({ bytes: bytes('AB'), negated: false });
  });
});

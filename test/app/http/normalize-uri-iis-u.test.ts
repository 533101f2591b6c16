/**
 * IIS %uXXXX escapes decode to one byte each, as libhtp's IDS personality decodes them
 * (decode_u_encoding_path / decode_u_encoding_params): %u00XX is the byte XX, other code points
 * their byte in libhtp's Windows-1252 best-fit map, '?' when unmapped. Expected bytes are
 * spelled out, not derived from the normaliser's own table.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeUri, uriWithQueryAsSent, urlDecodeOnce } from '../../../src/app/http/normalize-uri.js';
import { bytes } from '../helpers.js';

const IIS = 'http.uri.iis_unicode';

function out(s: string): number[] {
  return Array.from(normalizeUri(bytes(s)).bytes);
}

function evasions(s: string): string[] {
  return normalizeUri(bytes(s)).evasions;
}

describe('normalizeUri: %u to one byte, as libhtp', () => {
  it('takes %u00XX as the byte XX, above ASCII too', () => {
    expect(out('/%u00e9')).toEqual([0x2f, 0xe9]);
    expect(out('/a%u00FFb')).toEqual([0x2f, 0x61, 0xff, 0x62]);
    expect(evasions('/%u00e9')).toEqual([IIS]);
  });

  it('makes an unmapped code point the replacement byte "?"', () => {
    // The CodeRed NOP sled: ten %u9090 are the ten '?' rule 1091 looks for.
    expect(out('/x%u9090y')).toEqual([0x2f, 0x78, 0x3f, 0x79]);
    expect(out('/' + '%u9090'.repeat(10))).toEqual([0x2f, ...Array<number>(10).fill(0x3f)]);
    expect(out('/%uFFFF%u0110%u20AC')).toEqual([0x2f, 0x3f, 0x3f, 0x3f]);
  });

  it('best-fits full-width forms to ASCII, except where libhtp has no entry', () => {
    expect(out('/%uFF41dmin')).toEqual(Array.from(Buffer.from('/admin')));
    expect(out('/%uff21%uFF5E')).toEqual([0x2f, 0x41, 0x7e]);
    // U+FF1F (full-width '?') is absent from libhtp's map: the replacement byte, also '?'.
    expect(out('/%uFF1F')).toEqual([0x2f, 0x3f]);
    expect(out('/%uFF00%uFF5F')).toEqual([0x2f, 0x3f, 0x3f]);
  });

  it('best-fits other code points the map lists', () => {
    expect(out('/%u0100')).toEqual([0x2f, 0x41]); // Latin A with macron
    expect(out('/%u0131')).toEqual([0x2f, 0x69]); // dotless i
    expect(out('/%u3000')).toEqual([0x2f, 0x20]); // ideographic space
    expect(out('/%u066A')).toEqual([0x2f, 0x25]); // Arabic percent sign
    // Set minus best-fits to '\' (in the query, where it is not taken as a separator).
    expect(out('/?%u2216')).toEqual([0x2f, 0x3f, 0x5c]);
  });

  it('collapses separators a best-fit byte makes, as libhtp decodes before normalising the path', () => {
    // U+2215 division slash best-fits to '/'.
    expect(normalizeUri(bytes('/a%u2215..%u2215b'))).toMatchObject({
      bytes: bytes('/b'),
      evasions: [IIS, 'http.uri.directory_traversal'],
    });
  });

  it('keeps %u0000 as a NUL byte and reports it', () => {
    expect(out('/a.asp%u0000.txt')).toEqual([...Buffer.from('/a.asp'), 0x00, ...Buffer.from('.txt')]);
    expect(evasions('/a.asp%u0000.txt')).toEqual([IIS, 'http.uri.encoded_null']);
  });

  it('keeps an invalid %u as sent, percent included', () => {
    expect(out('/a%u12zz')).toEqual(Array.from(Buffer.from('/a%u12zz')));
    expect(out('/a%uG041')).toEqual(Array.from(Buffer.from('/a%uG041')));
    expect(out('/a%u')).toEqual(Array.from(Buffer.from('/a%u')));
    expect(evasions('/a%u12zz')).toEqual(['http.uri.invalid_encoding']);
  });

  it('decodes %U as %u', () => {
    expect(out('/%U0041%U9090')).toEqual([0x2f, 0x41, 0x3f]);
  });

  it('decodes %u in the fragment to the same bytes, and in the query only what the map lists', () => {
    expect(out('/a#%u0100%u9090')).toEqual([...Buffer.from('/a#'), 0x41, 0x3f]);
    // libhtp leaves the query undecoded: a CodeRed sled there is "%u9090", never a run of '?'.
    expect(out('/a?x=%u00e9%u9090%uff41')).toEqual([...Buffer.from('/a?x='), 0xe9, ...Buffer.from('%u9090'), 0x61]);
    expect(evasions('/a?x=%u9090')).toEqual([IIS]);
  });

  it("keeps the query as sent in Suricata's form, the path decoded to one byte per %u", () => {
    expect(Array.from(uriWithQueryAsSent(bytes('/%u9090%u00e9?x=%u9090')))).toEqual([0x2f, 0x3f, 0xe9, ...Buffer.from('?x=%u9090')]);
  });

  it('decodes a hostname %u the same way', () => {
    expect(Array.from(urlDecodeOnce(bytes('h%u0100%u9090')))).toEqual([0x68, 0x41, 0x3f]);
  });

  it('writes one printable byte for every %u above U+00FF', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x100, max: 0xffff }), (cp) => {
        const r = out('/x#' + '%u' + cp.toString(16).padStart(4, '0'));
        expect(r.length).toBe(4);
        expect(r[3]).toBeGreaterThanOrEqual(0x20);
        expect(r[3]).toBeLessThanOrEqual(0x7e);
      }),
      { numRuns: 2000 },
    );
  });
});

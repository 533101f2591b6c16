/** Normalised URIs of log records are kept by raw URI: a kept result must equal a fresh one. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeUri } from '../../src/app/http/normalize-uri.js';
import { normalizedUri } from '../../src/logs/uri.js';

const part = fc.constantFrom('/', '.', '..', '%2e', '%2f', '%c0%af', '%u002e', '%25', '%', '\\', 'a', '?', '+', '//', '\xc0\xae', 'http://h');

describe('normalizedUri', () => {
  it('gives what normalizeUri gives, for new and repeated URIs', () => {
    fc.assert(
      fc.property(fc.array(fc.array(part, { maxLength: 8 }).map((p) => Buffer.from(p.join(''), 'latin1')), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(5), { minLength: 1, maxLength: 30 }), (uris, picks) => {
        for (const k of picks) {
          const raw = new Uint8Array(uris[k % uris.length]!);
          const want = normalizeUri(raw);
          const got = normalizedUri(raw);
          expect(Buffer.from(got.bytes).toString('latin1')).toBe(Buffer.from(want.bytes).toString('latin1'));
          expect([...got.evasions]).toEqual(want.evasions);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('does not keep a view into the line it was given', () => {
    const line = Buffer.from('GET /a/%2e%2e/b HTTP/1.1', 'latin1');
    const raw = new Uint8Array(line.buffer, line.byteOffset + 4, 11);
    const got = normalizedUri(raw);
    expect(got.bytes.buffer).not.toBe(raw.buffer);
    expect(normalizedUri(raw)).toBe(got);
  });

  it('stays exact while URIs do not repeat (the cache stands aside) and after', () => {
    const mismatches: string[] = [];
    const check = (text: string): void => {
      const raw = new Uint8Array(Buffer.from(text, 'latin1'));
      const want = normalizeUri(raw);
      const got = normalizedUri(raw);
      if (Buffer.compare(got.bytes, want.bytes) !== 0 || got.evasions.join() !== want.evasions.join()) mismatches.push(text);
    };
    for (let i = 0; i < 3 * 4096; i++) check(`/a/%2e%2e/b${i % 2 === 0 ? '%c0%af' : '/./'}?n=${i}`);
    // Long enough for the cache to be tried again, with URIs that repeat.
    for (let i = 0; i < 20 * 4096; i++) check(`/x/%2e/${i % 7}`);
    expect(mismatches).toEqual([]);
    const raw = new Uint8Array(Buffer.from('/x/%2e/3', 'latin1'));
    expect(normalizedUri(raw)).toBe(normalizedUri(raw));
  });
});

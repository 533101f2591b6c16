import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalizeUri, NORMALIZER_EVASIONS } from '../../../src/app/http/normalize-uri.js';
import { URI_EVASIONS } from '../../../src/app/anomalies.js';
import { bytes, text } from '../helpers.js';

function norm(s: string): { uri: string; evasions: string[] } {
  const r = normalizeUri(bytes(s));
  return { uri: text(r.bytes)!, evasions: r.evasions };
}

describe('normalizeUri: decoding', () => {
  it('leaves a plain URI alone and returns the same array', () => {
    const raw = bytes('/index.html?a=1&b=2');
    const r = normalizeUri(raw);
    expect(r.bytes).toBe(raw);
    expect(r.evasions).toEqual([]);
  });

  it('percent-decodes path and query', () => {
    expect(norm('/a%20b?q=%27x%27')).toEqual({ uri: "/a b?q='x'", evasions: [] });
  });

  it('does not flag an encoded URL in the query', () => {
    expect(norm('/r?u=http%3A%2F%2Fexample.com%2Fa.html')).toEqual({ uri: '/r?u=http://example.com/a.html', evasions: [] });
    expect(norm('/r?q=%41').evasions).toEqual(['http.uri.ascii_encoding']);
  });

  it('flags characters that never need encoding', () => {
    expect(norm('/%61dmin/%2e%2e/x')).toEqual({
      uri: '/x',
      evasions: ['http.uri.ascii_encoding', 'http.uri.directory_traversal'],
    });
  });

  it('decodes IIS %u, with full-width forms best-fit to ASCII', () => {
    expect(norm('/%u0063md.exe')).toEqual({ uri: '/cmd.exe', evasions: ['http.uri.iis_unicode'] });
    expect(norm('/a%uFF0Fb')).toEqual({ uri: '/a/b', evasions: ['http.uri.iis_unicode'] });
  });

  it('keeps CodeRed %u shellcode in the query as libhtp does (unmapped %u as sent), uncollapsed', () => {
    const r = norm('/default.ida?NNNN%u9090%u6858/../x');
    expect(r.uri).toBe('/default.ida?NNNN%u9090%u6858/../x');
    expect(r.evasions).toEqual(['http.uri.iis_unicode']);
  });

  it('folds overlong UTF-8, encoded or raw, including IIS lax two-byte forms', () => {
    expect(norm('/scripts/..%c0%af../winnt/system32/cmd.exe').uri).toBe('/winnt/system32/cmd.exe');
    expect(norm('/scripts/..%c0%af../x').evasions).toContain('http.uri.overlong_utf8');
    expect(norm('/scripts/..%c1%1c../x').uri).toBe('/x');
    expect(norm('/scripts/..%c1%9c../x').uri).toBe('/x');
    expect(norm('/a%e0%80%afb').uri).toBe('/a/b');
    expect(norm('/a%f0%80%80%afb').uri).toBe('/a/b');
    const raw = norm('/a\xc0\xafb');
    expect(raw.uri).toBe('/a/b');
    expect(raw.evasions).toEqual(['http.uri.overlong_utf8', 'http.uri.bare_byte']);
  });

  it('keeps valid multi-byte UTF-8 as is', () => {
    expect(norm('/caf%c3%a9').uri).toBe('/caf\xc3\xa9');
    expect(norm('/caf%c3%a9').evasions).toEqual([]);
  });

  it('double-decodes %25XX in the path, as IIS did (Nimda)', () => {
    for (const s of ['/scripts/..%255c../winnt/x', '/scripts/..%%35c../winnt/x', '/scripts/..%%35%63../winnt/x', '/scripts/..%25%35%63../winnt/x']) {
      const r = norm(s);
      expect(r.uri, s).toBe('/winnt/x');
      expect(r.evasions, s).toContain('http.uri.double_encoding');
      expect(r.evasions, s).toContain('http.uri.backslash');
    }
  });

  it('does not double-decode the query', () => {
    expect(norm('/a?x=%2541').uri).toBe('/a?x=%41');
  });

  it('reports invalid escapes and keeps them literally', () => {
    expect(norm('/a%zzb%4')).toEqual({ uri: '/a%zzb%4', evasions: ['http.uri.invalid_encoding'] });
    expect(norm('/a%u12')).toEqual({ uri: '/a%u12', evasions: ['http.uri.invalid_encoding'] });
  });

  it('reports an encoded NUL', () => {
    expect(norm('/a.asp%00.txt')).toEqual({ uri: '/a.asp\x00.txt', evasions: ['http.uri.encoded_null'] });
  });

  it('reports bare bytes', () => {
    expect(norm('/\xe9t\xe9').evasions).toEqual(['http.uri.bare_byte']);
  });
});

describe('normalizeUri: path collapsing', () => {
  it.each([
    ['/a/./b', '/a/b', ['http.uri.self_directory']],
    ['/a//b///c', '/a/b/c', ['http.uri.multi_slash']],
    ['/a/b/../c', '/a/c', ['http.uri.directory_traversal']],
    ['/a/b/..', '/a/', ['http.uri.directory_traversal']],
    ['/a/.', '/a/', ['http.uri.self_directory']],
    ['/../../etc/passwd', '/etc/passwd', ['http.uri.directory_traversal', 'http.uri.traversal_above_root']],
    ['/a\\b\\c', '/a/b/c', ['http.uri.backslash']],
    ['/a/b/', '/a/b/', []],
    ['/', '/', []],
    ['*', '*', []],
    ['', '', []],
  ])('%s -> %s', (input, expected, evasions) => {
    expect(norm(input)).toEqual({ uri: expected, evasions });
  });

  it('does not collapse the query string', () => {
    expect(norm('/a/../b?c=/../d//e').uri).toBe('/b?c=/../d//e');
  });

  it('keeps only path and query of an absolute-form target', () => {
    expect(norm('http://Example.com:8080/a/../b?x=1').uri).toBe('/b?x=1');
    expect(norm('http://example.com').uri).toBe('/');
    expect(norm('HTTPS://example.com?x').uri).toBe('/?x');
  });

  it('exports the evasions it can report, all of them declared anomalies', () => {
    expect([...NORMALIZER_EVASIONS].sort()).toEqual([...URI_EVASIONS].sort());
  });
});

/** Path bytes that need no encoding and carry no special meaning to the normalizer. */
const SAFE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~.';
const segment = fc.stringMatching(/^[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,7}$/);
const plainPath = fc.array(segment, { minLength: 0, maxLength: 6 }).map((segs) => '/' + segs.join('/'));

type Encoding = 'pct' | 'u' | 'overlong2' | 'overlong3' | 'double' | 'plain';

function encodeChar(c: string, how: Encoding): string {
  const code = c.charCodeAt(0);
  const hex = (v: number): string => v.toString(16).padStart(2, '0');
  switch (how) {
    case 'pct':
      return '%' + hex(code);
    case 'u':
      return '%u' + code.toString(16).padStart(4, '0');
    case 'overlong2':
      return '%' + hex(0xc0 | (code >> 6)) + '%' + hex(0x80 | (code & 0x3f));
    case 'overlong3':
      return '%e0%' + hex(0x80 | (code >> 6)) + '%' + hex(0x80 | (code & 0x3f));
    case 'double':
      return '%25' + hex(code);
    default:
      return c;
  }
}

describe('normalizeUri: properties', () => {
  it('any encoding of any subset of a path normalizes to what the plain path does', () => {
    const encodings = fc.constantFrom<Encoding>('pct', 'u', 'overlong2', 'overlong3', 'double', 'plain');
    fc.assert(
      fc.property(plainPath, fc.array(encodings, { minLength: 64, maxLength: 64 }), (path, hows) => {
        const encoded = [...path].map((c, i) => encodeChar(c, hows[i % hows.length]!)).join('');
        expect(norm(encoded).uri).toBe(norm(path).uri);
      }),
      { numRuns: 400 },
    );
  });

  it('an encoded separator or dot segment is resolved like the plain one', () => {
    fc.assert(
      fc.property(plainPath, fc.constantFrom('%2f', '%5c', '%c0%af', '%c1%1c', '%255c', '%u002f', '\\'), (path, sep) => {
        const encoded = path.replaceAll('/', sep);
        expect(norm(encoded).uri).toBe(norm(path).uri);
      }),
      { numRuns: 300 },
    );
  });

  it('is idempotent on its own output when that output has no escapes or high bytes', () => {
    const chars = fc.constantFrom(...(SAFE + '/%\\?').split(''), '%2f', '%2e', '%25', '%c0%af', '%u0041');
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 40 }), (parts) => {
        const once = normalizeUri(bytes('/' + parts.join('')));
        const s = text(once.bytes)!;
        fc.pre(!s.includes('%') && !/[\x80-\xff]/.test(s));
        expect(text(normalizeUri(once.bytes).bytes)).toBe(s);
      }),
      { numRuns: 400 },
    );
  });

  it('never climbs above the root and never grows the URI', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (raw) => {
        const input = new Uint8Array([0x2f, ...raw]);
        const r = normalizeUri(input);
        expect(r.bytes.length).toBeLessThanOrEqual(input.length);
        const s = text(r.bytes)!;
        // The path alone: what follows a '?' or '#' is query or fragment, never collapsed.
        const path = r.pathEnd >= 0 ? s.slice(0, r.pathEnd) : s.split(/[?#]/)[0]!;
        expect(path.startsWith('/')).toBe(true);
        expect(path.split('/')).not.toContain('..');
      }),
      { numRuns: 500 },
    );
  });

  it('gives each URI a result of its own, whatever was normalised before or after it', () => {
    // The stages share scratch memory: a result must never be a view into it.
    const piece = fc.constantFrom('/', '\\', '.', '..', '%2e', '%c0%af', '%u002f', '%252e', '?', 'a', '%41', '\xc0\xaf');
    const uri = fc.array(piece, { maxLength: 30 }).map((p) => '/' + p.join(''));
    fc.assert(
      fc.property(fc.array(uri, { minLength: 1, maxLength: 8 }), (uris) => {
        const alone = uris.map((u) => norm(u));
        const kept = uris.map((u) => normalizeUri(bytes(u)));
        // Longer URIs after them grow the scratch; their results must not change.
        normalizeUri(bytes('/' + '%2e%2e/'.repeat(400)));
        expect(kept.map((r) => ({ uri: text(r.bytes)!, evasions: r.evasions }))).toEqual(alone);
      }),
      { numRuns: 300 },
    );
  });
});

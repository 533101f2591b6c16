/**
 * Buffer keys (LogRecord.bufferKey) let the engine look up remembered scans and rule outcomes
 * without building a buffer, so they must never lie: two records of one key domain with equal
 * keys hold equal bytes in that buffer, and "no such buffer" (undefined) means the record has none.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLogLines, type LogRecord } from '../../src/logs/index.js';
import { BUFFER_NAMES, type BufferName } from '../../src/types/buffers.js';

// Small alphabets so that equal keys (and near misses: escapes, quotes, dashes) are frequent.
const quotedPart = fc.array(fc.constantFrom('a', 'b', '%', '2', 'e', '"', '\\', '\\"', '\\x41', ' ', '/', '.', '-', '?', '+'), { maxLength: 7 }).map((a) => a.join(''));
const uriPart = fc.array(fc.constantFrom('/', '.', '..', '%2e', '%c0%af', '%u002e', '\\', 'a', 'b', '?', '+', '%25', '//'), { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
const fieldOrDash = fc.oneof(fc.constant('-'), fc.constant(''), quotedPart);

const accessLine = fc
  .record({
    vhost: fc.option(fc.constantFrom('www.example.com', 'a.example:8080', 'b.example', 'B.EXAMPLE.:80'), { nil: undefined }),
    method: fc.constantFrom('GET', 'POST', 'PROPFIND', 'get'),
    uri: uriPart,
    proto: fc.option(fc.constantFrom('HTTP/1.0', 'HTTP/1.1'), { nil: undefined }),
    status: fc.constantFrom('200', '404', '-'),
    tail: fc.oneof(
      fc.constant(''),
      fieldOrDash.map((r) => ` "${r}"`),
      fc.tuple(fieldOrDash, fieldOrDash).map(([r, u]) => ` "${r}" "${u}"`),
    ),
  })
  .map(({ vhost, method, uri, proto, status, tail }) => {
    const req = proto === undefined ? `${method} ${uri}` : `${method} ${uri} ${proto}`;
    return `${vhost !== undefined ? vhost + ' ' : ''}192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "${req}" ${status} 12${tail}`;
  });

function hex(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString('hex');
}

function recordsOf(lines: string[], format: string): LogRecord[] {
  return parseLogLines(lines.map((l) => Buffer.from(l, 'latin1')), { format }).records;
}

describe('access log buffer keys', () => {
  it('equal keys mean equal buffers; no key means no buffer', () => {
    fc.assert(
      // Buffers asked in either order: some ids come from the ids of a span that holds them
      // (method, URI and protocol from the request; referer and agent from the header block).
      fc.property(fc.array(accessLine, { minLength: 1, maxLength: 12 }), fc.constantFrom('combined', 'vhost_combined', 'common'), fc.boolean(), (lines, format, reversed) => {
        const records = recordsOf(lines, format);
        const names = reversed ? [...BUFFER_NAMES].reverse() : BUFFER_NAMES;
        const byKey = new Map<string, string | undefined>();
        for (const r of records) {
          // A line the access parser refuses is kept as a raw record, which offers no keys.
          if (r.bufferKeyDomain !== 'access') continue;
          for (const name of names) {
            const key = r.bufferKey!(name);
            const bytes = hex(r.buffer(name));
            // The id form says the same: 0 for no buffer, -1 for no key, else one id per key.
            const id = r.bufferKeyId!(name);
            expect(id, name).toBe(key === undefined ? 0 : key === null ? -1 : r.bufferKeyId!(name));
            // A buffer the domain never has is absent from every record of it.
            if (!r.bufferKeyDomainHas!(name)) {
              expect(id, name).toBe(0);
              expect(bytes, name).toBeUndefined();
            }
            // A key may still get no id (-1: too long, or its field's ids rarely repeat).
            if (typeof key === 'string' && id !== -1) {
              const idKey = `${name}\u0001${id}`;
              if (byKey.has(idKey)) expect(bytes, `${name} under id ${id}`).toBe(byKey.get(idKey));
              else byKey.set(idKey, bytes);
              expect(id).toBeGreaterThan(0);
            }
            if (key === null) continue;
            if (key === undefined) {
              expect(bytes, name).toBeUndefined();
              continue;
            }
            // Keys of different buffers may coincide (they index different memos): compare per name.
            const k = `${name}\u0000${key}`;
            if (byKey.has(k)) expect(bytes, `${name} under key ${JSON.stringify(key)}`).toBe(byKey.get(k));
            else byKey.set(k, bytes);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the header block holds the host, agent and referer of its own record', () => {
    // Blocks are kept by id across records (AccessRecord.makeBuffer): each must still be its own.
    fc.assert(
      fc.property(fc.array(accessLine, { minLength: 1, maxLength: 12 }), fc.constantFrom('combined', 'vhost_combined', 'common'), (lines, format) => {
        for (const r of recordsOf(lines, format)) {
          if (r.bufferKeyDomain !== 'access') continue;
          const text = (name: BufferName): string | undefined => {
            const b = r.buffer(name);
            return b === undefined ? undefined : Buffer.from(b).toString('latin1');
          };
          let expected = '';
          for (const [prefix, name] of [['Host: ', 'http.host.raw'], ['User-Agent: ', 'http.user_agent'], ['Referer: ', 'http.referer']] as const) {
            const v = text(name);
            if (v !== undefined) expected += `${prefix}${v}\r\n`;
          }
          expect(text('http.header')).toBe(expected === '' ? undefined : expected);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('http metadata says what the buffers hold, escaped or not', () => {
    fc.assert(
      fc.property(accessLine, fc.constantFrom('combined', 'vhost_combined', 'common'), (line, format) => {
        const [r] = recordsOf([line], format);
        if (r === undefined || r.bufferKeyDomain !== 'access') return;
        const text = (name: BufferName): string | undefined => {
          const b = r.buffer(name);
          return b === undefined ? undefined : Buffer.from(b).toString('latin1');
        };
        const expected: Record<string, unknown> = {};
        const put = (k: string, v: unknown): void => {
          if (v !== undefined) expected[k] = v;
        };
        put('hostname', text('http.host'));
        put('url', text('http.uri.raw'));
        put('http_user_agent', text('http.user_agent'));
        put('http_method', text('http.method'));
        put('protocol', text('http.protocol'));
        put('http_refer', text('http.referer'));
        const status = text('http.stat_code');
        put('status', status === undefined ? undefined : Number(status));
        put('length', r.fields.bytes === undefined ? undefined : Number(r.fields.bytes));
        // Key order included: alerts are written as JSON.
        expect(JSON.stringify(r.http)).toBe(JSON.stringify(expected));
      }),
      { numRuns: 400 },
    );
  });

  it('the same line read twice gives the same keys', () => {
    const line = '192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a%2e%2e/b HTTP/1.1" 200 12 "-" "curl/7"';
    const [a, b] = recordsOf([line, line], 'combined');
    for (const name of BUFFER_NAMES) expect(a!.bufferKey!(name)).toBe(b!.bufferKey!(name));
    expect(a!.bufferKey!('http.uri')).toBe('/a%2e%2e/b');
    expect(a!.bufferKey!('smtp.body')).toBeUndefined();
    expect(a!.bufferKey!('log.message')).toBeNull();
  });

  it('a repeated request gets ids for its parts again after a run of unique ones', () => {
    // Unique URIs send the span tables to rest; once they repeat again, every part has an id.
    const line = (uri: string): string => `192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET ${uri} HTTP/1.1" 200 12 "-" "curl/7"`;
    const unique = recordsOf(Array.from({ length: 20_000 }, (_, i) => line(`/u/${i}`)), 'combined');
    for (const r of unique) r.bufferKeyId!('http.uri');
    const again = recordsOf(Array.from({ length: 120_000 }, () => line('/same')), 'combined');
    const ids = again.map((r) => [r.bufferKeyId!('http.uri'), r.bufferKeyId!('http.method'), r.bufferKeyId!('http.protocol'), r.bufferKeyId!('http.user_agent')]);
    const last = ids[ids.length - 1]!;
    for (const id of last) expect(id).toBeGreaterThan(0);
    // Once given, the ids stay.
    expect(ids.slice(-1000).every((x) => x.join() === last.join())).toBe(true);
  });
});

/**
 * IIS (W3C extended) buffer ids: two records with the same id for a buffer hold the same bytes
 * in it, id 0 means no such buffer, and one content id (contentKeyId) means the same bytes in
 * every buffer that has an id: the engine's memos and replayed outcomes rely on all three.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLogLines, type LogRecord } from '../../src/logs/index.js';
import { BUFFER_NAMES } from '../../src/types/buffers.js';

const LAYOUTS = [
  'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status',
  'date time c-ip cs-method cs-uri-stem cs-uri-query cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-bytes',
  'date time c-ip cs-method cs-uri cs(User-Agent) cs(Referer) sc-status',
];
// Small alphabets: equal values (and near misses: '+', '-', '?', case) are frequent.
const token = (parts: readonly string[]) => fc.array(fc.constantFrom(...parts), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));
const value = {
  method: fc.constantFrom('GET', 'POST', 'SEARCH', 'get'),
  path: token(['/', 'a', 'b', '.', '%2e', '%c0%af', 'cmd.exe', '?']),
  query: fc.oneof(fc.constant('-'), token(['a', '=', '1', '+', '%20', '&'])),
  version: fc.constantFrom('HTTP/1.0', 'HTTP/1.1', '-'),
  agent: fc.oneof(fc.constant('-'), token(['Mozilla/4.0', '+', '(compatible;', 'MSIE', '5.5)', 'a b'])),
  cookie: fc.oneof(fc.constant('-'), token(['s=1', ';', '+', 'x'])),
  referer: fc.oneof(fc.constant('-'), token(['http://a/', 'b', '+'])),
  host: fc.oneof(fc.constant('-'), fc.constantFrom('www.example.com', 'WWW.EXAMPLE.COM', 'b.example:8080')),
  status: fc.constantFrom('200', '404', '500'),
};
const row = fc.record(value);

function lineOf(layout: string, v: { [K in keyof typeof value]: string }, n: number): string {
  const cols: Record<string, string> = {
    date: '2003-01-25',
    time: `05:30:${String(n % 60).padStart(2, '0')}`,
    's-ip': '192.0.2.1',
    'c-ip': `10.0.0.${n % 250}`,
    's-port': '80',
    'cs-username': '-',
    'cs-method': v.method,
    'cs-uri-stem': v.path,
    'cs-uri-query': v.query,
    'cs-uri': v.query === '-' ? v.path : `${v.path}?${v.query}`,
    'cs-version': v.version,
    'cs(User-Agent)': v.agent,
    'cs(Cookie)': v.cookie,
    'cs(Referer)': v.referer,
    'cs-host': v.host,
    'sc-status': v.status,
    'sc-bytes': String(100 + n),
  };
  return layout
    .split(' ')
    .map((c) => cols[c]!)
    .join(' ');
}

function hex(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString('hex');
}

function recordsOf(layout: string, rows: readonly { [K in keyof typeof value]: string }[]): LogRecord[] {
  const lines = ['#Software: Microsoft Internet Information Services 5.0', `#Fields: ${layout}`, ...rows.map((r, n) => lineOf(layout, r, n))];
  return parseLogLines(lines.map((l) => Buffer.from(l, 'latin1')), { format: 'iis' }).records;
}

describe('IIS buffer ids', () => {
  it('equal ids mean equal buffers, id 0 no buffer, and one content id the same bytes in every keyed buffer', () => {
    const byId = new Map<string, string | undefined>();
    const byContent = new Map<number, string>();
    let contents = 0;
    fc.assert(
      fc.property(fc.constantFrom(...LAYOUTS), fc.array(row, { minLength: 1, maxLength: 12 }), (layout, rows) => {
        for (const r of recordsOf(layout, rows)) {
          expect(r.bufferKeyDomain).toBe('iis');
          const keyed: string[] = [];
          for (const name of BUFFER_NAMES) {
            const id = r.bufferKeyId!(name);
            const bytes = hex(r.buffer(name));
            if (!r.bufferKeyDomainHas!(name)) expect(id, name).toBe(0);
            if (id === 0) expect(bytes, name).toBeUndefined();
            if (id > 0) {
              const k = `${name}\u0000${id}`;
              if (byId.has(k)) expect(bytes, `${name} under id ${id}`).toBe(byId.get(k));
              else byId.set(k, bytes);
            }
            if (id !== -1) keyed.push(`${name}=${bytes}`);
          }
          const content = r.contentKeyId!();
          if (content > 0) {
            contents++;
            const all = keyed.join('\n');
            const seen = byContent.get(content);
            if (seen !== undefined) expect(all).toBe(seen);
            else byContent.set(content, all);
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(contents).toBeGreaterThan(100);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnomalyList, type HttpAnomaly } from '../../src/app/anomalies.js';
import { HttpRequest } from '../../src/app/http/message.js';
import { normalizeUri } from '../../src/app/http/normalize-uri.js';
import { LogParser, parseLogLines, type LogRecord } from '../../src/logs/index.js';
import { ipToText } from '../../src/logs/ip.js';
import { iso, parseFixture, text } from './helpers.js';

describe('combined access log', () => {
  const { records, stats } = parseFixture('combined.log');

  it('parses every line', () => {
    expect(stats.format).toBe('combined');
    expect(stats.records).toBe(5);
    expect(stats.malformed).toBe(0);
  });

  it('fills header fields and the HTTP buffers', () => {
    const r = records[0]!;
    expect(r.srcText).toBe('192.0.2.10');
    expect(r.proto).toBe(6);
    expect(r.appProto).toBe('http');
    expect(iso(r.tsUs)).toBe('2000-10-10T20:55:36.000Z');
    expect(text(r, 'http.method')).toBe('GET');
    expect(text(r, 'http.uri.raw')).toBe('/apache_pb.gif');
    expect(text(r, 'http.protocol')).toBe('HTTP/1.0');
    expect(text(r, 'http.request_line')).toBe('GET /apache_pb.gif HTTP/1.0');
    expect(text(r, 'http.stat_code')).toBe('200');
    expect(text(r, 'http.user_agent')).toBe('Mozilla/4.08 [en] (Win98; I ;Nav)');
    expect(text(r, 'http.referer')).toBe('http://www.example.com/start.html');
    expect(text(r, 'http.header')).toBe(
      'User-Agent: Mozilla/4.08 [en] (Win98; I ;Nav)\r\nReferer: http://www.example.com/start.html\r\n',
    );
    expect(text(r, 'http.header_names')).toBe('\r\nUser-Agent\r\nReferer\r\n\r\n');
    expect(text(r, 'log.message')).toBe(Buffer.from(r.line).toString('latin1'));
    expect(r.buffer('http.host')).toBeUndefined();
    expect(r.buffer('pkt_data')).toBeUndefined();
    expect(r.log).toEqual({ file: 'combined.log', line: 1, format: 'combined' });
    expect(r.http).toEqual({
      url: '/apache_pb.gif',
      http_user_agent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
      http_method: 'GET',
      protocol: 'HTTP/1.0',
      http_refer: 'http://www.example.com/start.html',
      status: 200,
      length: 2326,
    });
  });

  it('normalises http.uri exactly as the HTTP parser does', () => {
    const r = records[1]!;
    const raw = r.buffer('http.uri.raw')!;
    expect(Buffer.from(raw).toString()).toBe('/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir');
    expect(Buffer.from(r.buffer('http.uri')!)).toEqual(Buffer.from(normalizeUri(raw).bytes));
    expect(text(r, 'http.uri')).not.toContain('%c0%af');
    expect(r.fields.user).toBe('frank');
  });

  it('treats "-" referer/agent/bytes as absent', () => {
    const r = records[2]!;
    expect(r.buffer('http.user_agent')).toBeUndefined();
    expect(r.buffer('http.referer')).toBeUndefined();
    expect(r.buffer('http.header')).toBeUndefined();
    expect(r.http?.length).toBe(0);
    expect(r.http?.status).toBe(400);
  });

  it('reads IPv6 clients', () => {
    expect(records[3]!.src).toEqual(new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]));
    expect(records[3]!.srcText).toBe('2001:db8::5');
  });

  it('undoes the server escaping in the buffers but keeps the line as written', () => {
    const r = records[4]!;
    expect(Array.from(r.buffer('http.uri.raw')!)).toEqual(Array.from(Buffer.from('/search?q="quoted"\x00\xff', 'latin1')));
    expect(text(r, 'http.user_agent')).toBe('Escaper "v1" \\ end');
    expect(Buffer.from(r.line).toString('latin1')).toContain('\\x00\\xff');
  });
});

describe('common and vhost_combined', () => {
  it('parses common lines, named clients and zone offsets', () => {
    const { records, stats } = parseFixture('common.log');
    expect(stats.format).toBe('common');
    expect(records.map((r) => iso(r.tsUs))).toEqual([
      '2000-10-10T20:55:36.000Z',
      '2000-10-10T12:01:02.000Z',
      '2000-10-10T14:02:03.000Z',
    ]);
    expect(records[2]!.src).toBeUndefined();
    expect(records[2]!.srcHost).toBe('crawler.example.net');
    expect(records[1]!.buffer('http.stat_code')).toEqual(Buffer.from('304'));
  });

  it('parses vhost:port and fills http.host', () => {
    const { records, stats } = parseFixture('vhost_combined.log');
    expect(stats.format).toBe('vhost_combined');
    expect(records[0]!.dstPort).toBe(443);
    expect(text(records[0]!, 'http.host')).toBe('www.example.com');
    expect(text(records[1]!, 'http.host')).toBe('shop.example.com');
    expect(text(records[1]!, 'http.host.raw')).toBe('Shop.Example.com');
    expect(records[1]!.srcText).toBe('198.51.100.3');
    expect(text(records[1]!, 'http.header')!.startsWith('Host: Shop.Example.com\r\nUser-Agent: Mozilla/5.0\r\n')).toBe(true);
    expect(text(records[1]!, 'http.start')!.startsWith('GET /cart?id=1%20OR%201=1 HTTP/1.1\r\nHost:')).toBe(true);
  });

  it('reads the port of a bracketed IPv6 vhost, and none from a bare IPv6 one', () => {
    const line = (vhost: string) => `${vhost} 203.0.113.8 - - [17/Mar/2003:10:00:04 +0000] "GET /x HTTP/1.1" 500 1 "-" "agent"`;
    const bracketed = parseLogLines([line('[2001:db8::1]:8080')], { format: 'vhost_combined' }).records[0]!;
    expect(bracketed.dstPort).toBe(8080);
    const bare = parseLogLines([line('2001:db8::1')], { format: 'vhost_combined' }).records[0]!;
    expect(bare.dstPort).toBeUndefined();
    const named = parseLogLines([line('www.example.com:8443')], { format: 'vhost_combined' }).records[0]!;
    expect(named.dstPort).toBe(8443);
  });
});

describe('access log edge cases', () => {
  const parse = (line: string) => parseLogLines([line], { format: 'combined' });

  it('recovers a request with an unescaped quote (servers before 2.0.46)', () => {
    const { records, stats } = parse('192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a"b HTTP/1.0" 200 5 "-" "ua"');
    expect(stats.malformed).toBe(0);
    expect(text(records[0]!, 'http.uri.raw')).toBe('/a"b');
    expect(text(records[0]!, 'http.user_agent')).toBe('ua');
  });

  it('keeps a non-HTTP request line without inventing a method', () => {
    const { records } = parse('192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "\\x16\\x03\\x01" 400 226 "-" "-"');
    expect(records[0]!.buffer('http.method')).toBeUndefined();
    expect(Array.from(records[0]!.buffer('http.request_line')!)).toEqual([0x16, 0x03, 0x01]);
  });

  it('accepts HTTP/0.9 style requests, one-digit days and fractional seconds', () => {
    const { records } = parse('10.0.0.5 - - [1/Apr/2014:00:00:01.250 -0500] "GET /index.html" 200 181');
    expect(text(records[0]!, 'http.uri.raw')).toBe('/index.html');
    expect(records[0]!.buffer('http.protocol')).toBeUndefined();
    expect(iso(records[0]!.tsUs)).toBe('2014-04-01T05:00:01.250Z');
  });

  it('keeps trailing extra fields', () => {
    const { records } = parse('192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5 "-" "ua" 0.003 "cookie=1"');
    expect(records[0]!.fields.extra).toBe('0.003 "cookie=1"');
  });

  it.each([
    ['no time', '192.0.2.1 - - "GET / HTTP/1.1" 200 5', 'no-time'],
    ['bad time', '192.0.2.1 - - [10/Foo/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5', 'bad-time'],
    ['bad status', '192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 2x0 5', 'bad-status'],
    ['bad bytes', '192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 5k', 'bad-bytes'],
    ['unterminated', '192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1', 'unterminated-request'],
  ])('reports %s as malformed', (_n, line, reason) => {
    const { stats, records } = parse(line);
    expect(stats.malformedBy.combined).toEqual({ [reason]: 1 });
    expect(records[0]!.format).toBe('raw');
    expect(records[0]!.fields.malformed).toBe(reason);
  });

  it('gives canonical address text', () => {
    expect(ipToText(new Uint8Array([192, 0, 2, 1]))).toBe('192.0.2.1');
  });
});

describe('access log times', () => {
  // Same-length stamps that differ in one byte, a repeated stamp, zone-less stamps (read in the
  // stream's zone) and a bad one: every line must get the time a fresh parse gives it.
  const STAMPS = [
    '10/Oct/2000:13:55:36 -0700',
    '10/Oct/2000:13:55:37 -0700',
    '10/Oct/2000:13:55:36 +0200',
    '11/Oct/2000:13:55:36 -0700',
    '10/Oct/2000:13:55:36',
    '10/Oct/2000:13:55:36.250 -0700',
    '31/Feb/2000:13:55:36 -0700',
  ];
  const line = (stamp: string): string => `192.0.2.1 - - [${stamp}] "GET / HTTP/1.1" 200 5 "-" "curl/8"`;

  it('a line repeating the previous stamp gets the same time as a fresh parse, per stream zone', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(STAMPS.length - 1), { minLength: 1, maxLength: 40 }), fc.constantFrom('UTC', '+05:30'), (picks, tz) => {
        const lines = picks.map((k) => line(STAMPS[k]!));
        // Two streams in different zones, fed line by line in turn.
        const a = new LogParser({ format: 'combined', tz });
        const z = new LogParser({ format: 'combined', tz: tz === 'UTC' ? '+05:30' : 'UTC' });
        const records: LogRecord[] = [];
        const other = { records: [] as LogRecord[] };
        for (const l of lines) {
          a.push(Buffer.from(l, 'latin1'), false, (r) => records.push(r));
          z.push(Buffer.from(l, 'latin1'), false, (r) => other.records.push(r));
        }
        expect(records).toHaveLength(lines.length);
        records.forEach((r, i) => {
          const alone = parseLogLines([lines[i]!], { format: 'combined', tz }).records[0]!;
          expect(r.timeKnown).toBe(alone.timeKnown);
          expect(r.fields.malformed).toBe(alone.fields.malformed);
          // A line without a usable time inherits the previous line's.
          if (alone.timeKnown) expect(r.tsUs).toBe(alone.tsUs);
          const o = parseLogLines([lines[i]!], { format: 'combined', tz: tz === 'UTC' ? '+05:30' : 'UTC' }).records[0]!;
          if (o.timeKnown) expect(other.records[i]!.tsUs).toBe(o.tsUs);
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('X-Forwarded-For client lists', () => {
  const tail = ' - - [25/Jan/2024:06:00:00 +0000] "GET /etc/passwd HTTP/1.1" 404 0 "-" "curl/8"';

  it('the client of a comma-separated list is its rightmost public address; the list is the client column', () => {
    for (const [client, src] of [
      ['198.51.100.1, 10.0.0.1', '198.51.100.1'],
      ['198.51.100.1, 10.0.0.1, 10.0.0.2', '198.51.100.1'],
      ['198.51.100.1,10.0.0.1', '198.51.100.1'],
      ['2001:db8::1, 10.0.0.1', '2001:db8::1'],
    ] as const) {
      for (const format of [undefined, 'vhost_combined']) {
        const { records, stats } = parseLogLines([client + tail], format === undefined ? {} : { format });
        const r = records[0]!;
        expect(stats.malformed).toBe(0);
        expect(r.format).toBe('combined');
        expect(r.srcText).toBe(src);
        expect(r.srcHost).toBeUndefined();
        expect(r.fields.client).toBe(client);
        expect(r.fields.ident).toBe('-');
        expect(r.fields.vhost).toBeUndefined();
        expect(r.buffer('http.host')).toBeUndefined();
        expect(text(r, 'http.uri')).toBe('/etc/passwd');
      }
    }
  });

  it('takes the rightmost address outside the internal ranges, so a forged entry cannot choose the source', () => {
    for (const [client, src] of [
      // The client sent "X-Forwarded-For: 6.6.6.6"; the proxy appended the address it saw.
      ['6.6.6.6, 198.51.100.1, 10.0.0.1', '198.51.100.1'],
      ['198.51.100.9, 203.0.113.5', '203.0.113.5'],
      ['192.0.2.7, 172.16.4.4, 100.64.0.1, 127.0.0.1', '192.0.2.7'],
      ['2001:db8::7, fd00::1, ::ffff:10.1.1.1', '2001:db8::7'],
      // All internal: nothing outside to trust, the leftmost stands.
      ['10.0.0.5, 10.0.0.1', '10.0.0.5'],
      ['client.example, 10.0.0.1', undefined],
    ] as const) {
      const r = parseLogLines([client + tail]).records[0]!;
      expect(r.srcText, client).toBe(src);
      expect(r.fields.client).toBe(client);
    }
  });

  it('a file of such lines is detected as combined, not vhost_combined', () => {
    const lines = ['198.51.100.1, 10.0.0.1', '198.51.100.2, 10.0.0.1', '198.51.100.3, 10.0.0.1, 10.0.0.2'].map((c) => c + tail);
    const { records, stats } = parseLogLines(lines);
    expect(stats.format).toBe('combined');
    expect(records.map((r) => r.srcText)).toEqual(['198.51.100.1', '198.51.100.2', '198.51.100.3']);
  });

  it('a vhost line is still a vhost line', () => {
    const r = parseLogLines(['www.example.com:8080 192.0.2.1' + tail], { format: 'vhost_combined' }).records[0]!;
    expect(r.srcText).toBe('192.0.2.1');
    expect(text(r, 'http.host')).toBe('www.example.com');
    expect(r.dstPort).toBe(8080);
  });
});

describe('request line split as the packet parser splits it', () => {
  const logLine = (request: string): string => `198.51.100.1 - - [25/Jan/2024:06:00:00 +0000] "${request}" 404 0 "-" "-"`;
  const parts = (request: string): [string | undefined, string | undefined, string | undefined] => {
    const r = parseLogLines([Buffer.from(logLine(request), 'latin1')], { format: 'combined' }).records[0]!;
    return [text(r, 'http.method'), text(r, 'http.uri.raw'), text(r, 'http.protocol')];
  };
  const packet = (line: string): [string, string, string | undefined] => {
    const req = new HttpRequest();
    const head = Buffer.from(line + '\r\n\r\n', 'latin1');
    req.head = head;
    req.lineEnd = line.length;
    req.parseLine(new AnomalyList<HttpAnomaly>(), null);
    const t = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
    return [t(req.method), t(req.target), req.protocol === null ? undefined : t(req.protocol)];
  };

  it('extra blanks, a tab, a lower-case protocol', () => {
    expect(parts('GET  /etc/passwd  HTTP/1.1')).toEqual(['GET', '/etc/passwd', 'HTTP/1.1']);
    expect(parts('GET /etc/passwd http/1.1')).toEqual(['GET', '/etc/passwd', 'http/1.1']);
    expect(parts('GET /etc/passwd\tHTTP/1.1')).toEqual(['GET', '/etc/passwd', 'HTTP/1.1']);
    expect(parts('GET\t/etc/passwd HTTP/1.1 ')).toEqual(['GET', '/etc/passwd', 'HTTP/1.1']);
    const r = parseLogLines([logLine('GET  /etc/passwd  HTTP/1.1')]).records[0]!;
    expect(text(r, 'http.uri')).toBe('/etc/passwd');
    expect(text(r, 'http.request_line')).toBe('GET  /etc/passwd  HTTP/1.1');
  });

  it('an escaped tab (Apache \\t, nginx \\x09) is the tab the server received', () => {
    expect(parts('GET /etc/passwd\\tHTTP/1.1')).toEqual(['GET', '/etc/passwd', 'HTTP/1.1']);
    expect(parts('GET /etc/passwd\\x09HTTP/1.1')).toEqual(['GET', '/etc/passwd', 'HTTP/1.1']);
    expect(parts('GET /a\\x22b\\x09HTTP/1.0')).toEqual(['GET', '/a"b', 'HTTP/1.0']);
    // An escaped backslash followed by "t" is no tab.
    expect(parts('GET /a\\\\tHTTP/1.1')).toEqual(['GET', '/a\\tHTTP/1.1', undefined]);
  });

  it('agrees with HttpRequest.parseLine on request lines as Apache and nginx escape them', () => {
    const piece = fc.constantFrom(' ', '\t', '  ', 'GET', 'POST', '/', '/etc/passwd', 'HTTP/1.1', 'http/1.0', 'HTTP/', 'x', '"', '\\', '\u00e9', '%20', '?a=b');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 8 }), fc.boolean(), (pieces, apache) => {
        const raw = Buffer.from(pieces.join(''), 'latin1');
        const esc = Array.from(raw, (c) =>
          c === 0x22 ? '\\"' : c === 0x5c ? '\\\\' : c === 0x09 && apache ? '\\t' : c < 0x20 || c >= 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : String.fromCharCode(c),
        ).join('');
        const [m, u, p] = packet(raw.toString('latin1'));
        // The log splits a request whose method is a token followed by a blank (else it keeps the line whole).
        const method = /^[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]/.exec(raw.toString('latin1'));
        if (method === null) return;
        expect(parts(esc), JSON.stringify(raw.toString('latin1'))).toEqual([m, u === '' ? undefined : u, p]);
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with HttpRequest.parseLine on method, target and protocol', () => {
    const lines = [
      'GET /x HTTP/1.1', 'GET  /x  HTTP/1.1', 'GET /x http/1.1', 'GET /x\tHTTP/1.1', 'GET\t/x\tHTTP/1.0', ' GET /x HTTP/1.1',
      'GET /x HTTP/1.1 \t', 'GET /a b HTTP/1.1', 'GET /a b', 'GET /x', 'GET /x HTTPS/1.1', 'GET /x HTTP/', 'GET /x hTtP/2',
      'GET  HTTP/1.1', 'POST /a?b=c d\t\tHTTP/1.1', 'GET /x HTTP/1.1 extra', 'OPTIONS * HTTP/1.1',
    ];
    for (const l of lines) {
      const [m, u, p] = packet(l);
      expect(parts(l), l).toEqual([m, u === '' ? undefined : u, p]);
    }
  });
});

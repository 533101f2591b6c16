import { describe, expect, it } from 'vitest';
import { gzipSync, deflateSync, deflateRawSync } from 'node:zlib';
import { HTTP_ANOMALIES } from '../../../src/app/anomalies.js';
import { bytes, run, text } from '../helpers.js';

const REQUEST =
  'GET /Shop/../cart%2easp?id=%27 HTTP/1.1\r\n' +
  'Host: WWW.Example.COM:8080\r\n' +
  'User-Agent: Mozilla/4.0 (compatible; MSIE 6.0)\r\n' +
  'Referer: http://evil.example/\r\n' +
  'Accept: */*\r\n' +
  'Accept-Encoding: gzip\r\n' +
  'Accept-Language: en-us\r\n' +
  'Cookie: session=abc\r\n' +
  'Connection: keep-alive\r\n' +
  'X-Long: part one\r\n' +
  '\tpart two\r\n' +
  '\r\n';

const RESPONSE =
  'HTTP/1.1 302 Found\r\n' +
  'Server: Microsoft-IIS/5.0\r\n' +
  'Location: /login\r\n' +
  'Set-Cookie: id=1\r\n' +
  'Content-Type: text/html\r\n' +
  'Content-Length: 11\r\n' +
  '\r\n' +
  'hello world';

describe('HTTP request buffers', () => {
  const { rec } = run([
    [true, REQUEST],
    [false, RESPONSE],
  ]);
  const req = rec.requests()[0]!;
  const s = req.snapshot;

  it('hands over one request then one response', () => {
    expect(rec.http.map((e) => e.phase)).toEqual(['request', 'response']);
    expect(req.tx.id).toBe(0);
  });

  it('exposes the request line parts', () => {
    expect(s['http.method']).toBe('GET');
    expect(s['http.uri.raw']).toBe('/Shop/../cart%2easp?id=%27');
    expect(s['http.uri']).toBe("/cart.asp?id='");
    expect(s['http.protocol']).toBe('HTTP/1.1');
    expect(s['http.request_line']).toBe('GET /Shop/../cart%2easp?id=%27 HTTP/1.1');
  });

  it('exposes single-header buffers', () => {
    expect(s['http.host']).toBe('www.example.com');
    expect(s['http.host.raw']).toBe('WWW.Example.COM:8080');
    expect(s['http.user_agent']).toBe('Mozilla/4.0 (compatible; MSIE 6.0)');
    expect(s['http.referer']).toBe('http://evil.example/');
    expect(s['http.cookie']).toBe('session=abc');
    expect(s['http.accept']).toBe('*/*');
    expect(s['http.accept_enc']).toBe('gzip');
    expect(s['http.accept_lang']).toBe('en-us');
    expect(s['http.connection']).toBe('keep-alive');
  });

  it('builds http.header the way Suricata does: "Name: value" lines, no Cookie, folded lines appended as sent', () => {
    expect(s['http.header']).toBe(
      'Host: WWW.Example.COM:8080\r\n' +
        'User-Agent: Mozilla/4.0 (compatible; MSIE 6.0)\r\n' +
        'Referer: http://evil.example/\r\n' +
        'Accept: */*\r\n' +
        'Accept-Encoding: gzip\r\n' +
        'Accept-Language: en-us\r\n' +
        'Connection: keep-alive\r\n' +
        'X-Long: part one\tpart two\r\n',
    );
  });

  it('keeps http.header.raw exactly as sent, blank line included', () => {
    expect(s['http.header.raw']).toBe(REQUEST.slice(REQUEST.indexOf('\r\n') + 2));
  });

  it('builds http.header_names and http.start', () => {
    expect(s['http.header_names']).toBe(
      '\r\nHost\r\nUser-Agent\r\nReferer\r\nAccept\r\nAccept-Encoding\r\nAccept-Language\r\nCookie\r\nConnection\r\nX-Long\r\n\r\n',
    );
    expect(s['http.start']!.startsWith('GET /Shop/../cart%2easp?id=%27 HTTP/1.1\r\nHost: WWW.Example.COM:8080\r\n')).toBe(true);
    expect(s['http.start']!.endsWith('Cookie: session=abc\r\nConnection: keep-alive\r\nX-Long: part one\tpart two\r\n\r\n')).toBe(true);
  });

  it('has no body buffers for a GET and no response buffers at request time', () => {
    expect(s['http.request_body']).toBeUndefined();
    expect(s['file.data']).toBeUndefined();
    expect(s['http.stat_code']).toBeUndefined();
    expect(s['http.response_line']).toBeUndefined();
  });

  it('records the URI evasions and header folding as anomalies', () => {
    expect(req.anomalies).toEqual(expect.arrayContaining(['http.header_folding', 'http.uri.ascii_encoding', 'http.uri.directory_traversal']));
  });

  it('gives EVE metadata', () => {
    expect(req.tx.meta()).toEqual({
      hostname: 'www.example.com',
      http_port: 8080,
      url: '/Shop/../cart%2easp?id=%27',
      http_user_agent: 'Mozilla/4.0 (compatible; MSIE 6.0)',
      http_refer: 'http://evil.example/',
      http_method: 'GET',
      protocol: 'HTTP/1.1',
      status: 302,
      redirect: '/login',
      http_content_type: 'text/html',
      length: 11,
    });
  });
});

describe('HTTP response buffers', () => {
  const { rec } = run([
    [true, REQUEST],
    [false, RESPONSE],
  ]);
  const res = rec.responses()[0]!;
  const s = res.snapshot;

  it('exposes the status line parts', () => {
    expect(s['http.stat_code']).toBe('302');
    expect(s['http.stat_msg']).toBe('Found');
    expect(s['http.response_line']).toBe('HTTP/1.1 302 Found');
    expect(s['http.protocol']).toBe('HTTP/1.1');
    expect(res.tx.status).toBe(302);
  });

  it('shows response-side headers, Set-Cookie as the cookie', () => {
    expect(s['http.header']).toBe('Server: Microsoft-IIS/5.0\r\nLocation: /login\r\nContent-Type: text/html\r\nContent-Length: 11\r\n');
    expect(s['http.cookie']).toBe('id=1');
    expect(s['http.server']).toBe('Microsoft-IIS/5.0');
    expect(s['http.location']).toBe('/login');
    expect(s['http.content_type']).toBe('text/html');
    expect(s['http.content_len']).toBe('11');
  });

  it('exposes the body as http.response_body and file.data', () => {
    expect(s['http.response_body']).toBe('hello world');
    expect(s['file.data']).toBe('hello world');
  });

  it('still exposes the request buffers, and a fixed request view', () => {
    expect(s['http.uri']).toBe("/cart.asp?id='");
    const reqView = res.tx.view('request');
    expect(text(reqView.buffer('http.cookie'))).toBe('session=abc');
    expect(text(reqView.buffer('http.header'))).toContain('Host: WWW.Example.COM:8080\r\n');
  });
});

describe('HTTP bodies', () => {
  it('dechunks a request body and exposes it as http.request_body and file.data', () => {
    const { rec } = run([[true, 'POST /cgi-bin/formmail.pl HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nrecip\r\n0A;x=y\r\nient=a@b.c\r\n0\r\nTrailer: x\r\n\r\n']]);
    const s = rec.requests()[0]!.snapshot;
    expect(s['http.request_body']).toBe('recipient=a@b.c');
    expect(s['file.data']).toBe('recipient=a@b.c');
  });

  it('reads a Content-Length request body', () => {
    const { rec } = run([[true, 'POST /x HTTP/1.0\r\nContent-Length: 7\r\n\r\na=1&b=2GET /next HTTP/1.0\r\n\r\n']]);
    expect(rec.requests().map((e) => e.snapshot['http.request_body'])).toEqual(['a=1&b=2', undefined]);
    expect(rec.requests().map((e) => e.snapshot['http.uri'])).toEqual(['/x', '/next']);
  });

  const badCrc = (b: Buffer): Buffer => {
    const g = Buffer.from(gzipSync(b));
    g[g.length - 6]! ^= 1;
    return g;
  };
  it.each([
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['x-gzip', (b: Buffer) => gzipSync(b)],
    ['deflate', (b: Buffer) => deflateSync(b)],
    ['deflate', (b: Buffer) => deflateRawSync(b)],
    // As libhtp: bytes after the gzip member, or a wrong CRC, do not hide what the data decodes to.
    ['gzip', (b: Buffer) => Buffer.concat([gzipSync(b), Buffer.from('trailing junk')])],
    ['gzip', badCrc],
    // Layered codings, undone last one first (libhtp's layer limit is 2).
    ['gzip, deflate', (b: Buffer) => deflateSync(gzipSync(b))],
    ['deflate,gzip', (b: Buffer) => gzipSync(deflateSync(b))],
    ['identity, gzip', (b: Buffer) => gzipSync(b)],
  ])('decompresses a %s response body', (enc, compress) => {
    const plain = Buffer.from('<html>' + 'x'.repeat(5000) + '<script>evil()</script></html>');
    const body = compress(plain);
    const head = `HTTP/1.1 200 OK\r\nContent-Encoding: ${enc}\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { rec } = run([
      [true, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, new Uint8Array(Buffer.concat([Buffer.from(head), body]))],
    ]);
    const res = rec.responses()[0]!;
    expect(res.snapshot['http.response_body']).toBe(plain.toString('latin1'));
    expect(res.snapshot['file.data']).toBe(plain.toString('latin1'));
    expect(res.anomalies).not.toContain('http.decompression_failed');
  });

  it('bounds decompression (a gzip bomb stops at the limit) and says so', () => {
    const bomb = gzipSync(Buffer.alloc(20 << 20));
    const head = `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n\r\n`;
    const { rec } = run(
      [
        [true, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'],
        [false, new Uint8Array(Buffer.concat([Buffer.from(head), bomb]))],
      ],
      { decompressLimit: 1 << 16 },
    );
    const res = rec.responses()[0]!;
    const body = res.tx.buffer('http.response_body')!;
    expect(body.length).toBeLessThanOrEqual(1 << 16);
    expect(body.length).toBeGreaterThan(1 << 15);
    expect(res.tx.anomalies).toContain('http.decompression_limit');
  });

  it('inspects a body that is not really compressed as sent, with an anomaly', () => {
    const { rec } = run([
      [true, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, 'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nplain'],
    ]);
    const res = rec.responses()[0]!;
    expect(res.snapshot['http.response_body']).toBe('plain');
    expect(res.anomalies).toContain('http.decompression_failed');
  });

  it('keeps only the first bytes of a body past the limit, hands the phase over at the limit, and counts the rest', () => {
    const big = 'A'.repeat(3000);
    const { rec, app } = run(
      [
        [true, `POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: ${big.length}\r\n\r\n${big}`],
        [false, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
      ],
      { requestBodyLimit: 1000 },
    );
    const req = rec.requests()[0]!;
    expect(req.snapshot['http.request_body']).toBe('A'.repeat(1000));
    expect(rec.requests()).toHaveLength(1);
    expect(app.stats.http.bodyBytesBeyondLimit).toBe(2000);
  });
});

describe('chunked bodies', () => {
  it('skips stray bytes between a chunk and its line end, as libhtp does, so the next request is not swallowed', () => {
    const first = 'POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcf\r\n0\r\n\r\n';
    const { rec } = run([[true, first + 'GET /second HTTP/1.1\r\nHost: a\r\n\r\n']]);
    const reqs = rec.requests();
    expect(reqs.map((r) => text(r.tx.buffer('http.uri')))).toEqual(['/a', '/second']);
    expect(text(reqs[0]!.tx.buffer('http.request_body'))).toBe('abc');
    expect(reqs[0]!.tx.anomalies).toContain('http.chunk_data_no_crlf');
    // No response yet: EVE's http.length is 0, as Suricata writes it on every http object.
    expect(reqs[1]!.tx.meta()).toMatchObject({ url: '/second', length: 0 });
  });

  it('reads a response announced as chunked whose body is not, as sent, up to the close (as libhtp)', () => {
    const { rec } = run([
      [true, 'GET /a HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nNOTCHUNKED EVIL body\r\nmore'],
    ]);
    const req = rec.requests()[0]!;
    expect(text(req.tx.view('response').buffer('file.data'))).toBe('NOTCHUNKED EVIL body\r\nmore');
    expect(req.tx.anomalies).toContain('http.chunk_size_invalid');
  });

  it('keeps a repeated Content-Length once, as libhtp does, instead of joining it like other headers', () => {
    const { rec } = run([[true, 'POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nX: 1\r\nContent-Length: 3\r\nX: 2\r\n\r\nabc']]);
    const tx = rec.requests()[0]!.tx;
    expect(text(tx.buffer('http.content_len'))).toBe('3');
    expect(text(tx.buffer('http.header'))).toBe('Host: a\r\nContent-Length: 3\r\nX: 1, 2\r\n');
  });

  it('counts each anomaly once per transaction in the stats', () => {
    const odd = 'POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY\r\n1\r\nzQQ\r\n0\r\n\r\n';
    const { app } = run([[true, odd + odd + 'GET /b HTTP/1.1\r\nHost: b\r\n\r\n']]);
    expect(app.stats.anomalies['http.chunk_data_no_crlf']).toBe(2);
    expect(app.stats.anomalies['http.header_folding']).toBeUndefined();
  });
});

describe('header folding', () => {
  it('appends every continuation line of a field as sent, leading whitespace included, for any number of them', () => {
    const folds = 20_000;
    const request = `GET /a HTTP/1.1\r\nHost: a\r\nX-A: start\r\n${' p\r\n'.repeat(folds)}X-B:\r\n\tone\r\n  two\r\nX-C: plain\r\n\r\n`;
    const { rec } = run([[true, request]]);
    const header = text(rec.requests()[0]!.tx.buffer('http.header'));
    expect(header).toBe(`Host: a\r\nX-A: start${' p'.repeat(folds)}\r\nX-B: one  two\r\nX-C: plain\r\n`);
  });
});

describe('HTTP anomalies', () => {
  const anomaliesOf = (request: string): string[] => {
    const { rec } = run([[true, request]]);
    return rec.requests()[0]!.tx.anomalies as string[];
  };

  it.each([
    ['GET /a HTTP/1.1\r\n\r\n', 'http.host_missing'],
    ['GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 'http.host_duplicate'],
    ['GET http://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n', 'http.host_mismatch'],
    ['GET /a HTTP/1.1\r\nHost: a\r\nBroken line\r\n\r\n', 'http.header_invalid'],
    ['GET /a HTTP/1.1\r\nHost : a\r\n\r\n', 'http.header_name_whitespace'],
    ['GET /a HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n', 'http.header_folding'],
    ['POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n12345', 'http.content_length_invalid'],
    ['POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n', 'http.content_length_invalid'],
    ['POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx', 'http.content_length_conflict'],
    ['POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'http.transfer_encoding_and_content_length'],
    ['POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n', 'http.transfer_encoding_invalid'],
    ['POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'http.chunk_size_invalid'],
    ['POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\n', 'http.chunk_size_invalid'],
    ['POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n' + '0'.repeat(2000), 'http.chunk_line_too_long'],
    ['POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX1\r\nc\r\n0\r\n\r\n', 'http.chunk_data_no_crlf'],
    ['POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc', 'http.message_incomplete'],
    ['GET /a HTTP/1.1\r\nHost: a\r\nX-Half: y', 'http.message_incomplete'],
    ['GET /a\r\n', 'http.http09_request'],
    ['GET /a HTTP/1.1x\r\nHost: a\r\n\r\n', 'http.protocol_invalid'],
    ['SEARCH /a HTTP/1.1\r\nHost: a\r\n\r\n', null],
    ['search /a HTTP/1.1\r\nHost: a\r\n\r\n', 'http.method_unknown'],
    ['FOO /a HTTP/1.1\r\nHost: a\r\n\r\n', 'http.method_unknown'],
    ['GET  /a HTTP/1.1\r\nHost: a\r\n\r\n', 'http.request_line_invalid'],
    ['GET /a b HTTP/1.1\r\nHost: a\r\n\r\n', 'http.uri.space'],
  ])('%j -> %s', (request, anomaly) => {
    const got = anomaliesOf(request);
    if (anomaly === null) expect(got).toEqual([]);
    else expect(got).toContain(anomaly);
  });

  it('reports a response without a request, and status line trouble', () => {
    const { rec } = run([[false, 'HTTP/1.1 2x0 Odd\r\nContent-Length: 0\r\n\r\n']]);
    const res = rec.responses()[0]!;
    expect(res.anomalies).toEqual(expect.arrayContaining(['http.response_without_request', 'http.status_invalid']));
    expect(res.tx.status).toBeNull();
  });

  it('only ever reports declared anomaly names', () => {
    const conversations = [
      'GET /%c0%af/..//./\\%255c%u0041%zz%00\xe9 x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\tfold\r\nbad\r\nContent-Length: -1\r\n\r\n',
      'POST /a HTTP/9.9\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\nq\r\n',
    ];
    for (const c of conversations) {
      const { rec } = run([[true, c]]);
      for (const e of rec.http) for (const a of e.tx.anomalies) expect(HTTP_ANOMALIES as readonly string[]).toContain(a);
    }
  });
});

describe('HTTP host normalization', () => {
  it.each([
    ['Host: EXAMPLE.com.\r\n', 'example.com'],
    ['Host: [::1]:8080\r\n', '[::1]'],
    ['Host: 10.0.0.1:80\r\n', '10.0.0.1'],
  ])('%j -> %s', (header, host) => {
    const { rec } = run([[true, `GET / HTTP/1.1\r\n${header}\r\n`]]);
    expect(rec.requests()[0]!.snapshot['http.host']).toBe(host);
  });

  it('takes the host of an absolute-form target first', () => {
    const { rec } = run([[true, 'GET http://user@Proxy.Example:3128/x HTTP/1.1\r\nHost: proxy.example\r\n\r\n']]);
    const s = rec.requests()[0]!.snapshot;
    expect(s['http.host']).toBe('proxy.example');
    expect(s['http.uri']).toBe('/x');
    expect(rec.requests()[0]!.anomalies).not.toContain('http.host_mismatch');
  });

  it('leaves http.host absent without any host', () => {
    const { rec } = run([[true, 'GET / HTTP/1.0\r\n\r\n']]);
    expect(rec.requests()[0]!.snapshot['http.host']).toBeUndefined();
    expect(bytes('x')).toHaveLength(1);
  });
});

/**
 * Buffers that must come out as Suricata 7 (libhtp 0.5.x) fills them, for inputs where a reading
 * of its own would let an attacker hide from rules written for Suricata: URI fragments, request
 * lines without a protocol, responses without a status line, odd header lines, the host of an
 * absolute-form target, bodies with the wrong or a repeated Content-Encoding, the files of an
 * upload and the name of a download.
 */
import { constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { normalizeUri } from '../../../src/app/http/normalize-uri.js';
import { bytes, run, text } from '../helpers.js';

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

function uri(raw: string): { uri: string; evasions: string[] } {
  const r = normalizeUri(bytes(raw));
  return { uri: text(r.bytes)!, evasions: r.evasions };
}

describe('URI fragment (libhtp htp_parse_uri: the path ends at "?" or "#")', () => {
  it('does not collapse dot segments after a "#" into the path', () => {
    expect(uri('/cgi-bin/evil.cgi#/../../x')).toEqual({ uri: '/cgi-bin/evil.cgi#/../../x', evasions: [] });
    const { rec } = run([[true, 'GET /cgi-bin/evil.cgi#/../../x HTTP/1.1\r\nHost: a\r\n\r\n']]);
    expect(rec.requests()[0]!.snapshot['http.uri']).toBe('/cgi-bin/evil.cgi#/../../x');
    expect(rec.requests()[0]!.anomalies).not.toContain('http.uri.directory_traversal');
  });

  it('normalises the path, decodes the fragment once and keeps it after the query', () => {
    expect(uri('/a/../b?q=%41#f%41/../%2e%2e//x')).toEqual({
      uri: '/b?q=A#fA/../..//x',
      evasions: ['http.uri.ascii_encoding', 'http.uri.directory_traversal'],
    });
    // A "?" after the "#" belongs to the fragment; an absolute-form authority ends at "#".
    expect(uri('/p/./q#x?/../y').uri).toBe('/p/q#x?/../y');
    expect(uri('http://h.example#/../x').uri).toBe('/#/../x');
  });

  it('names a POST file by the path alone: no fragment, a decoded "?" kept', () => {
    const post = (target: string): string | undefined => {
      const { rec } = run([[true, `POST ${target} HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\ndata`]]);
      return rec.requests()[0]!.snapshot['file.name'];
    };
    expect(post('/up/x.php#/../../evil.txt')).toBe('/up/x.php');
    expect(post('/up/./x.php#frag?x')).toBe('/up/x.php');
    expect(post('/dir/a%3fb.txt?x=1')).toBe('/dir/a?b.txt');
  });
});

describe('request line without a protocol (libhtp htp_connp_REQ_PROTOCOL)', () => {
  it('reads the lines after it in the same chunk as headers ("missing protocol"), not as requests', () => {
    const { rec } = run([
      [true, 'GET /x\r\nHost: a.com\r\nX-Evil: attack\r\n\r\n'],
      [false, OK],
    ]);
    expect(rec.requests()).toHaveLength(1);
    const s = rec.requests()[0]!.snapshot;
    expect(s['http.method']).toBe('GET');
    expect(s['http.uri']).toBe('/x');
    expect(s['http.request_line']).toBe('GET /x');
    expect(s['http.protocol']).toBeUndefined();
    expect(s['http.header']).toBe('Host: a.com\r\nX-Evil: attack\r\n');
    expect(s['http.host']).toBe('a.com');
    expect(rec.requests()[0]!.anomalies).toContain('http.request_line_invalid');
    expect(rec.requests()[0]!.anomalies).not.toContain('http.http09_request');
    // Not HTTP/0.9: the response has its status line read.
    expect(rec.responses()[0]!.snapshot['http.stat_code']).toBe('200');
    expect(rec.responses()[0]!.snapshot['http.response_body']).toBe('ok');
  });

  it('decides on the chunk the line ends in, wherever the line started', () => {
    const { rec } = run([
      [true, 'GET /'],
      [true, 'x\r\nX-Evil: attack\r\n\r\n'],
    ]);
    expect(rec.requests()).toHaveLength(1);
    expect(rec.requests()[0]!.snapshot['http.header']).toBe('X-Evil: attack\r\n');
  });

  it('is HTTP/0.9 when only blanks follow in its chunk, and then ignores all the client sends', () => {
    const { rec, app } = run([
      [true, 'GET /x\r\n \r\n'],
      [true, 'GET /evil HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, '<html>x</html>'],
    ]);
    expect(rec.requests().map((e) => e.snapshot['http.uri'])).toEqual(['/x']);
    expect(rec.requests()[0]!.anomalies).toContain('http.http09_request');
    expect(rec.responses().map((e) => e.snapshot['http.response_body'])).toEqual(['<html>x</html>']);
    expect(app.stats.http.afterHttp09Bytes).toBe(' \r\nGET /evil HTTP/1.1\r\nHost: a\r\n\r\n'.length);
  });

  it('ignores headers that come in a later chunk than the request line (libhtp does not wait)', () => {
    const { rec } = run([
      [true, 'GET /x\r\n'],
      [true, 'Host: a\r\nGET /evil HTTP/1.1\r\n\r\n'],
    ]);
    expect(rec.requests()).toHaveLength(1);
    expect(rec.requests()[0]!.snapshot['http.header']).toBeUndefined();
    expect(rec.requests()[0]!.anomalies).toContain('http.http09_request');
  });
});

describe('response that does not start with a status line (libhtp 0.5.44+ htp_connp_RES_LINE)', () => {
  const GET = 'GET /g HTTP/1.1\r\nHost: a\r\n\r\n';

  it('makes the lines the body of the response to the request', () => {
    const { rec } = run([
      [true, GET],
      [false, '<script>EvilBody()</script>\r\nmore body\r\n'],
    ]);
    expect(rec.responses()).toHaveLength(1);
    const res = rec.responses()[0]!;
    expect(res.tx.hasRequest).toBe(true);
    expect(res.snapshot['http.response_body']).toBe('<script>EvilBody()</script>\r\nmore body\r\n');
    expect(res.snapshot['file.data']).toBe('<script>EvilBody()</script>\r\nmore body\r\n');
    expect(res.snapshot['http.stat_code']).toBeUndefined();
    expect(res.snapshot['http.response_line']).toBeUndefined();
    expect(res.snapshot['http.header']).toBeUndefined();
  });

  it('keeps reading line by line after an interim response that follows body lines', () => {
    const finals = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none' + 'HTTP/1.1 404 NF\r\nContent-Length: 3\r\n\r\ntwo';
    const { rec } = run([
      [true, GET + GET],
      [false, 'junk-line\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n' + finals],
    ]);
    // The 100 leaves the body-line response open; its status line comes next, then the 404.
    expect(rec.responses().map((e) => [e.snapshot['http.stat_code'], e.snapshot['http.response_body']])).toEqual([
      ['200', 'junk-line\r\none'],
      ['404', 'two'],
    ]);
  });

  it('skips a line followed by "H", or of at most 2 bytes, when more follows in the chunk', () => {
    const { rec } = run([
      [true, GET + GET + GET],
      [false, 'junk\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
      [false, 'x\r\n<html>hello'],
    ]);
    expect(rec.responses().map((e) => [e.snapshot['http.stat_code'], e.snapshot['http.response_body']])).toEqual([
      ['200', 'ok'],
      [undefined, '<html>hello'],
    ]);

    // The same for a line that arrives in pieces: what follows it in the chunk it ends in counts.
    const split = run([
      [true, GET],
      [false, '<scr'],
      [false, 'ipt>\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
    ]).rec;
    expect(split.responses().map((e) => [e.snapshot['http.response_line'], e.snapshot['http.response_body']])).toEqual([['HTTP/1.1 200 OK', 'ok']]);

    // Lines after a response that ended earlier in the same chunk would extend that response
    // in libhtp (RES_FINALIZE); handed over already here, they open the next response instead,
    // so their bytes are still inspected as response body (JUNK2 is skipped: 'H' follows it).
    const after = run([
      [true, GET + GET],
      [false, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK1\r\nJUNK2\r\nHTTP/1.1 404 NF\r\nContent-Length: 1\r\n\r\nb'],
    ]).rec;
    expect(after.responses().map((e) => [e.snapshot['http.stat_code'], e.snapshot['http.response_body']])).toEqual([
      ['200', 'ok'],
      ['404', 'JUNK1\r\nb'],
    ]);
    const trailing = run([
      [true, GET + GET],
      [false, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' + 'secret line one\nsecret line two\n'],
    ]).rec;
    expect(trailing.responses().map((e) => [e.snapshot['http.stat_code'], e.snapshot['http.response_body']])).toEqual([
      ['200', 'ok'],
      [undefined, 'secret line one\nsecret line two\n'],
    ]);
  });

  it('reads a status line after body lines into the same transaction, the body so far kept', () => {
    const { rec } = run([
      [true, GET],
      [false, '<p>one</p>\r\n<p>two</p>\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
    ]);
    expect(rec.responses()).toHaveLength(1);
    const s = rec.responses()[0]!.snapshot;
    expect(s['http.stat_code']).toBe('200');
    expect(s['http.response_body']).toBe('<p>one</p>\r\nok');
  });

  it('ends such a response with the chunk its last body line ended', () => {
    const { rec } = run([
      [true, GET],
      [false, '<html>\r\n'],
      [false, '<body>EVIL</body>\r\n'],
    ]);
    expect(rec.responses().map((e) => [e.tx.hasRequest, e.snapshot['http.response_body']])).toEqual([
      [true, '<html>\r\n'],
      [false, '<body>EVIL</body>\r\n'],
    ]);
  });

  it('takes a line starting with "http" in any case, without "/", for a status line', () => {
    const { rec } = run([
      [true, GET + GET],
      [false, 'HTTP 200 OK\r\nContent-Length: 8\r\n\r\nEVILBODY'],
      [false, ' \x00http/1.0 302 Moved\r\nContent-Length: 0\r\n\r\n'],
    ]);
    const [first, second] = rec.responses();
    expect(first!.snapshot['http.stat_code']).toBe('200');
    expect(first!.snapshot['http.protocol']).toBe('HTTP');
    expect(first!.snapshot['http.response_body']).toBe('EVILBODY');
    expect(first!.anomalies).toContain('http.protocol_invalid');
    expect(second!.snapshot['http.stat_code']).toBe('302');
  });
});

describe('header lines (libhtp htp_connp_REQ_HEADERS, htp_parse_request_header_generic)', () => {
  const header = (lines: string): string | undefined => {
    const { rec } = run([[true, `GET / HTTP/1.1\r\n${lines}\r\n`]]);
    return rec.requests()[0]!.snapshot['http.header'];
  };

  it('appends a folded line as sent, its leading whitespace included', () => {
    expect(header('Host: a\r\nX-F: one\r\n\ttwo\r\n')).toBe('Host: a\r\nX-F: one\ttwo\r\n');
    expect(header('Host: a\r\nX-F: one \r\n two\r\n')).toBe('Host: a\r\nX-F: one  two\r\n');
    expect(header('X-F:\r\n  two \r\n\tthree\r\n')).toBe('X-F: two \tthree\r\n');
    const { rec } = run([[true, 'GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: Evil\r\n   Bot\r\n\r\n']]);
    expect(rec.requests()[0]!.snapshot['http.user_agent']).toBe('Evil   Bot');
  });

  it('keeps a first header line that starts with whitespace, trimmed', () => {
    const { rec } = run([[true, 'GET / HTTP/1.1\r\n User-Agent: EvilBot\r\nHost: a\r\n\r\n']]);
    const s = rec.requests()[0]!.snapshot;
    expect(s['http.user_agent']).toBe('EvilBot');
    expect(s['http.header']).toBe('User-Agent: EvilBot\r\nHost: a\r\n');
  });

  it('keeps a line without a colon as a header with an empty name, the whole line its value', () => {
    const { rec } = run([[true, 'GET / HTTP/1.1\r\nHost: a\r\nEvilPayloadNoColon \r\n: v\r\n\r\n']]);
    const s = rec.requests()[0]!.snapshot;
    expect(s['http.header']).toBe('Host: a\r\n: EvilPayloadNoColon , v\r\n');
    expect(s['http.header_names']).toBe('\r\nHost\r\n\r\n\r\n');
    expect(rec.requests()[0]!.tx.instances!('http.request_header')!.map((b) => text(b))).toEqual(['Host: a', ': EvilPayloadNoColon , v']);
    expect(rec.requests()[0]!.anomalies).toContain('http.header_invalid');
  });

  it('starts a new field at a folded "Name: value" in an HTTP/1.1 response (libhtp RES_HEADERS)', () => {
    const resHeader = (protocol: string): string | undefined => {
      const { rec } = run([
        [true, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'],
        [false, `${protocol} 200 OK\r\nX-A: 1\r\n X-B: 2\r\n\tmore\r\nContent-Length: 0\r\n\r\n`],
      ]);
      return rec.responses()[0]!.snapshot['http.header'];
    };
    expect(resHeader('HTTP/1.1')).toBe('X-A: 1\r\nX-B: 2\tmore\r\nContent-Length: 0\r\n');
    expect(resHeader('HTTP/1.0')).toBe('X-A: 1 X-B: 2\tmore\r\nContent-Length: 0\r\n');
  });
});

describe('http.host.raw with an absolute-form target (Suricata detect-http-host.c GetRawData)', () => {
  it('is the normalised URI hostname, not the Host header, which it is only without one', () => {
    const { rec } = run([[true, 'GET http://Good.COM:8080/p HTTP/1.1\r\nHost: evil.com\r\n\r\nGET /p HTTP/1.1\r\nHost: Evil.COM:8080\r\n\r\n']]);
    const s = rec.requests()[0]!.snapshot;
    expect(s['http.host.raw']).toBe('good.com');
    expect(s['http.host']).toBe('good.com');
    expect(rec.requests()[1]!.snapshot['http.host.raw']).toBe('Evil.COM:8080');
  });

  it('is URL-decoded, as libhtp decodes parsed_uri->hostname', () => {
    const { rec } = run([[true, 'GET http://user@Ev%69L.example.:81/ HTTP/1.1\r\nHost: x\r\n\r\n']]);
    const s = rec.requests()[0]!.snapshot;
    expect(s['http.host.raw']).toBe('evil.example');
    expect(s['http.host']).toBe('evil.example');
  });
});

describe('body decompression (libhtp htp_gzip_decompressor_decompress and _restart)', () => {
  const html = Buffer.from('<html>' + 'x'.repeat(2000) + 'EVILRESP</html>');
  const respond = (headers: string[], body: Buffer, segments: Buffer[] = [body]) =>
    run([
      [true, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, new Uint8Array(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${headers.join('\r\n')}\r\nContent-Length: ${body.length}\r\n\r\n`), segments[0]!]))],
      ...segments.slice(1).map((b) => [false, new Uint8Array(b)] as const),
    ]).rec.responses()[0]!;

  it.each([
    ['gzip', deflateSync],
    ['gzip', deflateRawSync],
    ['x-gzip', deflateSync],
    ['deflate', gzipSync],
    ['gzip, deflate', (b: Buffer) => gzipSync(deflateSync(b))],
  ])('decodes a response labelled %s whatever it holds (restarts with the other method)', (enc, compress) => {
    const res = respond([`Content-Encoding: ${enc}`], compress(html));
    expect(res.snapshot['http.response_body']).toBe(html.toString('latin1'));
    expect(res.snapshot['file.data']).toBe(html.toString('latin1'));
    expect(res.anomalies).not.toContain('http.decompression_failed');
  });

  it('decodes a mislabelled request body too (Suricata turns request decompression on)', () => {
    const form = Buffer.from('a=1&x=EVILREQ&b=2');
    const z = deflateSync(form);
    const { rec } = run([[true, new Uint8Array(Buffer.concat([Buffer.from(`POST /f HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nContent-Length: ${z.length}\r\n\r\n`), z]))]]);
    expect(rec.requests()[0]!.snapshot['http.request_body']).toBe('a=1&x=EVILREQ&b=2');
  });

  it('undoes the codings of two Content-Encoding lines, as libhtp joins a repeated header ("gzip, deflate")', () => {
    const res = respond(['Content-Encoding: gzip', 'Content-Encoding: deflate'], deflateSync(gzipSync(html)));
    expect(res.snapshot['http.response_body']).toBe(html.toString('latin1'));
  });

  it('keeps what decoded before the data went bad and passes the later data through as sent', () => {
    const head = gzipSync(Buffer.from('x')).subarray(0, 10);
    const first = Buffer.concat([head, deflateRawSync(Buffer.from('benign prefix '.repeat(10)), { finishFlush: constants.Z_SYNC_FLUSH }), Buffer.from([0xff, 0xff])]);
    const second = Buffer.from(' hello EVILRESP world');
    const res = respond(['Content-Encoding: gzip'], Buffer.concat([first, second]), [first, second]);
    expect(res.snapshot['http.response_body']).toBe('benign prefix '.repeat(10) + '\xff\xff hello EVILRESP world');
  });
});

describe('request files (Suricata HTPCallbackRequestBodyData, HtpRequestBodyHandleMultipart)', () => {
  const part = 'Content-Disposition: form-data; name="f"; filename="evil.exe"\r\nContent-Type: application/octet-stream\r\n\r\nMZ EVILREQ data';
  const send = (method: string, type: string | null, body: string) => {
    const { rec } = run([[true, `${method} /put.php HTTP/1.1\r\nHost: a\r\n${type === null ? '' : `Content-Type: ${type}\r\n`}Content-Length: ${body.length}\r\n\r\n${body}`]]);
    const tx = rec.requests()[0]!.tx as unknown as { requestFiles(): readonly { name: Uint8Array; data: Uint8Array }[] };
    return tx.requestFiles().map((f) => [text(f.name), text(f.data)]);
  };

  it('takes a line that starts with --boundary for a delimiter, whatever follows on it', () => {
    expect(send('POST', 'multipart/form-data; boundary=XyZ', `--XyZ junk\r\n${part}\r\n--XyZ--\r\n`)).toEqual([['evil.exe', 'MZ EVILREQ data']]);
    expect(send('POST', 'multipart/form-data; boundary=XyZ', `--XyZZZ\r\n${part}\r\n--XyZ--\r\n`)).toEqual([['evil.exe', 'MZ EVILREQ data']]);
    // The boundary as sent: another case is no delimiter.
    expect(send('POST', 'multipart/form-data; boundary=XyZ', `--xyz\r\n${part}\r\n--xyz--\r\n`)).toEqual([]);
  });

  it('reads a POST as multipart when its Content-Type has a boundary, whatever the type', () => {
    for (const type of ['text/plain; boundary=XyZ', 'application/octet-stream; BOUNDARY="XyZ"']) {
      expect(send('POST', type, `--XyZ\r\n${part}\r\n--XyZ--\r\n`)).toEqual([['evil.exe', 'MZ EVILREQ data']]);
    }
    // multipart/ without a boundary is a plain POST body, named by the path.
    expect(send('POST', 'multipart/form-data', 'a=1')).toEqual([['/put.php', 'a=1']]);
  });

  it('makes a PUT body one file named by the path, multipart or not', () => {
    const body = `--XyZ\r\n${part}\r\n--XyZ--\r\n`;
    expect(send('PUT', 'multipart/form-data; boundary=XyZ', body)).toEqual([['/put.php', body]]);
  });

  it('still reads the parts of a multipart body sent with another method (more than Suricata, which reads none)', () => {
    expect(send('PATCH', 'multipart/form-data; boundary=XyZ', `--XyZ\r\n${part}\r\n--XyZ--\r\n`)).toEqual([['evil.exe', 'MZ EVILREQ data']]);
    expect(send('PATCH', 'text/plain; boundary=XyZ', `--XyZ\r\n${part}\r\n--XyZ--\r\n`)).toEqual([]);
  });
});

describe('response file.name (Suricata HTTPParseContentDispositionHeader)', () => {
  const named = (disposition: string): string | undefined =>
    run([
      [true, 'GET /dl/x.bin?id=1 HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, `HTTP/1.1 200 OK\r\nContent-Disposition: ${disposition}\r\nContent-Length: 2\r\n\r\nMZ`],
    ]).rec.responses()[0]!.snapshot['file.name'];

  it('matches the parameter name in any case', () => {
    expect(named('attachment; FILENAME="evil.exe"')).toBe('evil.exe');
    expect(named('attachment; Filename=evil.exe')).toBe('evil.exe');
  });

  it('does not split at a ";" inside quotes, or an escaped one', () => {
    expect(named('attachment; filename="a;evil.exe"')).toBe('a;evil.exe');
    expect(named('attachment; filename=a\\;evil.exe')).toBe('a\\;evil.exe');
    // A quoted value that only contains "filename=" is not the parameter.
    expect(named('attachment; x="y; filename=evil.exe"')).toBe('/dl/x.bin');
  });
});

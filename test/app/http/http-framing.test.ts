import { describe, expect, it } from 'vitest';
import { AppLayer } from '../../../src/app/app-layer.js';
import { Recorder, bytes, makeFlow, run } from '../helpers.js';

const summary = (rec: Recorder): string[] =>
  rec.http.map((e) => `${e.tx.id}:${e.phase}:${e.phase === 'request' ? e.snapshot['http.uri.raw'] : e.snapshot['http.stat_code'] + ':' + (e.snapshot['http.response_body'] ?? '')}`);

describe('HTTP message framing', () => {
  it('pairs pipelined requests with responses in order', () => {
    const { rec } = run([
      [true, 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 NF\r\nContent-Length: 1\r\n\r\nbHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc'],
    ]);
    expect(summary(rec)).toEqual(['0:request:/1', '1:request:/2', '2:request:/3', '0:response:200:a', '1:response:404:b', '2:response:200:c']);
  });

  it('follows keep-alive exchanges', () => {
    const { rec } = run([
      [true, 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
      [true, 'GET /2 HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n'],
    ]);
    expect(summary(rec)).toEqual(['0:request:/1', '0:response:200:ok', '1:request:/2', '1:response:200:hi']);
  });

  it('gives HEAD responses, 204 and 304 no body', () => {
    const { rec } = run([
      [true, 'HEAD /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\nGET /4 HTTP/1.1\r\nHost: a\r\n\r\n'],
      [
        false,
        'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' +
          'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n' +
          'HTTP/1.1 304 Not Modified\r\n\r\n' +
          'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast',
      ],
    ]);
    expect(summary(rec).filter((s) => s.includes('response'))).toEqual(['0:response:200:', '1:response:204:', '2:response:304:', '3:response:200:last']);
  });

  it('hands 100 Continue over as a status line of its own and pairs the final response', () => {
    const { rec, app } = run([
      [true, 'POST /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n'],
      [false, 'HTTP/1.1 100 Continue\r\n\r\n'],
      [true, 'abc'],
      [false, 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n'],
    ]);
    expect(summary(rec)).toEqual(['0:request:/u', '0:response:100:', '0:response:201:']);
    expect(rec.requests()[0]!.snapshot['http.request_body']).toBe('abc');
    expect(app.stats.http.interimResponses).toBe(1);
  });

  it('reads a body delimited by connection close', () => {
    const { rec } = run([
      [true, 'GET / HTTP/1.0\r\n\r\n'],
      [false, 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of'],
      [false, ' this'],
    ]);
    expect(summary(rec)).toEqual(['0:request:/', '0:response:200:all of this']);
  });

  it('handles an HTTP/0.9 request and its bare response', () => {
    const { rec } = run([
      [true, 'GET /old.html\r\n'],
      [false, '<html>old</html>'],
    ]);
    expect(summary(rec)).toEqual(['0:request:/old.html', '0:response:undefined:<html>old</html>']);
    expect(rec.requests()[0]!.snapshot['http.protocol']).toBeUndefined();
  });

  it('hands over requests that never get a response', () => {
    const { rec } = run([[true, 'GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n']]);
    expect(summary(rec)).toEqual(['0:request:/a', '1:request:/b']);
  });

  it('makes a transaction of a response without a request (midstream)', () => {
    const { rec, app } = run([[false, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi']]);
    expect(summary(rec)).toEqual(['0:response:200:hi']);
    expect(rec.http[0]!.tx.hasRequest).toBe(false);
    expect(app.stats.http.orphanResponses).toBe(1);
  });

  it('tolerates bare LF line ends and blank lines between requests', () => {
    const { rec } = run([[true, 'GET /a HTTP/1.0\nHost: x\n\n\r\n\r\nGET /b HTTP/1.0\nUser-Agent: u\n\n']]);
    expect(summary(rec)).toEqual(['0:request:/a', '1:request:/b']);
    expect(rec.requests()[1]!.snapshot['http.user_agent']).toBe('u');
  });

  it('stops parsing after CONNECT is accepted: the tunnel is detected afresh, not read as HTTP', () => {
    const { rec, app, flow } = run([
      [true, 'CONNECT mail.example:443 HTTP/1.1\r\nHost: mail.example:443\r\n\r\n'],
      [false, 'HTTP/1.1 200 Connection established\r\n\r\n'],
      [true, new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])],
      [false, new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x02, 9, 9])],
    ]);
    expect(summary(rec)).toEqual(['0:request:mail.example:443', '0:response:200:']);
    expect(app.stats.http.connectTunnels).toBe(1);
    expect(flow.appProto).toBe('tls');
  });

  it('continues after a refused CONNECT when the client sends another request', () => {
    const { rec } = run([
      [true, 'CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, 'HTTP/1.1 407 Proxy Auth\r\nContent-Length: 0\r\n\r\n'],
      [true, 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ]);
    expect(summary(rec)).toEqual(['0:request:a:443', '0:response:407:', '1:request:/x', '1:response:200:']);
  });

  it('stops parsing after 101 Switching Protocols', () => {
    const { rec } = run([
      [true, 'GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'],
      [false, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'],
      [true, new Uint8Array([0x81, 0x85, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
      [false, 'GET /not-http HTTP/1.1\r\n\r\n'],
    ]);
    expect(summary(rec)).toEqual(['0:request:/chat', '0:response:101:']);
  });

  it('finds the next request after garbage in the client stream', () => {
    const { rec, app } = run([
      [true, 'GET /before HTTP/1.1\r\nHost: a\r\n\r\n'],
      [true, '\x00\x01\x02garbage\r\nmore junk\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n'],
    ]);
    expect(summary(rec)).toEqual(['0:request:/before', '1:request:/after']);
    expect(app.stats.http.resyncBytes).toBeGreaterThan(0);
  });
});

describe('HTTP over stream gaps', () => {
  const feed = (app: AppLayer, flowId: number, parts: [boolean, string, number, boolean][]): void => {
    const flow = makeFlow(flowId);
    for (const [toServer, data, offset, gap] of parts) app.streamData(flow, toServer, bytes(data), offset, gap);
    app.flowEnd(flow);
  };

  it('skips a hole inside a Content-Length body and stays in step', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec);
    const head = 'POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n';
    feed(app, 1, [
      [true, head + 'abc', 0, false],
      // "defg" lost; the offsets say so.
      [true, 'hij' + 'GET /b HTTP/1.1\r\nHost: a\r\n\r\n', head.length + 7, true],
    ]);
    expect(summary(rec)).toEqual(['0:request:/a', '1:request:/b']);
    expect(rec.requests()[0]!.anomalies).toContain('http.gap');
    expect(rec.requests()[0]!.snapshot['http.request_body']).toBe('abchij');
    expect(app.stats.gaps).toBe(1);
  });

  it('recovers at the next request after a hole inside headers', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec);
    const first = 'GET /a HTTP/1.1\r\nHost: a\r\nX-Y: ';
    feed(app, 2, [
      [true, first, 0, false],
      [true, 'tail\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n', first.length + 100, true],
    ]);
    expect(summary(rec)).toEqual(['0:request:/a', '1:request:/b']);
    expect(rec.requests()[0]!.anomalies).toContain('http.gap');
  });

  it('picks up a midstream flow at the first request line', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec);
    feed(app, 3, [[true, 'ody of an earlier post\r\nPOST /c HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nz', 5000, true]]);
    expect(summary(rec)).toEqual(['0:request:/c']);
  });

  it('skips bytes delivered twice', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec);
    const req = 'GET /dup HTTP/1.1\r\nHost: a\r\n\r\n';
    feed(app, 4, [
      [true, req.slice(0, 20), 0, false],
      [true, req.slice(10), 10, false],
    ]);
    expect(summary(rec)).toEqual(['0:request:/dup']);
    expect(app.stats.overlapBytes).toBe(10);
  });
});

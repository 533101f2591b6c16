import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONNECT_HOLD_LIMIT } from '../../../src/app/http/connect-hold.js';
import { clientHello, concatBytes, serverHello, tlsRecords } from '../../../src/traffic/index.js';
import { bytes, run, splitSegments, text, type Recorder, type Segment } from '../helpers.js';

const CONNECT = 'CONNECT secure.example:443 HTTP/1.1\r\nHost: secure.example:443\r\n\r\n';
const ESTABLISHED = 'HTTP/1.1 200 Connection established\r\n\r\n';
const HELLO = tlsRecords(22, clientHello({ sni: 'inner.example', ciphers: [0x1301, 0xc02f], groups: [29], pointFormats: [0] }));
const SERVER_HELLO = tlsRecords(22, serverHello({ cipher: 0xc02f }));

/** Each hello handed over, by side, with the connection's SNI. */
const snis = (rec: Recorder): string[] => rec.tlsHellos().map((h) => `${h.side}:${text(h.buffer('tls.sni'))}`);
const uris = (rec: Recorder): string[] => rec.requests().map((e) => `${e.tx.id}:${e.snapshot['http.uri']}`);
const join = (...parts: (string | Uint8Array)[]): Uint8Array => concatBytes(parts.map((p) => (typeof p === 'string' ? bytes(p) : p)));

describe('HTTP CONNECT tunnel: the connection is detected afresh after an accepted CONNECT', () => {
  it('parses the TLS ClientHello inside the tunnel (tls.sni), the flow becoming tls', () => {
    const { rec, app, flow } = run([
      [true, CONNECT],
      [false, ESTABLISHED],
      [true, HELLO],
      [false, SERVER_HELLO],
    ]);
    expect(uris(rec)).toEqual(['0:secure.example:443']);
    expect(snis(rec)).toEqual(['client:inner.example', 'server:inner.example']);
    expect(flow.appProto).toBe('tls');
    expect(app.stats.http.connectTunnels).toBe(1);
    expect(app.stats.tls.flows).toBe(1);
    expect(app.stats.memoryInUse).toBe(0);
  });

  it('parses a plain HTTP request inside the tunnel as a new connection (its tx ids start again)', () => {
    const { rec, flow } = run([
      [true, 'CONNECT plain.example:80 HTTP/1.1\r\nHost: plain.example:80\r\n\r\n'],
      [false, ESTABLISHED],
      [true, 'GET /inside/tunnel HTTP/1.1\r\nHost: plain.example\r\n\r\n'],
      [false, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
    ]);
    expect(uris(rec)).toEqual(['0:plain.example:80', '0:/inside/tunnel']);
    expect(rec.responses().map((e) => e.snapshot['http.response_body'])).toEqual([undefined, 'ok']);
    expect(flow.appProto).toBe('http');
  });

  it('reads the server bytes after the 200 in the same segment as the tunnel', () => {
    const { rec, flow } = run([
      [true, CONNECT],
      [false, join(ESTABLISHED, SERVER_HELLO)],
      [true, HELLO],
    ]);
    expect(snis(rec)).toEqual(['client:inner.example', 'server:inner.example']);
    expect(flow.appProto).toBe('tls');
  });

  it('holds client bytes sent before the answer (same segment as the CONNECT, or the next) and detects them once it is a 200', () => {
    for (const client of [[join(CONNECT, HELLO)], [CONNECT, HELLO]]) {
      const { rec, flow, app } = run([...client.map((c): Segment => [true, c]), [false, join(ESTABLISHED, SERVER_HELLO)]]);
      expect(uris(rec)).toEqual(['0:secure.example:443']);
      expect(snis(rec)).toEqual(['client:inner.example', 'server:inner.example']);
      expect(flow.appProto).toBe('tls');
      expect(app.stats.memoryInUse).toBe(0);
    }
  });

  it('finds the tunnel whatever the segmentation', () => {
    const segments: Segment[] = [
      [true, join(CONNECT, HELLO)],
      [false, join(ESTABLISHED, SERVER_HELLO)],
      [true, tlsRecords(20, Uint8Array.of(1))],
    ];
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { maxLength: 4 }), { minLength: 3, maxLength: 3 }), (cuts) => {
        const { rec, flow } = run(splitSegments(segments, cuts));
        expect(snis(rec)).toEqual(['client:inner.example', 'server:inner.example']);
        expect(flow.appProto).toBe('tls');
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the start of what the client sends before the answer, the rest dropped and counted', () => {
    const junk = new Uint8Array(CONNECT_HOLD_LIMIT).fill(0x41);
    const { rec, app, flow } = run([
      [true, join(CONNECT, HELLO)],
      [true, junk],
      [false, ESTABLISHED],
    ]);
    expect(snis(rec)).toEqual(['client:inner.example']);
    expect(flow.appProto).toBe('tls');
    expect(app.stats.http.tunnelBytes).toBe(HELLO.length + junk.length - CONNECT_HOLD_LIMIT);
    expect(app.stats.memoryInUse).toBe(0);
  });

  it('leaves the flow undetected (app_proto failed) when nothing known follows', () => {
    const { flow, app } = run([
      [true, CONNECT],
      [false, ESTABLISHED],
      [true, 'xyzzy plugh\r\n'],
      [false, 'xyzzy\r\n'],
    ]);
    expect(flow.appProto).toBeNull();
    expect(app.stats.undetectedFlows).toBe(1);
  });
});

describe('HTTP CONNECT that does not hand the connection over', () => {
  it('stays HTTP after a refusal (407): the bytes held meanwhile and what follows are requests', () => {
    const { rec, app, flow } = run([
      [true, join(CONNECT, '\x16\x03\x01\x00\x05junk\r\nGET /held HTTP/1.1\r\nHost: a\r\n\r\n')],
      [false, 'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n'],
      [true, 'GET /after HTTP/1.1\r\nHost: a\r\n\r\n'],
      [true, HELLO],
    ]);
    expect(uris(rec)).toEqual(['0:secure.example:443', '1:/held', '2:/after']);
    expect(rec.responses().map((e) => e.snapshot['http.stat_code'])).toEqual(['407']);
    expect(snis(rec)).toEqual([]);
    expect(flow.appProto).toBe('http');
    expect(app.stats.http.connectTunnels).toBe(0);
  });

  it('re-detects only when the CONNECT is the connection\'s first transaction (as Suricata 7)', () => {
    const tail: Segment[] = [
      [true, CONNECT],
      [false, ESTABLISHED],
      [true, HELLO],
    ];
    const first = run(tail);
    expect(snis(first.rec)).toEqual(['client:inner.example']);
    // After a keep-alive exchange the accepted CONNECT leaves a tunnel that is not read.
    const second = run([[true, 'GET /a HTTP/1.1\r\nHost: a\r\n\r\n'], [false, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'], ...tail]);
    expect(uris(second.rec)).toEqual(['0:/a', '1:secure.example:443']);
    expect(snis(second.rec)).toEqual([]);
    expect(second.flow.appProto).toBe('http');
    expect(second.app.stats.http.tunnelBytes).toBe(HELLO.length);
    // Pipelined behind a request, the CONNECT's answer is the second one too.
    const pipelined = run([[true, join('GET /a HTTP/1.1\r\nHost: a\r\n\r\n', CONNECT)], [false, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' + ESTABLISHED], [true, HELLO]]);
    expect(snis(pipelined.rec)).toEqual([]);
  });

  it('reads what a never-answered CONNECT was followed by as it would without waiting', () => {
    const { rec, app } = run([[true, join(CONNECT, 'GET /pipelined HTTP/1.1\r\nHost: a\r\n\r\n')]]);
    expect(uris(rec)).toEqual(['0:secure.example:443', '1:/pipelined']);
    expect(app.stats.memoryInUse).toBe(0);
  });

  it('reads a run of pipelined CONNECTs, each refused in turn, one after the other', () => {
    const n = 900;
    const { rec, app } = run([
      [true, CONNECT.repeat(n) + 'GET /last HTTP/1.1\r\nHost: a\r\n\r\n'],
      ...Array.from({ length: n }, (): Segment => [false, 'HTTP/1.1 407 No\r\nContent-Length: 0\r\n\r\n']),
    ]);
    expect(rec.requests().length).toBe(n + 1);
    expect(uris(rec).at(-1)).toBe(`${n}:/last`);
    expect(app.stats.memoryInUse).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppLayer } from '../../../src/app/app-layer.js';
import { Recorder, bytes, makeFlow, run, splitSegments, type Segment } from '../helpers.js';

const VALID: Segment[] = [
  [true, 'POST /a%2f..%c0%af HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nX: y\r\n z\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /b HTTP/1.0\r\n\r\n'],
  [false, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.0 200 OK\r\n\r\nclose-delimited'],
];

describe('hostile HTTP input never throws and stays bounded', () => {
  it('random bytes in both directions, on a flow known to be HTTP', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 300 })), { maxLength: 12 }), (parts) => {
        const { app } = run(parts, {}, makeFlow(1, 'http'));
        expect(app.stats.parserErrors).toBe(0);
        expect(app.stats.memoryInUse).toBe(0);
        expect(app.activeFlows).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes behind a valid request line (the parser, not detection, sees them)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.uint8Array({ maxLength: 500 }), (a, b) => {
        const { app } = run([
          [true, new Uint8Array([...bytes('GET / HTTP/1.1\r\n'), ...a])],
          [false, new Uint8Array([...bytes('HTTP/1.1 200 OK\r\n'), ...b])],
        ]);
        expect(app.stats.parserErrors).toBe(0);
        expect(app.stats.memoryInUse).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('mutated conversations: flipped bits, dropped and inserted bytes, any split', () => {
    const mutation = fc.record({ seg: fc.nat(1), at: fc.nat(), kind: fc.constantFrom('flip', 'drop', 'insert'), value: fc.nat(255) });
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 20 }), fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 6 }), { maxLength: 2 }), (muts, cuts) => {
        const segs = VALID.map(([d, s]) => [d, Array.from(bytes(s as string))] as [boolean, number[]]);
        for (const m of muts) {
          const arr = segs[m.seg]![1];
          const at = m.at % (arr.length + 1);
          if (m.kind === 'flip' && at < arr.length) arr[at] = arr[at]! ^ (1 << m.value % 8);
          else if (m.kind === 'drop') arr.splice(at, 1);
          else arr.splice(at, 0, m.value);
        }
        const mutated: Segment[] = segs.map(([d, arr]) => [d, new Uint8Array(arr)]);
        const { app, rec } = run(splitSegments(mutated, cuts), {}, makeFlow(1, 'http'));
        expect(app.stats.parserErrors).toBe(0);
        expect(app.stats.memoryInUse).toBe(0);
        for (const e of rec.http) {
          // Every buffer can be built without throwing.
          for (const side of ['request', 'response'] as const) for (const name of ['http.uri', 'http.header', 'http.start', 'http.response_body'] as const) e.tx.view(side).buffer(name);
          e.tx.meta();
        }
      }),
      { numRuns: 400 },
    );
  });

  it('endless chunk-size lines are cut at 1 KiB and the stream resynchronizes', () => {
    const { rec, app } = run([
      [true, 'POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n' + 'f'.repeat(5_000_000) + '\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n'],
    ]);
    expect(rec.requests().map((e) => e.snapshot['http.uri.raw'])).toEqual(['/a', '/after']);
    expect(rec.requests()[0]!.anomalies).toContain('http.chunk_line_too_long');
    expect(app.stats.http.resyncBytes).toBeGreaterThan(4_000_000);
  });

  it('a chunk size beyond 2^44 is an overflow attempt, not a wait for petabytes', () => {
    const { rec } = run([[true, 'POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000000000000001\r\nx\r\nFFFFFFFFFFFFFFFF\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n']]);
    expect(rec.requests()[0]!.snapshot['http.request_body']).toBe('x');
    expect(rec.requests()[0]!.anomalies).toContain('http.chunk_size_invalid');
    expect(rec.requests()[1]!.snapshot['http.uri.raw']).toBe('/next');
  });

  it('junk around the digits of a Content-Length is read past, as libhtp reads it, and flagged', () => {
    for (const [cl, body] of [['8abc', 'BODYDATA'], ['+8', 'BODYDATA'], ['-8', 'BODYDATA'], ['x8;', 'BODYDATA'], ['3 4', 'BOD']] as const) {
      const { rec } = run([[true, `POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: ${cl}\r\n\r\n${body}GET /b HTTP/1.1\r\nHost: a\r\n\r\n`]]);
      expect(rec.requests()[0]!.anomalies, cl).toContain('http.content_length_invalid');
      expect(rec.requests()[0]!.snapshot['http.request_body'], cl).toBe(body);
      expect(rec.requests()[1]!.snapshot['http.uri.raw'], cl).toBe('/b');
    }
  });

  it('a Content-Length with no digits, or too large, gives no body and an anomaly', () => {
    for (const cl of ['x', '18446744073709551616', '']) {
      const { rec } = run([[true, `POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: ${cl}\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n`]]);
      expect(rec.requests()[0]!.anomalies, cl).toContain('http.content_length_invalid');
      expect(rec.requests()[0]!.snapshot['http.request_body'], cl).toBeUndefined();
      expect(rec.requests()[1]!.snapshot['http.uri.raw'], cl).toBe('/b');
    }
  });

  it('a huge announced Content-Length only counts bytes, it never allocates them', () => {
    const { rec, app } = run([
      [true, 'POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 9007199254740991\r\n\r\n'],
      [true, new Uint8Array(3_000_000)],
    ]);
    const req = rec.requests()[0]!;
    expect(req.tx.buffer('http.request_body')!.length).toBe(1 << 20);
    expect(req.tx.anomalies).toContain('http.message_incomplete');
    expect(app.stats.memoryInUse).toBe(0);
  });

  it('100,000 tiny headers are parsed and merged in linear time', () => {
    const headers = Array.from({ length: 100_000 }, (_, i) => `h${i % 5000}: v\r\n`).join('');
    const { rec } = run([[true, `GET / HTTP/1.1\r\nHost: a\r\n${headers}\r\n`]]);
    const tx = rec.requests()[0]!.tx;
    const h = tx.buffer('http.header')!;
    expect(h.length).toBeGreaterThan(5000 * 8);
    expect(tx.buffer('http.header_names')!.length).toBeLessThan(5001 * 8);
  });

  it('a pipelining flood without responses keeps per-flow state bounded', () => {
    const many = 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(5000);
    const rec = new Recorder();
    const app = new AppLayer(rec, { maxPendingTransactions: 64 });
    const flow = makeFlow(9);
    app.streamData(flow, true, bytes(many), 0, false);
    app.streamData(flow, false, bytes('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 0, false);
    expect(rec.requests()).toHaveLength(5000);
    // The response pairs with a request still remembered, one of the last 64.
    expect(rec.responses()[0]!.tx.id).toBeGreaterThanOrEqual(5000 - 64);
    expect(app.stats.http.pendingEvicted).toBeGreaterThan(0);
    app.flowEnd(flow);
  });

  it('a response still arriving is not given up for a burst of later requests', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec, { maxPendingTransactions: 64 });
    const flow = makeFlow(10);
    const first = bytes('GET /first HTTP/1.1\r\nHost: a\r\n\r\n');
    app.streamData(flow, true, first, 0, false);
    const head = bytes('HTTP/1.1 200 OK\r\nContent-Length: 21\r\n\r\nRESPMARK');
    app.streamData(flow, false, head, 0, false);
    const burst = bytes('GET /x HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(300));
    app.streamData(flow, true, burst, first.length, false);
    app.streamData(flow, false, bytes(' and the rest'), head.length, false);
    const res = rec.responses().find((e) => e.tx.id === 0)!;
    // As it was when handed over for inspection.
    expect(res.snapshot['http.response_body']).toBe('RESPMARK and the rest');
    expect(app.stats.http.pendingEvicted).toBeGreaterThan(0);
    app.flowEnd(flow);
  });

  it('many flows each holding a half-sent megabyte header stay within the memory budget', () => {
    const memcap = 8 << 20;
    const rec = new Recorder();
    const app = new AppLayer(rec, { memcap });
    const partial = bytes('GET / HTTP/1.1\r\nHost: a\r\nX-Pad: ' + 'P'.repeat(900_000));
    let peak = 0;
    for (let i = 0; i < 40; i++) {
      app.streamData(makeFlow(100 + i), true, partial, 0, false);
      peak = Math.max(peak, app.stats.memoryInUse);
    }
    expect(peak).toBeLessThanOrEqual(memcap);
    expect(app.stats.memcapDeniedBytes + app.stats.http.headBytesCut).toBeGreaterThan(0);
    for (let i = 0; i < 40; i++) app.flowEnd(makeFlow(100 + i));
    expect(app.stats.memoryInUse).toBe(0);
    // Every flow still yields its (possibly cut) request, flagged when the budget cut it.
    expect(rec.requests()).toHaveLength(40);
    expect(rec.requests().some((e) => e.anomalies.includes('http.memcap'))).toBe(true);
  });

  it('requests kept waiting for a response count against the memory budget', () => {
    const memcap = 4 << 20;
    const rec = new Recorder();
    const app = new AppLayer(rec, { memcap });
    const flow = makeFlow(11);
    const body = 'B'.repeat(500_000);
    let offset = 0;
    let peak = 0;
    for (let i = 0; i < 30; i++) {
      const req = bytes(`POST /u${i} HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      app.streamData(flow, true, req, offset, false);
      offset += req.length;
      peak = Math.max(peak, app.stats.memoryInUse);
    }
    expect(peak).toBeLessThanOrEqual(memcap);
    expect(app.stats.http.pendingEvicted).toBeGreaterThan(0);
    expect(rec.requests()).toHaveLength(30);
    app.streamData(flow, false, bytes('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), 0, false);
    expect(rec.responses()[0]!.tx.id).toBeGreaterThan(20);
    app.flowEnd(flow);
    expect(app.stats.memoryInUse).toBe(0);
  });
});

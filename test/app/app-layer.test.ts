import { describe, expect, it } from 'vitest';
import { AppLayer } from '../../src/app/app-layer.js';
import { Recorder, bytes, makeFlow, run, text } from './helpers.js';

describe('AppLayer', () => {
  it('detects HTTP from the client side and sets the flow protocol once', () => {
    const { rec, flow, app } = run([[true, 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n']]);
    expect(flow.appProto).toBe('http');
    expect(rec.requests()).toHaveLength(1);
    expect(app.stats.httpFlows).toBe(1);
  });

  it('detects HTTP from a server response seen first (midstream pickup)', () => {
    const { rec, flow } = run([[false, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']]);
    expect(flow.appProto).toBe('http');
    expect(rec.responses()).toHaveLength(1);
  });

  it('detects SMTP from a client that speaks first', () => {
    const { rec, flow } = run([[true, 'EHLO x\r\nQUIT\r\n']]);
    expect(flow.appProto).toBe('smtp');
    expect(rec.smtp.filter((e) => e.phase === 'command')).toHaveLength(2);
  });

  it('trusts a protocol already set on the flow and ignores other protocols', () => {
    const smtp = run([[true, 'MAIL FROM:<a@b>\r\n']], {}, makeFlow(1, 'smtp'));
    expect(smtp.rec.smtp).toHaveLength(1);
    const ssh = run([[true, 'GET / HTTP/1.1\r\n\r\n']], {}, makeFlow(2, 'ssh'));
    expect(ssh.rec.http).toHaveLength(0);
    expect(ssh.app.stats.bytesIgnored).toBeGreaterThan(0);
  });

  it('gives up on a flow that is neither, and ignores the rest of it cheaply', () => {
    const { rec, flow, app } = run([
      [true, '\x16\x03\x01\x00\x10 client hello'],
      [false, '\x16\x03\x01\x00\x10 server hello'],
      [true, 'GET /not-inspected HTTP/1.1\r\n\r\n'],
    ]);
    expect(flow.appProto).toBeNull();
    expect(rec.http).toHaveLength(0);
    expect(app.stats.undetectedFlows).toBe(1);
    expect(app.stats.bytesIgnored).toBeGreaterThan(0);
  });

  it('still detects from the server when the client side began mid-body', () => {
    const { rec } = run([
      [true, '\x00\x01binary upload tail'],
      [false, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
      [true, 'GET /next HTTP/1.1\r\nHost: a\r\n\r\n'],
    ]);
    expect(rec.http.map((e) => `${e.phase}:${e.snapshot['http.uri.raw'] ?? e.snapshot['http.stat_code']}`)).toEqual(['response:200', 'request:/next']);
  });

  it('copies what it keeps: the caller may reuse its chunk buffer right after each call', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec);
    const flow = makeFlow(3);
    const scratch = new Uint8Array(64);
    const wire = bytes('POST /keep HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789');
    let offset = 0;
    for (let i = 0; i < wire.length; i += 7) {
      const piece = wire.subarray(i, i + 7);
      scratch.set(piece);
      app.streamData(flow, true, scratch.subarray(0, piece.length), offset, false);
      scratch.fill(0x58);
      offset += piece.length;
    }
    app.flowEnd(flow);
    const tx = rec.requests()[0]!.tx;
    expect(text(tx.buffer('http.uri.raw'))).toBe('/keep');
    expect(text(tx.buffer('http.request_body'))).toBe('0123456789');
    expect(text(tx.buffer('http.header.raw'))).toBe('Host: a\r\nContent-Length: 10\r\n\r\n');
  });

  it('finishes the oldest flow when the flow cap is reached', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec, { maxFlows: 2 });
    for (let id = 1; id <= 3; id++) {
      const flow = makeFlow(id);
      app.streamData(flow, true, bytes('GET / HTTP/1.0\r\n\r\n'), 0, false);
      app.streamData(flow, false, bytes('HTTP/1.0 200 OK\r\n\r\nclose-delimited'), 0, false);
    }
    expect(app.stats.flowsEvicted).toBe(1);
    expect(app.activeFlows).toBe(2);
    expect(rec.responses().map((e) => e.flowId)).toEqual([1]);
    app.flushAll();
    expect(rec.responses().map((e) => e.flowId)).toEqual([1, 2, 3]);
    expect(app.activeFlows).toBe(0);
    expect(app.stats.memoryInUse).toBe(0);
  });

  it('lets errors thrown by the sink through instead of hiding them as parser errors', () => {
    const app = new AppLayer({
      httpTransaction(): void {
        throw new Error('matcher bug');
      },
    });
    expect(() => app.streamData(makeFlow(4), true, bytes('GET / HTTP/1.0\r\n\r\n'), 0, false)).toThrow('matcher bug');
    expect(app.stats.parserErrors).toBe(0);
  });

  it('reports a gap only once per hole, from the offsets', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec);
    const flow = makeFlow(5);
    app.streamData(flow, true, bytes('GET /a HTTP/1.1\r\nHost: a\r\n\r\n'), 0, false);
    app.streamData(flow, true, bytes('GET /b HTTP/1.1\r\nHost: a\r\n\r\n'), 1000, false);
    app.flowEnd(flow);
    expect(app.stats.gaps).toBe(1);
    expect(rec.requests().map((e) => e.snapshot['http.uri.raw'])).toEqual(['/a', '/b']);
  });

  it('returns all memory when flows end', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec);
    for (let id = 10; id < 20; id++) {
      const flow = makeFlow(id);
      app.streamData(flow, true, bytes('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123'), 0, false);
      app.streamData(flow, false, bytes('HTTP/1.1 200 OK\r\nX: ' + 'y'.repeat(1000)), 0, false);
    }
    expect(app.stats.memoryInUse).toBeGreaterThan(0);
    for (let id = 10; id < 20; id++) app.flowEnd(makeFlow(id));
    expect(app.stats.memoryInUse).toBe(0);
    expect(rec.requests()).toHaveLength(10);
    expect(rec.responses()).toHaveLength(10);
  });
});

import { describe, expect, it } from 'vitest';
import { AppLayer } from '../../../src/app/app-layer.js';
import { Recorder, bytes, makeFlow, run, text } from '../helpers.js';

/** Feeds data in TCP-segment-sized chunks, as reassembly of a real capture would. */
function feedSegmented(app: AppLayer, flowId: number, toServer: boolean, data: Uint8Array, mss = 1460): void {
  const flow = makeFlow(flowId);
  for (let off = 0; off < data.length; off += mss) app.streamData(flow, toServer, data.subarray(off, off + mss), off, false);
}

describe('MS03-007: a 64 KB WebDAV URI is parsed, not abandoned', () => {
  // The public exploit's shape: SEARCH with a ~65535-byte path of filler, then normal headers.
  const filler = 'A'.repeat(65_535);
  const request = `SEARCH /${filler} HTTP/1.1\r\nHost: iis5.example\r\nContent-Type: text/xml\r\nContent-Length: 133\r\n\r\n` + 'x'.repeat(133);

  it('exposes the full URI in http.uri.raw and http.uri, split over segments', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec);
    feedSegmented(app, 1, true, bytes(request));
    app.flowEnd(makeFlow(1));
    expect(rec.requests()).toHaveLength(1);
    const tx = rec.requests()[0]!.tx;
    expect(text(tx.buffer('http.method'))).toBe('SEARCH');
    expect(tx.buffer('http.uri.raw')!.length).toBe(65_536);
    expect(text(tx.buffer('http.uri.raw'))).toBe('/' + filler);
    expect(tx.buffer('http.uri')!.length).toBe(65_536);
    expect(text(tx.buffer('http.protocol'))).toBe('HTTP/1.1');
    expect(text(tx.buffer('http.host'))).toBe('iis5.example');
    expect(tx.buffer('http.request_body')!.length).toBe(133);
    expect(tx.anomalies).not.toContain('http.request_line_too_long');
  });

  it('detects HTTP on any port from the unknown-method line alone', () => {
    const { rec, flow } = run([[true, `X-CUSTOM /${'B'.repeat(70_000)} HTTP/1.0\r\n\r\n`]]);
    expect(flow.appProto).toBe('http');
    expect(rec.requests()[0]!.tx.buffer('http.uri.raw')!.length).toBe(70_001);
    expect(rec.requests()[0]!.anomalies).toContain('http.method_unknown');
  });

  it('parses encoded long URIs the same whatever the case of the method', () => {
    const { rec } = run([[true, `propfind /${'%41'.repeat(30_000)} HTTP/1.1\r\nHost: a\r\nTranslate: f\r\n\r\n`]]);
    const tx = rec.requests()[0]!.tx;
    expect(text(tx.buffer('http.uri'))).toBe('/' + 'A'.repeat(30_000));
    expect(tx.anomalies).toContain('http.method_unknown');
  });
});

describe('lines and headers beyond the bound', () => {
  const MiB = 1 << 20;

  it('cuts a request line longer than the bound, keeps its start, recovers the protocol and headers', () => {
    const uri = '/' + 'C'.repeat(MiB + 5000);
    const rec = new Recorder();
    const app = new AppLayer(rec, { maxLineBytes: MiB });
    feedSegmented(app, 1, true, bytes(`GET ${uri} HTTP/1.1\r\nHost: big.example\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n`), 64 * 1024);
    app.flowEnd(makeFlow(1));
    const [first, second] = rec.requests();
    expect(first!.anomalies).toContain('http.request_line_too_long');
    expect(first!.tx.buffer('http.request_line')!.length).toBe(MiB);
    expect(first!.tx.buffer('http.uri.raw')!.length).toBe(MiB - 4);
    expect(text(first!.tx.buffer('http.protocol'))).toBe('HTTP/1.1');
    expect(text(first!.tx.buffer('http.host'))).toBe('big.example');
    expect(text(second!.tx.buffer('http.uri.raw'))).toBe('/next');
    expect(app.stats.http.headBytesCut).toBeGreaterThan(5000);
  });

  it('enforces a minimum bound of 1 MiB', () => {
    const app = new AppLayer(new Recorder(), { maxLineBytes: 100, maxHeaderBytes: 10 });
    expect(app.config.maxLineBytes).toBe(MiB);
    expect(app.config.maxHeaderBytes).toBe(MiB);
  });

  it('parses a single header of 900 KB and cuts a header block past the bound', () => {
    const big = 'D'.repeat(900_000);
    const { rec } = run([[true, `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${big}\r\nX-After: yes\r\n\r\n`]]);
    const tx = rec.requests()[0]!.tx;
    expect(text(tx.buffer('http.header'))).toContain(`X-Big: ${big}\r\nX-After: yes\r\n`);
    expect(tx.anomalies).not.toContain('http.header_too_long');

    const huge = 'E'.repeat(MiB);
    const cut = run([[true, `GET / HTTP/1.1\r\nHost: a\r\nX-Huge: ${huge}\r\nX-Lost: 1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n`]]).rec.requests();
    expect(cut[0]!.tx.anomalies).toContain('http.header_too_long');
    expect(cut[0]!.tx.buffer('http.header.raw')!.length).toBe(MiB);
    expect(text(cut[0]!.tx.buffer('http.host'))).toBe('a');
    expect(text(cut[1]!.tx.buffer('http.uri.raw'))).toBe('/2');
  });

  it('cuts a status line longer than the bound and still reads the response', () => {
    const { rec } = run([
      [true, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'],
      [false, 'HTTP/1.1 200 ' + 'O'.repeat(MiB) + '\r\nContent-Length: 2\r\n\r\nok'],
    ]);
    const res = rec.responses()[0]!;
    expect(res.anomalies).toContain('http.response_line_too_long');
    expect(res.snapshot['http.stat_code']).toBe('200');
    expect(res.snapshot['http.response_body']).toBe('ok');
  });
});

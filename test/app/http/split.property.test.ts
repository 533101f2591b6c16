import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { run, splitSegments, type Recorder, type Segment } from '../helpers.js';

/** One request/response exchange as wire bytes. */
interface Exchange {
  request: string;
  response: string;
}

const word = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const uriChars = fc.constantFrom('a', 'b', '/', '.', '%2e', '%2f', '%25', '%u0041', '%c0%af', '\\', '?', '=', '&', '..');
const uri = fc.array(uriChars, { maxLength: 12 }).map((p) => '/' + p.join(''));
const body = fc.string({ maxLength: 40, unit: fc.constantFrom('x', 'y', '\r', '\n', '0', ' ', ':') });

const headerLines = fc.array(
  fc.oneof(
    fc.tuple(fc.constantFrom('User-Agent', 'Cookie', 'Referer', 'Accept', 'X-Custom', 'host'), word).map(([n, v]) => `${n}: ${v}\r\n`),
    word.map((v) => `X-Folded: ${v}\r\n\t${v}\r\n`),
  ),
  { maxLength: 5 },
);

function chunked(data: string, pieces: number): string {
  let out = '';
  const size = Math.max(1, Math.ceil(data.length / Math.max(1, pieces)));
  for (let i = 0; i < data.length; i += size) {
    const part = data.slice(i, i + size);
    out += `${part.length.toString(16)}\r\n${part}\r\n`;
  }
  return out + '0\r\n\r\n';
}

const exchange: fc.Arbitrary<Exchange> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'HEAD', 'PROPFIND', 'SEARCH'),
    uri,
    headers: headerLines,
    reqBody: body,
    reqChunked: fc.boolean(),
    status: fc.constantFrom(200, 204, 304, 404, 500),
    resBody: body,
    resChunked: fc.integer({ min: 0, max: 3 }),
    interim: fc.boolean(),
    gzip: fc.boolean(),
  })
  .map((r) => {
    let request = `${r.method} ${r.uri} HTTP/1.1\r\nHost: example.com\r\n${r.headers.join('')}`;
    if (r.method === 'POST') {
      request += r.reqChunked ? `Transfer-Encoding: chunked\r\n\r\n${chunked(r.reqBody, 3)}` : `Content-Length: ${r.reqBody.length}\r\n\r\n${r.reqBody}`;
    } else {
      request += '\r\n';
    }
    let response = r.interim ? 'HTTP/1.1 100 Continue\r\n\r\n' : '';
    const noBody = r.method === 'HEAD' || r.status === 204 || r.status === 304;
    response += `HTTP/1.1 ${r.status} Status\r\nServer: test\r\n`;
    if (noBody) {
      response += 'Content-Length: 12\r\n\r\n';
    } else if (r.gzip) {
      const gz = gzipSync(Buffer.from(r.resBody)).toString('latin1');
      response += `Content-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n${gz}`;
    } else if (r.resChunked > 0) {
      response += `Transfer-Encoding: chunked\r\n\r\n${chunked(r.resBody, r.resChunked)}`;
    } else {
      response += `Content-Length: ${r.resBody.length}\r\n\r\n${r.resBody}`;
    }
    return { request, response };
  });

/** Requests pipelined in one go, or strictly alternating with responses. */
const conversation = fc.record({ exchanges: fc.array(exchange, { minLength: 1, maxLength: 4 }), pipelined: fc.boolean() }).map(({ exchanges, pipelined }) => {
  const segs: Segment[] = [];
  if (pipelined) {
    segs.push([true, exchanges.map((e) => e.request).join('')]);
    segs.push([false, exchanges.map((e) => e.response).join('')]);
  } else {
    for (const e of exchanges) {
      segs.push([true, e.request]);
      segs.push([false, e.response]);
    }
  }
  return segs;
});

function transcript(rec: Recorder): unknown[] {
  return rec.http.map((e) => ({
    id: e.tx.id,
    phase: e.phase,
    buffers: e.snapshot,
    anomalies: e.anomalies,
    meta: e.tx.meta(),
    status: e.tx.status,
  }));
}

describe('HTTP parsing does not depend on how the stream is cut', () => {
  it('random splits give the same transactions and buffers as whole segments', () => {
    const cuts = fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 12 }), { maxLength: 8 });
    fc.assert(
      fc.property(conversation, cuts, (segs, cutPoints) => {
        const whole = run(segs);
        const split = run(splitSegments(segs, cutPoints));
        expect(transcript(split.rec)).toEqual(transcript(whole.rec));
        expect(whole.app.stats.parserErrors).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('byte-at-a-time delivery gives the same result as whole segments', () => {
    fc.assert(
      fc.property(conversation, (segs) => {
        const whole = run(segs);
        const bytewise = run(splitSegments(segs, segs.map(([, d]) => Array.from({ length: d.length }, (_, i) => i / d.length))));
        expect(transcript(bytewise.rec)).toEqual(transcript(whole.rec));
      }),
      { numRuns: 60 },
    );
  });

  it('every generated exchange is parsed: one request and one final response each', () => {
    fc.assert(
      fc.property(conversation, (segs) => {
        const { rec } = run(segs);
        const exchanges = segs.filter(([toServer]) => toServer).map(([, d]) => String(d)).join('').split(' HTTP/1.1\r\nHost').length - 1;
        const interims = segs.filter(([toServer]) => !toServer).map(([, d]) => String(d)).join('').split(' 100 Continue\r\n').length - 1;
        expect(rec.requests()).toHaveLength(exchanges);
        expect(rec.responses().filter((e) => e.tx.status !== 100)).toHaveLength(exchanges);
        expect(rec.responses().filter((e) => e.tx.status === 100)).toHaveLength(interims);
        for (const e of rec.responses()) expect(e.tx.hasRequest).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

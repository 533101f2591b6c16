/**
 * HttpTxView.bodyStreamOffset: when a side's body is reported as stream bytes, it is exactly
 * the bytes of that direction's stream at that offset; identity bodies framed by
 * Content-Length are reported; content-coded and chunked ones never are.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { AppLayer } from '../../../src/app/app-layer.js';
import { bytes, makeFlow, Recorder, splitSegments, type Segment } from '../helpers.js';

const text = fc.string({ minLength: 1, maxLength: 300, unit: fc.constantFrom('a', 'b', 'Z', '\r', '\n', ' ', ':', '0') });

const response = fc.record({
  body: text,
  framing: fc.constantFrom('length', 'chunked', 'gzip', 'close'),
});

interface Resp {
  body: string;
  framing: string;
}

function responseBytes(r: Resp, last: boolean): string {
  switch (r.framing) {
    case 'chunked':
      return `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${r.body.length.toString(16)}\r\n${r.body}\r\n0\r\n\r\n`;
    case 'gzip': {
      const z = gzipSync(Buffer.from(r.body, 'latin1')).toString('latin1');
      return `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${z.length}\r\n\r\n${z}`;
    }
    case 'close':
      // Only the last response of a connection can run to its end.
      return last ? `HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n${r.body}` : `HTTP/1.1 200 OK\r\nContent-Length: ${r.body.length}\r\n\r\n${r.body}`;
    default:
      return `HTTP/1.1 200 OK\r\nContent-Length: ${r.body.length}\r\n\r\n${r.body}`;
  }
}

/**
 * Delivers the segments with their stream offsets; with `hole`, `length` bytes go missing
 * before one of the to-client segments after the first (picked by `at`).
 */
function deliver(segments: readonly Segment[], hole: { at: number; length: number } | null): { rec: Recorder; streams: [number[], number[]] } {
  const toClient = segments.flatMap(([toServer], i) => (toServer ? [] : [i])).slice(1);
  const holeAt = hole === null || toClient.length === 0 ? -1 : toClient[hole.at % toClient.length]!;
  const rec = new Recorder();
  const app = new AppLayer(rec, {});
  const flow = makeFlow();
  const offsets = [0, 0];
  // The bytes of each direction's stream by offset (holes left undefined).
  const streams: [number[], number[]] = [[], []];
  segments.forEach(([toServer, data], i) => {
    const b = typeof data === 'string' ? bytes(data) : data;
    const d = toServer ? 0 : 1;
    let gap = false;
    if (i === holeAt) {
      offsets[d]! += hole!.length;
      gap = true;
    }
    app.streamData(flow, toServer, b, offsets[d]!, gap);
    for (let k = 0; k < b.length; k++) streams[d]![offsets[d]! + k] = b[k]!;
    offsets[d]! += b.length;
  });
  app.flowEnd(flow);
  return { rec, streams };
}

describe('HttpTxView.bodyStreamOffset', () => {
  it('points at stream bytes equal to the body buffers, and is given for identity Content-Length bodies', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ reqBody: fc.option(text, { nil: undefined }), res: response }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { maxLength: 4 }), { minLength: 6, maxLength: 8 }),
        fc.option(fc.record({ at: fc.nat(20), length: fc.integer({ min: 1, max: 20 }) }), { nil: null }),
        (exchanges, cuts, hole) => {
          const segments: Segment[] = [];
          exchanges.forEach((x, i) => {
            const body = x.reqBody ?? '';
            segments.push([true, `POST /u${i} HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\n\r\n${body}`]);
            segments.push([false, responseBytes(x.res, i === exchanges.length - 1)]);
          });
          const { rec, streams } = deliver(splitSegments(segments, cuts), hole);
          let responses = 0;
          for (const e of rec.http) {
            const side = e.phase;
            const at = e.tx.bodyStreamOffset!(side);
            const buf = e.tx.view(side).buffer(side === 'request' ? 'http.request_body' : 'http.response_body');
            if (at >= 0) {
              expect(buf).toBeDefined();
              expect(e.tx.view(side).buffer('file.data')).toBe(buf);
              const stream = streams[side === 'request' ? 0 : 1];
              expect(Array.from(buf!)).toEqual(stream.slice(at, at + buf!.length));
            }
            // Without a hole, responses come one per exchange, in order.
            if (side === 'response' && hole === null) {
              const x = exchanges[responses++]!;
              // An identity body framed by its length is always placed; coded or chunked ones never.
              if (x.res.framing === 'length' && buf !== undefined) expect(at).toBeGreaterThanOrEqual(0);
              if (x.res.framing === 'chunked' || x.res.framing === 'gzip') expect(at).toBe(-1);
            }
          }
        },
      ),
      { numRuns: 300 },
    );

  });

  it('is -1 once a hole falls inside the body, and the head length for a body sent whole', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n';
    const closeHead = 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n';
    const body = '0123456789abcdefghijklmnopqrstuvwxyzABCD';
    const request = 'GET / HTTP/1.1\r\nHost: h\r\n\r\n';
    const cases: [Segment[], { at: number; length: number } | null, number][] = [
      [[[true, request], [false, head + body]], null, head.length],
      // 20 body bytes, 5 missing, 15 more: the body buffer skips the hole.
      [[[true, request], [false, head + body.slice(0, 20)], [false, body.slice(25)]], { at: 0, length: 5 }, -1],
      [[[true, request], [false, closeHead + body.slice(0, 20)], [false, body.slice(25)]], { at: 0, length: 5 }, -1],
      [[[true, request], [false, closeHead + body]], null, closeHead.length],
    ];
    for (const [segments, hole, want] of cases) {
      const responses = deliver(segments, hole).rec.responses();
      expect(responses.length).toBe(1);
      expect(responses[0]!.tx.bodyStreamOffset!('response')).toBe(want);
    }
  });
});

/**
 * Interim (1xx) responses: libhtp shows a 100 Continue's status line on the transaction until the
 * final response's line replaces it (htp_connp_RES_BODY_DETERMINE drops the 100's headers and
 * reads the next response line into the same transaction), and Suricata inspects the transaction
 * at that point: http.stat_code "100" matches, the final status later replaces it.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, httpRequest, httpResponse } from '../../../src/traffic/index.js';
import { run, splitSegments, type HttpEvent, type Recorder, type Segment } from '../helpers.js';

const POST = httpRequest({ method: 'POST', uri: '/upload', headers: { Expect: '100-continue', 'Content-Length': '4' } }, 'a');
const BODY = 'abcd';
const CONTINUE = httpResponse({ status: 100, reason: 'Continue' });
const CREATED = httpResponse({ status: 201, headers: { Server: 'test' }, body: 'done' });

/** Each response phase handed over: its status line buffers and whether it shows headers or a body. */
function responses(rec: Recorder): unknown[] {
  return rec.responses().map((e: HttpEvent) => ({
    id: e.tx.id,
    code: e.snapshot['http.stat_code'],
    msg: e.snapshot['http.stat_msg'],
    line: e.snapshot['http.response_line'],
    header: e.snapshot['http.header'],
    body: e.snapshot['http.response_body'],
    uri: e.snapshot['http.uri'],
  }));
}

const INTERIM = { id: 0, code: '100', msg: 'Continue', line: 'HTTP/1.1 100 Continue', header: undefined, body: undefined, uri: '/upload' };
const FINAL = { id: 0, code: '201', msg: 'Created', line: 'HTTP/1.1 201 Created', header: 'Server: test\r\nContent-Length: 4\r\n', body: 'done', uri: '/upload' };

describe('interim (1xx) responses', () => {
  it('hands the 100 over as the status line alone, after the whole request and before the final response', () => {
    const { rec, app } = run([
      [true, POST],
      [false, CONTINUE],
      [true, BODY],
      [false, CREATED],
    ]);
    expect(rec.http.map((e) => e.phase)).toEqual(['request', 'response', 'response']);
    expect(rec.requests()[0]!.snapshot['http.request_body']).toBe(BODY);
    expect(responses(rec)).toEqual([INTERIM, FINAL]);
    expect(rec.responses().map((e) => e.tx.meta()['status'])).toEqual([100, 201]);
    expect(app.stats.http.interimResponses).toBe(1);
    expect(app.stats.memoryInUse).toBe(0);
  });

  it('gives the same phases whatever the segmentation (100 and final in one segment too)', () => {
    const segments: Segment[] = [
      [true, concatBytes([POST, new TextEncoder().encode(BODY)])],
      [false, concatBytes([CONTINUE, CREATED])],
    ];
    expect(responses(run(segments).rec)).toEqual([INTERIM, FINAL]);
    const cuts = [[0.3, 0.9], [0.1, 0.2, 0.5, 0.7]];
    expect(responses(run(splitSegments(segments, cuts)).rec)).toEqual([INTERIM, FINAL]);
  });

  it('inspects the interim status line of a request whose final response never comes', () => {
    const { rec } = run([
      [true, POST],
      [false, CONTINUE],
      [true, BODY],
    ]);
    expect(responses(rec)).toEqual([INTERIM]);
  });

  it('hands over each interim response (102, 103) in order, each with its own status', () => {
    const { rec } = run([
      [true, httpRequest({ uri: '/upload' }, 'a')],
      [false, concatBytes([httpResponse({ status: 102, reason: 'Processing' }), httpResponse({ status: 103, reason: 'Early Hints' }), CREATED])],
    ]);
    expect(rec.responses().map((e) => e.snapshot['http.stat_code'])).toEqual(['102', '103', '201']);
  });

  it('pairs an interim response with the oldest request still waiting, and none without a request', () => {
    const pipelined = run([
      [true, concatBytes([httpRequest({ uri: '/1' }, 'a'), httpRequest({ uri: '/2' }, 'a')])],
      [false, concatBytes([httpResponse({ body: 'one' }), CONTINUE, httpResponse({ body: 'two' })])],
    ]);
    expect(pipelined.rec.responses().map((e) => `${e.tx.id}:${e.snapshot['http.stat_code']}`)).toEqual(['0:200', '1:100', '1:200']);
    const orphan = run([[false, concatBytes([CONTINUE, CREATED])]]);
    expect(orphan.rec.responses().map((e) => e.snapshot['http.stat_code'])).toEqual(['201']);
  });
});

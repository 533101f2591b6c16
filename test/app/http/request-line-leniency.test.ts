/**
 * Request lines libhtp reads leniently (htp_parse_request_line_generic_ex), so Suricata parses
 * them as HTTP: whitespace before the method (IIS serves such requests), VT or FF between method
 * and target, a method longer than usual. Each must give the buffers libhtp gives, or one byte
 * in front of GET hides a request from every http.* rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectToServer } from '../../../src/app/detect.js';
import { concatBytes, httpRequest, httpResponse, toBytes } from '../../../src/traffic/index.js';
import { bytes, makeFlow, run, splitSegments, type Recorder, type Segment } from '../helpers.js';

const TARGET = '/scripts/cmd.exe';
const OK = httpResponse({ body: 'ok' });

/** The request as built, with its first line's bytes edited by `edit`. */
function request(method: string, edit?: (b: Uint8Array) => void): Uint8Array {
  const b = httpRequest({ method, uri: TARGET }, 'a');
  edit?.(b);
  return b;
}

function requestBuffers(rec: Recorder): Record<string, string | undefined> {
  const s = rec.requests()[0]?.snapshot ?? {};
  return { method: s['http.method'], uri: s['http.uri'], raw: s['http.uri.raw'], protocol: s['http.protocol'], line: s['http.request_line'] };
}

describe('request line with whitespace before the method', () => {
  it.each([
    ['SP', ' '],
    ['two SP', '  '],
    ['HT', '\t'],
    ['VT', '\x0b'],
    ['FF', '\x0c'],
    ['CR', '\r'],
  ])('%s: parsed as HTTP, method after it, the line as sent, leading-whitespace anomaly', (_name, lead) => {
    const { rec, flow } = run([
      [true, request(lead + 'GET')],
      [false, OK],
    ]);
    expect(flow.appProto).toBe('http');
    expect(requestBuffers(rec)).toEqual({ method: 'GET', uri: TARGET, raw: TARGET, protocol: 'HTTP/1.1', line: `${lead}GET ${TARGET} HTTP/1.1` });
    expect(rec.requests()[0]!.anomalies).toContain('http.request_line_leading_whitespace');
    expect(rec.responses()[0]!.snapshot['http.stat_code']).toBe('200');
  });

  it('is HTTP from the client alone when the line ends in a protocol version', () => {
    expect(detectToServer(request(' GET'))).toBe('http');
    expect(detectToServer(request('\x0bGET'))).toBe('http');
    const { rec } = run([[true, request('\x0cGET')]]);
    expect(requestBuffers(rec).uri).toBe(TARGET);
  });

  it('reads the same whatever the segmentation, whitespace split from the method included', () => {
    const segments: Segment[] = [
      [true, concatBytes([toBytes(' \x0b'), request('\t\x0cGET'), request(' POST')])],
      [false, concatBytes([OK, OK])],
    ];
    const transcript = (rec: Recorder): unknown[] => rec.http.map((e) => [e.phase, e.snapshot, e.anomalies]);
    const whole = transcript(run(segments).rec);
    expect(whole).toHaveLength(4);
    expect(requestBuffers(run(segments).rec).line).toBe(` \x0b\t\x0cGET ${TARGET} HTTP/1.1`);
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { maxLength: 6 }), (cuts) => {
        expect(transcript(run(splitSegments(segments, [cuts, []])).rec)).toEqual(whole);
      }),
      { numRuns: 100 },
    );
    // Every byte on its own.
    const bytewise = [Array.from({ length: segments[0]![1].length }, (_, i) => i / segments[0]![1].length)];
    expect(transcript(run(splitSegments(segments, bytewise)).rec)).toEqual(whole);
  });

  it('skips blank lines of whitespace before the request, not making requests of them', () => {
    const { rec } = run([
      [true, concatBytes([toBytes('\r\n \t\r\n\x0b\n'), request('GET')])],
      [false, OK],
    ]);
    expect(rec.requests()).toHaveLength(1);
    expect(requestBuffers(rec).line).toBe(`GET ${TARGET} HTTP/1.1`);
    expect(rec.requests()[0]!.anomalies).not.toContain('http.request_line_leading_whitespace');
  });

  it('after whitespace, a first byte that cannot start a method still sends the line to resync', () => {
    const { rec } = run(
      [
        [true, concatBytes([toBytes(' \x01junk\r\n'), request('GET')])],
        [false, concatBytes([OK, OK])],
      ],
      {},
      makeFlow(1, 'http'),
    );
    expect(rec.requests().map((e) => e.snapshot['http.method'])).toEqual(['GET']);
  });
});

describe('request line with VT or FF between method and target', () => {
  it.each([
    ['VT', 0x0b],
    ['FF', 0x0c],
  ])('%s: method and target split there, as libhtp splits them', (_name, sep) => {
    const { rec, flow } = run([
      [true, request('GET', (b) => (b[3] = sep))],
      [false, OK],
    ]);
    expect(flow.appProto).toBe('http');
    expect(requestBuffers(rec)).toEqual({ method: 'GET', uri: TARGET, raw: TARGET, protocol: 'HTTP/1.1', line: `GET${String.fromCharCode(sep)}${TARGET} HTTP/1.1` });
    expect(rec.requests()[0]!.anomalies).toContain('http.request_line_invalid');
  });
});

describe('long or unusual method', () => {
  const LONG = 'X'.repeat(37);

  it('a method longer than 32 bytes is parsed, its line ending in a protocol version', () => {
    expect(detectToServer(request(LONG))).toBe('http');
    const { rec } = run([
      [true, request(LONG)],
      [false, OK],
    ]);
    expect(requestBuffers(rec)).toEqual({ method: LONG, uri: TARGET, raw: TARGET, protocol: 'HTTP/1.1', line: `${LONG} ${TARGET} HTTP/1.1` });
    expect(rec.requests()[0]!.anomalies).toContain('http.method_unknown');
  });

  it('without a protocol version it is HTTP only once the server answers with a status line', () => {
    const line = toBytes(`${LONG} ${TARGET}\r\nHost: a\r\n\r\n`);
    expect(detectToServer(line)).toBe('http-if-answered');
    const answered = run([
      [true, line],
      [false, OK],
    ]);
    expect(answered.flow.appProto).toBe('http');
    expect(requestBuffers(answered.rec)).toMatchObject({ method: LONG, uri: TARGET, protocol: undefined });
    expect(answered.app.stats.memoryInUse).toBe(0);
  });
});

describe('a first line that is HTTP only if the server answers with a status line', () => {
  const CHAT = bytes('hello there\r\nhow are you\r\n');

  it('stays undetected without an answer, and its bytes are let go at the close', () => {
    const { rec, flow, app } = run([[true, CHAT]]);
    expect(rec.http).toHaveLength(0);
    expect(flow.appProto).toBeNull();
    expect(app.stats.httpFlows).toBe(0);
    expect(app.stats.memoryInUse).toBe(0);
  });

  it('is given up as soon as the server says something else, whichever side spoke first', () => {
    for (const segments of [
      [[true, CHAT], [false, '+OK hi\r\n']],
      [[false, '+OK hi\r\n'], [true, CHAT]],
    ] as Segment[][]) {
      const { rec, flow, app } = run(segments);
      expect(rec.http).toHaveLength(0);
      expect(flow.appProto).toBeNull();
      expect(app.stats.undetectedFlows).toBe(1);
    }
  });

  it('holds at most 64 KiB for the answer; past that the client side is given up', () => {
    const { rec, app } = run([
      [true, CHAT],
      [true, 'x'.repeat(70 * 1024) + '\r\n'],
      [false, OK],
    ]);
    expect(rec.requests()).toHaveLength(0);
    expect(app.stats.httpFlows).toBe(1);
  });

  it('turns binary data and one-word lines down at once', () => {
    expect(detectToServer(bytes('\x01\x02\x03 abc\r\n'))).toBe('none');
    expect(detectToServer(bytes('A\x00B /x\r\n'))).toBe('none');
    expect(detectToServer(bytes('QUIT\r\n'))).toBe('none');
    expect(detectToServer(bytes(' \x0b\x0c'))).toBe('more');
  });
});

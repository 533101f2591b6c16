import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildInput, casePackets } from '../../src/ruletest/build.js';
import { loadRules, type Inspected } from '../../src/ruletest/detect.js';
import { applicableFamilies, selectedFamilies, type Family } from '../../src/ruletest/families.js';
import { splitHttpMessage } from '../../src/ruletest/http-message.js';
import type { HttpSection, TestCase } from '../../src/ruletest/model.js';
import { parseCaseText } from '../../src/ruletest/parse.js';
import { checkProperties } from '../../src/ruletest/properties.js';
import { renderCase } from '../../src/ruletest/render.js';
import { runCase } from '../../src/ruletest/runner.js';
import { chunkMessage, chunksFor, encodeChunked, MAX_SIZE_DIGITS, rechunkable, type ChunkPlan } from '../../src/ruletest/variants/chunked.js';
import { prepareVariants, type CasePlan } from '../../src/ruletest/variants/plan.js';
import { bytesOf, latin1, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const RULES = tmp.write(
  'rules/spring.rules',
  [
    // Weak: the parameter name on the raw stream, which chunk-size lines can cut.
    'alert tcp any any -> any 80 (msg:"WEAK Spring4Shell in the raw stream"; flow:to_server,established; content:"class.module.classLoader"; sid:9200001; rev:1;)',
    'alert http any any -> any any (msg:"Spring4Shell in the request body"; http.request_body; content:"class.module.classLoader"; sid:9200002; rev:1;)',
    'alert http any any -> any any (msg:"page body"; http.response_body; content:"<html>"; sid:9200003; rev:1;)',
  ].join('\n') + '\n',
);
const { detector, errors } = loadRules([RULES], []);

function one(text: string): TestCase {
  const parsed = parseCaseText(text, join(tmp.dir, 'rules/tests/spring.ktest'));
  expect(parsed.diagnostics).toEqual([]);
  return parsed.cases[0]!;
}

const BODY = 'class.module.classLoader.resources.context.parent.pipeline.first.pattern=%25%7Bc2%7Di';

const spring = (sid: number, extra = ''): TestCase =>
  one(`=== Spring4Shell
sid: ${sid}
expect: positive
${extra}--- http request
POST /app/index HTTP/1.1
Host: www.example.com
Content-Type: application/x-www-form-urlencoded

${BODY}
--- http response
HTTP/1.1 200 OK
Content-Type: text/html

<html><body>{{300*x}}</body></html>
`);

const planArb: fc.Arbitrary<ChunkPlan> = fc.record({
  cuts: fc.array(fc.nat(), { maxLength: 12 }),
  dribble: fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 4 })), { nil: null }),
  upper: fc.boolean(),
  zeros: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 7 })), { maxLength: 3 }),
  ext: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
});

/** libhtp's htp_parse_chunked_length: blanks skipped, hex digits up to the first other byte, at most INT32_MAX. */
function libhtpSize(line: string): number {
  const m = /^[\r\n \t\v\f]*([0-9a-fA-F]*)/.exec(line)!;
  if (m[1] === '') return -1;
  const v = parseInt(m[1]!, 16);
  return v > 0x7fffffff ? -1 : v;
}

/** Tomcat's ChunkedInputFilter: 1 to 8 hex digits, then an extension opened by ';' or the line end. */
function tomcatSize(line: string): number {
  const m = /^([0-9a-fA-F]{1,8})(?:;.*)?$/.exec(line);
  return m === null ? -1 : parseInt(m[1]!, 16);
}

/** Dechunks as both readers do, failing on anything either refuses. */
function dechunk(data: Uint8Array): Uint8Array {
  const text = latin1(data);
  let at = 0;
  let out = '';
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    expect(eol).toBeGreaterThanOrEqual(0);
    const line = text.slice(at, eol);
    const size = tomcatSize(line);
    expect(size).toBeGreaterThanOrEqual(0);
    expect(libhtpSize(line)).toBe(size);
    at = eol + 2;
    if (size === 0) break;
    out += text.slice(at, at + size);
    expect(text.slice(at + size, at + size + 2)).toBe('\r\n');
    at += size + 2;
  }
  expect(text.slice(at)).toBe('\r\n');
  return bytesOf(out);
}

/** What the engine's HTTP inspections gave for these buffers: `http request 1  http.request_body  BYTES`. */
async function inspected(c: TestCase, buffers: string[]): Promise<string[]> {
  const into: Inspected[] = [];
  await detector.detect(buildInput(c), { buffers: new Set(buffers), into });
  return into.filter((i) => i.label.startsWith('http ')).flatMap((i) => [...i.buffers].map(([name, bytes]) => `${i.label}  ${name}  ${latin1(bytes)}`));
}

const sectionData = (c: TestCase, i: number): Uint8Array => (c.sections[i] as HttpSection).data;

describe('chunked bodies', () => {
  it('write only size lines that libhtp and Tomcat both read, which dechunk to the body', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), planArb, (body, plan) => {
        const chunks = chunksFor(body.length, plan);
        expect(chunks.every((c) => c.size > 0)).toBe(true);
        expect(chunks.reduce((n, c) => n + c.size, 0)).toBe(body.length);
        for (const c of chunks) expect(/^[0-9a-fA-F]+/.exec(c.line)![0].length).toBeLessThanOrEqual(MAX_SIZE_DIGITS);
        expect(Buffer.from(dechunk(encodeChunked(body, chunks))).equals(Buffer.from(body))).toBe(true);
      }),
      { seed: 41, numRuns: 400 },
    );
    // 1-byte chunks, upper-case sizes, leading zeros and extensions all occur.
    const chunks = chunksFor(300, { cuts: [0, 10, 200], dribble: [150, 1], upper: true, zeros: [[1, 7], [2, 3]], ext: [[3, 2]] });
    expect(chunks.map((c) => c.size)).toEqual([1, 10, 139, ...Array<number>(64).fill(1), 86]);
    // Seven zeros asked, six given: Tomcat reads no more than 8 digits.
    expect(chunks.slice(0, 5).map((c) => c.line)).toEqual(['1', '0000000A', '0008B', '1;name="value"', '1']);
  });

  it('replace Content-Length by Transfer-Encoding and say what was sent in a few words', () => {
    const parts = splitHttpMessage(bytesOf('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 26\r\nAccept: */*\r\n\r\nclass.module.classLoader=x'))!;
    const changes: string[] = [];
    const plain = chunkMessage(parts, { cuts: [2, 3], dribble: null, upper: false, zeros: [], ext: [] }, changes, 'request');
    expect(plain.headers.map(latin1)).toEqual(['Host: a', 'Transfer-Encoding: chunked', 'Accept: */*']);
    expect(latin1(plain.body)).toBe('3\r\ncla\r\n1\r\ns\r\n16\r\ns.module.classLoader=x\r\n0\r\n\r\n');
    chunkMessage(parts, { cuts: [2, 3, 8], dribble: null, upper: true, zeros: [[3, 2]], ext: [[0, 0]] }, changes, 'request');
    chunkMessage(parts, { cuts: [], dribble: [0, 1], upper: false, zeros: [], ext: [] }, changes, 'response 2');
    chunkMessage(parts, { cuts: [], dribble: null, upper: false, zeros: [], ext: [] }, changes, 'request');
    expect(changes).toEqual([
      'request body sent chunked in 3 chunks (sizes 3,1,22)',
      'request body sent chunked in 4 chunks (sizes 3,1,5,17), size lines written 3;x=y, 0011',
      'response 2 body sent chunked in 26 chunks (sizes 1,1,1,1,1,1,1,1,...)',
      'request body sent chunked in 1 chunk (sizes 26)',
    ]);
  });

  it('apply to HTTP/1.1 bodies framed by Content-Length, also in negative cases', () => {
    const has = (text: string): boolean => applicableFamilies(one(text)).includes('chunked');
    const req = (head: string, body = 'a=1'): string => `=== c\nsid: 1\nexpect: positive\n--- http request\n${head}\nHost: h\n\n${body}\n`;
    expect(has(req('POST /x HTTP/1.1'))).toBe(true);
    expect(has(req('POST /x HTTP/1.0'))).toBe(false);
    expect(has(req('GET /x HTTP/1.1', ''))).toBe(false);
    expect(has(req('POST /x HTTP/1.1\nContent-Length: 0', ''))).toBe(false);
    expect(has(req('POST /x HTTP/1.1\nContent-Length: 2'))).toBe(false);
    expect(has(req('POST /x HTTP/1.1\nTransfer-Encoding: chunked', '3\na=1\n0\n\\r\\n'))).toBe(false);
    const res = (request: string, status: string): boolean =>
      has(`=== r\nsid: 1\nexpect: positive\n--- http request\n${request}\nHost: h\n\n--- http response\n${status}\nContent-Length: 2\n\nok\n`);
    expect(res('GET / HTTP/1.1', 'HTTP/1.1 200 OK')).toBe(true);
    expect(res('GET / HTTP/1.0', 'HTTP/1.1 200 OK')).toBe(false);
    expect(res('HEAD / HTTP/1.1', 'HTTP/1.1 200 OK')).toBe(false);
    expect(res('GET / HTTP/1.1', 'HTTP/1.1 304 Not Modified')).toBe(false);
    expect(res('GET / HTTP/1.1', 'HTTP/1.0 200 OK')).toBe(false);
    // Pipelined: the first response answers the HEAD, the second the GET.
    const pipelined = one(`=== p\nsid: 1\nexpect: positive
--- http request\nHEAD /a HTTP/1.1\nHost: h\n
--- http request\nGET /b HTTP/1.1\nHost: h\n
--- http response\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok
--- http response\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok
`);
    expect(pipelined.sections.map((_, i) => rechunkable(pipelined, i))).toEqual([false, false, false, true]);
    // Benign clients stream uploads chunked: negatives get it by default too.
    const neg = one(req('POST /x HTTP/1.1').replace('positive', 'negative'));
    expect(selectedFamilies(neg).has('chunked')).toBe(true);
    expect(selectedFamilies(one(req('POST /x HTTP/1.1').replace('expect', 'variants: -chunked\nexpect'))).has('chunked')).toBe(false);
  });

  it('leave a body already chunked as it was sent', () => {
    const c = one(`=== sent chunked
sid: 1
expect: positive
--- http request
POST /x HTTP/1.1
Host: h
Content-Length: 3
Transfer-Encoding: chunked

3
a=1
0
\\r\\n
--- http response
HTTP/1.1 200 OK
Content-Length: 2

ok
`);
    const prepared = prepareVariants(c, new Set<Family>(['chunked', 'header-order']));
    fc.assert(
      fc.property(prepared.arbitrary, (plan) => {
        const { variant } = prepared.apply(plan);
        expect(latin1(splitHttpMessage(sectionData(variant, 0))!.body)).toBe('3\r\na=1\r\n0\r\n\r\n');
      }),
      { seed: 3, numRuns: 100 },
    );
  });

  it('reach the engine as the same http.request_body and http.response_body, with the other families too', async () => {
    expect(errors).toBe(0);
    const c = spring(9200002);
    const buffers = ['http.request_body', 'http.response_body'];
    const before = await inspected(c, buffers);
    expect(before).toEqual([
      `http request 1  http.request_body  ${BODY}`,
      `http response 1  http.request_body  ${BODY}`,
      `http response 1  http.response_body  <html><body>${'x'.repeat(300)}</body></html>`,
    ]);
    for (const families of [new Set<Family>(['chunked']), selectedFamilies(c)]) {
      const prepared = prepareVariants(c, families);
      let chunked = 0;
      for (const plan of fc.sample(prepared.arbitrary, { seed: 8, numRuns: 30 }) as CasePlan[]) {
        const { variant, changes } = prepared.apply(plan);
        ['request', 'response'].forEach((label, i) => {
          if (!changes.some((x) => x.startsWith(`${label} body sent chunked`))) return;
          chunked++;
          const head = latin1(sectionData(variant, i)).split('\r\n\r\n')[0]!;
          expect(head).toMatch(/\r\ntransfer-encoding: chunked/i);
          expect(head).not.toMatch(/content-length/i);
        });
        expect(await inspected(variant, buffers)).toEqual(before);
      }
      expect(chunked).toBeGreaterThan(5);
    }
  });

  it('defeat a body pattern looked for on the raw stream, not one on http.request_body', async () => {
    const weak = spring(9200001);
    expect(selectedFamilies(weak).has('chunked')).toBe(true);
    const r = await checkProperties(weak, detector, { seed: 1, runs: 100 });
    expect(r.failure).toBeDefined();
    const f = r.failure!;
    expect(f.problems).toEqual(['sid 9200001 did not fire']);
    expect(f.changes.filter((x) => x.includes('chunked'))).toEqual([expect.stringMatching(/^request body sent chunked in \d+ chunks \(sizes [\d,.]+\)/)]);
    // The body rule sees the dechunked body in the very variant that fooled the weak one.
    expect(f.alerts.map((a) => a.sid)).toContain(9200002);
    // The counterexample replays as an ordinary case, still with its body chunked.
    const text = renderCase(f.variant);
    expect(text).toContain('--- http request');
    expect(text).toContain('Transfer-Encoding: chunked');
    const again = parseCaseText(text, join(tmp.dir, 'rules/tests/found.ktest')).cases[0]!;
    expect((await runCase(again, detector)).passed).toBe(false);
    // Without the family, the weak rule holds: the gap is the transfer coding alone.
    const unchunked = spring(9200001, 'variants: -chunked\n');
    expect((await checkProperties(unchunked, detector, { seed: 1, runs: 100 })).failure).toBeUndefined();

    const good = await checkProperties(spring(9200002), detector, { seed: 1, runs: 100 });
    expect(good).toMatchObject({ variants: 100 });
    expect(good.failure).toBeUndefined();
  });

  it('render as case text that replays the same packets', () => {
    const c = spring(9200002);
    const prepared = prepareVariants(c, selectedFamilies(c));
    const frames = (x: TestCase): string[] => casePackets(x).map((p) => Buffer.from(p.frame).toString('hex'));
    fc.assert(
      fc.property(prepared.arbitrary, (plan) => {
        const { variant } = prepared.apply(plan);
        const text = renderCase(variant);
        expect(text).not.toContain('--- tcp');
        const again = parseCaseText(text, '/cases/tests/x.ktest');
        expect(again.diagnostics).toEqual([]);
        expect(frames(again.cases[0]!)).toEqual(frames(variant));
      }),
      { seed: 9, numRuns: 40 },
    );
  });
});

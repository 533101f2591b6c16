import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeUri } from '../../src/app/http/normalize-uri.js';
import { casePackets, streamSends } from '../../src/ruletest/build.js';
import { selectedFamilies } from '../../src/ruletest/families.js';
import { headerName, splitFieldBlock, splitHttpMessage, splitRequestLine } from '../../src/ruletest/http-message.js';
import type { HttpSection, TestCase } from '../../src/ruletest/model.js';
import { parseCaseText } from '../../src/ruletest/parse.js';
import { renderCase } from '../../src/ruletest/render.js';
import { applyHeaderPlan, HTTP_REQUEST_EXTRAS } from '../../src/ruletest/variants/headers.js';
import { prepareVariants } from '../../src/ruletest/variants/plan.js';
import { bytesOf, dechunked, latin1 } from './helpers.js';

/** A field as every receiver reads it: lower-case name, unfolded value without outer whitespace. */
function meaning(field: Uint8Array): string {
  const text = latin1(field).replace(/\r\n(?=[ \t])/g, '');
  const colon = text.indexOf(':');
  return `${text.slice(0, colon).toLowerCase()}:${text.slice(colon + 1).trim()}`;
}

function one(text: string): TestCase {
  const parsed = parseCaseText(text, '/cases/tests/x.ktest');
  expect(parsed.diagnostics).toEqual([]);
  return parsed.cases[0]!;
}

const REQUEST = one(`=== nimda
sid: 1
expect: positive
target: iis
--- http request
GET /scripts/..%255c../winnt/system32/cmd.exe?/c+dir&x=%41 HTTP/1.1
Host: www.example.com
Accept: text/html, */*
X-Two: a
X-Two: b

--- http response
HTTP/1.1 404 Not Found
Content-Type: text/html

nothing
`);

const MAIL = one(`=== mail
sid: 1
expect: positive
--- smtp
EHLO x.example.net
MAIL FROM:<a@example.net> SIZE=100
RCPT TO:<b@example.com>
DATA
From: "A (x)" <a@example.net>
To: b@example.com, c@example.com
Subject: hello there

body line
.
QUIT
`);

describe('header variants', () => {
  const field = fc.tuple(fc.constantFrom('Host', 'Accept', 'X-Two', 'Content-Length', 'Subject'), fc.array(fc.constantFrom('a', 'b', ' ', '\t', ',', '<>'), { maxLength: 8 })).map(([n, v]) => bytesOf(`${n}: ${v.join('')}x`));
  const plan = fc.record({
    nameCase: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 1 << 29 }))),
    swaps: fc.array(fc.tuple(fc.nat(), fc.nat())),
    extra: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 3 }),
    fold: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
  });

  it('keep every field\'s meaning and the order of fields of one name', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 6 }), plan, (fields, p) => {
        const out = applyHeaderPlan(fields, p, HTTP_REQUEST_EXTRAS, [], 'h');
        const before = fields.map(meaning);
        const after = out.map(meaning);
        const added = after.filter((m) => !before.map((b) => b.split(':')[0]).includes(m.split(':')[0]));
        for (const a of added) expect(HTTP_REQUEST_EXTRAS.map((e) => meaning(bytesOf(e)))).toContain(a);
        expect(after.filter((m) => !added.includes(m))).toEqual(expect.arrayContaining(before));
        expect(after.length).toBe(before.length + added.length);
        for (const name of new Set(before.map((b) => b.split(':')[0]))) {
          expect(after.filter((m) => m.startsWith(`${name}:`))).toEqual(before.filter((m) => m.startsWith(`${name}:`)));
        }
        // Folds are real continuation lines: CRLF always followed by a space or tab with text after it.
        for (const f of out) for (const m of latin1(f).matchAll(/\r\n/g)) expect(latin1(f)[m.index! + 2]).toMatch(/[ \t]/);
      }),
      { seed: 3, numRuns: 500 },
    );
  });
});

describe('request variants', () => {
  const prepared = prepareVariants(REQUEST, selectedFamilies(REQUEST));
  const request = (c: TestCase): Uint8Array => (c.sections[0] as HttpSection).data;
  const original = splitHttpMessage(request(REQUEST))!;

  it('mean the same request to IIS: method, normalized URI, header fields, body', () => {
    const norm = (target: Uint8Array): string => latin1(normalizeUri(target).bytes).toLowerCase();
    const line0 = splitRequestLine(original.startLine)!;
    fc.assert(
      fc.property(prepared.arbitrary, (plan) => {
        const { variant } = prepared.apply(plan);
        const parts = splitHttpMessage(request(variant))!;
        const line = splitRequestLine(parts.startLine)!;
        expect(latin1(line.method).toUpperCase()).toBe('GET');
        expect(norm(line.target)).toBe(norm(line0.target));
        expect(latin1(line.version!)).toBe('HTTP/1.1');
        const before = original.headers.map(meaning);
        const after = parts.headers.map(meaning).filter((m) => before.includes(m) || !HTTP_REQUEST_EXTRAS.map((e) => meaning(bytesOf(e))).includes(m));
        expect(after.sort()).toEqual(before.slice().sort());
        expect(parts.body).toEqual(original.body);
        // The response may go chunked: its body is the same once dechunked.
        const response = splitHttpMessage((variant.sections[1] as HttpSection).data)!;
        const chunked = response.headers.some((h) => /^transfer-encoding: chunked$/i.test(latin1(h)));
        expect(latin1(chunked ? dechunked(response.body) : response.body)).toBe('nothing');
      }),
      { seed: 21, numRuns: 300 },
    );
  });

  it('render as case text that replays the same packets', () => {
    fc.assert(
      fc.property(prepared.arbitrary, (plan) => {
        const { variant } = prepared.apply(plan);
        const again = parseCaseText(renderCase(variant), '/cases/tests/x.ktest');
        expect(again.diagnostics).toEqual([]);
        const frames = (c: TestCase): string[] => casePackets(c).map((p) => Buffer.from(p.frame).toString('hex'));
        expect(frames(again.cases[0]!)).toEqual(frames(variant));
      }),
      { seed: 22, numRuns: 60 },
    );
  });
});

describe('SMTP variants', () => {
  const prepared = prepareVariants(MAIL, selectedFamilies(MAIL));
  const clientLines = (c: TestCase): string[] =>
    streamSends(c)
      .filter((s) => s.side === 'client')
      .map((s) => latin1(s.data));

  it('keep the commands, the envelope and the message as sendmail reads them', () => {
    const before = clientLines(MAIL);
    fc.assert(
      fc.property(prepared.arbitrary, (plan) => {
        const after = clientLines(prepared.apply(plan).variant);
        expect(after.length).toBe(before.length);
        after.forEach((line, i) => {
          const b = before[i]!;
          if (b.startsWith('From:')) {
            const pa = splitFieldBlock(bytesOf(line))!;
            const pb = splitFieldBlock(bytesOf(b))!;
            expect(latin1(pa.rest)).toBe(latin1(pb.rest));
            const mb = pb.fields.map(meaning);
            expect(pa.fields.map(meaning).filter((m) => mb.includes(m)).sort()).toEqual(mb.slice().sort());
            return;
          }
          const words = (t: string): string => t.replace(/^(\w+)\s+(FROM|TO)\s*:\s*/i, (_, v: string, k: string) => `${v} ${k}:`).toUpperCase();
          expect(words(line)).toBe(words(b));
        });
      }),
      { seed: 23, numRuns: 300 },
    );
  });

  it('leave AUTH data (the answers to 334) and a message without header fields exactly as written', () => {
    const auth = one(`=== auth
sid: 1
expect: positive
--- smtp
EHLO x
AUTH LOGIN
S: 334 VXNlcm5hbWU6
YWRtaW4=
S: 334 UGFzc3dvcmQ6
cGFzcw==
S: 235 ok
MAIL FROM:<a@example.net>
RCPT TO:<b@example.com>
DATA
Hello Bob,
this is body text: see below

end
.
QUIT
`);
    const p = prepareVariants(auth, selectedFamilies(auth));
    const lines = clientLines(auth);
    const kept = (c: TestCase): string[] => clientLines(c).filter((l) => /^(YWRtaW4=|cGFzcw==|Hello Bob)/i.test(l));
    fc.assert(
      fc.property(p.arbitrary, (plan) => {
        expect(kept(p.apply(plan).variant)).toEqual(kept(auth));
      }),
      { seed: 5, numRuns: 300 },
    );
    expect(kept(auth)).toHaveLength(3);
    expect(lines.length).toBeGreaterThan(3);
  });

  it('render as tcp sections that replay the same packets', () => {
    fc.assert(
      fc.property(prepared.arbitrary, (plan) => {
        const { variant } = prepared.apply(plan);
        const again = parseCaseText(renderCase(variant), '/cases/tests/x.ktest');
        expect(again.diagnostics).toEqual([]);
        const frames = (c: TestCase): string[] => casePackets(c).map((p) => Buffer.from(p.frame).toString('hex'));
        expect(frames(again.cases[0]!)).toEqual(frames(variant));
      }),
      { seed: 24, numRuns: 40 },
    );
  });

  it('leave negatives with benign families only', () => {
    const neg = one('=== n\nsid: 1\nexpect: negative\ntarget: iis\n--- http request\nGET / HTTP/1.0\n');
    expect([...selectedFamilies(neg)].sort()).toEqual(['duplicate', 'extra-headers', 'fragment', 'header-case', 'header-order', 'overlap', 'reorder', 'segment']);
    expect(headerName(bytesOf('Host: x'))).toBe('Host');
  });
});

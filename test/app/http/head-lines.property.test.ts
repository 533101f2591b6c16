/**
 * A head that arrives whole in one chunk is parsed on a fast path that reuses the line ends
 * found while looking for the blank line; a head that arrives byte by byte is collected and
 * parsed on its own. Both must give the same buffers and anomalies for any header block: odd
 * lines (no colon, folding, whitespace before the colon, bare LF, stray CR) and blocks of more
 * lines than the fast path keeps line ends for.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { run, type Segment } from '../helpers.js';

const name = fc.oneof(
  { weight: 8, arbitrary: fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/) },
  { weight: 1, arbitrary: fc.constantFrom('Bad Name', 'x\ty', 'Host', 'Content-Type', 'accept-language', 'Accept-Encoding') },
);
const value = fc.string({ maxLength: 120, unit: fc.constantFrom('a', 'Z', '0', ' ', ';', '=', ',', '/', ':', '\t') });
const eol = fc.constantFrom('\r\n', '\r\n', '\n');
const line = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(name, fc.constantFrom(':', ': ', ' :', ':\t'), value, eol).map(([n, s, v, e]) => `${n}${s}${v}${e}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(' ', '\t'), value, eol).map(([w, v, e]) => `${w}folded${v}${e}`) },
  { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[a-z]{1,10}$/), eol).map(([v, e]) => `${v}${e}`) },
  { weight: 1, arbitrary: fc.constantFrom('\r\r\n', '\rX: y\r\n') },
);
const block = fc.oneof(fc.array(line, { maxLength: 12 }), fc.array(line, { minLength: 120, maxLength: 300 }));

function deliveries(request: string, response: string, byteByByte: boolean): Segment[] {
  if (!byteByByte) return [[true, request], [false, response]];
  const out: Segment[] = [];
  for (const c of request) out.push([true, c]);
  for (const c of response) out.push([false, c]);
  return out;
}

describe('header blocks parsed whole or byte by byte', () => {
  it('give the same buffers and anomalies', () => {
    fc.assert(
      fc.property(block, block, (reqLines, resLines) => {
        const request = `GET /a HTTP/1.1\r\nHost: example.com\r\n${reqLines.join('')}\r\n`;
        const response = `HTTP/1.1 200 OK\r\n${resLines.join('')}Content-Length: 2\r\n\r\nok`;
        const seen = [false, true].map((byteByByte) =>
          run(deliveries(request, response, byteByByte)).rec.http.map((e) => ({ phase: e.phase, snapshot: e.snapshot, anomalies: e.anomalies })),
        );
        expect(seen[0]!.length).toBeGreaterThan(0);
        expect(seen[0]).toEqual(seen[1]);
      }),
      { numRuns: 120 },
    );
  });
});

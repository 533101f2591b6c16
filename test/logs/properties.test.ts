import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BUFFER_NAMES } from '../../src/types/buffers.js';
import { LineSplitter, logFormatNames, parseLogLines } from '../../src/logs/index.js';
import { unescapeLogBytes } from '../../src/logs/formats/http-record.js';
import { ipToText, LastAddress, parseIp, parseIpv4 } from '../../src/logs/ip.js';
import { fixtureLines } from './helpers.js';

/** Fragments that steer random lines into every parser's deeper branches. */
const FRAGMENTS = [
  ' ', '"', '[', ']', '\\', '\\x', '\\"', ':', '/', '=', ', ', '-', '#Fields: date time c-ip cs-method cs-uri-stem',
  '%ASA-4-106023: ', '%PIX-', 'IN=eth0 ', 'SRC=1.2.3.4 ', 'DST=::1 ', 'PROTO=TCP ', 'SPT=', 'DPT=99999 ', 'SYN ',
  'Feb 29 ', 'Mar  5 21:44:43 ', '2024-01-01T00:00:00Z ', '<34>1 ', '<13>', 'sm-mta[1]: ', 'relay=[', 'from=<',
  'kernel: ', 'scanlogd: ', 'portsentry[1]: ', '1403884279 - 06/27/2014 17:51:19 Host: ', '[client ', '[error] ',
  '10/Oct/2000:13:55:36 -0700', '192.0.2.1 - - [', '" 200 ', '{"src_ip":', '{"http":{"url":1}}', '{', '}', 'GET ',
  ' HTTP/1.1', '\u00ff', '\u0000', 'for outside:1.2.3.4/80 to inside:', 'flags ', '(type 8, code 0)', '2001:db8::',
];

const garbageLine = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 }), fc.uint8Array({ maxLength: 8 })), { maxLength: 30 })
  .map((parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)))))
  .map((b) => b.filter((c) => c !== 0x0a));

describe('garbage never breaks the parser', () => {
  const formats = [undefined, ...logFormatNames()];

  it.each(formats)('format %s: every line is counted, nothing throws, no parser errors', (format) => {
    fc.assert(
      fc.property(fc.array(garbageLine, { maxLength: 12 }), (lines) => {
        const { records, stats } = parseLogLines(lines, { format, year: 2020, rawFallback: false });
        expect(stats.lines).toBe(lines.length);
        expect(stats.records + stats.skipped + stats.malformed).toBe(lines.length);
        expect(records).toHaveLength(stats.records);
        for (const reasons of Object.values(stats.malformedBy)) expect(reasons).not.toHaveProperty('parser-error');
        for (const r of records) {
          // Every buffer, field and metadata accessor must be safe on any record.
          for (const n of BUFFER_NAMES) r.buffer(n);
          void r.fields;
          void r.http;
          void r.smtp;
          void r.srcText;
          expect(Number.isFinite(r.tsUs)).toBe(true);
          if (r.src) expect([4, 16]).toContain(r.src.length);
          if (r.srcPort !== undefined) expect(r.srcPort).toBeLessThanOrEqual(65535);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('with raw fallback every non-blank line becomes a record', () => {
    fc.assert(
      fc.property(fc.array(garbageLine, { maxLength: 12 }), (lines) => {
        const { stats } = parseLogLines(lines, { year: 2020 });
        expect(stats.records + stats.skipped).toBe(lines.length);
      }),
      { numRuns: 150 },
    );
  });

  it('mutated real lines never throw', () => {
    const seeds = ['combined.log', 'iis.log', 'netfilter.log', 'asa.log', 'sendmail.log', 'syslog.log', 'eve.json', 'apache_error.log'].flatMap(
      (f) => fixtureLines(f),
    );
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.nat(), fc.nat(), fc.uint8Array({ maxLength: 6 }), (seed, at, cut, ins) => {
        const i = at % (seed.length + 1);
        const line = Buffer.concat([seed.subarray(0, i), Buffer.from(ins), seed.subarray(Math.min(seed.length, i + (cut % 8)))]).filter(
          (c) => c !== 0x0a,
        );
        const { stats } = parseLogLines([line], { year: 2020, rawFallback: false });
        expect(stats.records + stats.skipped + stats.malformed).toBe(1);
        for (const reasons of Object.values(stats.malformedBy)) expect(reasons).not.toHaveProperty('parser-error');
      }),
      { numRuns: 400 },
    );
  });
});

describe('LineSplitter', () => {
  const splitAll = (chunks: Uint8Array[], max: number): { lines: string[]; truncated: number } => {
    const s = new LineSplitter(max);
    const lines: string[] = [];
    let truncated = 0;
    const out = (l: Uint8Array, t: boolean): void => {
      lines.push(Buffer.from(l).toString('latin1'));
      if (t) truncated++;
    };
    for (const c of chunks) s.push(c, out);
    s.end(out);
    return { lines, truncated };
  };

  it('chunking does not change the lines', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '\n', '\r', 'xyz'), { maxLength: 200 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1 }), (parts, sizes) => {
        const data = Buffer.from(parts.join(''), 'latin1');
        const chunks: Uint8Array[] = [];
        let i = 0;
        let k = 0;
        while (i < data.length) {
          const n = sizes[k++ % sizes.length]!;
          chunks.push(data.subarray(i, i + n));
          i += n;
        }
        const expected = data.toString('latin1').split('\n');
        if (expected[expected.length - 1] === '') expected.pop();
        const { lines, truncated } = splitAll(chunks, 1 << 20);
        expect(truncated).toBe(0);
        expect(lines).toEqual(expected.map((l) => l.replace(/\r$/, '')));
      }),
    );
  });

  it('bounds every line to maxLineBytes and flags the cut ones', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 13 }), (lens, max, chunk) => {
        const data = Buffer.from(lens.map((n) => 'q'.repeat(n)).join('\n') + '\n', 'latin1');
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < data.length; i += chunk) chunks.push(data.subarray(i, i + chunk));
        const { lines, truncated } = splitAll(chunks, max);
        expect(lines.map((l) => l.length)).toEqual(lens.map((n) => Math.min(n, max)));
        expect(truncated).toBe(lens.filter((n) => n > max).length);
      }),
    );
  });
});

describe('byte helpers', () => {
  it('parseIpv4 agrees with the dotted-quad grammar', () => {
    fc.assert(
      fc.property(fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)), (q) => {
        const t = q.join('.');
        const ip = parseIpv4(Buffer.from(t), 0, t.length)!;
        expect(Array.from(ip)).toEqual(q);
        expect(ipToText(ip)).toBe(t);
      }),
    );
    for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '01234.1.1.1', 'a.b.c.d', '']) expect(parseIpv4(Buffer.from(bad), 0, bad.length)).toBeUndefined();
  });

  it('LastAddress gives what parseIp gives, the same bytes again for a repeated text', () => {
    const text = fc.oneof(
      fc.constantFrom('192.0.2.1', '192.0.2.10', '10.0.0.1', '2001:db8::1', '2001:db8::10', 'not-an-ip', '-', '192.0.2.1x'),
      fc.ipV4(),
      fc.ipV6(),
      fc.string({ maxLength: 60 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(text, fc.nat(4)), { minLength: 1, maxLength: 40 }), (seq) => {
        const last = new LastAddress();
        let prev: { t: string; ip: ReturnType<typeof parseIp> } | undefined;
        for (const [t, pad] of seq) {
          // Each text inside a line of its own, at some offset, as the formats read columns.
          const line = Buffer.from(' '.repeat(pad) + t + ' x', 'latin1');
          const ip = last.parse(line, pad, pad + Buffer.byteLength(t, 'latin1'));
          expect(ip).toEqual(parseIp(line, pad, pad + Buffer.byteLength(t, 'latin1')));
          if (prev !== undefined && prev.t === t && Buffer.byteLength(t, 'latin1') <= 48) expect(ip).toBe(prev.ip);
          prev = { t, ip };
        }
      }),
      { numRuns: 300 },
    );
  });

  it('LastAddress shares the bytes of clients that come back, and stays exact through a flood of new ones', () => {
    const at = (t: string): [Buffer, number, number] => [Buffer.from(`${t} -`, 'latin1'), 0, t.length];
    const last = new LastAddress();
    // Two clients taking turns: the second visit of each gets the first one's array back.
    const a1 = last.parse(...at('198.51.100.7'));
    last.parse(...at('203.0.113.9'));
    expect(last.parse(...at('198.51.100.7'))).toBe(a1);
    // A flood from sources that never repeat (the table gives up on them), then the same again.
    let wrong = 0;
    for (let i = 0; i < 70_000; i++) {
      const ip = last.parse(...at(`10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`))!;
      if (ip[0] !== 10 || ip[1] !== ((i >>> 16) & 255) || ip[2] !== ((i >>> 8) & 255) || ip[3] !== (i & 255)) wrong++;
    }
    expect(wrong).toBe(0);
    expect(Array.from(last.parse(...at('198.51.100.7'))!)).toEqual([198, 51, 100, 7]);
  });

  it('IPv6 text round-trips through bytes', () => {
    fc.assert(
      fc.property(fc.ipV6(), (t) => {
        const ip = parseIp(Buffer.from(t));
        expect(ip).toHaveLength(16);
        expect(parseIp(Buffer.from(ipToText(ip!)))).toEqual(ip);
      }),
    );
  });

  it('unescapeLogBytes inverts Apache\'s access-log escaping', () => {
    const escape = (b: Uint8Array): Buffer => {
      let s = '';
      for (const c of b) {
        if (c === 0x22) s += '\\"';
        else if (c === 0x5c) s += '\\\\';
        else if (c < 0x20 || c >= 0x7f) s += `\\x${c.toString(16).padStart(2, '0')}`;
        else s += String.fromCharCode(c);
      }
      return Buffer.from(s, 'latin1');
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const e = escape(b);
        expect(Array.from(unescapeLogBytes(e, 0, e.length))).toEqual(Array.from(b));
      }),
    );
  });

  it('access-log buffers give back the exact bytes a client sent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (tail) => {
        const esc = Buffer.from(
          Array.from(tail, (c) => (c === 0x22 ? '\\"' : c === 0x5c ? '\\\\' : c < 0x21 || c >= 0x7f ? `\\x${c.toString(16).padStart(2, '0')}` : String.fromCharCode(c))).join(''),
          'latin1',
        );
        const line = Buffer.concat([Buffer.from('192.0.2.1 - - [10/Oct/2000:13:55:36 +0000] "GET /'), esc, Buffer.from(' HTTP/1.1" 200 1 "-" "ua"')]);
        const { records } = parseLogLines([line], { format: 'combined' });
        // The target ends where the packet parser ends it: blanks (SP, HT, CR, LF) before the protocol are no part of it.
        let e = tail.length;
        while (e > 0 && (tail[e - 1] === 0x20 || tail[e - 1] === 0x09 || tail[e - 1] === 0x0d || tail[e - 1] === 0x0a)) e--;
        expect(Array.from(records[0]!.buffer('http.uri.raw')!)).toEqual([0x2f, ...tail.subarray(0, e)]);
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { detectLogFormat, parseLogLines, type MalformedLine } from '../../src/logs/index.js';
import { fixtureLines, iso, parseFixture, text } from './helpers.js';

/** Lines a container or an application writes before its access log proper. */
const access = (i: number): string =>
  `203.0.113.${i % 250} - - [10/Oct/2024:13:55:${String(i % 60).padStart(2, '0')} +0000] "GET /x${i} HTTP/1.1" 200 5 "-" "ua"`;
const sshd = (i: number): string => `Jan 25 06:00:${String(i % 60).padStart(2, '0')} web1 sshd[1]: Failed password for root from 198.51.100.${i % 250} port 22 ssh2`;
const java = (i: number): string => `2024-01-25 06:00:00,123 ERROR [main] com.example.App - boom ${i}`;
const text_ = (i: number): string => `worker ${i} started`;
const lines = (n: number, f: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => f(i));

describe('a preamble before a log', () => {
  it('nginx in docker: startup lines, then the access log, read as combined; the preamble is malformed (preamble)', () => {
    const seen: MalformedLine[] = [];
    const { records, stats } = parseFixture('docker-nginx.log', { onMalformed: (m) => seen.push(m) });
    expect(stats.format).toBe('combined');
    expect(stats.records).toBe(123);
    expect(stats.recordsByFormat).toEqual({ raw: 23, combined: 100 });
    expect(stats.malformedBy).toEqual({ combined: { preamble: 23 } });
    expect(seen.map((m) => m.line)).toEqual(lines(23, (i) => String(i + 1)).map(Number));
    expect(seen[0]).toEqual({ file: 'docker-nginx.log', line: 1, format: 'combined', reason: 'preamble' });
    expect(records[0]!.format).toBe('raw');
    expect(records[0]!.fields.malformed).toBe('preamble');
    const r = records[23]!;
    expect(r.format).toBe('combined');
    expect(r.log.line).toBe(24);
    expect(r.srcText).toBe('172.17.0.1');
    expect(text(r, 'http.uri')).toBe('/etc/passwd');
    expect(iso(r.tsUs)).toBe('2024-01-25T06:00:00.000Z');
  });

  it('Java log lines (syslog-like ISO stamps) before an access log: combined, not syslog', () => {
    expect(detectLogFormat(fixtureLines('java-then-access.log').slice(0, 32))).toBe('combined');
    const { records, stats } = parseFixture('java-then-access.log');
    expect(stats.format).toBe('combined');
    expect(stats.recordsByFormat).toEqual({ raw: 22, combined: 50 });
    expect(stats.malformedBy).toEqual({ combined: { preamble: 22 } });
    expect(records[22]!.srcText).toBe('203.0.113.0');
    expect(text(records[22]!, 'http.uri')).toBe('/etc/passwd');
  });

  it('a preamble longer than the detection window: the window grows while nothing specific fits', () => {
    const { records, stats } = parseLogLines([...lines(100, text_), ...lines(50, access)]);
    expect(stats.format).toBe('combined');
    expect(stats.recordsByFormat).toEqual({ raw: 100, combined: 50 });
    expect(stats.malformedBy).toEqual({ combined: { preamble: 100 } });
    expect(records[100]!.srcText).toBe('203.0.113.0');
    const java40 = parseLogLines([...lines(40, java), ...lines(20, access)]).stats;
    expect(java40.format).toBe('combined');
    expect(java40.recordsByFormat).toEqual({ raw: 40, combined: 20 });
  });

  it('leaves syslog and raw files alone', () => {
    // Syslog whose window holds syslog only: access lines later are malformed syslog lines, as before.
    const sys = parseLogLines([...lines(40, sshd), ...lines(20, access)], { year: 2024 }).stats;
    expect(sys.format).toBe('syslog');
    expect(sys.recordsByFormat).toEqual({ syslog: 40, raw: 20 });
    // A short run of access lines inside syslog is no log of its own.
    const mixed = parseLogLines([...lines(24, sshd), ...lines(7, access), ...lines(20, sshd)], { year: 2024 }).stats;
    expect(mixed.format).toBe('syslog');
    expect(mixed.recordsByFormat).toEqual({ syslog: 44, raw: 7 });
    const raw = parseLogLines(lines(1000, text_)).stats;
    expect(raw.format).toBe('raw');
    expect(raw.recordsByFormat).toEqual({ raw: 1000 });
    expect(raw.malformed).toBe(0);
    expect(detectLogFormat(['hello', 'world', 'x', 'y', 'z', access(1)])).toBe('raw');
  });

  it('the directives of a W3C log open it; lines before them are a preamble', () => {
    const { stats } = parseLogLines([
      'starting up',
      'ready',
      '#Software: Microsoft Internet Information Services 10.0',
      '#Fields: date time c-ip cs-method cs-uri-stem sc-status',
      '2024-01-25 06:00:00 198.51.100.1 GET /x 200',
    ]);
    expect(stats.format).toBe('iis');
    expect(stats.recordsByFormat).toEqual({ raw: 2, iis: 1 });
    expect(stats.malformedBy).toEqual({ iis: { preamble: 2 } });
  });

  it('holds no blank lines for detection: megabytes of blank lines before a log neither decide its format nor grow the window', () => {
    const blank = ' '.repeat(1000);
    const input = [...lines(4400, () => blank), ...lines(40, access)];
    const { records, stats } = parseLogLines(input);
    expect(stats.format).toBe('combined');
    expect(stats.skipped).toBe(4400);
    expect(records).toHaveLength(40);
    expect(records.every((r) => r.format === 'combined')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { detectLogFormat, parseLogLines, type LogRecord } from '../../src/logs/index.js';
import { iso, text } from './helpers.js';

describe('W3C extended log detection', () => {
  it('trusts the #Fields directive over per-line scores, whatever the column order', () => {
    const header = [
      '#Software: Microsoft Internet Information Services 5.0',
      '#Version: 1.0',
      '#Date: 2003-03-17 00:00:00',
      '#Fields: time c-ip cs-method cs-uri-stem cs-uri-query sc-status',
    ];
    const data = Array.from({ length: 20 }, (_, i) => `00:0${i % 10}:00 10.0.0.${i} GET /scripts/root.exe /c+dir 404`);
    expect(detectLogFormat([...header, ...data])).toBe('iis');
  });

  it('does not call a syslog file W3C because of an ordinary line', () => {
    const lines = ['Mar 17 10:00:00 host sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2'];
    expect(detectLogFormat(lines)).not.toBe('iis');
  });
});

describe('IIS log file format (IIS native, comma-separated)', () => {
  const LINES = [
    '203.0.113.5, -, 3/17/03, 10:00:01, W3SVC1, WEB1, 192.168.1.10, 10, 100, 290, 404, 2, GET, /scripts/..%c0%af../winnt/system32/cmd.exe, /c+dir,',
    '192.168.1.20, -, 03/17/2003, 7:55:20, W3SVC1, WEB1, 192.168.1.10, 4502, 163, 3223, 200, 0, GET, /DeptLogo.gif, -,',
    'not, a, log line',
  ];

  it('is detected and read: times (local, --tz), addresses, method, URI, status', () => {
    expect(detectLogFormat(LINES.slice(0, 2))).toBe('iis_native');
    const { records, stats } = parseLogLines(LINES, { tz: 'America/New_York' });
    expect(stats.format).toBe('iis_native');
    // A line that does not fit is counted, and still read as a raw line.
    expect(stats.malformed).toBe(1);
    expect(records).toHaveLength(3);
    const [a, b] = records as [LogRecord, LogRecord];
    expect(iso(a.tsUs)).toBe('2003-03-17T15:00:01.000Z');
    expect(iso(b.tsUs)).toBe('2003-03-17T12:55:20.000Z');
    expect(a.srcText).toBe('203.0.113.5');
    expect(text(a, 'http.method')).toBe('GET');
    expect(text(a, 'http.uri.raw')).toBe('/scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir');
    expect(text(a, 'http.uri')).toBe('/winnt/system32/cmd.exe?/c+dir');
    expect(text(a, 'http.stat_code')).toBe('404');
    expect(text(b, 'http.uri.raw')).toBe('/DeptLogo.gif');
  });
});

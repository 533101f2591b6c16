import { describe, expect, it } from 'vitest';
import { parseLogLines } from '../../src/logs/index.js';
import { iso, parseFixture, text } from './helpers.js';

describe('IIS W3C extended', () => {
  const { records, stats } = parseFixture('iis.log');

  it('reads a log that starts with a UTF-8 byte order mark', () => {
    const lines = ['\ufeff#Software: Microsoft Internet Information Services 6.0', '#Fields: date time c-ip cs-method cs-uri-stem sc-status', '2003-03-17 10:00:00 192.0.2.9 GET /scripts/cmd.exe 200'];
    const { records, stats } = parseLogLines(lines.map((l) => Buffer.from(l, 'utf8')));
    expect(stats.format).toBe('iis');
    expect(stats.malformed).toBe(0);
    expect(records.map((r) => [r.log.line, text(r, 'http.uri')])).toEqual([[3, '/scripts/cmd.exe']]);
  });

  it('skips directives and follows #Fields changes mid-file', () => {
    expect(stats.format).toBe('iis');
    expect(stats.records).toBe(3);
    expect(stats.skipped).toBe(5);
    expect(stats.malformed).toBe(0);
  });

  it('maps columns to header fields and HTTP buffers, times in UTC', () => {
    const r = records[0]!;
    expect(iso(r.tsUs)).toBe('2015-07-28T15:07:26.000Z');
    expect(r.srcText).toBe('198.51.100.77');
    expect(r.dstText).toBe('192.0.2.1');
    expect(r.dstPort).toBe(80);
    expect(text(r, 'http.method')).toBe('GET');
    expect(text(r, 'http.uri.raw')).toBe('/QOsa/Browser/Default.aspx?UISessionId=SN1234123');
    expect(text(r, 'http.user_agent')).toBe('Mozilla/5.0 (Windows NT 6.1)');
    expect(text(r, 'http.stat_code')).toBe('302');
    expect(r.fields['cs-uri-query']).toBe('UISessionId=SN1234123');
    expect(records[1]!.buffer('http.user_agent')).toBeUndefined();
    expect(text(records[1]!, 'http.uri.raw')).toBe('/console/version.jsp');
  });

  it('uses the second layout: host, cookie, referer, bytes', () => {
    const r = records[2]!;
    expect(r.srcText).toBe('203.0.113.9');
    expect(r.dst).toBeUndefined();
    expect(text(r, 'http.host')).toBe('www.example.com');
    expect(text(r, 'http.cookie')).toBe('ASP.NET_SessionId=abc; theme=dark');
    expect(text(r, 'http.referer')).toBe('http://www.example.com/');
    expect(r.http).toMatchObject({ hostname: 'www.example.com', status: 200, length: 5120, http_method: 'POST' });
    expect(text(r, 'http.header')).not.toContain('Cookie');
    expect(text(r, 'http.header.raw')).toContain('Cookie: ASP.NET_SessionId=abc; theme=dark\r\n');
  });

  it('reads header-less IIS lines with the default column sets', () => {
    const { records, stats } = parseLogLines(
      [
        '2015-03-11 21:59:09 1.2.3.4 GET /console/faces/version_30.jsp - 80 - 31.3.3.7 Sun+Web+Console+Fingerprinter/7.15 - 404 0 2 0',
        '2014-12-20 21:34:37 W3SVC58 WEB-01 1.2.3.4 GET /search/details.aspx id=1 80 - 173.201.216.6 HTTP/1.1 Mozilla/5.0 - http://google.com/ www.somesite.org 200 0 0 36560 3942 78',
      ],
      { format: 'iis' },
    );
    expect(stats.malformed).toBe(0);
    expect(records[0]!.srcText).toBe('31.3.3.7');
    expect(text(records[0]!, 'http.user_agent')).toBe('Sun Web Console Fingerprinter/7.15');
    expect(records[0]!.http?.status).toBe(404);
    expect(records[1]!.srcText).toBe('173.201.216.6');
    expect(text(records[1]!, 'http.host')).toBe('www.somesite.org');
    expect(text(records[1]!, 'http.protocol')).toBe('HTTP/1.1');
  });

  it('reads tab-separated W3C logs (Amazon CloudFront)', () => {
    const { records, stats } = parseFixture('cloudfront.log');
    expect(stats.format).toBe('iis');
    expect(stats.malformed).toBe(0);
    expect(stats.recordsByFormat).toEqual({ iis: 1 });
    const r = records[0]!;
    expect(iso(r.tsUs)).toBe('2024-01-25T06:00:00.000Z');
    expect([r.srcText, r.srcPort, r.http?.status]).toEqual(['198.51.100.1', 40000, 404]);
    expect([text(r, 'http.method'), text(r, 'http.uri'), text(r, 'http.user_agent')]).toEqual(['GET', '/etc/passwd', 'curl/8.0']);
    expect(r.fields['x-edge-location']).toBe('SEA19-C1');
    // Header-less, tab-separated lines in an IIS default layout are detected too.
    const tabbed = parseLogLines(['2015-03-11\t21:59:09\t1.2.3.4\tGET\t/x.jsp\t-\t80\t-\t31.3.3.7\tcurl/8\t-\t404\t0\t2\t0']);
    expect(tabbed.stats.format).toBe('iis');
    expect([tabbed.records[0]!.srcText, text(tabbed.records[0]!, 'http.uri')]).toEqual(['31.3.3.7', '/x.jsp']);
  });

  it('gives extra tokens to the free-text column and keeps the others aligned', () => {
    const { records } = parseLogLines(
      ['#Fields: date time c-ip cs-method cs-uri-stem cs(User-Agent) sc-status', '2020-01-01 00:00:00 192.0.2.1 GET / Mozilla 5.0 (X11) 200'],
      { format: 'iis' },
    );
    expect(text(records[0]!, 'http.user_agent')).toBe('Mozilla 5.0 (X11)');
    expect(records[0]!.http?.status).toBe(200);
  });

  it('reads IIS Advanced Logging: quoted values, local date and time', () => {
    const lines = [
      '#Software: IIS Advanced Logging Module',
      '#Version: 1.0',
      '#Start-Date: 2011-05-12 00:00:00.391',
      '#Fields:  date-local time-local s-computername cs-uri-stem cs-uri-query c-ip cs-method sc-status cs(User-Agent) cs(Referer) cs(Cookie) TimeTakenMS',
      '2011-05-12 00:00:01.391 "WEB01" /admin a=1 203.0.113.9 POST 200 "Mozilla/5.0 (Windows NT 10.0; Win64)" - "sess=1; x=2" 15',
    ];
    const { records, stats } = parseLogLines(lines, { tz: '+02:00' });
    expect(stats.malformed).toBe(0);
    const r = records[0]!;
    expect(iso(r.tsUs)).toBe('2011-05-11T22:00:01.391Z');
    expect([r.fields['s-computername'], text(r, 'http.uri.raw'), r.srcText, r.http?.status]).toEqual(['WEB01', '/admin?a=1', '203.0.113.9', 200]);
    expect(text(r, 'http.user_agent')).toBe('Mozilla/5.0 (Windows NT 10.0; Win64)');
    expect(text(r, 'http.cookie')).toBe('sess=1; x=2');
    expect(r.buffer('http.referer')).toBeUndefined();
    expect(iso(parseLogLines(lines).records[0]!.tsUs)).toBe('2011-05-12T00:00:01.391Z');
  });

  it('does not read quotes as value delimiters in logs IIS itself wrote', () => {
    const { records } = parseLogLines(
      [
        '#Software: Microsoft Internet Information Services 10.0',
        '#Fields: date time cs-uri-query cs(User-Agent) c-ip sc-status',
        '2020-01-01 00:00:00 "a Mozilla" 192.0.2.1 200',
      ],
      { format: 'iis' },
    );
    expect([text(records[0]!, 'http.user_agent'), records[0]!.srcText]).toEqual(['Mozilla"', '192.0.2.1']);
  });

  it('uses #Date when there is no date column, and reports short lines', () => {
    const { records, stats } = parseLogLines(
      ['#Date: 2002-05-02 17:42:15', '#Fields: time c-ip cs-method cs-uri-stem sc-status', '17:42:15 192.0.2.1 GET /x 200', '17:42:16 192.0.2.1 GET'],
      { format: 'iis', file: 'ex020502.log' },
    );
    expect(iso(records[0]!.tsUs)).toBe('2002-05-02T17:42:15.000Z');
    expect(stats.malformedBy.iis).toEqual({ 'field-count': 1 });
    expect(stats.samples[0]).toEqual({ file: 'ex020502.log', line: 4, format: 'iis', reason: 'field-count' });
  });
});

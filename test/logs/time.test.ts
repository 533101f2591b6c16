import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseLogLines } from '../../src/logs/index.js';
import { civilFromUs, civilToUs, daysFromCivil, parseFixedOffset, ZoneResolver } from '../../src/logs/time.js';
import { iso } from './helpers.js';

const syslog = (stamp: string) => `${stamp} host app: message`;

describe('calendar arithmetic', () => {
  it('daysFromCivil agrees with Date.UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (y, m, d) => {
        const ref = new Date(0);
        ref.setUTCFullYear(y, m - 1, d);
        ref.setUTCHours(0, 0, 0, 0);
        expect(daysFromCivil(y, m, d) * 86_400_000).toBe(ref.getTime());
      }),
    );
  });

  it('civilFromUs inverts civilToUs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2200 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (y, mo, d) => {
        expect(civilFromUs(civilToUs(y, mo, d, 12, 0, 0))).toEqual({ y, mo, d });
      }),
    );
  });

  it('parses fixed offsets', () => {
    expect(parseFixedOffset('UTC')).toBe(0);
    expect(parseFixedOffset('+02:00')).toBe(120);
    expect(parseFixedOffset('-0530')).toBe(-330);
    expect(parseFixedOffset('+7')).toBe(420);
    expect(parseFixedOffset('Europe/Zurich')).toBeUndefined();
  });
});

describe('time zones', () => {
  it('honours DST in IANA zones', () => {
    const z = new ZoneResolver('Europe/Zurich');
    expect(iso(z.toUtc(civilToUs(2013, 1, 15, 12, 0, 0)))).toBe('2013-01-15T11:00:00.000Z');
    expect(iso(z.toUtc(civilToUs(2013, 7, 15, 12, 0, 0)))).toBe('2013-07-15T10:00:00.000Z');
    const ny = new ZoneResolver('America/New_York');
    expect(iso(ny.toUtc(civilToUs(2014, 4, 1, 0, 0, 1)))).toBe('2014-04-01T04:00:01.000Z');
  });

  it('fixed offsets shift by exactly the offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: -23 * 60, max: 23 * 60 }), fc.integer({ min: 0, max: 4e15 }), (off, local) => {
        const sign = off < 0 ? '-' : '+';
        const a = Math.abs(off);
        const z = new ZoneResolver(`${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`);
        expect(z.toUtc(local)).toBe(local - off * 60_000_000);
      }),
    );
  });

  it('applies the tz option to zone-less formats only', () => {
    const lines = [
      '192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1',
      '192.0.2.1 - - [10/Oct/2000:13:55:36] "GET / HTTP/1.0" 200 1',
    ];
    const { records } = parseLogLines(lines, { format: 'combined', tz: 'Europe/Zurich' });
    expect(iso(records[0]!.tsUs)).toBe('2000-10-10T20:55:36.000Z');
    expect(iso(records[1]!.tsUs)).toBe('2000-10-10T11:55:36.000Z');
    const { records: iis } = parseLogLines(
      ['#Fields: date time c-ip cs-method cs-uri-stem', '2000-10-10 13:55:36 192.0.2.1 GET /'],
      { format: 'iis', tz: 'Europe/Zurich' },
    );
    expect(iso(iis[0]!.tsUs)).toBe('2000-10-10T13:55:36.000Z');
    const { records: s } = parseLogLines(
      [syslog('2003-10-11T22:14:15.003-07:00'), syslog('2003-10-11T22:14:15'), syslog('Oct 11 22:14:15')],
      { tz: '+02:00', year: 2003 },
    );
    expect(s.map((r) => iso(r.tsUs))).toEqual(['2003-10-12T05:14:15.003Z', '2003-10-11T20:14:15.000Z', '2003-10-11T20:14:15.000Z']);
  });
});

describe('year inference for year-less dates', () => {
  it('an explicit year rolls forward at the Dec -> Jan wrap', () => {
    const { records, stats } = parseLogLines([syslog('Dec 31 23:59:59'), syslog('Jan  1 00:00:01'), syslog('Jan  1 00:00:02')], { year: 2004 });
    expect(records.map((r) => iso(r.tsUs))).toEqual(['2004-12-31T23:59:59.000Z', '2005-01-01T00:00:01.000Z', '2005-01-01T00:00:02.000Z']);
    expect(stats.yearSource).toBe('option');
  });

  it('a reference time (file mtime) gives each date the latest year not after it', () => {
    const ref = Date.UTC(2005, 1, 10) * 1000;
    const { records, stats } = parseLogLines([syslog('Nov  3 11:35:30'), syslog('Dec 31 23:00:00'), syslog('Feb  9 08:00:00')], { refTimeUs: ref });
    expect(records.map((r) => iso(r.tsUs))).toEqual(['2004-11-03T11:35:30.000Z', '2004-12-31T23:00:00.000Z', '2005-02-09T08:00:00.000Z']);
    expect(stats.yearSource).toBe('reference');
  });

  it('a dated line wins over the reference time for the lines after it', () => {
    const ref = Date.UTC(2025, 0, 15) * 1000;
    const lines = [syslog('Oct  9 10:00:00'), syslog('2023-10-10T13:55:36+02:00'), syslog('Oct 10 13:55:37'), syslog('Dec 31 23:00:00'), syslog('Jan  1 01:00:00')];
    const { records, stats } = parseLogLines(lines, { refTimeUs: ref });
    expect(records.map((r) => iso(r.tsUs).slice(0, 10))).toEqual(['2024-10-09', '2023-10-10', '2023-10-10', '2023-12-31', '2024-01-01']);
    expect(stats.yearSource).toBe('stream');
    // A date after the reference contradicts it (a log holds nothing written after its last change): the reference stands.
    const later = parseLogLines([syslog('2026-10-10T13:55:36Z'), syslog('Oct 10 13:55:37')], { refTimeUs: ref }).records;
    expect(iso(later[1]!.tsUs).slice(0, 10)).toBe('2024-10-10');
    const given = parseLogLines(lines, { refTimeUs: ref, year: 2020 }).records;
    expect(given.map((r) => iso(r.tsUs).slice(0, 10))).toEqual(['2020-10-09', '2023-10-10', '2020-10-10', '2020-12-31', '2021-01-01']);
  });

  it('otherwise the first dated line of the stream seeds the year', () => {
    const { records, stats } = parseLogLines([syslog('2010-12-31T10:00:00Z'), syslog('Dec 31 11:00:00'), syslog('Jan  2 00:00:00')]);
    expect(records.map((r) => iso(r.tsUs))).toEqual(['2010-12-31T10:00:00.000Z', '2010-12-31T11:00:00.000Z', '2011-01-02T00:00:00.000Z']);
    expect(stats.yearSource).toBe('stream');
  });

  it('a dated line in the detection window also dates the year-less lines before it', () => {
    const { records } = parseLogLines([syslog('Dec 31 23:59:00'), syslog('2011-01-01T00:00:01Z'), syslog('Jan  1 00:00:02')]);
    expect(records.map((r) => iso(r.tsUs))).toEqual(['2010-12-31T23:59:00.000Z', '2011-01-01T00:00:01.000Z', '2011-01-01T00:00:02.000Z']);
  });

  it('a long forward gap stays in the running year; only a wrap moves it', () => {
    const lines = ['Mar 17 10:00:00', 'Oct  1 10:00:00', 'Nov  1 10:00:00', 'Dec 31 10:00:00', 'Jan  1 10:00:00'].map(syslog);
    const { records } = parseLogLines(lines, { year: 2003 });
    expect(records.map((r) => iso(r.tsUs).slice(0, 10))).toEqual(['2003-03-17', '2003-10-01', '2003-11-01', '2003-12-31', '2004-01-01']);
    const seeded = parseLogLines([syslog('2010-01-17T00:00:00Z'), syslog('Jul 18 00:00:00'), syslog('Aug  1 00:00:00')]).records;
    expect(seeded.map((r) => iso(r.tsUs).slice(0, 10))).toEqual(['2010-01-17', '2010-07-18', '2010-08-01']);
  });

  it('a late line from the old year just after a wrap keeps the old year', () => {
    const lines = ['Dec 31 23:59:58', 'Jan  1 00:00:01', 'Dec 31 23:59:59', 'Jan  1 00:00:02'].map(syslog);
    const { records } = parseLogLines(lines, { year: 2003 });
    expect(records.map((r) => iso(r.tsUs).slice(0, 10))).toEqual(['2003-12-31', '2004-01-01', '2003-12-31', '2004-01-01']);
  });

  it('the assumed year rolls over too, so time keeps running forward', () => {
    const { records } = parseLogLines([syslog('Dec 31 10:00:00'), syslog('Jan  1 10:00:00')]);
    expect(records.map((r) => iso(r.tsUs).slice(0, 10))).toEqual(['1970-12-31', '1971-01-01']);
  });

  it('with nothing to go by, 1970 is assumed and reported', () => {
    const { records, stats } = parseLogLines([syslog('Mar  1 00:00:00')]);
    expect(iso(records[0]!.tsUs)).toBe('1970-03-01T00:00:00.000Z');
    expect(stats.yearSource).toBe('assumed');
  });

  it('Feb 29 is kept in leap years and rejected otherwise', () => {
    expect(iso(parseLogLines([syslog('Feb 29 12:00:00')], { year: 2004 }).records[0]!.tsUs)).toBe('2004-02-29T12:00:00.000Z');
    const bad = parseLogLines([syslog('Feb 29 12:00:00')], { year: 2005, format: 'syslog' });
    expect(bad.stats.malformed).toBe(1);
  });

  it('a year written in the line wins (Cisco "Mar 29 2004 09:54:18")', () => {
    const { records } = parseLogLines(['Mar 29 2004 09:54:18: %PIX-6-302005: x'], { year: 1999 });
    expect(iso(records[0]!.tsUs)).toBe('2004-03-29T09:54:18.000Z');
  });

  it('does not depend on the wall clock: the same input gives the same times', () => {
    const run = () => parseLogLines([syslog('Jun  1 00:00:00')]).records[0]!.tsUs;
    expect(run()).toBe(run());
  });
});

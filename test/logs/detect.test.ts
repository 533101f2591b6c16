import { describe, expect, it } from 'vitest';
import { detectLogFormat, logFormatByName, parseLogLines } from '../../src/logs/index.js';
import { fixtureLines, parseFixture } from './helpers.js';

describe('detectLogFormat', () => {
  it.each([
    ['combined.log', 'combined'],
    ['common.log', 'common'],
    ['vhost_combined.log', 'vhost_combined'],
    ['apache_error.log', 'apache_error'],
    ['iis.log', 'iis'],
    ['netfilter.log', 'netfilter'],
    ['asa.log', 'asa'],
    ['sendmail.log', 'sendmail'],
    ['postfix.log', 'postfix'],
    ['portsentry.log', 'portsentry'],
    ['scanlogd.log', 'scanlogd'],
    ['syslog.log', 'syslog'],
    ['eve.json', 'json'],
    ['raw.log', 'raw'],
  ])('%s is %s', (file, format) => {
    expect(detectLogFormat(fixtureLines(file))).toBe(format);
  });

  it('reads a mixed /var/log/messages as syslog and still dispatches each line', () => {
    const lines = [...fixtureLines('syslog.log'), ...fixtureLines('netfilter.log').slice(0, 2), ...fixtureLines('sendmail.log').slice(0, 1)];
    expect(detectLogFormat(lines)).toBe('syslog');
    const { records } = parseLogLines(lines, { year: 2020 });
    expect(records.map((r) => r.format)).toEqual(['syslog', 'syslog', 'syslog', 'syslog', 'syslog', 'netfilter', 'netfilter', 'sendmail']);
  });

  it('needs evidence: a few matching lines among noise give raw', () => {
    expect(detectLogFormat(['hello', 'world', 'x', 'y', 'z', fixtureLines('combined.log')[0]!])).toBe('raw');
    expect(detectLogFormat([])).toBe('raw');
    expect(detectLogFormat(['', '  '])).toBe('raw');
  });

  it('accepts strings with line breaks', () => {
    expect(detectLogFormat(['{"a":1}\n', '{"b":2}\r\n'])).toBe('json');
  });
});

describe('format option', () => {
  it('overrides detection, with aliases', () => {
    expect(logFormatByName('iptables')?.name).toBe('netfilter');
    expect(logFormatByName('PIX')?.name).toBe('asa');
    expect(logFormatByName('vhost-combined')?.name).toBe('vhost_combined');
    const { stats, records } = parseFixture('combined.log', { format: 'raw' });
    expect(stats.format).toBe('raw');
    expect(records.every((r) => r.format === 'raw')).toBe(true);
  });

  it('rejects unknown formats and time zones clearly', () => {
    expect(() => parseLogLines([], { format: 'nope' })).toThrow(/unknown log format "nope"/);
    expect(() => parseLogLines([], { tz: 'Mars/Olympus' })).toThrow(/unknown time zone/);
  });

  it('a forced format reports lines of another format as malformed, with file and line', () => {
    const { stats } = parseLogLines(fixtureLines('syslog.log'), { format: 'combined', file: 'x.log', rawFallback: false });
    expect(stats.records).toBe(0);
    expect(stats.malformed).toBe(5);
    expect(stats.samples.map((s) => s.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('detection looks only at the first lines, then keeps the format', () => {
    const lines = [...fixtureLines('combined.log'), 'Feb  9 11:44:56 web1 sshd[1]: late syslog line'];
    const { stats } = parseLogLines(lines, { detectLines: 3 });
    expect(stats.format).toBe('combined');
    expect(stats.malformed).toBe(1);
    expect(stats.records).toBe(6);
    expect(stats.recordsByFormat).toEqual({ combined: 5, raw: 1 });
  });
});

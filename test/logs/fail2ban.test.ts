import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLogLines, type LogRecord } from '../../src/logs/index.js';
import { parseIpText } from '../../src/logs/ip.js';
import { corpus } from '../corpora.js';

/**
 * fail2ban's sample logs: every log line is preceded by `# failJSON: {"time", "match", "host"}`.
 * The times are local times in Europe/Zurich (fail2ban's test zone) and year-less lines were
 * written against 2005-08-14 (fail2ban's frozen test clock). For lines fail2ban matches, the
 * record must carry that time and that host as its source address.
 */
const DIR = corpus('fail2ban-testlogs');
const REF_US = Date.UTC(2005, 7, 14, 10, 0, 0) * 1000;
const ZURICH = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Zurich',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface Expectation {
  time?: string;
  match: boolean;
  host?: string;
}

interface Case {
  lineIndex: number;
  text: Buffer;
  expect: Expectation;
}

function loadCases(file: string): { lines: Buffer[]; cases: Case[] } {
  const data = readFileSync(`${DIR}/${file}`);
  const rawLines: Buffer[] = [];
  let s = 0;
  for (let i = 0; i <= data.length; i++) {
    if (i === data.length || data[i] === 0x0a) {
      if (i > s || i < data.length) rawLines.push(data.subarray(s, i));
      s = i + 1;
    }
  }
  const lines: Buffer[] = [];
  const cases: Case[] = [];
  let pending: Expectation | undefined;
  for (const l of rawLines) {
    const t = l.toString('latin1');
    if (t.startsWith('#')) {
      const m = /^# failJSON: (\{.*\})\s*$/.exec(t);
      if (m) pending = JSON.parse(m[1]!) as Expectation;
      continue;
    }
    if (t.trim() === '') continue;
    if (pending) cases.push({ lineIndex: lines.length, text: l, expect: pending });
    pending = undefined;
    lines.push(l);
  }
  return { lines, cases };
}

const zurich = (tsUs: number): string => ZURICH.format(new Date(Math.floor(tsUs / 1e6) * 1000)).replace(' ', 'T');

const FILES = readdirSync(DIR).filter((f) => f !== 'COPYING').sort();

describe('fail2ban sample logs', () => {
  it('has the sample files', () => {
    expect(FILES).toEqual([
      'apache-auth', 'apache-badbots', 'apache-botsearch', 'apache-nohome', 'apache-noscript', 'apache-overflows',
      'apache-shellshock', 'portsentry', 'scanlogd', 'sendmail-auth', 'sendmail-reject',
    ]);
  });

  it.each(FILES)('%s: every line parses; matching lines carry fail2ban\'s time and host', (file) => {
    const { lines, cases } = loadCases(file);
    const { records, stats } = parseLogLines(lines, { file, tz: 'Europe/Zurich', refTimeUs: REF_US });
    expect(stats.malformed).toBe(0);
    expect(records).toHaveLength(lines.length);
    const byLine = new Map<number, LogRecord>(records.map((r) => [r.log.line, r]));
    let checked = 0;
    for (const c of cases) {
      const r = byLine.get(c.lineIndex + 1)!;
      expect(r, c.text.toString('latin1')).toBeDefined();
      expect(r.format, c.text.toString('latin1')).not.toBe('raw');
      if (!c.expect.match) continue;
      const where = `${file}: ${c.text.toString('latin1').slice(0, 100)}`;
      if (c.expect.time) {
        expect(r.timeKnown, where).toBe(true);
        expect(zurich(r.tsUs), where).toBe(c.expect.time);
      }
      if (c.expect.host) {
        expect(r.src, where).toEqual(parseIpText(c.expect.host));
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('sees the format fail2ban reads each file as', () => {
    const formats = Object.fromEntries(
      FILES.map((f) => [f, parseLogLines(loadCases(f).lines, { tz: 'Europe/Zurich', refTimeUs: REF_US }).stats.format]),
    );
    expect(formats).toEqual({
      'apache-auth': 'apache_error',
      'apache-badbots': 'combined',
      'apache-botsearch': 'apache_error',
      'apache-nohome': 'apache_error',
      'apache-noscript': 'apache_error',
      'apache-overflows': 'apache_error',
      'apache-shellshock': 'apache_error',
      portsentry: 'portsentry',
      scanlogd: 'scanlogd',
      'sendmail-auth': 'sendmail',
      'sendmail-reject': 'sendmail',
    });
  });
});

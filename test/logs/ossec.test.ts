import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLogLines, type LogRecord } from '../../src/logs/index.js';
import { parseIpText } from '../../src/logs/ip.js';
import { corpus } from '../corpora.js';
import { text } from './helpers.js';

/**
 * OSSEC's decoder test cases (contrib/ossec-testing/tests/*.ini): each case gives log lines and
 * the OSSEC decoder that reads them. Every line must become a record without error; where the
 * decoder is one of kanshi's formats, the decoder's fields (source address, URL, status) must
 * be there, checked against what the line itself says.
 */
const DIR = corpus('ossec-testing');

interface OssecLine {
  file: string;
  section: string;
  decoder: string;
  line: string;
}

/** Minimal reader for these ini files (Python ConfigParser: `%%` stands for `%`). */
function loadCases(): OssecLine[] {
  const out: OssecLine[] = [];
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.ini')).sort()) {
    let section = '';
    let logs: string[] = [];
    let decoder = '';
    const flush = (): void => {
      for (const line of logs) out.push({ file, section, decoder, line });
      logs = [];
      decoder = '';
    };
    for (const raw of readFileSync(`${DIR}/${file}`, 'latin1').split('\n')) {
      const sec = /^\[(.*)\]\s*$/.exec(raw);
      if (sec) {
        flush();
        section = sec[1]!;
        continue;
      }
      const kv = /^([^=]+?)\s*=\s?(.*)$/.exec(raw);
      if (!kv) continue;
      const key = kv[1]!.trim();
      const value = kv[2]!.replace(/%%/g, '%');
      if (/^log \d+ (pass|fail)$/.test(key)) logs.push(value);
      else if (key === 'decoder') decoder = value.trim();
    }
    flush();
  }
  return out;
}

const CASES = loadCases();

function parseOne(line: string): { rec: LogRecord; malformed: number } {
  const { records, stats } = parseLogLines([Buffer.from(line, 'latin1')], { year: 2016 });
  return { rec: records[0]!, malformed: stats.malformed };
}

function expectSrc(rec: LogRecord, ip: string | undefined, where: string): void {
  expect(ip, where).toBeDefined();
  expect(rec.src, where).toEqual(parseIpText(ip!));
}

/** Decoders that correspond to a kanshi format, with the fields checked for each. */
const CHECKS: Record<string, (rec: LogRecord, line: string, where: string) => void> = {
  'web-accesslog': (rec, line, where) => {
    expect(['combined', 'common'], where).toContain(rec.format);
    // The target runs to the last " HTTP/x.y" of the request: it may contain spaces.
    const m = /^(\S+) \S+ \S+ \[[^\]]+\] "(\S+) (.*) HTTP\/[\d.]+" (\d{3}) /.exec(line)!;
    expectSrc(rec, m[1], where);
    expect(text(rec, 'http.method'), where).toBe(m[2]);
    // The server's \xHH escapes are undone in the buffer.
    expect(text(rec, 'http.uri.raw'), where).toBe(m[3]!.replace(/\\x([0-9a-f]{2})/gi, (_s, h: string) => String.fromCharCode(parseInt(h, 16))));
    expect(rec.http?.status, where).toBe(Number(m[4]));
  },
  'openbsd-httpd': (rec, line, where) => {
    expect(rec.format, where).toBe('vhost_combined');
    const m = /^(\S+) (\S+) /.exec(line)!;
    expectSrc(rec, m[2], where);
    expect(text(rec, 'http.host'), where).toBe(m[1]!.toLowerCase());
  },
  'apache-errorlog': (rec, line, where) => {
    expect(rec.format, where).toBe('apache_error');
    const c = /\[client ([^\]]+)\]/.exec(line);
    if (!c) return;
    const addr = c[1]!;
    // Apache 2.4 appends ":port" to the client (also after a bare IPv6 address).
    const v24 = /\[pid /.test(line);
    const ip = v24 ? addr.replace(/:\d+$/, '') : addr;
    expectSrc(rec, ip, where);
  },
  pix: (rec, line, where) => {
    expect(rec.format, where).toBe('asa');
    const m = /from ([\d.]+)\//.exec(line) ?? /\(remote ([\d.]+)\)/.exec(line);
    expectSrc(rec, m?.[1], where);
    expect(rec.fields.asa_id, where).toBe(/-(\d{6}):/.exec(line)![1]);
  },
  'web-accesslog-iis-default': (rec, line, where) => {
    expect(rec.format, where).toBe('iis');
    const t = line.split(' ');
    expectSrc(rec, t[8], where);
    expect(text(rec, 'http.method'), where).toBe(t[3]);
    expect(rec.http?.status, where).toBe(Number(t[t.length - 4]));
  },
  'web-accesslog-iis6': (rec, line, where) => {
    expect(rec.format, where).toBe('iis');
    const t = line.split(' ');
    expectSrc(rec, t[10], where);
    expect(text(rec, 'http.uri.raw')!.startsWith(`${t[6]}?${t[7]!.slice(0, 20)}`), where).toBe(true);
    expect(rec.http?.status, where).toBe(Number(t[t.length - 6]));
  },
  sshd: (rec, line, where) => {
    expect(rec.format, where).toBe('syslog');
    expect(text(rec, 'log.program'), where).toBe('sshd');
    const m = [...line.matchAll(/ from ([0-9a-f.:]+) port (\d+)/gi)].pop();
    if (m) {
      expectSrc(rec, m[1], where);
      expect(rec.srcPort, where).toBe(Number(m[2]));
    }
  },
  'postfix-reject': (rec, line, where) => {
    expect(rec.format, where).toBe('postfix');
    expect(text(rec, 'smtp.mail_from'), where).toBe(/from=(<[^>]*>)/.exec(line)![1]);
    expect(text(rec, 'smtp.helo'), where).toBe(/helo=(<[^>]*>)/.exec(line)![1]);
    expectSrc(rec, /RCPT from [^[]*\[([\d.]+)\]/.exec(line)?.[1], where);
  },
  postfix: (rec, line, where) => {
    expect(rec.format, where).toBe('postfix');
    expectSrc(rec, /from [^[\s]*\[([\d.]+)\]/.exec(line)?.[1], where);
  },
};

describe('OSSEC decoder test cases', () => {
  it('has the cases', () => {
    expect(CASES.length).toBeGreaterThan(200);
  });

  it('every log line becomes a record without error', () => {
    const failed: string[] = [];
    for (const c of CASES) {
      const { rec, malformed } = parseOne(c.line);
      if (!rec || malformed !== 0) failed.push(`${c.file} [${c.section}]: ${c.line}`);
      else {
        // Whatever the format, the bytes of the line are searchable.
        expect(rec.buffer('log.message')!.length).toBeGreaterThan(0);
        expect(Buffer.from(rec.line).toString('latin1')).toBe(c.line);
      }
    }
    expect(failed).toEqual([]);
  });

  it('fills the decoder fields where the decoder is one of kanshi\'s formats', () => {
    const seen = new Map<string, number>();
    for (const c of CASES) {
      const check = CHECKS[c.decoder];
      if (!check) continue;
      const { rec } = parseOne(c.line);
      check(rec, c.line, `${c.file} [${c.section}] ${c.line.slice(0, 120)}`);
      seen.set(c.decoder, (seen.get(c.decoder) ?? 0) + 1);
    }
    expect(Object.fromEntries(seen)).toEqual({
      'apache-errorlog': 22,
      'openbsd-httpd': 3,
      pix: 5,
      postfix: 2,
      'postfix-reject': 2,
      sshd: 31,
      'web-accesslog': 39,
      'web-accesslog-iis-default': 3,
      'web-accesslog-iis6': 1,
    });
  });

  it('reads the syslog-relayed firewall and IDS lines as syslog records with program and message', () => {
    const iptables = CASES.filter((c) => c.decoder === 'iptables');
    expect(iptables.length).toBeGreaterThan(0);
    for (const c of iptables) {
      const { rec } = parseOne(c.line);
      expect(rec.format).toBe('syslog');
      expect(text(rec, 'log.program')).toBe('kernel');
    }
  });
});

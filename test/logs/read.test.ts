import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LogReadError, readLogFile, readLogRecords, readLogStream, type LogRecord, type MalformedLine } from '../../src/logs/index.js';
import { fixture, fixtureLines, iso, parseFixture, text } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kanshi-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function collect(path: string, opts = {}): Promise<{ records: LogRecord[]; stats: Awaited<ReturnType<typeof readLogFile>> }> {
  const records: LogRecord[] = [];
  return readLogFile(path, opts, (r) => records.push(r)).then((stats) => ({ records, stats }));
}

describe('readLogFile', () => {
  it('gives the same records as parseLogLines', async () => {
    for (const name of ['combined.log', 'iis.log', 'asa.log', 'eve.json']) {
      const { records, stats } = await collect(fixture(name));
      const mem = parseFixture(name);
      expect(stats.records).toBe(mem.stats.records);
      expect(records.map((r) => [r.tsUs, r.srcText, r.format, r.log.line])).toEqual(mem.records.map((r) => [r.tsUs, r.srcText, r.format, r.log.line]));
      expect(records[0]!.log.file).toBe(fixture(name));
    }
  });

  it('reads gzip-compressed files', async () => {
    const p = join(dir, 'access.log.gz');
    writeFileSync(p, gzipSync(Buffer.concat(fixtureLines('combined.log').map((l) => Buffer.concat([l, Buffer.from('\n')])))));
    const { records, stats } = await collect(p);
    expect(stats.format).toBe('combined');
    expect(records).toHaveLength(5);
  });

  it('a file cut short hands on and counts the complete lines before the cut, then says where it failed', async () => {
    const line = (i: number) => `192.0.2.${i % 250} - - [17/Mar/2003:10:00:00 +0000] "GET /page${i} HTTP/1.0" 200 5 "-" "curl/7.1"\n`;
    const whole = gzipSync(Buffer.from(Array.from({ length: 2000 }, (_, i) => line(i)).join(''), 'latin1'));
    for (const [name, keep] of [['cut.log.gz', Math.floor(whole.length / 2)], ['early.log.gz', 60]] as const) {
      const p = join(dir, name);
      writeFileSync(p, whole.subarray(0, keep));
      const records: LogRecord[] = [];
      const err = await readLogFile(p, {}, (r) => records.push(r)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LogReadError);
      const { stats, message } = err as LogReadError;
      // Every line handed on is a complete one, in order, and counted.
      expect(stats.records).toBe(records.length);
      expect(stats.lines).toBe(records.length);
      records.forEach((r, i) => expect(text(r, 'http.uri')).toBe(`/page${i}`));
      if (records.length > 0) expect(message).toContain(`after line ${records.length}`);
      else expect(message).toContain('before its first complete line');
    }
  });

  it('a stream that fails while its format is still being detected hands on the lines it held', async () => {
    const lines = ['192.0.2.1 - - [17/Mar/2003:10:00:00 +0000] "GET /a HTTP/1.0" 200 5 "-" "x"', '192.0.2.2 - - [17/Mar/2003:10:00:01 +0000] "GET /b HTTP/1.0" 404 5 "-" "x"'];
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(lines.join('\n') + '\n192.0.2.3 - - [17/Mar/20', 'latin1');
      throw new Error('connection reset');
    }
    const records: LogRecord[] = [];
    const err = await readLogStream(failing(), { file: 'stdin' }, (r) => records.push(r)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LogReadError);
    expect((err as LogReadError).message).toBe('connection reset after line 2 (the 2 complete lines before it were read)');
    expect(records.map((r) => text(r, 'http.uri'))).toEqual(['/a', '/b']);
    expect((err as LogReadError).stats).toMatchObject({ lines: 2, records: 2, format: 'combined' });
  });

  it('infers the year of year-less dates from the file mtime', async () => {
    const p = join(dir, 'maillog');
    writeFileSync(p, 'Nov  3 11:35:30 mx sm-mta[1]: x: from=<a@b>, relay=[192.0.2.1]\nFeb  9 08:00:00 mx sm-mta[1]: y: from=<a@b>, relay=[192.0.2.2]\n');
    utimesSync(p, new Date('2005-02-10T00:00:00Z'), new Date('2005-02-10T00:00:00Z'));
    const { records, stats } = await collect(p);
    expect(records.map((r) => iso(r.tsUs))).toEqual(['2004-11-03T11:35:30.000Z', '2005-02-09T08:00:00.000Z']);
    expect(stats.yearSource).toBe('reference');
    const pinned = await collect(p, { year: 2010 });
    expect(iso(pinned.records[0]!.tsUs)).toBe('2010-11-03T11:35:30.000Z');
  });

  it('bounds long lines: truncated, counted, and the next lines still parse with their numbers', async () => {
    const p = join(dir, 'long.log');
    const good = fixtureLines('combined.log')[0]!;
    const huge = Buffer.concat([good.subarray(0, 60), Buffer.alloc(3 * 1024 * 1024, 0x41)]);
    writeFileSync(p, Buffer.concat([good, Buffer.from('\n'), huge, Buffer.from('\n'), good, Buffer.from('\n')]));
    const { records, stats } = await collect(p, { format: 'combined', maxLineBytes: 1 << 20 });
    expect(stats.lines).toBe(3);
    expect(stats.truncated).toBe(1);
    expect(stats.malformed).toBe(1);
    expect(records.map((r) => r.log.line)).toEqual([1, 2, 3]);
    expect(records[1]!.line.length).toBe(1 << 20);
    expect(records[1]!.format).toBe('raw');
    expect(records[2]!.format).toBe('combined');
  });

  it('reports malformed lines with file and line, the rest goes on', async () => {
    const p = join(dir, 'mixed.log');
    const lines = fixtureLines('combined.log').map((l) => l.toString('latin1'));
    writeFileSync(p, [lines[0], 'garbage here', lines[1], '', '\u0000\u0001binary', lines[2]].join('\r\n'));
    const seen: MalformedLine[] = [];
    const { records, stats } = await collect(p, { format: 'combined', rawFallback: false, onMalformed: (m: MalformedLine) => seen.push(m) });
    expect(records.map((r) => r.log.line)).toEqual([1, 3, 6]);
    expect(seen).toEqual([
      { file: p, line: 2, format: 'combined', reason: 'no-time' },
      { file: p, line: 5, format: 'combined', reason: 'no-client' },
    ]);
    expect(stats).toMatchObject({ lines: 6, records: 3, skipped: 1, malformed: 2 });
    // CRLF line ends are not part of the line.
    expect(records[0]!.line[records[0]!.line.length - 1]).not.toBe(0x0d);
  });

  it('keeps non-UTF-8 bytes as they are', async () => {
    const { records } = await collect(fixture('nonutf8.log'), { format: 'syslog', year: 2020 });
    const web = await collect(fixture('nonutf8.log'), { format: 'combined' });
    const uri = web.records[0]!.buffer('http.uri.raw')!;
    expect(Array.from(uri)).toEqual(Array.from(Buffer.from('/caf\xe9/\xff\xfe%c0%ae', 'latin1')));
    expect(Array.from(web.records[0]!.buffer('http.user_agent')!)).toEqual(Array.from(Buffer.from('bad\x80agent', 'latin1')));
    // EVE writes them as Suricata does: invalid UTF-8 byte by byte, \xNN from 0x80.
    expect(web.records[0]!.http?.url).toBe('/caf\\xe9/\\xff\\xfe%c0%ae');
    const msg = records.find((r) => r.format === 'syslog')!.buffer('log.message')!;
    expect(Array.from(msg)).toEqual(Array.from(Buffer.from('payload \xc3\x28 \xff end', 'latin1')));
    expect(text(records[1]!, 'log.program')).toBe('app');
  });
});

describe('streams and iterators', () => {
  it('readLogRecords iterates records and completes stats', async () => {
    const it = readLogRecords(fixture('asa.log'));
    const ids: string[] = [];
    for await (const r of it) ids.push(r.fields.asa_id!);
    expect(ids).toHaveLength(9);
    expect(it.stats?.records).toBe(9);
    expect(it.stats?.format).toBe('asa');
  });

  it('readLogStream reads any byte stream (stdin) in arbitrary chunks', async () => {
    const data = Buffer.concat(fixtureLines('netfilter.log').map((l) => Buffer.concat([l, Buffer.from('\n')])));
    const chunks: Buffer[] = [];
    for (let i = 0; i < data.length; i += 7) chunks.push(data.subarray(i, i + 7));
    const records: LogRecord[] = [];
    const stats = await readLogStream(Readable.from(chunks), { format: 'netfilter', year: 2003, file: '-' }, (r) => records.push(r));
    expect(stats.records).toBe(4);
    expect(records[0]!.dstPort).toBe(1434);
    expect(records[0]!.log).toEqual({ file: '-', line: 1, format: 'netfilter' });
  });
});

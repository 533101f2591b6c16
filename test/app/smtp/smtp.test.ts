import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SMTP_ANOMALIES } from '../../../src/app/anomalies.js';
import { AppLayer } from '../../../src/app/app-layer.js';
import { Recorder, bytes, makeFlow, run, splitSegments, text, type Segment } from '../helpers.js';
import { clientHello, tlsRecords } from '../../../src/traffic/index.js';

const BANNER = '220 mx.example.com ESMTP Sendmail 8.12.7/8.12.7; Mon, 3 Mar 2003 10:00:00 GMT\r\n';

function session(message: string): Segment[] {
  return [
    [false, BANNER],
    [true, 'EHLO client.example\r\n'],
    [false, '250-mx.example.com Hello\r\n250-PIPELINING\r\n250 8BITMIME\r\n'],
    [true, 'MAIL FROM:<alice@example.org> SIZE=1000\r\nRCPT TO:<bob@example.com>\r\nRCPT TO:<nobody@example.com>\r\nDATA\r\n'],
    [false, '250 2.1.0 Sender ok\r\n250 2.1.5 Recipient ok\r\n550 5.1.1 User unknown\r\n354 Enter mail\r\n'],
    [true, message],
    [false, '250 2.0.0 queued\r\n'],
    [true, 'QUIT\r\n'],
    [false, '221 bye\r\n'],
  ];
}

const MESSAGE =
  'From: Alice <alice@example.org>\r\n' +
  'To: bob@example.com\r\n' +
  'Subject: folded\r\n' +
  ' subject line\r\n' +
  '\r\n' +
  'Hello Bob,\r\n' +
  '..a line starting with a dot\r\n' +
  '.\r\n';

const commands = (rec: Recorder): string[] => rec.smtp.filter((e) => e.phase === 'command').map((e) => e.snapshot['smtp.command']!);
const messages = (rec: Recorder) => rec.smtp.filter((e) => e.phase === 'message');

describe('SMTP session', () => {
  const { rec, flow } = run(session(MESSAGE));

  it('is detected from the server greeting', () => {
    expect(flow.appProto).toBe('smtp');
  });

  it('hands over each command line as smtp.command', () => {
    expect(commands(rec)).toEqual([
      'EHLO client.example',
      'MAIL FROM:<alice@example.org> SIZE=1000',
      'RCPT TO:<bob@example.com>',
      'RCPT TO:<nobody@example.com>',
      'DATA',
      'QUIT',
    ]);
  });

  it('exposes the envelope on the command that carries it', () => {
    const byVerb = (v: string) => rec.smtp.filter((e) => e.phase === 'command' && e.unit.verb === v).map((e) => e.snapshot);
    expect(byVerb('EHLO')[0]!['smtp.helo']).toBe('client.example');
    expect(byVerb('MAIL')[0]!['smtp.mail_from']).toBe('<alice@example.org>');
    expect(byVerb('RCPT').map((s) => s['smtp.rcpt_to'])).toEqual(['<bob@example.com>', '<nobody@example.com>']);
    expect(byVerb('DATA')[0]!['smtp.mail_from']).toBeUndefined();
  });

  it('splits the message into raw headers (folding kept) and a dot-unstuffed body', () => {
    const [m] = messages(rec);
    expect(m!.snapshot['smtp.header']).toBe('From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: folded\r\n subject line\r\n');
    expect(m!.snapshot['smtp.body']).toBe('Hello Bob,\r\n.a line starting with a dot\r\n');
    expect(m!.unit.type).toBe('message');
    // A mail without attachments has no file: file.data inspects attachments only (as in Suricata).
    expect(m!.snapshot['file.data']).toBeUndefined();
    expect(m!.unit.files).toEqual([]);
  });

  it('records reply codes, refusals included, and hands over a reply phase', () => {
    const replies = rec.smtp.filter((e) => e.phase === 'reply').map((e) => `${e.unit.verb ?? 'message'}:${e.unit.replyCode}`);
    expect(replies).toEqual(['EHLO:250', 'MAIL:250', 'RCPT:250', 'RCPT:550', 'DATA:354', 'message:250', 'QUIT:221']);
  });

  it('gives EVE metadata with the whole envelope', () => {
    expect(messages(rec)[0]!.unit.meta()).toEqual({
      helo: 'client.example',
      mail_from: '<alice@example.org>',
      rcpt_to: ['<bob@example.com>', '<nobody@example.com>'],
      reply_code: 250,
    });
  });

  it('leaves no anomalies on a clean session', () => {
    expect(rec.smtp.flatMap((e) => e.anomalies)).toEqual([]);
  });
});

describe('SMTP message transfer', () => {
  it('ends DATA on a bare-LF dot line and on a terminator split across chunks', () => {
    const m1 = messages(run(session('Subject: a\n\nbody\n.\n')).rec)[0]!;
    expect(m1.snapshot['smtp.body']).toBe('body\n');
    const segs = splitSegments(session('Subject: b\r\n\r\nbody\r\n.\r\n'), [[], [], [], [], [], [0.8, 0.85, 0.9, 0.95]]);
    const m2 = messages(run(segs).rec)[0]!;
    expect(m2.snapshot['smtp.header']).toBe('Subject: b\r\n');
    expect(m2.snapshot['smtp.body']).toBe('body\r\n');
  });

  it('does not end on a dot inside a line or a stuffed dot line', () => {
    const m = messages(run(session('S: x\r\n\r\na.b\r\n..\r\n.x\r\n.\r\n')).rec)[0]!;
    expect(m.snapshot['smtp.body']).toBe('a.b\r\n.\r\nx\r\n');
  });

  it('reads BDAT chunks without dot handling, LAST ending the message', () => {
    const part1 = 'Subject: chunked\r\n\r\n.not a terminator\r\n';
    const part2 = 'second part\r\n';
    const { rec } = run([
      [false, BANNER],
      [true, 'EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n'],
      [true, `BDAT ${part1.length}\r\n${part1}BDAT ${part2.length} LAST\r\n${part2}QUIT\r\n`],
      [false, '250 hi\r\n250 ok\r\n250 ok\r\n250 chunk ok\r\n250 message ok\r\n221 bye\r\n'],
    ]);
    const m = messages(rec)[0]!;
    expect(m.snapshot['smtp.header']).toBe('Subject: chunked\r\n');
    expect(m.snapshot['smtp.body']).toBe('.not a terminator\r\nsecond part\r\n');
    expect(m.unit.replyCode).toBe(250);
    expect(commands(rec)).toEqual(['EHLO c', 'MAIL FROM:<a@b>', 'RCPT TO:<c@d>', `BDAT ${part1.length}`, `BDAT ${part2.length} LAST`, 'QUIT']);
  });

  it('reports a malformed BDAT', () => {
    const { rec } = run([
      [false, BANNER],
      [true, 'BDAT many\r\nQUIT\r\n'],
    ]);
    expect(rec.smtp.find((e) => e.unit.verb === 'BDAT')!.anomalies).toContain('smtp.bdat_invalid');
    expect(commands(rec)).toEqual(['BDAT many', 'QUIT']);
  });

  it('goes back to commands when DATA is refused before any content', () => {
    const { rec } = run([
      [false, BANNER],
      [true, 'HELO c\r\nMAIL FROM:<a@b>\r\nDATA\r\n'],
      [false, '250 hi\r\n250 ok\r\n554 no valid recipients\r\n'],
      [true, 'QUIT\r\n'],
    ]);
    expect(commands(rec)).toEqual(['HELO c', 'MAIL FROM:<a@b>', 'DATA', 'QUIT']);
    expect(rec.smtp.find((e) => e.unit.verb === 'DATA' && e.phase === 'reply')!.anomalies).toContain('smtp.data_rejected');
  });

  it('marks a message cut off by the end of the stream', () => {
    const { rec } = run(session('Subject: x\r\n\r\nunfinished').slice(0, 6));
    const m = messages(rec)[0]!;
    expect(m.snapshot['smtp.body']).toBe('unfinished');
    expect(m.anomalies).toContain('smtp.message_incomplete');
  });
});

describe('SMTP attachments', () => {
  it('reads a mail loosely as Suricata does: delimiters in other case or with a suffix, x-base64, message/global', () => {
    const message =
      'From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XYZ"\r\n\r\n' +
      '--xyz-part1\r\nContent-Type: application/octet-stream; name="evil.txt"\r\nContent-Transfer-Encoding: x-base64\r\n\r\n' +
      'eHggRVZJTE1BUktFUiB5eQ==\r\n' +
      '--XYZ\r\nContent-Type: message/global\r\n\r\nFrom: x@y\r\nContent-Type: text/plain; boundary="IN"\r\n\r\n' +
      '--IN\r\nContent-Disposition: attachment; filename="inner.txt"\r\n\r\nINNERMARKER\r\n--IN--\r\n' +
      '--xyz--\r\n.\r\n';
    const { rec } = run(session(message));
    const m = messages(rec)[0]!.unit;
    const got = m.files.map((_, i) => [text(m.withFile(i).buffer('file.name')), text(m.withFile(i).buffer('file.data'))]);
    expect(got).toEqual([
      ['evil.txt', 'xx EVILMARKER yy'],
      ['inner.txt', 'INNERMARKER'],
    ]);
  });
});

describe('SMTP extensions and state changes', () => {
  it('stops inspecting after STARTTLS is accepted', () => {
    const { rec, app } = run([
      [false, BANNER],
      [true, 'EHLO c\r\nSTARTTLS\r\n'],
      [false, '250 hi\r\n220 2.0.0 Ready to start TLS\r\n'],
      [true, '\x16\x03\x01\x00\x50MAIL FROM:<hidden@x>\r\n'],
      [false, '\x16\x03\x01\x00\x20250 not really\r\n'],
    ]);
    expect(commands(rec)).toEqual(['EHLO c', 'STARTTLS']);
    expect(app.stats.smtp.encryptedSessions).toBe(1);
    // What follows goes to the TLS parser, as after Suricata's protocol upgrade.
    expect(app.stats.tls.flows).toBe(1);
  });

  it('parses the TLS hello after an accepted STARTTLS (tls.sni on a mail connection)', () => {
    const hello = tlsRecords(22, clientHello({ sni: 'evil.example.com' }));
    const { rec } = run([
      [false, BANNER],
      [true, 'EHLO c\r\nSTARTTLS\r\n'],
      [false, '250 hi\r\n220 2.0.0 Ready to start TLS\r\n'],
      [true, hello],
    ]);
    expect(rec.tlsHellos().map((h) => text(h.buffer('tls.sni')))).toEqual(['evil.example.com']);
  });

  it('stops when the client starts TLS before the reply is seen', () => {
    const { rec } = run([
      [false, BANNER],
      [true, 'EHLO c\r\nSTARTTLS\r\n\x16\x03\x01\x00\x50junk\r\nMAIL FROM:<x@y>\r\n'],
    ]);
    expect(commands(rec)).toEqual(['EHLO c', 'STARTTLS']);
  });

  it('keeps inspecting when STARTTLS is refused', () => {
    const { rec } = run([
      [false, BANNER],
      [true, 'EHLO c\r\nSTARTTLS\r\n'],
      [false, '250 hi\r\n454 TLS not available\r\n'],
      [true, 'MAIL FROM:<a@b>\r\n'],
    ]);
    expect(commands(rec)).toEqual(['EHLO c', 'STARTTLS', 'MAIL FROM:<a@b>']);
    expect(rec.smtp.find((e) => e.unit.verb === 'STARTTLS' && e.phase === 'reply')!.anomalies).toContain('smtp.tls_rejected');
  });

  it('does not take AUTH credentials for commands', () => {
    const { rec, app } = run([
      [false, BANNER],
      [true, 'EHLO c\r\nAUTH LOGIN\r\n'],
      [false, '250 hi\r\n334 VXNlcm5hbWU6\r\n'],
      [true, 'dXNlcg==\r\n'],
      [false, '334 UGFzc3dvcmQ6\r\n'],
      [true, 'cGFzcw==\r\n'],
      [false, '235 ok\r\n'],
      [true, 'MAIL FROM:<a@b>\r\n'],
    ]);
    expect(commands(rec)).toEqual(['EHLO c', 'AUTH LOGIN', 'MAIL FROM:<a@b>']);
    expect(app.stats.smtp.authLines).toBe(2);
  });

  it('knows EXPN, VRFY, RSET, NOOP and reports unknown commands', () => {
    const { rec } = run([
      [false, BANNER],
      [true, 'EXPN root\r\nVRFY guest\r\nRSET\r\nNOOP\r\nWIZ\r\nDEBUG\r\n'],
      [false, '502 no\r\n252 maybe\r\n250 ok\r\n250 ok\r\n500 what\r\n500 what\r\n'],
    ]);
    const byVerb = Object.fromEntries(rec.smtp.filter((e) => e.phase === 'reply').map((e) => [e.unit.verb, [e.unit.replyCode, e.anomalies]]));
    expect(byVerb).toEqual({
      EXPN: [502, []],
      VRFY: [252, []],
      RSET: [250, []],
      NOOP: [250, []],
      WIZ: [500, ['smtp.unknown_command']],
      DEBUG: [500, ['smtp.unknown_command']],
    });
  });

  it('resets the envelope on RSET and a new MAIL', () => {
    const { rec } = run([
      [false, BANNER],
      [true, 'HELO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@y>\r\nRSET\r\nMAIL FROM:<c@d>\r\nDATA\r\nS: 1\r\n\r\nb\r\n.\r\n'],
    ]);
    expect(messages(rec)[0]!.unit.meta()).toEqual({ helo: 'c', mail_from: '<c@d>' });
  });

  it('tolerates "MAIL FROM :" and keeps bracket-heavy addresses whole', () => {
    const { rec } = run([
      [false, BANNER],
      [true, 'MAIL FROM : <a b@c>\r\nRCPT TO:<<><><>> NOTIFY=NEVER\r\n'],
    ]);
    const byVerb = (v: string) => rec.smtp.find((e) => e.phase === 'command' && e.unit.verb === v)!.snapshot;
    expect(byVerb('MAIL')['smtp.mail_from']).toBe('<a b@c>');
    expect(byVerb('RCPT')['smtp.rcpt_to']).toBe('<<><><>>');
  });
});

describe('SMTP exploit shapes reach the buffers whole', () => {
  it('crackaddr: a From header of thousands of <> pairs', () => {
    const from = 'From: ' + '<>'.repeat(5000) + '\r\n';
    const { rec } = run(session(from + 'Subject: hi\r\n\r\nbody\r\n.\r\n'));
    const m = messages(rec)[0]!;
    expect(m.snapshot['smtp.header']).toBe(from + 'Subject: hi\r\n');
    expect(m.snapshot['smtp.body']).toBe('body\r\n');
  });

  it('prescan: 0xFF and backslash runs in the envelope', () => {
    const addr = '<' + '\xff\\'.repeat(2000) + '@x>';
    const { rec } = run([
      [false, BANNER],
      [true, `HELO x\r\nMAIL FROM:${addr}\r\n`],
    ]);
    const mail = rec.smtp.find((e) => e.phase === 'command' && e.unit.verb === 'MAIL')!;
    expect(mail.snapshot['smtp.mail_from']).toBe(addr);
  });

  it('a 2 MiB header line is cut at the 1 MiB bound, flagged, and the session goes on', () => {
    const line = 'To: ' + 'A'.repeat(2 << 20) + '\r\n';
    const { rec } = run([...session(line + '\r\nbody\r\n.\r\n'), [true, 'MAIL FROM:<next@x>\r\n']]);
    const m = messages(rec)[0]!;
    expect(m.unit.buffer('smtp.header')!.length).toBe(1 << 20);
    expect(m.anomalies).toEqual(expect.arrayContaining(['smtp.header_too_long', 'smtp.header_line_too_long']));
    expect(m.snapshot['smtp.body']).toBe('body\r\n');
    expect(commands(rec)).toContain('MAIL FROM:<next@x>');
  });

  it('a command line longer than the bound is kept to the bound and flagged', () => {
    const { rec } = run([
      [false, BANNER],
      [true, 'HELO ' + 'h'.repeat((1 << 20) + 100) + '\r\nQUIT\r\n'],
    ]);
    const helo = rec.smtp.find((e) => e.phase === 'command' && e.unit.verb === 'HELO')!;
    expect(helo.unit.buffer('smtp.command')!.length).toBe(1 << 20);
    expect(helo.anomalies).toContain('smtp.command_line_too_long');
    expect(commands(rec)[1]).toBe('QUIT');
  });
});

describe('SMTP reply trouble', () => {
  it('reports a malformed reply on the command it answers', () => {
    const { rec, app } = run([
      [false, BANNER],
      [true, 'HELO c\r\n'],
      [false, 'garbage line\r\n250 hi\r\n'],
    ]);
    const helo = rec.smtp.find((e) => e.phase === 'reply')!;
    expect(helo.unit.replyCode).toBe(250);
    expect(helo.anomalies).toContain('smtp.invalid_reply');
    expect(app.stats.smtp.invalidReplies).toBe(1);
  });

  it('cuts a reply line longer than the bound and reports it', () => {
    const { rec } = run([
      [false, BANNER],
      [true, 'HELO c\r\n'],
      [false, '250 ' + 'z'.repeat((1 << 20) + 10) + '\r\n'],
    ]);
    const helo = rec.smtp.find((e) => e.phase === 'reply')!;
    expect(helo.unit.replyCode).toBe(250);
    expect(helo.anomalies).toContain('smtp.reply_line_too_long');
  });

  it('counts replies with no command to answer', () => {
    const { app } = run([
      [false, BANNER],
      [false, '250 what?\r\n'],
    ]);
    expect(app.stats.smtp.orphanReplies).toBe(1);
  });

  it('marks a message cut by the memory budget', () => {
    const { rec } = run(session('Subject: big\r\n\r\n' + 'x'.repeat(3 << 20) + '\r\n.\r\n'), { memcap: 1 << 20, smtpBodyLimit: 8 << 20 });
    const m = messages(rec)[0]!;
    expect(m.anomalies).toContain('smtp.memcap');
    expect(m.unit.buffer('smtp.body')!.length).toBeLessThanOrEqual(1 << 20);
  });
});

describe('SMTP robustness', () => {
  const transcript = (rec: Recorder) =>
    rec.smtp.map((e) => ({ id: e.unit.id, phase: e.phase, buffers: e.snapshot, anomalies: e.anomalies, reply: e.unit.replyCode, meta: e.unit.meta() }));

  it('random splits give the same units and buffers', () => {
    const body = fc.array(fc.constantFrom('line\r\n', '.dot\r\n', '..\r\n', 'x', '\r\n', 'Folded:\r\n more\r\n'), { maxLength: 12 }).map((p) => p.join(''));
    const cuts = fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { maxLength: 10 }), { maxLength: 10 });
    fc.assert(
      fc.property(body, cuts, (b, c) => {
        const segs = session('Subject: s\r\n' + b + '\r\n.\r\n');
        expect(transcript(run(splitSegments(segs, c)).rec)).toEqual(transcript(run(segs).rec));
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes never throw, leave nothing held, and report only declared anomalies', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 200 })), { maxLength: 12 }), (parts) => {
        const { app, rec } = run([[false, BANNER], ...parts], {}, makeFlow(7, 'smtp'));
        expect(app.stats.parserErrors).toBe(0);
        expect(app.stats.memoryInUse).toBe(0);
        for (const e of rec.smtp) for (const a of e.unit.anomalies) expect(SMTP_ANOMALIES as readonly string[]).toContain(a);
      }),
      { numRuns: 300 },
    );
  });

  it('a gap inside DATA is marked on the message and parsing goes on', () => {
    const rec = new Recorder();
    const app = new AppLayer(rec);
    const flow = makeFlow(8);
    const offsets = [0, 0];
    const send = (toServer: boolean, data: string, lost = 0): void => {
      const d = toServer ? 0 : 1;
      offsets[d]! += lost;
      app.streamData(flow, toServer, bytes(data), offsets[d]!, lost > 0);
      offsets[d]! += data.length;
    };
    send(false, BANNER);
    send(true, 'HELO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n');
    send(false, '250 hi\r\n250 ok\r\n250 ok\r\n354 go\r\n');
    send(true, 'Subject: s\r\n\r\nfirst\r\n');
    send(true, 'after the hole\r\n.\r\nQUIT\r\n', 500);
    app.flowEnd(flow);
    const m = messages(rec)[0]!;
    expect(m.anomalies).toContain('smtp.gap');
    expect(m.snapshot['smtp.body']).toBe('first\r\nafter the hole\r\n');
    expect(commands(rec)).toContain('QUIT');
  });
});

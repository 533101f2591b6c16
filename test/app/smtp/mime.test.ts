import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBase64, decodeQuotedPrintable, extractAttachments, MAX_MIME_DEPTH } from '../../../src/app/smtp/mime.js';

const enc = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));
const str = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Base64 in 76-character lines, as mail clients write it. */
function base64Lines(data: Uint8Array, eol = '\r\n'): string {
  const b64 = Buffer.from(data).toString('base64');
  return (b64.match(/.{1,76}/g) ?? []).join(eol) + eol;
}

const EXE = enc('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode.');

/** Read as the SMTP parser reads a mail. */
function files(header: string, body: string) {
  return extractAttachments(enc(header), enc(body), { mail: true });
}

describe('MIME attachments of an SMTP message', () => {
  it('decodes a base64 attachment named by Content-Disposition and skips the text part', () => {
    const r = files(
      'From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary="----=_NextPart_000"\r\n',
      'This is a multi-part message in MIME format.\r\n\r\n' +
        '------=_NextPart_000\r\nContent-Type: text/plain\r\n\r\nHello, see attached.\r\n\r\n' +
        '------=_NextPart_000\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n' +
        'Content-Disposition: attachment; filename="setup.exe"\r\n\r\n' +
        base64Lines(EXE) +
        '\r\n------=_NextPart_000--\r\nepilogue\r\n',
    );
    expect(r.files.map((f) => str(f.name))).toEqual(['setup.exe']);
    expect(r.files[0]!.data).toEqual(EXE);
    expect(r.anomalies).toEqual([]);
  });

  it("takes the name from Content-Type when there is no disposition (Nimda's readme.exe as audio/x-wav)", () => {
    const r = files(
      'Subject: \r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype="multipart/alternative";\r\n\tboundary="====_ABC1234567890DEF_===="\r\n',
      '\r\n--====_ABC1234567890DEF_====\r\nContent-Type: multipart/alternative;\r\n\tboundary="====_ABC0987654321DEF_===="\r\n\r\n' +
        '--====_ABC0987654321DEF_====\r\nContent-Type: text/html;\r\n\tcharset="iso-8859-1"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n' +
        '<HTML><HEAD></HEAD><BODY bgColor=3D#ffffff>\r\n<iframe src=3Dcid:EA4DMGBP9p height=3D0 width=3D0>\r\n</iframe></BODY></HTML>\r\n' +
        '--====_ABC0987654321DEF_====--\r\n\r\n' +
        '--====_ABC1234567890DEF_====\r\nContent-Type: audio/x-wav;\r\n\tname="readme.exe"\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <EA4DMGBP9p>\r\n\r\n' +
        base64Lines(EXE) +
        '\r\n--====_ABC1234567890DEF_====--\r\n',
    );
    expect(r.files.map((f) => str(f.name))).toEqual(['readme.exe']);
    expect(r.files[0]!.data).toEqual(EXE);
  });

  it('follows an attached message/rfc822 into its own attachments', () => {
    const inner =
      'From: x@example.net\r\nContent-Type: multipart/mixed; boundary=inner\r\n\r\n' +
      '--inner\r\nContent-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      base64Lines(enc('PK\x03\x04zipdata')) +
      '--inner--\r\n';
    const r = files(
      'Content-Type: multipart/mixed; boundary=outer\r\n',
      '--outer\r\nContent-Type: message/rfc822\r\n\r\n' + inner + '\r\n--outer--\r\n',
    );
    expect(r.files.map((f) => [str(f.name), str(f.data)])).toEqual([['a.zip', 'PK\x03\x04zipdata']]);
  });

  it('decodes a quoted-printable attachment, soft line breaks joined', () => {
    const r = files(
      'Content-Type: text/plain; name="notes.txt"\r\nContent-Transfer-Encoding: quoted-printable\r\n',
      'a=3Db and a very long line that was wrapped=\r\n here, caf=E9\r\nend=\n',
    );
    expect(str(r.files[0]!.data)).toBe('a=b and a very long line that was wrapped here, caf\xe9\r\nend');
    expect(str(r.files[0]!.name)).toBe('notes.txt');
  });

  it("reads RFC 2231 file names: extended (charset'lang'%XX) and continued", () => {
    const r = files(
      'Content-Type: multipart/mixed; boundary=b\r\n',
      '--b\r\nContent-Disposition: attachment; filename*=utf-8\'en\'r%C3%A9sum%C3%A9.pdf\r\n\r\nx\r\n' +
        '--b\r\nContent-Disposition: attachment;\r\n filename*0="very_long_";\r\n filename*1="name.scr"\r\n\r\ny\r\n--b--\r\n',
    );
    expect(r.files.map((f) => Buffer.from(f.name).toString('utf8'))).toEqual(['résumé.pdf', 'very_long_name.scr']);
    expect(r.files.map((f) => str(f.data))).toEqual(['x', 'y']);
  });

  it('accepts LF-only line ends, transport padding after a delimiter, and a message cut before its closing delimiter', () => {
    const r = files(
      'Content-Type: multipart/mixed; boundary="xyz"\n',
      'preamble\n--xyz  \nContent-Disposition: attachment; filename=a.bin\nContent-Transfer-Encoding: base64\n\n' +
        base64Lines(enc('first'), '\n') +
        '--xyz\nContent-Disposition: attachment; filename=b.bin\nContent-Transfer-Encoding: base64\n\n' +
        base64Lines(enc('second, cut'), '\n'),
    );
    expect(r.files.map((f) => [str(f.name), str(f.data)])).toEqual([
      ['a.bin', 'first'],
      ['b.bin', 'second, cut'],
    ]);
  });

  it('read as an upload (not as a mail), ends a part at a line that starts with its boundary as sent, as Suricata and PHP', () => {
    const r = extractAttachments(
      enc('Content-Type: multipart/mixed; boundary=b\r\n'),
      enc('--b\r\nContent-Disposition: attachment; filename=t.txt\r\n\r\nline\r\n--B not one: case counts\r\n--bx ends it\r\nmore\r\n--b--\r\n'),
    );
    expect(r.files.map((f) => [str(f.name), str(f.data)])).toEqual([['t.txt', 'line\r\n--B not one: case counts']]);
  });

  it('reports invalid base64 and quoted-printable, keeping what decodes', () => {
    const b64 = files('Content-Type: application/x; name=a\r\nContent-Transfer-Encoding: base64\r\n', 'TVqQ!!AAMA\r\n');
    expect(b64.anomalies).toContain('smtp.mime_invalid_base64');
    expect(b64.files[0]!.data).toEqual(enc('MZ\x90\x00\x03\x00'));
    const qp = files('Content-Type: text/plain; name=a\r\nContent-Transfer-Encoding: quoted-printable\r\n', 'a=ZZb\r\n');
    expect(qp.anomalies).toContain('smtp.mime_invalid_qp');
    expect(str(qp.files[0]!.data)).toBe('a=ZZb\r\n');
  });

  it('reports long encoded lines, long boundaries and long file names (cut to 255 bytes)', () => {
    const longB = 'b'.repeat(300);
    const r = files(
      `Content-Type: multipart/mixed; boundary="${longB}"\r\n`,
      `--${longB}\r\nContent-Disposition: attachment; filename="${'n'.repeat(400)}.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
        Buffer.from(new Uint8Array(300)).toString('base64') +
        `\r\n--${longB}--\r\n`,
    );
    expect(r.anomalies).toEqual(expect.arrayContaining(['smtp.mime_long_boundary', 'smtp.mime_long_filename', 'smtp.mime_long_encoded_line']));
    expect(r.files[0]!.name.length).toBe(255);
    expect(r.files[0]!.data).toEqual(new Uint8Array(300));
  });

  it('stops following nested multiparts at the depth limit', () => {
    let body = 'Content-Disposition: attachment; filename=deep.bin\r\n\r\ndeep\r\n';
    // Boundaries that do not start one another (b1x, b10x): a delimiter line only has to start with one.
    for (let i = MAX_MIME_DEPTH + 4; i > 0; i--) body = `Content-Type: multipart/mixed; boundary=b${i}x\r\n\r\n--b${i}x\r\n${body}--b${i}x--\r\n`;
    const nl = body.indexOf('\r\n\r\n');
    const r = extractAttachments(enc(body.slice(0, nl + 2)), enc(body.slice(nl + 4)));
    expect(r.files).toEqual([]);
    expect(r.anomalies).toContain('smtp.mime_depth_exceeded');
  });

  it('reads repeated fields and parameters as Suricata does: the last one counts; quoted names keep their backslashes', () => {
    const r = files(
      'Content-Type: multipart/mixed; boundary=b\r\n',
      '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: 7bit\r\nContent-Transfer-Encoding: base64\r\n' +
        'Content-Disposition: attachment; filename="a.txt"; filename="C:\\temp\\dup.exe"\r\n\r\n' +
        base64Lines(EXE) +
        '--b--\r\n',
    );
    expect(r.files.map((f) => str(f.name))).toEqual(['C:\\temp\\dup.exe']);
    expect(r.files[0]!.data).toEqual(EXE);
  });

  it('opens an attached message even when it is named (forwarded as fwd.eml)', () => {
    const inner = 'Content-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\nContent-Type: application/x; name=evil.exe\r\nContent-Transfer-Encoding: base64\r\n\r\n' + base64Lines(EXE) + '--in--\r\n';
    const r = files('Content-Type: multipart/mixed; boundary=out\r\n', `--out\r\nContent-Type: message/rfc822; name="fwd.eml"\r\n\r\n${inner}\r\n--out--\r\n`);
    expect(r.files.map((f) => str(f.name))).toEqual(['evil.exe']);
  });

  it('inspects every attachment however many decoys come first', () => {
    let body = '';
    for (let i = 0; i < 200; i++) body += `--b\r\nContent-Disposition: attachment; filename=d${i}.txt\r\n\r\nx\r\n`;
    body += '--b\r\nContent-Disposition: attachment; filename=evil.exe\r\nContent-Transfer-Encoding: base64\r\n\r\n' + base64Lines(EXE) + '--b--\r\n';
    const r = files('Content-Type: multipart/mixed; boundary=b\r\n', body);
    expect(r.files).toHaveLength(201);
    expect(str(r.files[200]!.name)).toBe('evil.exe');
  });

  it('finds no file in a plain mail or an inline part without a name', () => {
    expect(files('Subject: hi\r\n', 'just text\r\n').files).toEqual([]);
    expect(files('Content-Type: multipart/mixed; boundary=b\r\n', '--b\r\nContent-Disposition: attachment\r\n\r\nx\r\n--b--\r\n').files).toEqual([]);
  });

  it('never throws, and never yields more bytes than the message holds (random input)', () => {
    const alphabet = fc.constantFrom(...'--b\r\n:;="\'=%ABab019+/ \tContent-Type multipart/mixed boundary filename name base64 quoted-printable Content-Disposition Content-Transfer-Encoding message/rfc822'.split(/(?=[ \r\n;:=])/));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 80 }), fc.array(alphabet, { maxLength: 200 }), (h, b) => {
        const body = enc(b.join(''));
        const r = extractAttachments(enc(h.join('')), body);
        for (const f of r.files) expect(f.data.length).toBeLessThanOrEqual(body.length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('a mail read as Suricata reads it', () => {
  const B64 = Buffer.from('xx EVILMARKER yy').toString('base64'); // eHggRVZJTE1BUktFUiB5eQ==
  const named = (f: { name: Uint8Array; data: Uint8Array }) => [str(f.name), str(f.data)];

  it('matches delimiter lines whatever their case (boundary="XYZ", lines --xyz)', () => {
    const r = files(
      'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XYZ"\r\n',
      '--xyz\r\nContent-Type: text/plain\r\n\r\nhello\r\n' +
        '--Xyz\r\nContent-Disposition: attachment; filename="evil.txt"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        'eHggRVZJTE1BUktFUiB5eQ==\r\n--xyz--\r\nepilogue\r\n',
    );
    expect(r.files.map(named)).toEqual([['evil.txt', 'xx EVILMARKER yy']]);
    expect(r.anomalies).toEqual([]);
  });

  it('takes a line that starts with --boundary as a delimiter, and --boundary-- followed by more as the end', () => {
    const r = files(
      'Content-Type: multipart/mixed; boundary="XYZ"\r\n',
      '--XYZ-part1\r\nContent-Type: text/plain\r\n\r\nhi\r\n' +
        '--XYZjunk\r\nContent-Disposition: attachment; filename="evil.txt"\r\n\r\nEVILMARKER\r\n' +
        '--XYZ--end of parts\r\n--XYZ\r\nContent-Disposition: attachment; filename="epilogue.txt"\r\n\r\nnot a part\r\n',
    );
    expect(r.files.map(named)).toEqual([['evil.txt', 'EVILMARKER']]);
  });

  it('splits at the boundary of a Content-Type that is not multipart', () => {
    const r = files(
      'Content-Type: text/plain; boundary="XYZ"\r\n',
      'preamble\r\n--XYZ\r\nContent-Type: application/octet-stream; name="evil.txt"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        B64 +
        '\r\n--XYZ--\r\n',
    );
    expect(r.files.map(named)).toEqual([['evil.txt', 'xx EVILMARKER yy']]);
    // A leaf whose boundary never appears stays one file.
    const leaf = files('Content-Type: application/pdf; name="a.pdf"; boundary="nope"\r\n', '%PDF-1.4\r\n--not it\r\n');
    expect(leaf.files.map(named)).toEqual([['a.pdf', '%PDF-1.4\r\n--not it\r\n']]);
    expect(leaf.anomalies).toEqual([]);
  });

  it('decodes base64 for any transfer encoding that contains it (x-base64, "base64")', () => {
    const r = files(
      'Content-Type: multipart/mixed; boundary=b\r\n',
      '--b\r\nContent-Disposition: attachment; filename="x.txt"\r\nContent-Transfer-Encoding: x-base64\r\n\r\n' +
        B64 +
        '\r\n--b\r\nContent-Disposition: attachment; filename="q.txt"\r\nContent-Transfer-Encoding: "BASE64"\r\n\r\n' +
        B64 +
        '\r\n--b--\r\n',
    );
    expect(r.files.map(named)).toEqual([
      ['x.txt', 'xx EVILMARKER yy'],
      ['q.txt', 'xx EVILMARKER yy'],
    ]);
  });

  it('opens any message/ part as an attached message (message/global)', () => {
    const r = files(
      'Content-Type: multipart/mixed; boundary="XYZ"\r\n',
      '--XYZ\r\nContent-Type: message/global\r\n\r\n' +
        'From: x@y\r\nContent-Type: multipart/mixed; boundary="IN"\r\n\r\n' +
        '--IN\r\nContent-Disposition: attachment; filename="evil.txt"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
        B64 +
        '\r\n--IN--\r\n--XYZ--\r\n',
    );
    expect(r.files.map(named)).toEqual([['evil.txt', 'xx EVILMARKER yy']]);
  });

  it('reads an upload, not a mail, when not asked to read a mail', () => {
    const strict = (h: string, b: string) => extractAttachments(enc(h), enc(b)).files.map(named);
    expect(strict('Content-Type: multipart/mixed; boundary="XYZ"\r\n', '--xyz\r\nContent-Disposition: attachment; filename=a\r\n\r\nx\r\n--xyz--\r\n')).toEqual([]);
    expect(strict('Content-Type: text/plain; boundary="XYZ"\r\n', '--XYZ\r\nContent-Disposition: attachment; filename=a\r\n\r\nx\r\n--XYZ--\r\n')).toEqual([]);
    expect(strict('Content-Type: application/x; name=a\r\nContent-Transfer-Encoding: x-base64\r\n', B64)).toEqual([['a', B64]]);
    expect(strict('Content-Type: multipart/mixed; boundary=b\r\n', '--b\r\nContent-Type: message/global\r\n\r\nContent-Disposition: attachment; filename=in\r\n\r\nx\r\n--b--\r\n')).toEqual([]);
  });

  it('keeps lines that start like the boundary but are not delimiters in the part (hostile mail)', () => {
    const boundary = 'B'.repeat(200);
    const line = `--${'b'.repeat(199)}x\r\n`;
    const body = `--${boundary}\r\nContent-Disposition: attachment; filename=a\r\n\r\n` + line.repeat(5000) + `--${boundary}--\r\n`;
    const r = files(`Content-Type: multipart/mixed; boundary="${boundary}"\r\n`, body);
    expect(r.files[0]!.data.length).toBe(line.length * 5000 - 2);
  });
});

describe('transfer decoders', () => {
  it('base64: decodes what Node encodes, in lines or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), (data, lines) => {
        const text = lines ? base64Lines(data) : Buffer.from(data).toString('base64');
        expect(decodeBase64(enc(text))).toEqual(data);
      }),
    );
  });

  it('base64: unpadded tails and runs joined after padding decode too', () => {
    expect(str(decodeBase64(enc('TWFu\r\nTWE')))).toBe('ManMa');
    expect(str(decodeBase64(enc('TWE=TWFu')))).toBe('MaMan');
  });

  it('quoted-printable: decodes every byte written as =XX, with soft breaks anywhere', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (data, width) => {
        const hex = [...data].map((c) => `=${c.toString(16).toUpperCase().padStart(2, '0')}`);
        const lines: string[] = [];
        for (let i = 0; i < hex.length; i += width) lines.push(hex.slice(i, i + width).join(''));
        expect(decodeQuotedPrintable(enc(lines.join('=\r\n')))).toEqual(data);
      }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { parseCaseFile, parseCaseText } from '../../src/ruletest/parse.js';
import { smtpSends } from '../../src/ruletest/smtp-script.js';
import { latin1, tempDir } from './helpers.js';

const FILE = '/cases/rules/tests/web.ktest';

function errors(text: string): string[] {
  return parseCaseText(text, FILE).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
}

describe('case files', () => {
  it('reads fields, file defaults and HTTP sections', () => {
    const { cases, diagnostics } = parseCaseText(
      `# defaults
target: iis
var: HOME_NET=10.0.0.0/8

=== cmd.exe
# a comment among the fields
sid: 3100501, 1:3100502
expect: positive
count: 2
fallback: 3100503
server: 192.168.1.10:8080
var: HOME_NET=192.168.0.0/16
variants: -fold +path-case
known-issue: not fixed yet
--- http request split=5,9 order=1,0,2 dup=1 overlap=2-6 frag=16
POST /a{{3*b}} HTTP/1.1
Host: x

k=v\\r\\n
--- http response
HTTP/1.1 200 OK

body
`,
      FILE,
    );
    expect(diagnostics).toEqual([]);
    const c = cases[0]!;
    expect(c).toMatchObject({ name: 'cmd.exe', sids: [3100501, 3100502], expect: 'positive', count: 2, fallback: [3100503], target: 'iis', server: '192.168.1.10:8080', knownIssue: 'not fixed yet' });
    expect(c.vars).toEqual([['HOME_NET', '192.168.0.0/16']]);
    expect(c.variants).toEqual({ add: ['path-case'], remove: ['fold'] });
    const [req, resp] = c.sections;
    expect(req).toMatchObject({ kind: 'http', side: 'client', delivery: { split: [5, 9], order: [1, 0, 2], dup: [1], overlap: [[2, 6]], frag: [16] }, line: 15 });
    expect(latin1((req as { data: Uint8Array }).data)).toBe('POST /abbb HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nk=v\r\n');
    expect(latin1((resp as { data: Uint8Array }).data)).toBe('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody');
  });

  it('reads SMTP scripts with server lines, tcp text and hex, udp, icmp and logs', () => {
    const { cases, diagnostics } = parseCaseText(
      `=== mail
sid: 1
expect: negative
--- smtp
S: 220 relay ready
HELO x
mail from:<a@b>
S: 250 fine
DATA
Subject: hi
C: S: not a server line
..dot-stuffed
.
QUIT

=== raw tcp
sid: 2
expect: positive
server: 10.0.0.2:12345
--- tcp server
NetBus 1.70\\r
--- tcp client hex
47 65 74 # "Ge"
{{2*41}}

=== datagrams
sid: 3
expect: positive
server: 10.0.0.2:1434
ttl: 1
--- udp hex frag=8 fragorder=1,0
04 {{20*01}}
--- icmp server type=0 code=0
abc

=== log
sid: 4
expect: positive
--- log combined
1.2.3.4 - - [17/Mar/2003:10:00:00 +0000] "GET /x\\x20y HTTP/1.0" 200 1 "-" "-"
--- log combined raw
second
`,
      FILE,
    );
    expect(diagnostics.map((d) => d.message)).toEqual(['one log section per case']);
    const [mail, tcp, dg] = cases;
    const sends = smtpSends(mail!.sections[0] as never).map((s) => `${s.side}:${latin1(s.data)}`);
    expect(sends).toEqual([
      'server:220 relay ready\r\n',
      'client:HELO x\r\n',
      'server:250 mail.example.com\r\n',
      'client:mail from:<a@b>\r\n',
      'server:250 fine\r\n',
      'client:DATA\r\n',
      'server:354 End data with <CR><LF>.<CR><LF>\r\n',
      'client:Subject: hi\r\nS: not a server line\r\n..dot-stuffed\r\n.\r\n',
      'server:250 2.0.0 Ok: queued\r\n',
      'client:QUIT\r\n',
      'server:221 2.0.0 Bye\r\n',
    ]);
    expect(tcp!.sections.map((s) => latin1((s as { data: Uint8Array }).data))).toEqual(['NetBus 1.70\r', 'GetAA']);
    expect(dg!.ttl).toBe(1);
    expect(dg!.sections[0]).toMatchObject({ kind: 'udp', side: 'client', delivery: { frag: [8], fragOrder: [1, 0] } });
    expect(dg!.sections[1]).toMatchObject({ kind: 'icmp', side: 'server', type: 0, code: 0 });
  });

  it('reports every problem as line:col and goes on with the next case', () => {
    const text = `=== one
sid: 1
expct: positive
--- http request
GET / HTTP/1.0

=== two
sid: x1
expect: positive
--- http request
GET /\\q HTTP/1.0

=== three
sid: 3
expect: maybe
--- http request
GET / HTTP/1.0

=== four
sid: 4
expect: positive
--- tcp client
abc

=== five
sid: 5
expect: positive
server: 10.0.0.2:80
--- http request
GET / HTTP/1.0
--- udp
x

=== six
sid: 6
expect: positive
variants: segment +fold
--- http request frag=12
GET / HTTP/1.0

=== seven
sid: 7
expect: positive
--- http request
GET /ok HTTP/1.0
`;
    expect(errors(text)).toEqual([
      "1:1: case 'one' has no 'expect: positive' or 'expect: negative' line",
      "3:1: unknown field 'expct'; did you mean 'expect'?",
      "8:6: 'x1' is not a sid (a positive number)",
      "15:9: expect is 'positive' (the rules fire) or 'negative' (they stay silent)",
      '19:1: say which server port the traffic goes to, e.g. "server: 192.168.1.10:1434"',
      '31:1: a case is one TCP connection (http, smtp, tcp sections), datagrams (udp, icmp) or log lines: split it into cases',
      '37:11: variants is either a list of families, or changes to the defaults (+family / -family), not both',
    ]);
    const parsed = parseCaseText(text, FILE);
    // Only "seven" is whole: "four" lacks the server port its tcp section needs, and "one" an
    // expect line (the field it misspelt would not have been read as one).
    expect(parsed.cases.map((c) => c.name)).toEqual(['seven']);
    // A case with an unknown field is checked but not run, even when it has what it needs.
    const typo = parseCaseText('=== a\nsid: 1\nexpect: negative\nexpected: negative\n--- http request\nGET / HTTP/1.0\n', FILE);
    expect(typo.diagnostics.map((d) => d.message)).toEqual(["unknown field 'expected'; did you mean 'expect'?"]);
    expect(typo.cases).toEqual([]);
    // The port is asked for at the server line when one is given.
    expect(errors('=== a\nsid: 1\nexpect: positive\nserver: 10.0.0.2\n--- udp client\nx\n')).toEqual(['4:9: say which server port the traffic goes to, e.g. "server: 10.0.0.2:1434"']);
  });

  it('points at bad escapes, section headers and delivery settings', () => {
    expect(errors('=== a\nsid: 1\nexpect: positive\n--- http request\nGET /\\q HTTP/1.0\n')).toEqual([
      '5:6: unknown escape \\q; write \\\\ for a backslash (escapes: \\\\ \\r \\n \\t \\xNN \\{)',
    ]);
    expect(errors('=== a\nsid: 1\nexpect: positive\n--- tcp\nx\n')).toEqual(['4:1: say which side sends it: "--- tcp client" or "--- tcp server"']);
    expect(errors('=== a\nsid: 1\nexpect: positive\n--- http request frag=12\nGET / HTTP/1.0\n')).toEqual(['4:23: IP fragment sizes are multiples of 8 (got 12)']);
    expect(errors('=== a\nsid: 1\nexpect: positive\n--- udp split=3\nx\n')[0]).toMatch(/^4:1: datagrams are not cut into segments/);
    expect(errors('=== a\nsid: 1\nexpect: positive\n--- log nosuchformat\nx\n')).toEqual(["4:1: unknown log format 'nosuchformat'"]);
    expect(errors('=== a\nsid: 1\nexpect: positive\n--- udp client sideways\nx\n')).toEqual(["4:16: unexpected 'sideways' in a udp section header (allowed: client, server, raw, hex)"]);
    expect(errors('=== a\nsid: 1\nexpect: positive\n--- udp to 1434\nx\n')).toEqual([
      `4:9: unexpected 'to' in a udp section header (allowed: client, server, raw, hex); addresses and ports go in the case's "client:" and "server:" lines, e.g. "server: 192.168.1.10:1434"`,
    ]);
    expect(errors('=== a\nsid: 1\nexpect: positive\n--- smtp\nHELO x\nDATA\nSubject: y\n')).toEqual(["6:1: the message after DATA never ends: add a line holding a single '.'"]);
    expect(errors('sid: 1\n')).toEqual(['1:1: \'sid\' belongs to a case: start one with "=== name" first']);
    expect(errors('=== a\nsid: 1\nexpect: positive\n')).toEqual(["1:1: case 'a' has no input: add 'pcap: FILE' or a section such as \"--- http request\""]);
    expect(errors('=== a\nsid: 1\nexpect: negative\ncount: 2\npcap: x.pcap\n')).toEqual(["4:8: 'count' applies to positive cases only"]);
    expect(errors('=== a\nsid: 1\nexpect: positive\nvariants: -flod\n--- tcp client\nx\n')[0]).toMatch(/^4:11: unknown variant family 'flod'; did you mean 'fold'\?/);
  });

  it('reads an --- http section without a role from its first line', () => {
    const { cases, diagnostics } = parseCaseText(
      '=== a\nsid: 1\nexpect: positive\n--- http\nGET /x HTTP/1.1\nHost: v\n\n--- http\nHTTP/1.1 404 Not Found\nServer: y\n\n',
      FILE,
    );
    expect(diagnostics).toEqual([]);
    const sections = cases[0]!.sections;
    expect(sections.map((s) => (s.kind === 'http' ? s.side : s.kind))).toEqual(['client', 'server']);
    expect(latin1((sections[0] as { data: Uint8Array }).data)).toMatch(/^GET \/x HTTP\/1\.1\r\nHost: v\r\n/);
    expect(errors('=== a\nsid: 1\nexpect: positive\n--- http\nHost: v\n')).toEqual([
      '4:1: say "--- http request" or "--- http response" (or start the section with its request line or status line)',
    ]);
  });

  it('resolves pcap paths against the case file', () => {
    const { cases } = parseCaseText('=== a\nsid: 1\nexpect: positive\npcap: ../../samples/x.pcap\n', FILE);
    expect(cases[0]!.pcap).toBe('/cases/samples/x.pcap');
  });
});

describe('case files with bytes that are not UTF-8', () => {
  it('report each such line and do not run its case, rather than test on U+FFFD', () => {
    const tmp = tempDir();
    try {
      const head = Buffer.from('server: 10.0.0.2:1234\n=== raw\nsid: 1\nexpect: positive\n--- tcp client\nA', 'latin1');
      const tail = Buffer.from('\n\n=== fine\nsid: 1\nexpect: positive\n--- tcp client\nA\\xffB\n', 'latin1');
      const path = tmp.write('bin.ktest', '');
      writeFileSync(path, Buffer.concat([head, Buffer.from([0xff, 0xfe]), Buffer.from('B', 'latin1'), tail]));
      const parsed = parseCaseFile(path);
      expect(parsed.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`)).toEqual([
        '6:2: bytes that are not UTF-8 text: write them as \\xNN escapes (\\xff) or in a hex section, so the case holds the bytes meant',
      ]);
      expect(parsed.cases.map((c) => c.name)).toEqual(['fine']);
    } finally {
      tmp.cleanup();
    }
  });
});

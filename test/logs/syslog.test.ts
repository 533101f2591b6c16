import { describe, expect, it } from 'vitest';
import { TCP_FIN, TCP_SYN } from '../../src/types/packet.js';
import { parseLogLines } from '../../src/logs/index.js';
import { iso, parseFixture, text } from './helpers.js';

describe('generic syslog', () => {
  const { records, stats } = parseFixture('syslog.log', { year: 2021 });

  it('reads RFC 3164, RFC 5424 and RFC 3339-stamped lines', () => {
    expect(stats.format).toBe('syslog');
    expect(stats.records).toBe(5);
    expect(stats.malformed).toBe(0);
    const [bsd, r5424, rfc3339] = records;
    expect(iso(bsd!.tsUs)).toBe('2021-02-09T11:44:56.000Z');
    expect(text(bsd!, 'log.hostname')).toBe('web1');
    expect(text(bsd!, 'log.program')).toBe('sshd');
    expect(bsd!.fields.pid).toBe('1234');
    expect(text(bsd!, 'log.message')).toBe('Failed password for invalid user admin from 198.51.100.44 port 40022 ssh2');

    expect(iso(r5424!.tsUs)).toBe('2003-10-11T20:14:15.003Z');
    expect(text(r5424!, 'log.hostname')).toBe('mymachine.example.com');
    expect(text(r5424!, 'log.program')).toBe('su');
    expect(r5424!.fields.msgid).toBe('ID47');
    expect(r5424!.fields.facility).toBe('4');
    expect(r5424!.fields.severity).toBe('2');
    expect(r5424!.fields.structured_data).toBe('[exampleSDID@32473 iut="3" eventSource="Application"]');
    expect(text(r5424!, 'log.message')).toBe("'su root' failed for lonvick on /dev/pts/8");

    expect(iso(rfc3339!.tsUs)).toBe('2013-10-30T13:51:30.267Z');
    expect(text(rfc3339!, 'log.program')).toBe('sshd');
  });

  it('takes the peer of sshd lines from sshd\'s own "from <ip> port <n>"', () => {
    expect(records[0]!.srcText).toBe('198.51.100.44');
    expect(records[0]!.srcPort).toBe(40022);
    expect(records[2]!.srcText).toBe('192.0.2.101');
    const { records: spoof } = parseLogLines(
      ['Feb  9 11:44:56 web1 sshd[1]: Failed password for invalid user x from 10.9.9.9 port 1 from 198.51.100.1 port 2222 ssh2'],
      { year: 2021 },
    );
    expect(spoof[0]!.srcText).toBe('198.51.100.1');
    expect(records[3]!.src).toBeUndefined();
  });

  it('reads pam and dovecot peers only from their own fields', () => {
    const { records } = parseLogLines(
      [
        'Jun 28 23:01:27 xxxx auth: pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=a@b rhost=91.195.103.44',
        'Nov 11 22:46:29 localhost sshd(pam_unix)[15794]: 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=10.0.3.1  user=root',
        'Nov 11 22:46:29 localhost sshd(pam_unix)[15794]: authentication failure; logname= uid=0 euid=0 tty=ssh ruser=x rhost=6.6.6.6 rhost=10.0.3.1  user=root',
        'Jan 30 09:37:55 host dovecot: pop3-login: Aborted login: user=<u, rip=6.6.6.6>, method=PLAIN, rip=::ffff:1.2.3.4, lip=::ffff:1.2.3.5',
        'Jan 30 09:37:56 host myapp: rhost=6.6.6.6',
      ],
      { year: 2020 },
    );
    expect(records.map((r) => r.srcText)).toEqual(['91.195.103.44', '10.0.3.1', undefined, '::ffff:1.2.3.4', undefined]);
  });

  it('does not let message text pose as a firewall or Cisco line', () => {
    const { records } = parseLogLines(
      [
        'Feb  9 11:44:56 web1 sshd[1]: Invalid user %ASA-4-106023: Deny tcp src outside:6.6.6.6/1 dst inside:10.0.0.1/445 from 198.51.100.7',
        'Feb  9 11:44:57 web1 sshd[1]: Invalid user IN=eth0 OUT= SRC=6.6.6.6 DST=10.0.0.1 PROTO=UDP SPT=1 DPT=1434 from 198.51.100.7',
      ],
      { year: 2021 },
    );
    expect(records.map((r) => [r.format, r.srcText, r.dstPort])).toEqual([
      ['syslog', '198.51.100.7', undefined],
      ['syslog', '198.51.100.7', undefined],
    ]);
  });

  it('handles the usual deviations: no hostname, <facility.level>, no PRI, 5424 nil values', () => {
    const { records, stats } = parseLogLines(
      [
        'Jul 17 14:49:57 dnsmasq[15210]: query[A] server.example.com from 10.10.10.33',
        'Jun 17 14:37:39 <mail.info> robin sm-mta[2794]: 55HIbcGI002794: from=<root@x>, relay=[192.168.1.45]',
        '<13>1 - - - - - - bare message',
        'Jan 04 22:51:57 server proftpd[26169] server.example.net: Fatal: unable to open incoming connection',
      ],
      { format: 'syslog', year: 2020 },
    );
    expect(stats.malformed).toBe(0);
    expect(text(records[0]!, 'log.program')).toBe('dnsmasq');
    expect(records[0]!.buffer('log.hostname')).toBeUndefined();
    expect(text(records[1]!, 'log.hostname')).toBe('robin');
    expect(records[1]!.format).toBe('sendmail');
    expect(records[2]!.timeKnown).toBe(false);
    expect(text(records[2]!, 'log.message')).toBe('bare message');
    expect(text(records[3]!, 'log.program')).toBe('proftpd');
  });

  it('reports lines without a header as malformed, with a raw record', () => {
    const { records, stats } = parseLogLines(['Feb  9 11:44:56 web1 app: ok', 'continuation line without header'], {
      format: 'syslog',
      year: 2020,
      file: 'messages',
    });
    expect(stats.malformedBy.syslog).toEqual({ 'no-syslog-header': 1 });
    expect(stats.samples).toEqual([{ file: 'messages', line: 2, format: 'syslog', reason: 'no-syslog-header' }]);
    expect(records[1]!.format).toBe('raw');
    expect(text(records[1]!, 'log.message')).toBe('continuation line without header');
    expect(records[1]!.tsUs).toBe(records[0]!.tsUs);
    expect(records[1]!.timeKnown).toBe(false);
  });
});

describe('netfilter', () => {
  const { records, stats } = parseFixture('netfilter.log', { year: 2003 });

  it('detects and fills the header fields', () => {
    expect(stats.format).toBe('netfilter');
    expect(stats.records).toBe(4);
    const slammer = records[0]!;
    expect(slammer.srcText).toBe('198.51.100.23');
    expect(slammer.dstText).toBe('192.0.2.5');
    expect(slammer.proto).toBe(17);
    expect(slammer.srcPort).toBe(2048);
    expect(slammer.dstPort).toBe(1434);
    expect(slammer.ttl).toBe(117);
    expect(slammer.ipId).toBe(4660);
    expect(slammer.ipLength).toBe(404);
    expect(slammer.action).toBe('deny');
    expect(slammer.fields.prefix).toBe('[UFW BLOCK]');
    expect(slammer.fields.MAC).toBe('00:11:22:33:44:55:66:77:88:99:aa:bb:08:00');
    expect(iso(slammer.tsUs)).toBe('2003-01-25T06:02:13.000Z');
  });

  it('reads TCP flags, DF, ICMP and IPv6 lines', () => {
    const deloder = records[1]!;
    expect(deloder.proto).toBe(6);
    expect(deloder.tcpFlags).toBe(TCP_SYN);
    expect(deloder.tcpWindow).toBe(64240);
    expect(deloder.dontFragment).toBe(true);
    expect(deloder.action).toBe('deny');
    const ping = records[2]!;
    expect(ping.proto).toBe(1);
    expect(ping.icmpType).toBe(8);
    expect(ping.icmpCode).toBe(0);
    expect(ping.ipId).toBe(0);
    expect(ping.action).toBe('allow');
    const v6 = records[3]!;
    expect(v6.srcText).toBe('2001:db8::66');
    expect(v6.ttl).toBe(57);
    expect(v6.tcpFlags).toBe(TCP_SYN | TCP_FIN);
  });

  it('reads a log prefix written without a trailing space', () => {
    const { records } = parseLogLines(
      [
        'Oct 10 13:55:36 host kernel: DROPIN=eth0 OUT= SRC=203.0.113.5 DST=192.168.1.30 LEN=404 TOS=0x00 PREC=0x00 TTL=113 ID=1 PROTO=UDP SPT=3072 DPT=1434 LEN=384',
        'Oct 10 13:55:37 host kernel: usb 1-1: LOGIN=x SRC=203.0.113.5 DST=192.168.1.30 PROTO=UDP DPT=1434',
      ],
      { year: 2023 },
    );
    expect(records.map((r) => [r.format, r.srcText, r.dstPort, r.action, r.fields.prefix])).toEqual([
      ['netfilter', '203.0.113.5', 1434, 'deny', 'DROP'],
      ['syslog', undefined, undefined, undefined, undefined],
    ]);
  });

  it('reads a bracketed log prefix that is not preceded by an uptime stamp', () => {
    const { records } = parseLogLines(
      ['Oct 10 13:55:37 host kernel: [UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.5 DST=192.168.1.30 LEN=404 TOS=0x00 PREC=0x00 TTL=113 ID=1 PROTO=UDP SPT=3072 DPT=1434 LEN=384'],
      { year: 2023 },
    );
    expect([records[0]!.fields.prefix, records[0]!.action]).toEqual(['[UFW BLOCK]', 'deny']);
  });

  it('reads the lines of ulogd\'s syslog output', () => {
    const { records } = parseLogLines(
      ['Oct 10 13:55:38 host ulogd[812]: DROP IN=eth0 OUT= SRC=203.0.113.5 DST=192.168.1.30 LEN=404 TOS=00 PREC=0x00 TTL=113 ID=1 PROTO=UDP SPT=3072 DPT=1434 LEN=384'],
      { year: 2023 },
    );
    expect([records[0]!.format, records[0]!.srcText, records[0]!.dstPort, records[0]!.proto]).toEqual(['netfilter', '203.0.113.5', 1434, 17]);
  });

  it('reads bare dmesg lines and keeps an ICMP error\'s quoted packet apart', () => {
    const { records } = parseLogLines(
      [
        '[ 1.0] IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=56 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.2 DST=192.0.2.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=2 PROTO=UDP SPT=53 DPT=9 LEN=8 ]',
      ],
      { format: 'netfilter' },
    );
    const r = records[0]!;
    expect(r.srcText).toBe('192.0.2.1');
    expect(r.icmpType).toBe(3);
    expect(r.srcPort).toBeUndefined();
    expect(r.fields.embedded).toContain('SPT=53');
    expect(r.timeKnown).toBe(false);
  });
});

describe('access lines in an envelope', () => {
  const lines = [
    'Jan 25 06:00:00 web1 nginx: 198.51.100.1 - - [25/Jan/2024:06:00:00 +0000] "GET /etc/passwd HTTP/1.1" 404 0 "-" "curl/8"',
    '<190>Jan 25 06:00:01 web1 nginx: 198.51.100.2 - - [25/Jan/2024:06:00:01 +0000] "GET /etc/passwd HTTP/1.1" 404 0 "-" "curl/8"',
    '2024-01-25T06:00:02+00:00 web1 httpd[123]: 198.51.100.3 - - [25/Jan/2024:06:00:02 +0000] "GET /etc/passwd HTTP/1.1" 404 0 "-" "curl/8"',
  ];

  it('nginx `access_log syslog:` and Apache through logger: access records with the syslog header', () => {
    const { records, stats } = parseLogLines(lines, { year: 2024, tz: '+01:00' });
    expect(stats.format).toBe('syslog');
    expect(stats.malformed).toBe(0);
    expect(stats.recordsByFormat).toEqual({ combined: 3 });
    expect(records.map((r) => [r.srcText, text(r, 'http.method'), text(r, 'http.uri'), text(r, 'http.stat_code'), text(r, 'http.user_agent')])).toEqual([
      ['198.51.100.1', 'GET', '/etc/passwd', '404', 'curl/8'],
      ['198.51.100.2', 'GET', '/etc/passwd', '404', 'curl/8'],
      ['198.51.100.3', 'GET', '/etc/passwd', '404', 'curl/8'],
    ]);
    expect(records.map((r) => [text(r, 'log.program'), text(r, 'log.hostname'), r.fields.pid, r.fields.pri])).toEqual([
      ['nginx', 'web1', undefined, undefined],
      ['nginx', 'web1', undefined, '190'],
      ['httpd', 'web1', '123', undefined],
    ]);
    expect(text(records[0]!, 'log.message')).toBe(lines[0]!.slice('Jan 25 06:00:00 web1 nginx: '.length));
    // The syslog header's time (here read in +01:00), as every other record of the stream; the line's own stamp stays a field.
    expect(records.map((r) => iso(r.tsUs))).toEqual(['2024-01-25T05:00:00.000Z', '2024-01-25T05:00:01.000Z', '2024-01-25T06:00:02.000Z']);
    expect(records[0]!.fields.time).toBe('25/Jan/2024:06:00:00 +0000');
    expect(records[0]!.appProto).toBe('http');
  });

  it('other daemons cannot pose as a web server', () => {
    const { records } = parseLogLines(
      ['Jan 25 06:00:00 web1 sshd[1]: 198.51.100.9 - - [25/Jan/2024:06:00:00 +0000] "GET /etc/passwd HTTP/1.1" 404 0 "-" "curl/8"'],
      { year: 2024 },
    );
    expect([records[0]!.format, records[0]!.srcText, records[0]!.buffer('http.uri')]).toEqual(['syslog', undefined, undefined]);
  });

  it('Docker json-file lines whose `log` is an access line', () => {
    const line = '{"log":"198.51.100.1 - - [25/Jan/2024:06:00:00 +0000] \\"GET /etc/passwd HTTP/1.1\\" 404 0 \\"-\\" \\"curl/8\\"\\n","stream":"stdout","time":"2024-01-25T06:00:00.123456789Z"}';
    const { records, stats } = parseLogLines([line, '{"log":"nginx: [emerg] bind() failed\\n","stream":"stderr","time":"2024-01-25T06:00:01Z"}']);
    expect(stats.format).toBe('json');
    expect(stats.recordsByFormat).toEqual({ combined: 1, json: 1 });
    const r = records[0]!;
    expect([r.srcText, text(r, 'http.uri'), text(r, 'http.user_agent'), iso(r.tsUs)]).toEqual(['198.51.100.1', '/etc/passwd', 'curl/8', '2024-01-25T06:00:00.123Z']);
    expect(text(r, 'log.message')).toBe('198.51.100.1 - - [25/Jan/2024:06:00:00 +0000] "GET /etc/passwd HTTP/1.1" 404 0 "-" "curl/8"');
    expect(text(records[1]!, 'log.message')).toBe('nginx: [emerg] bind() failed\n');
  });
});

import { describe, expect, it } from 'vitest';
import { TCP_RST, TCP_SYN } from '../../src/types/packet.js';
import { parseLogLines } from '../../src/logs/index.js';
import { iso, parseFixture, text } from './helpers.js';

describe('Cisco PIX/ASA', () => {
  const { records, stats } = parseFixture('asa.log');
  const byId = (id: string) => records.find((r) => r.fields.asa_id === id)!;

  it('detects the format and parses every message', () => {
    expect(stats.format).toBe('asa');
    expect(stats.records).toBe(9);
    expect(stats.malformed).toBe(0);
    expect(iso(records[0]!.tsUs)).toBe('2004-03-29T09:54:18.000Z');
  });

  it('106023 deny with access-group', () => {
    const r = byId('106023');
    expect([r.srcText, r.srcPort, r.dstText, r.dstPort, r.proto, r.action]).toEqual(['198.51.100.23', 1031, '192.0.2.5', 1434, 17, 'deny']);
    expect(r.fields.acl).toBe('outside_access_in');
    expect(r.fields.src_interface).toBe('outside');
    expect(r.fields.dst_interface).toBe('inside');
    expect(text(r, 'log.message')!.startsWith('%PIX-4-106023: Deny udp')).toBe(true);
  });

  it('106001 inbound TCP denied with flags', () => {
    const r = byId('106001');
    expect([r.srcText, r.srcPort, r.dstText, r.dstPort, r.proto, r.tcpFlags, r.action]).toEqual([
      '203.0.113.50', 3171, '192.0.2.5', 445, 6, TCP_SYN, 'deny',
    ]);
  });

  it('302013/302014 built and teardown', () => {
    const built = byId('302013');
    expect([built.srcText, built.srcPort, built.dstText, built.dstPort, built.proto, built.action]).toEqual([
      '198.51.100.8', 51000, '192.0.2.80', 80, 6, 'allow',
    ]);
    expect(built.fields.connection_id).toBe('4711');
    const down = byId('302014');
    expect([down.srcText, down.dstText, down.dstPort]).toEqual(['198.51.100.8', '192.0.2.80', 80]);
    expect(down.fields.duration).toBe('0:00:01');
    expect(down.fields.bytes).toBe('1542');
  });

  it('outbound connections start at the inside host', () => {
    const { records } = parseLogLines([
      '%ASA-6-302013: Built outbound TCP connection 9 for outside:203.0.113.1/443 (203.0.113.1/443) to inside:10.1.1.1/50000 (198.51.100.1/50000)',
    ]);
    expect([records[0]!.srcText, records[0]!.srcPort, records[0]!.dstText, records[0]!.dstPort]).toEqual(['10.1.1.1', 50000, '203.0.113.1', 443]);
  });

  it('710003, 106015, 106006/7, 106014', () => {
    expect([byId('710003').srcText, byId('710003').dstPort, byId('710003').action]).toEqual(['198.51.100.9', 22, 'deny']);
    expect(byId('106015').tcpFlags).toBe(TCP_RST);
    expect([byId('106006').proto, byId('106006').dstPort]).toEqual([17, 1434]);
    expect([byId('106007').srcPort, byId('106007').dstPort]).toEqual([53, 53]);
    const icmp = byId('106014');
    expect([icmp.proto, icmp.icmpType, icmp.icmpCode, icmp.srcText, icmp.dstText]).toEqual([1, 8, 0, '198.51.100.31', '192.0.2.5']);
  });

  it('106100 access-list lines and service names', () => {
    const { records } = parseLogLines([
      'Jun 10 10:00:00 fw %ASA-6-106100: access-list inside_in denied tcp inside/10.0.0.5(1234) -> outside/203.0.113.7(80) hit-cnt 1 first hit [0x1, 0x0]',
      '%PIX-6-605004: Login denied from 192.168.2.10/32597 to outside:192.168.2.14/ssh for user "root"',
    ], { year: 2020 });
    expect([records[0]!.srcText, records[0]!.srcPort, records[0]!.dstText, records[0]!.dstPort, records[0]!.action]).toEqual([
      '10.0.0.5', 1234, '203.0.113.7', 80, 'deny',
    ]);
    expect(records[0]!.fields.acl).toBe('inside_in');
    expect([records[1]!.dstPort, records[1]!.fields.user, records[1]!.timeKnown]).toEqual([22, 'root', false]);
  });

  it('reads hostile lines of many IN= or closing parentheses without losing the good lines after them', () => {
    const { records } = parseLogLines([
      `Jan 25 05:30:00 fw kernel: ${'IN='.repeat(60_000)} no addresses here`,
      `Oct 10 13:55:41 fw01 %ASA-4-106023: Deny tcp src outside:198.51.100.7/3381${')'.repeat(60_000)} dst inside:192.168.1.40/445 by access-group "outside_in" [0x0, 0x0]`,
      'Jan 25 05:30:02 fw kernel: DROP IN=eth0 OUT= SRC=198.51.100.7 DST=10.0.0.1 LEN=404 TOS=0x00 PREC=0x00 TTL=116 ID=1234 PROTO=UDP SPT=1029 DPT=1434 LEN=384',
    ], { year: 2023 });
    expect(records.map((r) => [r.format, r.srcText, r.dstPort])).toEqual([
      ['syslog', undefined, undefined],
      ['asa', '198.51.100.7', 445],
      ['netfilter', '198.51.100.7', 1434],
    ]);
  });

  it('ignores the identity user or FQDN after an endpoint', () => {
    const { records } = parseLogLines([
      'Oct 10 13:55:42 fw01 %ASA-4-106023: Deny tcp src outside:198.51.100.7/3381(LOCAL\\evil) dst inside:192.168.1.40/445 by access-group "outside_in" [0x0, 0x0]',
      'Oct 10 13:55:43 fw01 %ASA-4-106023: Deny udp src outside:198.51.100.7/1029 dst inside:192.168.1.30/1434(LOCAL\\jdoe) by access-group "outside_in" [0x0, 0x0]',
      'Oct 10 13:55:44 fw01 %ASA-4-106023: Deny tcp src inside:192.168.1.40/50000 dst outside:198.51.100.7/445(smb.example.net) by access-group "inside_in" [0x0, 0x0]',
      'Oct 10 13:55:45 fw01 %ASA-6-106100: access-list in denied tcp outside/198.51.100.7(3382)(LOCAL\\evil, sg) -> inside/192.168.1.40(445)(LOCAL\\jdoe, sg) hit-cnt 1 first hit [0x1, 0x0]',
    ], { year: 2023 });
    expect(records.map((r) => [r.srcText, r.srcPort, r.dstText, r.dstPort, r.fields.dst_interface])).toEqual([
      ['198.51.100.7', 3381, '192.168.1.40', 445, 'inside'],
      ['198.51.100.7', 1029, '192.168.1.30', 1434, 'inside'],
      ['192.168.1.40', 50000, '198.51.100.7', 445, 'outside'],
      ['198.51.100.7', 3382, '192.168.1.40', 445, 'inside'],
    ]);
  });

  it('reads a relayed ASA line whose message opens with the ASA\'s own time stamp and device id', () => {
    const msg = (src: string): string => `%ASA-2-106001: Inbound TCP connection denied from ${src}/4444 to 192.0.2.5/445 flags SYN  on interface outside`;
    const { records, stats } = parseLogLines(
      [
        `Jan 25 06:02:15 10.0.0.1 Jan 25 2024 06:02:15: ${msg('198.51.100.3')}`,
        `Jan 25 06:02:16 10.0.0.1 Jan 25 2024 06:02:16 fw01 : ${msg('198.51.100.4')}`,
        `Jan 25 06:02:17 10.0.0.1 Jan 25 2024 06:02:17.123 fw01: ${msg('198.51.100.5')}`,
        // Anchored at the message start, and not inside a tagged daemon's message.
        `Jan 25 06:02:18 web1 sshd[1]: Jan 25 2024 06:02:18: ${msg('6.6.6.6')}`,
        `Jan 25 06:02:19 10.0.0.1 hello Jan 25 2024 06:02:19: ${msg('6.6.6.7')}`,
      ],
      { year: 2024 },
    );
    expect(stats.malformed).toBe(0);
    expect(records.map((r) => [r.format, r.srcText, r.srcPort, r.dstText, r.dstPort, r.proto, r.tcpFlags, r.action])).toEqual([
      ['asa', '198.51.100.3', 4444, '192.0.2.5', 445, 6, TCP_SYN, 'deny'],
      ['asa', '198.51.100.4', 4444, '192.0.2.5', 445, 6, TCP_SYN, 'deny'],
      ['asa', '198.51.100.5', 4444, '192.0.2.5', 445, 6, TCP_SYN, 'deny'],
      ['syslog', undefined, undefined, undefined, undefined, undefined, undefined, undefined],
      ['syslog', undefined, undefined, undefined, undefined, undefined, undefined, undefined],
    ]);
    expect(text(records[1]!, 'log.message')).toBe(msg('198.51.100.4'));
    expect(text(records[1]!, 'log.hostname')).toBe('10.0.0.1');
    expect(records[1]!.fields.asa_id).toBe('106001');
    expect(iso(records[0]!.tsUs)).toBe('2024-01-25T06:02:15.000Z');
  });

  it('106100 for ICMP: the type is where the destination port goes, and there are no ports', () => {
    const { records } = parseLogLines([
      'Oct 10 13:55:45 fw01 %ASA-6-106100: access-list outside_in denied icmp outside/198.51.100.7(0) -> inside/192.168.1.40(8) hit-cnt 1 first hit [0x91c26a3, 0x0]',
    ], { year: 2023 });
    const r = records[0]!;
    expect([r.proto, r.icmpType, r.srcPort, r.dstPort, r.srcText, r.dstText]).toEqual([1, 8, undefined, undefined, '198.51.100.7', '192.168.1.40']);
  });
});

describe('sendmail', () => {
  const { records, stats } = parseFixture('sendmail.log', { year: 2014 });

  it('detects and parses', () => {
    expect(stats.format).toBe('sendmail');
    expect(stats.records).toBe(6);
    expect(records.every((r) => r.format === 'sendmail' && r.appProto === 'smtp')).toBe(true);
  });

  it('check_rcpt reject: relay is the client, arg1 the recipient', () => {
    const r = records[0]!;
    expect(r.srcText).toBe('198.51.100.133');
    expect(text(r, 'smtp.rcpt_to')).toBe('<victim@example.org>');
    expect(r.fields.ruleset).toBe('check_rcpt');
    expect(r.fields.reject).toBe('550 5.7.1 <victim@example.org>... Relaying denied. Proper authentication required.');
    expect(r.fields.queue_id).toBe('s1P819mk027713');
  });

  it('from= and to= lines fill mail_from / rcpt_to; a delivery relay is the destination', () => {
    const from = records[1]!;
    expect(text(from, 'smtp.mail_from')).toBe('<spammer@example.com>');
    expect(from.srcText).toBe('198.51.100.5');
    expect(from.smtp).toEqual({ mail_from: '<spammer@example.com>' });
    const to = records[2]!;
    expect(text(to, 'smtp.rcpt_to')).toBe('<alice@example.org>,<bob@example.org>');
    expect(to.smtp?.rcpt_to).toEqual(['<alice@example.org>', '<bob@example.org>']);
    expect(to.dstText).toBe('192.0.2.25');
    expect(to.src).toBeUndefined();
    // stat= is free text up to the end: a relay= inside it is not a field.
    expect(to.fields.stat).toBe('Sent (ok, relay=[203.0.113.1])');
  });

  it('trusts the last relay= (the one sendmail writes after client-supplied text)', () => {
    expect(records[3]!.srcText).toBe('198.51.100.4');
    expect(records[3]!.fields.user).toBe('criminal');
  });

  it('free-text notices: bracketed client address and refused command', () => {
    expect(records[4]!.srcText).toBe('198.51.100.180');
    expect(text(records[4]!, 'smtp.command')).toBe('EXPN root');
    expect(records[5]!.srcText).toBe('2001:db8::1');
  });
});

describe('postfix', () => {
  const { records, stats } = parseFixture('postfix.log', { year: 2016 });

  it('fills the SMTP buffers and the client address', () => {
    expect(stats.format).toBe('postfix');
    expect(stats.records).toBe(4);
    const reject = records[0]!;
    expect([reject.srcText, reject.srcPort]).toEqual(['198.51.100.242', 47407]);
    expect(text(reject, 'smtp.mail_from')).toBe('<kos@mafia.example>');
    expect(text(reject, 'smtp.rcpt_to')).toBe('<victim@example.org>');
    expect(text(reject, 'smtp.helo')).toBe('<XL-20160217QQJV>');
    expect(reject.smtp).toEqual({ helo: '<XL-20160217QQJV>', mail_from: '<kos@mafia.example>', rcpt_to: ['<victim@example.org>'] });
    expect(reject.fields.proto).toBe('ESMTP');
    expect(records[1]!.srcText).toBe('203.0.113.10');
    expect([records[2]!.srcText, records[2]!.srcPort, records[2]!.fields.queue_id]).toEqual(['203.0.113.10', 50123, '3F2A1B2C3D']);
    const sent = records[3]!;
    expect([sent.dstText, sent.dstPort, sent.src]).toEqual(['192.0.2.25', 25, undefined]);
    expect(sent.fields.status).toBe('sent');
  });
});

describe('portsentry and scanlogd', () => {
  it('reads the portsentry history file (exact epoch time)', () => {
    const { records, stats } = parseFixture('portsentry.log');
    expect(stats.format).toBe('portsentry');
    expect(iso(records[0]!.tsUs)).toBe('2014-06-27T15:51:19.000Z');
    expect([records[0]!.srcText, records[0]!.dstPort, records[0]!.proto, records[0]!.action]).toEqual(['192.168.56.1', 1, 6, 'deny']);
    expect([records[1]!.srcText, records[1]!.proto, records[1]!.fields.src_name]).toEqual(['198.51.100.61', 17, 'scanner.example.net']);
  });

  it('reads portsentry attackalert syslog lines', () => {
    const { records } = parseLogLines(
      ['Jun 27 17:51:19 fw portsentry[1234]: attackalert: SYN/Normal scan from host: 198.51.100.1/198.51.100.1 to TCP port: 21'],
      { year: 2014 },
    );
    expect(records[0]!.format).toBe('portsentry');
    expect([records[0]!.srcText, records[0]!.dstPort, records[0]!.proto]).toEqual(['198.51.100.1', 21, 6]);
    expect(records[0]!.fields.scan_type).toBe('SYN/Normal scan');
  });

  it('reads scanlogd lines', () => {
    const { records, stats } = parseFixture('scanlogd.log', { year: 2005 });
    expect(stats.format).toBe('scanlogd');
    const [a, b] = records;
    expect([a!.srcText, a!.dstText, a!.proto, a!.ttl, a!.tos, a!.tcpFlags]).toEqual(['198.51.100.123', '192.0.2.1', 6, 49, 0, 0]);
    expect(a!.fields.ports).toBe('80, 81, 83, 88, 99, 443, 1080, 3128, ...');
    expect([b!.srcPort, b!.tos, b!.tcpFlags, b!.ttl]).toEqual([40000, 0x10, TCP_SYN, undefined]);
  });
});

import { describe, expect, it } from 'vitest';
import { normalizeUri } from '../../src/app/http/normalize-uri.js';
import { parseLogLines, type LogRecord } from '../../src/logs/index.js';
import { iso, parseFixture, text } from './helpers.js';

describe('JSON lines', () => {
  const { records, stats } = parseFixture('eve.json');

  it('maps Suricata EVE http records', () => {
    expect(stats.format).toBe('json');
    expect(stats.records).toBe(4);
    const r = records[0]!;
    expect(r.tsUs).toBe(Date.UTC(2024, 3, 21, 10, 0, 0) * 1000 + 123456);
    expect([r.srcText, r.srcPort, r.dstText, r.dstPort, r.proto, r.appProto]).toEqual(['198.51.100.9', 51000, '192.0.2.80', 80, 6, 'http']);
    const raw = r.buffer('http.uri.raw')!;
    expect(Buffer.from(raw).toString()).toBe('/scripts/..%255c../winnt/system32/cmd.exe?/c+dir');
    expect(Buffer.from(r.buffer('http.uri')!)).toEqual(Buffer.from(normalizeUri(raw).bytes));
    expect(text(r, 'http.host')).toBe('www.example.com');
    expect(text(r, 'http.stat_code')).toBe('404');
    expect(r.http).toMatchObject({ hostname: 'www.example.com', http_method: 'GET', status: 404, length: 120 });
    expect(r.fields['http.http_method']).toBe('GET');
  });

  it('maps EVE smtp records to the SMTP buffers', () => {
    const r = records[1]!;
    expect(r.appProto).toBe('smtp');
    expect(text(r, 'smtp.helo')).toBe('evil.example');
    expect(text(r, 'smtp.mail_from')).toBe('<a@evil.example>');
    expect(text(r, 'smtp.rcpt_to')).toBe('<x@example.org>,<y@example.org>');
    expect(r.smtp).toEqual({ helo: 'evil.example', mail_from: '<a@evil.example>', rcpt_to: ['<x@example.org>', '<y@example.org>'] });
    expect(r.buffer('http.uri')).toBeUndefined();
  });

  it('maps ECS and Zeek shapes', () => {
    const ecs = records[2]!;
    expect([ecs.srcText, ecs.srcPort, ecs.dstText, ecs.dstPort, ecs.proto]).toEqual(['2001:db8::9', 1234, '2001:db8::1', 443, 6]);
    expect(text(ecs, 'log.message')).toBe('ecs style record');
    expect(iso(ecs.tsUs)).toBe('2024-04-21T10:00:02.000Z');
    const zeek = records[3]!;
    expect(zeek.tsUs).toBe(1713693603_500_000);
    expect([zeek.srcText, zeek.dstPort, zeek.appProto]).toEqual(['198.51.100.11', 80, 'http']);
    expect(text(zeek, 'http.uri.raw')).toBe('/zeek?x=1');
    expect(text(zeek, 'http.user_agent')).toBe('zeek-test');
  });

  it('keeps non-UTF-8 bytes of JSON values', () => {
    const line = Buffer.concat([Buffer.from('{"event_type":"http","http":{"url":"/a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    const { records } = parseLogLines([line], { format: 'json' });
    expect(Array.from(records[0]!.buffer('http.uri.raw')!)).toEqual([0x2f, 0x61, 0xff, 0xfe]);
  });

  it('gives EVE alert payloads back as pkt_data', () => {
    const payload = Buffer.from([0x00, 0x01, 0x47, 0x45, 0x54, 0xff]);
    const line = JSON.stringify({ event_type: 'alert', src_ip: '192.0.2.1', dest_ip: '192.0.2.2', proto: 'UDP', payload: payload.toString('base64'), alert: { action: 'blocked' } });
    const { records } = parseLogLines([line], { format: 'json' });
    expect(Array.from(records[0]!.buffer('pkt_data')!)).toEqual(Array.from(payload));
    expect(records[0]!.action).toBe('deny');
    expect(records[0]!.proto).toBe(17);
    expect(records[0]!.buffer('http.uri')).toBeUndefined();
    expect(parseLogLines(['{"a":1}'], { format: 'json' }).records[0]!.buffer('pkt_data')).toBeUndefined();
  });

  it('reads ICMP type and code: EVE fields, Zeek conn.log port columns', () => {
    const { records } = parseLogLines(
      [
        '{"timestamp":"2023-10-10T13:55:36.000000+0000","event_type":"flow","src_ip":"203.0.113.5","dest_ip":"192.168.1.30","proto":"ICMP","icmp_type":8,"icmp_code":0}',
        '{"ts":1696946136.5,"uid":"C1","id.orig_h":"203.0.113.5","id.orig_p":3,"id.resp_h":"192.168.1.30","id.resp_p":1,"proto":"icmp","conn_state":"OTH"}',
        '{"ts":1696946137.5,"uid":"C2","id.orig_h":"203.0.113.5","id.orig_p":3072,"id.resp_h":"192.168.1.30","id.resp_p":1434,"proto":"udp","conn_state":"S0"}',
      ],
      { format: 'json' },
    );
    expect(records.map((r) => [r.proto, r.icmpType, r.icmpCode, r.srcPort, r.dstPort])).toEqual([
      [1, 8, 0, undefined, undefined],
      [1, 3, 1, undefined, undefined],
      [17, undefined, undefined, 3072, 1434],
    ]);
  });

  it('reads a journald message as the syslog line it stands for', () => {
    const { records, stats } = parseLogLines(
      [
        '{"__REALTIME_TIMESTAMP":"1696946136123456","_TRANSPORT":"kernel","SYSLOG_IDENTIFIER":"kernel","_HOSTNAME":"host","MESSAGE":"[UFW BLOCK] IN=eth0 OUT= SRC=203.0.113.5 DST=192.168.1.30 LEN=404 TOS=0x00 PREC=0x00 TTL=113 ID=1 PROTO=UDP SPT=3072 DPT=1434 LEN=384"}',
        '{"__REALTIME_TIMESTAMP":"1696946137000000","SYSLOG_IDENTIFIER":"sshd","_PID":"77","_HOSTNAME":"host","MESSAGE":"Failed password for root from 198.51.100.7 port 4711 ssh2"}',
        '{"__REALTIME_TIMESTAMP":"1696946138000000","SYSLOG_IDENTIFIER":"app","MESSAGE":[104,105,255]}',
      ],
      { format: 'json' },
    );
    expect(stats.malformed).toBe(0);
    const [nf, ssh, bin] = records as [LogRecord, LogRecord, LogRecord];
    expect([nf.format, nf.srcText, nf.dstText, nf.proto, nf.dstPort, nf.action, nf.tsUs]).toEqual([
      'netfilter', '203.0.113.5', '192.168.1.30', 17, 1434, 'deny', 1696946136123456,
    ]);
    expect([text(nf, 'log.program'), text(nf, 'log.hostname'), nf.fields.prefix]).toEqual(['kernel', 'host', '[UFW BLOCK]']);
    expect([ssh.format, ssh.srcText, ssh.srcPort, ssh.fields.pid]).toEqual(['syslog', '198.51.100.7', 4711, '77']);
    expect(text(ssh, 'log.message')).toBe('Failed password for root from 198.51.100.7 port 4711 ssh2');
    expect(Array.from(bin.buffer('log.message')!)).toEqual([104, 105, 255]);
  });

  it('does not let a journald message from another program pose as a firewall line', () => {
    const { records } = parseLogLines(
      ['{"__REALTIME_TIMESTAMP":"1696946136123456","SYSLOG_IDENTIFIER":"sshd","MESSAGE":"Invalid user IN=eth0 OUT= SRC=6.6.6.6 DST=10.0.0.1 PROTO=UDP SPT=1 DPT=1434"}'],
      { format: 'json' },
    );
    expect([records[0]!.format, records[0]!.dstPort]).toEqual(['syslog', undefined]);
  });

  it('reads numeric time stamps by magnitude: seconds, milliseconds, microseconds, nanoseconds', () => {
    const at = (v: string): [boolean, string] => {
      const r = parseLogLines([`{"timestamp":${v},"src_ip":"198.51.100.1"}`], { format: 'json' }).records[0]!;
      return [r.timeKnown, r.timeKnown ? iso(r.tsUs) : '-'];
    };
    expect(at('1706162406123')).toEqual([true, '2024-01-25T06:00:06.123Z']);
    expect(at('"1706162406123"')).toEqual([true, '2024-01-25T06:00:06.123Z']);
    expect(at('1706162406')).toEqual([true, '2024-01-25T06:00:06.000Z']);
    expect(at('1706162406.25')).toEqual([true, '2024-01-25T06:00:06.250Z']);
    expect(at('1706162406123456')).toEqual([true, '2024-01-25T06:00:06.123Z']);
    expect(parseLogLines(['{"ts":"1706162406123456789"}'], { format: 'json' }).records[0]!.tsUs).toBe(1706162406123457);
    // Out of every unit's range: no time (a duration, a counter), not year 9999 or 1970.
    for (const v of ['12', '0.25', '-1706162406', '1e25', '99999999999999999999999']) expect(at(v)).toEqual([false, '-']);
  });

  it('decodes escapes of a non-UTF-8 line as on a valid line: only the invalid bytes are kept as they are', () => {
    const line = (x: number[]): Buffer =>
      Buffer.concat([
        Buffer.from('{"event_type":"http","src_ip":"198.51.100.8","http":{"url":"/x\\u012e\\u012e\\u012fetc\\u012fpasswd\\u00e9\\ud83d\\udc80\\\\u012e","http_method":"GET"},"x":"'),
        Buffer.from(x),
        Buffer.from('"}'),
      ]);
    const uri = (x: number[]): string => Buffer.from(parseLogLines([line(x)], { format: 'json' }).records[0]!.buffer('http.uri.raw')!).toString('hex');
    const expected = Buffer.concat([Buffer.from('/x\u012e\u012e\u012fetc\u012fpasswd\u00e9\u{1f480}', 'utf8'), Buffer.from('\\u012e')]).toString('hex');
    expect(uri([0x79])).toBe(expected);
    expect(uri([0xff])).toBe(expected);
    const bad = parseLogLines([line([0xff, 0x5c, 0x75, 0x30, 0x30, 0x65, 0x39])], { format: 'json' }).records[0]!;
    expect(Array.from(Buffer.from(bad.fields.x!, 'latin1'))).toEqual([0xff, 0xc3, 0xa9]);
  });

  it('reports invalid JSON and non-objects', () => {
    const { stats } = parseLogLines(['{"a":1}', '{"a":', '[1,2]'], { format: 'json' });
    expect(stats.malformedBy.json).toEqual({ 'not-json': 1, 'not-object': 1 });
  });
});

describe('Apache error log', () => {
  const { records, stats } = parseFixture('apache_error.log', { tz: '+02:00' });

  it('reads 2.2 and 2.4 lines in the tz option\'s zone', () => {
    expect(stats.format).toBe('apache_error');
    expect(stats.records).toBe(4);
    expect(iso(records[0]!.tsUs)).toBe('2013-07-10T23:21:41.000Z');
    expect(records[0]!.srcText).toBe('194.228.20.113');
    const v24 = records[1]!;
    expect(iso(v24.tsUs)).toBe('2013-07-20T19:34:49.453Z');
    expect([v24.srcText, v24.srcPort]).toEqual(['127.0.0.1', 51380]);
    expect(v24.fields).toMatchObject({ module: 'access_compat', level: 'error', error_code: 'AH01797' });
    expect(text(v24, 'log.message')).toBe('AH01797: client denied by server configuration: /var/www/html/noentry/cant_get_me.html');
  });

  it('exposes the referer and ignores [client] text inside the message', () => {
    expect(text(records[2]!, 'http.referer')).toBe('http://sj.hopto.org/management.html');
    expect(records[3]!.srcText).toBe('192.168.33.1');
  });

  it('reads error lines relayed through syslog', () => {
    const { records } = parseLogLines(
      ['Feb 15 16:23:00 srv httpd[22034]: [authz_core:error] [pid 22034] [client 192.0.2.1:58585] AH01630: client denied by server configuration: /home/www/'],
      { year: 2005 },
    );
    expect(records[0]!.format).toBe('apache_error');
    expect([records[0]!.srcText, records[0]!.srcPort]).toEqual(['192.0.2.1', 58585]);
    expect(text(records[0]!, 'log.program')).toBe('httpd');
  });
});

describe('raw text', () => {
  it('reads leading timestamps of common shapes and keeps the rest as the message', () => {
    const { records, stats } = parseFixture('raw.log');
    expect(stats.format).toBe('raw');
    expect(stats.malformed).toBe(0);
    expect(iso(records[0]!.tsUs)).toBe('2015-01-29T21:09:49.000Z');
    expect(text(records[0]!, 'log.message')).toBe("ossec-logcollector(1950): INFO: Analyzing file: '/var/log/httpd/error_log'.");
    expect(records[1]!.timeKnown).toBe(false);
    expect(text(records[1]!, 'log.message')).toBe("ossec: Agent started: 'any'");
    expect(iso(records[2]!.tsUs)).toBe('2011-05-07T03:17:27.000Z');
  });
});

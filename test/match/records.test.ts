/** Log records are inspected by the same rules as packets, as far as the fields they carry allow. */
import { describe, expect, it } from 'vitest';
import { Scanner } from '../../src/match/scanner.js';
import type { Alert } from '../../src/types/alert.js';
import { rulesetOf } from './helpers.js';

async function scanLog(rules: string, lines: string[], format?: string): Promise<Alert[]> {
  const alerts: Alert[] = [];
  const scanner = new Scanner(rulesetOf(rules), (a) => alerts.push(a));
  const text = lines.join('\n') + '\n';
  const r = await scanner.scanLogStream((async function* () { yield Buffer.from(text, 'latin1'); })(), 'test.log', format !== undefined ? { format } : {});
  expect(r.error).toBeUndefined();
  return alerts;
}

const RULES = [
  'alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"cmd.exe in URI"; flow:established,to_server; http.uri; content:"cmd.exe"; nocase; sid:1;)',
  'alert tcp any any -> any $HTTP_PORTS (msg:"nimda"; uricontent:"/winnt/system32/"; content:"GET"; http_method; sid:2;)',
  'alert udp any any -> $HOME_NET 1434 (msg:"slammer port"; sid:3;)',
  'alert tcp any any -> any any (msg:"needs ttl"; ttl:<200; sid:4;)',
  'alert ip any any -> any any (msg:"sshd failure"; log.message; content:"Failed password"; sid:5;)',
  'alert tcp any any -> any any (msg:"needs dsize"; dsize:>0; content:"GET"; http_method; sid:6;)',
].join('\n');

describe('log records', () => {
  it('web log lines fill the HTTP buffers', async () => {
    const alerts = await scanLog(RULES, [
      '192.0.2.9 - - [17/Mar/2003:10:00:00 +0000] "GET /scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir HTTP/1.0" 404 210 "-" "-"',
      '192.0.2.10 - - [17/Mar/2003:10:00:01 +0000] "GET /index.html HTTP/1.0" 200 1000 "-" "Mozilla/4.0"',
    ]);
    expect(alerts.map((a) => a.sid).sort()).toEqual([1, 2]);
    const a = alerts.find((x) => x.sid === 1)!;
    expect(a.srcIp).toBe('192.0.2.9');
    expect(a.log).toMatchObject({ line: 1, format: 'combined' });
    expect(a.tsUs).toBe(Date.UTC(2003, 2, 17, 10, 0, 0) * 1000);
  });

  it('firewall lines fill header fields; rules needing fields a line lacks are not evaluated', async () => {
    const alerts = await scanLog(RULES, [
      'Jan 25 05:30:01 fw kernel: DROP IN=eth0 OUT= SRC=198.51.100.7 DST=192.0.2.1 LEN=404 TOS=0x00 PREC=0x00 TTL=116 ID=1234 PROTO=UDP SPT=1029 DPT=1434 LEN=384',
      'Jan 25 05:30:02 fw kernel: DROP IN=eth0 OUT= SRC=198.51.100.8 DST=192.0.2.1 LEN=404 TOS=0x00 PREC=0x00 TTL=250 ID=1235 PROTO=TCP SPT=1029 DPT=445 WINDOW=512 RES=0x00 SYN URGP=0',
      'Jan 25 05:31:00 host sshd[42]: Failed password for root from 198.51.100.9 port 4711 ssh2',
    ], 'syslog');
    expect(alerts.map((a) => a.sid)).toEqual([3, 5]);
    expect(alerts[0]).toMatchObject({ srcIp: '198.51.100.7', destIp: '192.0.2.1', srcPort: 1029, destPort: 1434, proto: 'UDP' });
  });
});

/** Log records are inspected by the same rules as packets, as far as the fields they carry allow. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scanner } from '../../src/match/scanner.js';
import type { Alert } from '../../src/types/alert.js';
import type { Ruleset } from '../../src/match/ruleset.js';
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

  it('rules without content run on the records whose fields they need, whatever the order of formats', async () => {
    const rules = [
      'alert tcp any any -> any any (msg:"syn"; flags:S; sid:11;)',
      'alert tcp any any -> any any (msg:"to client"; flow:to_client; sid:12;)',
      'alert tcp any any -> any any (msg:"flowbit"; flowbits:isset,x; sid:13;)',
      'alert http any any -> any any (msg:"any web request"; sid:14;)',
      'alert tcp any any -> any 445 (msg:"smb port"; sid:15;)',
      'alert tcp any any -> any any (msg:"not established"; flow:not_established; sid:16;)',
    ].join('\n');
    const fw = 'Jan 25 05:30:02 fw kernel: DROP IN=eth0 OUT= SRC=198.51.100.8 DST=192.0.2.1 LEN=404 TOS=0x00 PREC=0x00 TTL=250 ID=1235 PROTO=TCP SPT=1029 DPT=445 WINDOW=512 RES=0x00 SYN URGP=0';
    const web = '192.0.2.10 - - [17/Mar/2003:10:00:01 +0000] "GET /index.html HTTP/1.0" 200 1000 "-" "Mozilla/4.0"';
    const fromFirewall = await scanLog(rules, [fw, fw], 'syslog');
    expect(fromFirewall.map((a) => a.sid)).toEqual([11, 15, 11, 15]);
    const fromWeb = await scanLog(rules, [web, web]);
    expect(fromWeb.map((a) => a.sid)).toEqual([14, 14]);
  });

  it('a web line that does not log its server port is a request to port 80; one that does is matched by it', async () => {
    const rules = [
      'alert http any any -> any any (msg:"any port"; http.method; content:"POST"; sid:21;)',
      'alert http any any -> any $HTTP_PORTS (msg:"web ports"; http.method; content:"POST"; sid:22;)',
      'alert http any any -> any 443 (msg:"http on 443"; http.method; content:"POST"; sid:23;)',
      'alert http any any -> any !80 (msg:"not 80"; http.method; content:"POST"; sid:24;)',
      'alert tcp any any -> any 80 (msg:"port only, no buffer"; sid:25;)',
      'alert http any any -> any 8080 (msg:"proxy port"; http.uri; content:"/login"; sid:26;)',
    ].join('\n');
    const combined = '192.0.2.10 - - [17/Mar/2003:10:00:01 +0000] "POST /login HTTP/1.1" 200 10 "-" "curl/8"';
    expect((await scanLog(rules, [combined])).map((a) => a.sid)).toEqual([21, 22]);
    // The same request where the log names the port (vhost_combined `%v:%p`): the port decides.
    const on443 = 'www.example.com:443 192.0.2.10 - - [17/Mar/2003:10:00:01 +0000] "POST /login HTTP/1.1" 200 10 "-" "curl/8"';
    const on8080 = 'www.example.com:8080 192.0.2.10 - - [17/Mar/2003:10:00:01 +0000] "POST /login HTTP/1.1" 200 10 "-" "curl/8"';
    expect((await scanLog(rules, [on443])).map((a) => a.sid)).toEqual([21, 23, 24]);
    const proxy = await scanLog(rules, [on8080]);
    // HTTP_PORTS is Suricata's default, 80.
    expect(proxy.map((a) => a.sid)).toEqual([21, 24, 26]);
    expect(proxy[0]).toMatchObject({ destPort: 8080 });
    // The port assumed for matching is not reported as if logged.
    expect((await scanLog(rules, [combined]))[0]!.destPort).toBeUndefined();
  });

  it('a web line is a whole transaction: to_client rules reading the request and the status apply, ones reading more of the response do not', async () => {
    const rules = [
      'alert http any any -> any any (msg:"answered 200"; flow:established,to_client; http.uri; content:"cmd.exe"; http.stat_code; content:"200"; sid:31;)',
      'alert http any any -> any any (msg:"403"; flow:from_server,established; http.stat_code; content:"403"; sid:32;)',
      // To the client, http.header and http.cookie are the response's, file_data its body: a log has neither.
      'alert http any any -> any any (msg:"response header"; flow:to_client; http.header; content:"curl"; sid:33;)',
      'alert http any any -> any any (msg:"set-cookie"; flow:to_client; http.cookie; content:"a"; sid:34;)',
      'alert http any any -> any any (msg:"body"; flow:to_client; file_data; content:"x"; sid:35;)',
      'alert http any any -> any any (msg:"request header"; flow:to_server; http.header; content:"curl"; sid:36;)',
      'alert tcp any any -> any any (msg:"raw response"; flow:to_client; content:"200"; sid:37;)',
    ].join('\n');
    const lines = [
      '192.0.2.9 - - [17/Mar/2003:10:00:00 +0000] "GET /scripts/cmd.exe HTTP/1.0" 200 210 "-" "curl/7.1"',
      '192.0.2.9 - - [17/Mar/2003:10:00:01 +0000] "GET /scripts/cmd.exe HTTP/1.0" 403 210 "-" "curl/7.1"',
    ];
    const alerts = await scanLog(rules, lines);
    expect(alerts.map((a) => [a.sid, a.log?.line])).toEqual([[31, 1], [36, 1], [32, 2], [36, 2]]);
    // The rule's header names the response's sides: the server (which the line does not name) as
    // source, the client as destination, and so do its alerts.
    const homeRules = [
      'ipvar HOME_NET [10.0.0.0/8]',
      'ipvar EXTERNAL_NET !$HOME_NET',
      'alert http $HOME_NET $HTTP_PORTS -> $EXTERNAL_NET any (msg:"403 to an outsider"; flow:from_server,established; http.stat_code; content:"403"; sid:41;)',
      'alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"403, sides of the request"; flow:from_server,established; http.stat_code; content:"403"; sid:42;)',
      'alert http $HOME_NET 443 -> $EXTERNAL_NET any (msg:"403 from 443"; flow:from_server,established; http.stat_code; content:"403"; sid:43;)',
    ].join('\n');
    const outsider = await scanLog(homeRules, [lines[1]!, lines[1]!.replace('192.0.2.9', '10.1.1.1')]);
    // 41: the outsider's 403 (an insider is no EXTERNAL_NET client); 42 reads the sides as the
    // response has them, so it is the insider's; 43: the server's port is taken to be 80.
    expect(outsider.map((a) => [a.sid, a.log?.line])).toEqual([[41, 1], [42, 2]]);
    expect(outsider[0]).toMatchObject({ srcIp: '', destIp: '192.0.2.9', srcPort: undefined, destPort: undefined });
    // Firewall lines are no transactions: a to_client rule on the status does not apply to them.
    const fw = 'Jan 25 05:30:02 fw kernel: DROP IN=eth0 OUT= SRC=198.51.100.8 DST=192.0.2.1 LEN=404 TOS=0x00 PREC=0x00 TTL=250 ID=1235 PROTO=TCP SPT=80 DPT=1029 WINDOW=512 RES=0x00 ACK URGP=0';
    expect(await scanLog(rules, [fw], 'syslog')).toEqual([]);
  });

  it('a log file cut short is scanned and counted up to the cut, and reported as cut', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kanshi-cut-'));
    try {
      const lines = Array.from({ length: 3000 }, (_, i) => `192.0.2.9 - - [17/Mar/2003:10:00:00 +0000] "GET /scripts/${i}/cmd.exe HTTP/1.0" 404 210 "-" "-"\n`);
      const gz = gzipSync(Buffer.from(lines.join(''), 'latin1'));
      const path = join(dir, 'access.log.gz');
      writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
      const alerts: Alert[] = [];
      const scanner = new Scanner(rulesetOf(RULES), (a) => alerts.push(a));
      const r = await scanner.scanLogFile(path);
      expect(r.unreadable).toBe(false);
      expect(r.records).toBeGreaterThan(0);
      expect(r.records).toBeLessThan(3000);
      expect(r.error).toContain(`after line ${r.records}`);
      // Every record read was inspected (the cmd.exe rule fires on each) and is counted.
      expect(alerts.map((a) => a.sid)).toEqual(new Array<number>(r.records).fill(1));
      expect(scanner.counters()['logs.records']).toBe(r.records);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('remembered scans and rule outcomes give what scanning each line afresh gives', async () => {
    // Rules of every kind the memos touch: fast patterns on keyed buffers, pcre-only rules (always
    // candidates), several buffers in one rule, and a rule whose first buffer eats the step budget
    // its second buffer then lacks (a remembered outcome must replay the steps it took).
    const rules = rulesetOf(
      [
        'alert http any any -> any any (msg:"uri dotdot"; http.uri; content:"../"; sid:1;)',
        'alert http any any -> any any (msg:"raw escape"; http.uri.raw; pcre:"/%(?:2e|c0)/i"; sid:2;)',
        'alert http any any -> any any (msg:"uri and agent"; http.uri; content:"a"; http.user_agent; content:"b"; sid:3;)',
        'alert http any any -> any any (msg:"header"; http.header; content:"Referer|3a 20|a"; sid:4;)',
        'alert http any any -> any any (msg:"method"; http.method; content:"POST"; http.stat_code; content:"200"; sid:5;)',
        'alert http any any -> any any (msg:"steps"; http.uri.raw; content:"a"; content:"b"; distance:0; within:1; http.user_agent; content:"a"; content:"b"; distance:0; within:1; sid:6;)',
        'alert http any any -> any any (msg:"normalised"; http.uri; pcre:"/^\\/a\\/b/"; sid:7;)',
      ].join('\n'),
    );
    const part = fc.constantFrom('a', 'b', 'z', '%2e', '%c0%af', '..', '/', '%2e%2e/', 'aa');
    const line = fc
      .record({
        method: fc.constantFrom('GET', 'POST'),
        uri: fc.array(part, { minLength: 1, maxLength: 6 }).map((p) => '/' + p.join('')),
        status: fc.constantFrom('200', '404'),
        ref: fc.constantFrom('-', 'a', 'ab'),
        ua: fc.constantFrom('-', 'ab', 'ba', 'aab', 'aaab', 'abab'),
      })
      .map((f) => `192.0.2.1 - - [17/Mar/2003:10:00:00 +0000] "${f.method} ${f.uri} HTTP/1.1" ${f.status} 5 "${f.ref}" "${f.ua}"`);
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(7), { minLength: 1, maxLength: 40 }), fc.constantFrom(3, 4, 5, 6, 7, 8, 10, 3000), async (distinct, picks, stepLimit) => {
        const lines = picks.map((k) => distinct[k % distinct.length]!);
        const together = await scanWith(rules, lines, stepLimit);
        const alone: string[] = [];
        let limitHits = 0;
        for (let i = 0; i < lines.length; i++) {
          const one = await scanWith(rules, [lines[i]!], stepLimit);
          alone.push(...one.alerts.map((a) => a.replace(/^1:/, `${i + 1}:`)));
          limitHits += one.limitHits;
        }
        expect(together.alerts).toEqual(alone);
        expect(together.limitHits).toBe(limitHits);
      }),
      { numRuns: 150 },
    );
  });
});

describe('remembered rule outcomes on records', () => {
  // The step budget is per rule: a user agent whose outcome was remembered after a cheap URI
  // must still run out of budget after a dear one, and an outcome cut short must not be kept.
  const rules = rulesetOf(
    'alert http any any -> any any (msg:"steps"; http.uri.raw; content:"a"; content:"b"; distance:0; within:1; http.user_agent; content:"a"; content:"b"; distance:0; within:1; sid:6;)',
  );
  const line = (uri: string, ua: string): string => `192.0.2.1 - - [17/Mar/2003:10:00:00 +0000] "GET ${uri} HTTP/1.1" 200 5 "-" "${ua}"`;

  it('replays the steps a remembered outcome took', async () => {
    // /ab takes 2 steps, /aab 4; the agent aab takes 4: 6 fits a budget of 6, 8 does not.
    const got = await scanWith(rules, [line('/ab', 'aab'), line('/aab', 'aab'), line('/ab', 'aab')], 6);
    expect(got).toEqual({ alerts: ['1:6', '3:6'], limitHits: 1 });
  });

  it('does not keep an outcome cut short by the budget', async () => {
    const got = await scanWith(rules, [line('/aab', 'aab'), line('/ab', 'aab')], 6);
    expect(got).toEqual({ alerts: ['2:6'], limitHits: 1 });
  });
});

async function scanWith(rules: Ruleset, lines: string[], stepLimit: number): Promise<{ alerts: string[]; limitHits: number }> {
  const alerts: string[] = [];
  const scanner = new Scanner(rules, (a) => alerts.push(`${a.log?.line}:${a.sid}`), { engine: { stepLimit } });
  const text = lines.join('\n') + '\n';
  const r = await scanner.scanLogStream((async function* () { yield Buffer.from(text, 'latin1'); })(), 'test.log', { format: 'combined' });
  expect(r.error).toBeUndefined();
  return { alerts, limitHits: scanner.counters()['kanshi.detect.inspection_limit'] ?? 0 };
}

/** Record plans settle per record shape what evaluation would settle per record: same alerts. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scanner } from '../../src/match/scanner.js';
import { FewPatternScanner, VERDICT_FULL, VERDICT_HEADER_FREE, VERDICT_NEVER, recordVerdict, type RecordShape } from '../../src/match/record-plan.js';
import { CandidateSet, Prefilter, type PrefilterPattern } from '../../src/match/prefilter/index.js';
import { FACT_ADDRS, FACT_APP_PROTO, FACT_IP_PROTO, FACT_TTL } from '../../src/options/matcher.js';
import { rulesetOf } from './helpers.js';

const WEB = [
  '192.0.2.9 - - [17/Mar/2003:10:00:00 +0000] "GET /scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir HTTP/1.0" 404 210 "-" "curl/7.1"',
  '10.1.2.3 - - [17/Mar/2003:10:00:01 +0000] "GET /index.html?DPT=445 HTTP/1.0" 200 1000 "-" "Mozilla/4.0"',
  '[2001:db8::1] - - [17/Mar/2003:10:00:02 +0000] "POST /cmd HTTP/1.1" 200 5 "http://example.com/" "curl/8"',
];
const SYSLOG = [
  'Jan 25 05:30:01 fw kernel: DROP IN=eth0 OUT= SRC=198.51.100.7 DST=10.0.0.1 LEN=404 TOS=0x00 PREC=0x00 TTL=116 ID=1234 PROTO=UDP SPT=1029 DPT=1434 LEN=384',
  'Jan 25 05:30:02 fw kernel: DROP IN=eth0 OUT= SRC=10.9.9.9 DST=192.0.2.1 LEN=404 TOS=0x00 PREC=0x00 TTL=50 ID=1235 PROTO=TCP SPT=445 DPT=80 WINDOW=512 RES=0x00 SYN URGP=0',
  'Jan 25 05:31:00 host sshd[42]: Failed password for root from 198.51.100.9 port 4711 ssh2 cmd DPT=445',
  // No protocol, no address: header-only rules of one protocol are not about it.
  'Jan 25 05:32:00 host CRON[77]: (root) CMD (run-parts /etc/cron.hourly DPT=445)',
];
/** Web lines that log the server port (vhost_combined `%v:%p`). */
const VHOST = [
  'www.example.com:443 192.0.2.9 - - [17/Mar/2003:10:00:03 +0000] "GET /cmd.exe HTTP/1.1" 200 5 "-" "curl/8"',
  'www.example.com:80 10.1.2.3 - - [17/Mar/2003:10:00:04 +0000] "POST /index.html HTTP/1.1" 200 5 "-" "Mozilla/4.0"',
];

interface Found {
  sid: number;
  file: string | undefined;
  line: number | undefined;
  src: string;
}

async function scanAll(rules: string, recordPlans: boolean): Promise<{ alerts: Found[]; evaluated: number }> {
  const alerts: Found[] = [];
  const scanner = new Scanner(rulesetOf(rules), (a) => alerts.push({ sid: a.sid, file: a.log?.file, line: a.log?.line, src: a.srcIp }), { engine: { recordPlans } });
  for (const [name, lines] of [['web.log', WEB], ['fw.log', SYSLOG], ['vhost.log', VHOST], ['web2.log', [...WEB].reverse()]] as const) {
    const text = lines.join('\n') + '\n';
    const r = await scanner.scanLogStream((async function* () { yield Buffer.from(text, 'latin1'); })(), name);
    expect(r.error).toBeUndefined();
  }
  return { alerts, evaluated: scanner.engine.counters.evaluated };
}

const header = fc.record({
  proto: fc.constantFrom('tcp', 'udp', 'ip', 'http', 'icmp'),
  src: fc.constantFrom('any', '10.0.0.0/8', '!10.0.0.0/8', '$HOME_NET', '2001:db8::/32'),
  sp: fc.constantFrom('any', '445', '1029', '!80'),
  dir: fc.constantFrom('->', '<>'),
  dst: fc.constantFrom('any', '10.0.0.0/8', '192.0.2.1'),
  dp: fc.constantFrom('any', '80', '443', '!80', '445', '1434', '$HTTP_PORTS'),
});
const flow = fc.constantFrom('', 'flow:established,to_server;', 'flow:to_client;', 'flow:not_established;', 'flow:stateless;');
const option = fc.constantFrom(
  'ttl:<100;',
  'flags:S;',
  'flowbits:isset,x;',
  'http.uri; content:"cmd";',
  'http.user_agent; content:"curl";',
  'log.message; content:"DPT=445";',
  'http.method; content:"GET";',
  'log.message; pcre:"/fail/i";',
  'app-layer-protocol:http;',
  'http.stat_code; content:"200";',
  'http.header; content:"curl";',
  'file_data; content:"x";',
);
const rule = fc.record({ h: header, flow, opts: fc.array(option, { maxLength: 3 }) });

describe('record plans', () => {
  it('settle verdicts from the shape alone', () => {
    const rs = rulesetOf(
      [
        'alert udp any any -> any 1434 (msg:"udp"; sid:1;)',
        'alert http any any -> any any (msg:"web"; http.uri; content:"x"; sid:2;)',
        'alert tcp any any -> any any (msg:"ttl"; ttl:<10; sid:3;)',
        'alert http 10.0.0.0/8 any -> any any (msg:"inside"; sid:4;)',
        'alert tcp any any -> any any (msg:"to client"; flow:to_client; sid:5;)',
      ].join('\n'),
    );
    const web: RecordShape = { known: FACT_APP_PROTO | FACT_ADDRS, ipVersion: 4, proto: 6, app: 'http', hasSrc: true, hasDst: false, hasSp: false, hasDp: false, serverPort: -1 };
    const fw: RecordShape = { known: FACT_APP_PROTO | FACT_ADDRS | FACT_IP_PROTO | FACT_TTL, ipVersion: 4, proto: 17, app: null, hasSrc: true, hasDst: true, hasSp: true, hasDp: true, serverPort: -1 };
    const [udp, http, ttl, inside, toClient] = rs.rules;
    expect(recordVerdict(udp!, web)).toBe(VERDICT_NEVER);
    expect(recordVerdict(http!, web)).toBe(VERDICT_HEADER_FREE);
    expect(recordVerdict(ttl!, web)).toBe(VERDICT_NEVER);
    expect(recordVerdict(inside!, web)).toBe(VERDICT_FULL);
    expect(recordVerdict(toClient!, web)).toBe(VERDICT_NEVER);
    expect(recordVerdict(udp!, fw)).toBe(VERDICT_FULL);
    expect(recordVerdict(ttl!, fw)).toBe(VERDICT_NEVER);
  });

  it('settle port tests from the server port a web log records on every line', () => {
    const rs = rulesetOf(
      [
        'alert tcp any any -> any 445 (msg:"smb, read from the line"; log.message; content:"DPT=445"; sid:1;)',
        'alert http any any -> any $HTTP_PORTS (msg:"web"; http.uri; content:"x"; sid:2;)',
        'alert http any any -> any [80,443] (msg:"either"; http.uri; content:"x"; sid:3;)',
      ].join('\n'),
    );
    // An IIS log: client address, server address and port (s-port), no client port.
    const iis = (serverPort: number): RecordShape => ({ known: FACT_APP_PROTO | FACT_ADDRS, ipVersion: 4, proto: 6, app: 'http', hasSrc: true, hasDst: true, hasSp: false, hasDp: true, serverPort });
    const [smb, web, either] = rs.rules;
    expect(recordVerdict(smb!, iis(80))).toBe(VERDICT_NEVER);
    expect(recordVerdict(web!, iis(80))).toBe(VERDICT_HEADER_FREE);
    expect(recordVerdict(web!, iis(443))).toBe(VERDICT_NEVER);
    expect(recordVerdict(either!, iis(443))).toBe(VERDICT_HEADER_FREE);
    // Ports that vary from line to line are tested per record.
    expect(recordVerdict(smb!, iis(-1))).toBe(VERDICT_FULL);
    expect(recordVerdict(web!, iis(-1))).toBe(VERDICT_FULL);
  });

  it('give the alerts and evaluation counts of evaluating every candidate in full', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rule, { minLength: 1, maxLength: 8 }), async (rules) => {
        const text = rules
          .map((r, i) => `alert ${r.h.proto} ${r.h.src} ${r.h.sp} ${r.h.dir} ${r.h.dst} ${r.h.dp} (msg:"r${i}"; ${r.flow} ${[...new Set(r.opts)].join(' ')} sid:${i + 1};)`)
          .join('\n');
        const planned = await scanAll(text, true);
        const full = await scanAll(text, false);
        expect(planned.alerts).toEqual(full.alerts);
        expect(planned.evaluated).toBe(full.evaluated);
      }),
      { numRuns: 60 },
    );
  });

  it('leave a record without a protocol to header rules of any protocol and to rules on its text', async () => {
    const rules = [
      'alert icmp any any -> any any (msg:"icmp"; sid:1;)',
      'alert udp any any -> any any (msg:"udp"; sid:2;)',
      'alert tcp any any -> any any (msg:"tcp"; sid:3;)',
      'alert ip any any -> any any (msg:"ip"; sid:4;)',
      'alert udp any any -> any any (msg:"text"; log.message; content:"run-parts"; sid:5;)',
    ].join('\n');
    for (const plans of [true, false]) {
      const cron = (await scanAll(rules, plans)).alerts.filter((a) => a.file === 'fw.log' && a.line === 4);
      expect(cron.map((a) => a.sid).sort()).toEqual([4, 5]);
    }
  });

  it('search one or two patterns as a prefilter over them finds them', () => {
    // Small alphabets so that patterns occur, partly, overlapping and at the edges.
    const bytes = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max }).map((a) => a.map((b) => [0x34, 0x35, 0x2f, 0x41, 0x61, 0x00][b % 6]!));
    const pattern = fc.record({ bytes: bytes(4), nocase: fc.boolean() });
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 3 }), fc.uint8Array({ maxLength: 64 }).map((a) => a.map((b) => [0x34, 0x35, 0x2f, 0x41, 0x61, 0x00, 0x20][b % 7]!)), (ps, buf) => {
        const patterns: PrefilterPattern[] = ps.map((p, i) => ({ id: i, bytes: p.bytes, nocase: p.nocase }));
        fc.pre(FewPatternScanner.fits(patterns));
        const want = new CandidateSet(8);
        Prefilter.build(patterns).scan(buf, want);
        const got = new CandidateSet(8);
        new FewPatternScanner(patterns).scan(buf, got);
        const ids = (c: CandidateSet) => [...c.ids.subarray(0, c.count)].sort();
        expect(ids(got)).toEqual(ids(want));
      }),
      { numRuns: 500 },
    );
  });
});

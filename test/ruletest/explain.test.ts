import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildInput } from '../../src/ruletest/build.js';
import { loadRules, occurs, type Inspected } from '../../src/ruletest/detect.js';
import { explainVerdict } from '../../src/ruletest/explain.js';
import { parseCaseText } from '../../src/ruletest/parse.js';
import { checkProperties } from '../../src/ruletest/properties.js';
import { runCase } from '../../src/ruletest/runner.js';
import { REPO_ROOT } from '../corpora.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const RULES = tmp.write(
  'rules/web.rules',
  [
    // Normalisation resolves the dot segments: "/../" is never in http.uri.
    'alert http any any -> any any (msg:"traversal, normalized"; http.uri.raw; content:"/.%2e/"; nocase; http.uri; content:"/../"; sid:9100001; rev:1;)',
    'alert http any any -> any any (msg:"traversal, raw"; http.uri.raw; content:"/.%2e/"; sid:9100002; rev:1;)',
    'alert http any any -> any any (msg:"passwd, not from curl"; http.uri; content:"/etc/passwd"; http.user_agent; content:!"curl"; sid:9100003; rev:1;)',
    'alert http any any -> any any (msg:"passwd at the start"; http.uri; content:"passwd"; depth:6; sid:9100004; rev:1;)',
    'alert smtp any any -> any any (msg:"mail from x"; smtp.mail_from; content:"x"; sid:9100005; rev:1;)',
    'alert tcp any any -> any 8080 (msg:"syn to 8080"; flags:S; sid:9100006; rev:1;)',
    'alert http any any -> any any (msg:"upper-case PASSWD"; http.uri; content:"PASSWD"; nocase; sid:9100007; rev:1;)',
    'alert http any any -> any any (msg:"shadow"; http.uri; content:"/etc/"; pcre:"/\\/etc\\/shadow/"; sid:9100008; rev:1;)',
    'alert http any any -> any any (msg:"not curl"; http.uri; content:"passwd"; http.user_agent; pcre:!"/^curl\\//i"; sid:9100009; rev:1;)',
    'alert http any any -> any 8080 (msg:"passwd on 8080"; http.uri; content:"passwd"; sid:9100011; rev:1;)',
    'alert http any any <> any 8080 (msg:"passwd on 8080 either way"; http.uri; content:"passwd"; sid:9100012; rev:1;)',
    'alert udp any any -> any 1434 (msg:"slammer, established"; flow:established; content:"|04|"; depth:1; sid:9100013; rev:1;)',
    'alert tcp any any -> any any (msg:"GET to the client"; flow:established,to_client; content:"GET"; sid:9100014; rev:1;)',
    'alert http any any -> any any (msg:"passwd, the second time"; http.uri; content:"passwd"; threshold:type threshold, track by_src, count 2, seconds 60; sid:9100015; rev:1;)',
    'alert http any any -> any any (msg:"marks passwd"; http.uri; content:"passwd"; flowbits:set,pw; flowbits:noalert; sid:9100016; rev:1;)',
    'alert http any any -> any any (msg:"nested"; http.uri; content:"aaaa"; pcre:"/^\\/(a+)+(?=b)/"; sid:9100010; rev:1;)',
  ].join('\n') + '\n',
);

const { detector, errors } = loadRules([RULES], []);

function caseOf(sids: string, expectation: 'positive' | 'negative', request: string) {
  const text = `=== c\nsid: ${sids}\nexpect: ${expectation}\n--- http request\n${request}\nHost: victim\nUser-Agent: curl/8.0\n`;
  const parsed = parseCaseText(text, join(tmp.dir, 'rules/tests/x.ktest'));
  expect(parsed.diagnostics).toEqual([]);
  return parsed.cases[0]!;
}

const TRAVERSAL = 'GET /cgi-bin/.%2e/.%2e/etc/passwd HTTP/1.1';

describe('explaining a verdict', () => {
  it('loads the rules', () => {
    expect(errors).toBe(0);
    expect(detector.rules.get(9100001)?.reads).toMatchObject({ buffers: ['http.uri.raw', 'http.uri'] });
  });

  it('shows the URI with its query as sent to a rule that spells a %-escape, as the engine reads it', async () => {
    const rules = tmp.write('rules/escape.rules', 'alert http any any -> any any (msg:"ping"; content:"/exec.jsp?command=cmd+%2Fc+ping"; http_uri; sid:9100021; rev:1;)\n');
    const { detector: d } = loadRules([rules], []);
    expect(d.rules.get(9100021)?.reads).toMatchObject({ buffers: ['http.uri.raw|query_as_sent'] });
    const parsed = parseCaseText('=== ping\nsid: 9100021\nexpect: positive\n--- http request\nGET /exec.jsp?command=cmd+%2Fc+dir HTTP/1.1\nHost: www\n', join(tmp.dir, 'rules/tests/ping.ktest'));
    const v = await runCase(parsed.cases[0]!, d);
    expect(v.why).toEqual([
      'sid 9100021 reads http.uri.raw|query_as_sent; the traffic gave:',
      '  http request 1  http.uri.raw|query_as_sent  /exec.jsp?command=cmd+%2Fc+dir',
      'content:"/exec.jsp?command=cmd+%2Fc+ping" is in no http.uri.raw|query_as_sent above',
    ]);
  });

  it('shows the HTTP inspection of a large body that came in hundreds of packets', async () => {
    const rules = tmp.write('rules/body.rules', 'alert http any any -> any any (msg:"zzz"; http.request_body; content:"ZZZ"; sid:9100020; rev:1;)\n');
    const { detector: d } = loadRules([rules], []);
    const parsed = parseCaseText('=== big\nsid: 9100020\nexpect: positive\n--- http request\nPOST /upload HTTP/1.1\nHost: www\n\n{{600000*A}}\n', join(tmp.dir, 'rules/tests/big.ktest'));
    const v = await runCase(parsed.cases[0]!, d);
    expect(v.why).toEqual(['sid 9100020 reads http.request_body; the traffic gave:', '  http request 1  http.request_body  {{600000*A}}', 'content:"ZZZ" is in no http.request_body above']);
  });

  it('shows the buffers the rule reads and names the content that is in none of them', async () => {
    const v = await runCase(caseOf('9100001', 'positive', TRAVERSAL), detector);
    expect(v.passed).toBe(false);
    expect(v.why).toEqual([
      'sid 9100001 reads http.uri.raw, http.uri; the traffic gave:',
      '  http request 1  http.uri.raw  /cgi-bin/.%2e/.%2e/etc/passwd',
      '  http request 1  http.uri      /etc/passwd',
      'content:"/../" is in no http.uri above',
    ]);
  });

  it('names a negated content that is present', async () => {
    const v = await runCase(caseOf('9100003', 'positive', TRAVERSAL), detector);
    expect(v.why?.at(-1)).toBe('content:!"curl" is present in the http.user_agent of http request 1');
  });

  it('says when every content is present, so what failed is a position or a condition', async () => {
    const v = await runCase(caseOf('9100004', 'positive', TRAVERSAL), detector);
    expect(v.why?.at(-1)).toMatch(/^each content and pcre occurs in its buffer: what failed is where \(offset, depth, distance, within, relative matches\), a byte test, another condition \(dsize, flags, \.\.\.\) or the flow$/);
  });

  it('says when the traffic never gave the buffers the rule reads', async () => {
    const v = await runCase(caseOf('9100005', 'positive', TRAVERSAL), detector);
    expect(v.why).toEqual([
      "sid 9100005 reads smtp.mail_from, which no inspection of this traffic had; it gave client packet, client stream, http request: check the rule's protocol, ports and flow against the case",
    ]);
  });

  it('says when the rule reads no buffer at all', async () => {
    const v = await runCase(caseOf('9100006', 'positive', TRAVERSAL), detector);
    expect(v.why).toEqual([
      'sid 9100006 reads no buffer: its header, flow or other conditions decided',
      "the rule's header (any any -> any 8080) fits none of the traffic, which went 198.51.100.7:1042 -> 192.168.1.10:80",
    ]);
  });

  it('says when the rule\'s ports fit none of the inspections that had its buffers', async () => {
    const v = await runCase(caseOf('9100011', 'positive', TRAVERSAL), detector);
    expect(v.why).toEqual([
      'sid 9100011 reads http.uri; the traffic gave:',
      '  http request 1  http.uri  /etc/passwd',
      "the rule's header (any any -> any 8080) fits none of the traffic, which went 198.51.100.7:1042 -> 192.168.1.10:80",
    ]);
    // With <> the reversed direction is tried too: a server port of 8080 would have fitted either way.
    const both = await runCase(caseOf('9100012', 'positive', TRAVERSAL), detector);
    expect(both.why?.at(-1)).toMatch(/^the rule's header \(any any <> any 8080\) fits none of the traffic/);
  });

  it('for a negative case that fired, says where each content was found', async () => {
    const v = await runCase(caseOf('9100002', 'negative', TRAVERSAL), detector);
    expect(v.passed).toBe(false);
    expect(v.why?.at(-1)).toBe('content:"/.%2e/" found in the http.uri.raw of http request 1');
  });

  it('explains nothing for a passing case or for sids that did as expected', async () => {
    const c = caseOf('9100002', 'positive', TRAVERSAL);
    const v = await runCase(c, detector);
    expect(v).toMatchObject({ passed: true });
    expect(v.why).toBeUndefined();
    expect(await explainVerdict(c, detector, v.alerts)).toEqual([]);
  });

  it('explains the failing variant of a property', async () => {
    const c = caseOf('9100002', 'positive', TRAVERSAL);
    const r = await checkProperties(c, detector, { seed: 7, runs: 100 });
    expect(r.failure).toBeDefined();
    const why = r.failure!.why!;
    expect(why[0]).toBe('sid 9100002 reads http.uri.raw; the traffic gave:');
    expect(why.at(-1)).toBe('content:"/.%2e/" is in no http.uri.raw above');
  });

  it('runs pcres on their buffers too, negated ones included', async () => {
    const shadow = await runCase(caseOf('9100008', 'positive', TRAVERSAL), detector);
    expect(shadow.why?.at(-1)).toBe('pcre:"/\\/etc\\/shadow/" matches no http.uri above');
    const curl = await runCase(caseOf('9100009', 'positive', TRAVERSAL), detector);
    expect(curl.why?.at(-1)).toBe('pcre:!"/^curl\\//i" matches the http.user_agent of http request 1');
  });

  it('says when a pcre search was cut off by the pcre limits', async () => {
    const v = await runCase(caseOf('9100010', 'positive', `GET /${'a'.repeat(5000)}! HTTP/1.1`), detector);
    expect(v.passed).toBe(false);
    expect(v.why?.at(-1)).toBe('pcre:"/^\\/(a+)+(?=b)/": its search in the http.uri above was cut off by the pcre limits (no match)');
  });

  it('says when the flow option fits none of the inspections', async () => {
    const udp = parseCaseText('=== c\nsid: 9100013\nexpect: positive\nserver: 192.168.1.30:1434\n--- udp\n\\x04{{40*A}}\n', join(tmp.dir, 'rules/tests/x.ktest'));
    expect(udp.diagnostics).toEqual([]);
    const v = await runCase(udp.cases[0]!, detector);
    expect(v.why?.at(-1)).toBe(
      'flow:established asks for an established flow, and none was when this was inspected: TCP is after its handshake, UDP once both sides have sent (a lone datagram never is)',
    );
    const get = await runCase(caseOf('9100014', 'positive', TRAVERSAL), detector);
    expect(get.why?.at(-1)).toBe('flow:established,to_client asks for data sent to the client, but all the data inspected went to the server');
  });

  it('explains a capture case by what its packets gave', async () => {
    const pcap = join(REPO_ROOT, 'samples', 'pcap', 'codered', 'codered1.pcap');
    const c = parseCaseText(`=== c\nsid: 9100002\nexpect: positive\npcap: ${pcap}\n`, join(tmp.dir, 'rules/tests/x.ktest')).cases[0]!;
    const v = await runCase(c, detector);
    expect(v.why?.[0]).toBe('sid 9100002 reads http.uri.raw; the traffic gave:');
    expect(v.why?.[1]).toMatch(/^ {2}http request 1, http response 1 {2}http\.uri\.raw {2}\/default\.ida\?\{\{224\*N\}\}%u9090/);
    expect(v.why?.at(-1)).toBe('content:"/.%2e/" is in no http.uri.raw above');
  });

  it('names a threshold that may have withheld the alert, and a noalert rule that never alerts', async () => {
    const v = await runCase(caseOf('9100015', 'positive', TRAVERSAL), detector);
    expect(v.why?.at(-1)).toBe(
      'threshold:type threshold, track by_src, count 2, seconds 60 may have withheld the alert: the rule can match and stay silent until its count is reached',
    );
    const quiet = await runCase(caseOf('9100016', 'positive', TRAVERSAL), detector);
    expect(quiet.problems).toEqual([
      `sid 9100016 (${RULES}:15) cannot fire: it has noalert (it sets flowbits for other rules, and never alerts itself)`,
    ]);
  });

  it('explains a log case by its records', async () => {
    const text = '=== c\nsid: 9100001\nexpect: positive\n--- log combined\n' +
      '192.0.2.7 - - [17/Mar/2003:09:00:00 +0000] "GET /cgi-bin/.%2e/.%2e/etc/passwd HTTP/1.1" 404 0 "-" "x"\n';
    const c = parseCaseText(text, join(tmp.dir, 'rules/tests/x.ktest')).cases[0]!;
    const v = await runCase(c, detector);
    expect(v.why).toEqual([
      'sid 9100001 reads http.uri.raw, http.uri; the traffic gave:',
      '  log line 1  http.uri.raw  /cgi-bin/.%2e/.%2e/etc/passwd',
      '  log line 1  http.uri      /etc/passwd',
      'content:"/../" is in no http.uri above',
    ]);
  });

  it('watching the inspections changes no alert', async () => {
    for (const sid of ['9100002', '9100007']) {
      const input = buildInput(caseOf(sid, 'positive', TRAVERSAL));
      const plain = await detector.detect(input);
      const into: Inspected[] = [];
      const watched = await detector.detect(input, { buffers: new Set(['http.uri', 'pkt_data']), into });
      expect(watched.map((a) => a.sid)).toEqual(plain.map((a) => a.sid));
      expect(plain.length).toBeGreaterThan(0);
      expect(into.map((i) => i.label)).toContain('http request 1');
    }
  });

  it('looks for contents with nocase folding letters only', () => {
    expect(occurs(Buffer.from('PASSWD'), true, Buffer.from('/etc/passwd'))).toBe(true);
    expect(occurs(Buffer.from('PASSWD'), false, Buffer.from('/etc/passwd'))).toBe(false);
    // 0x40 ('@') and 0x60 ('`') differ in the case bit too, but are no letters.
    expect(occurs(Buffer.from('@'), true, Buffer.from('`'))).toBe(false);
    expect(occurs(new Uint8Array(0), true, Buffer.from('x'))).toBe(true);
  });
});

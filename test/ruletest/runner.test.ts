import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/ruletest/detect.js';
import { parseCaseText } from '../../src/ruletest/parse.js';
import { checkProperties } from '../../src/ruletest/properties.js';
import { runCase } from '../../src/ruletest/runner.js';
import { runSuite } from '../../src/ruletest/suite.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const RULES = tmp.write(
  'rules/web.rules',
  [
    // The weak rule: a literal on the raw payload, as a hurried signature writer would write it.
    'alert tcp any any -> any 80 (msg:"WEAK cmd.exe in the raw payload"; flow:to_server,established; content:"cmd.exe"; sid:9000001; rev:1;)',
    'alert http any any -> any any (msg:"cmd.exe in the normalized URI"; http.uri; content:"/cmd.exe"; nocase; sid:9000002; rev:1;)',
    'alert udp any any -> any 1434 (msg:"0x04 request"; content:"|04|"; depth:1; sid:9000003; rev:1;)',
    'alert http any any -> any any (msg:"log uri"; http.uri; content:"/admin.dll"; nocase; sid:9000004; rev:1;)',
    'alert smtp any any -> any any (msg:"mail from 0xff"; smtp.mail_from; content:"|ff|"; sid:9000005; rev:1;)',
    '# alert tcp any any -> any any (msg:"off"; sid:9000006; rev:1;)',
  ].join('\n') + '\n',
);

const NIMDA = `target: iis
=== cmd.exe through the overlong traversal
sid: SID
expect: positive
--- http request
GET /scripts/..%c0%af../winnt/system32/cmd.exe?/c+dir HTTP/1.0
Host: www
--- http response
HTTP/1.1 404 Not Found
Content-Length: 0
`;

function cases(text: string) {
  const parsed = parseCaseText(text, join(tmp.dir, 'rules/tests/x.ktest'));
  expect(parsed.diagnostics).toEqual([]);
  return parsed.cases;
}

const { detector, errors } = loadRules([RULES], []);

describe('running cases', () => {
  it('loads the rules', () => {
    expect(errors).toBe(0);
    expect(detector.rules.get(9000001)?.msg).toBe('WEAK cmd.exe in the raw payload');
    expect(detector.rules.get(9000006)?.inactive).toBe('commented out');
  });

  it('passes positive and negative cases, and says what fired instead', async () => {
    const [pos] = cases(NIMDA.replace('SID', '9000001, 9000002'));
    expect(await runCase(pos!, detector)).toMatchObject({ passed: true, problems: [] });
    const [neg] = cases(NIMDA.replace('SID', '9000002').replace('positive', 'negative'));
    const v = await runCase(neg!, detector);
    expect(v.passed).toBe(false);
    expect(v.problems).toEqual(['sid 9000002 fired once']);
    expect(v.alerts.map((a) => a.sid).sort()).toEqual([9000001, 9000002]);
  });

  it('counts alerts, checks datagrams and log lines', async () => {
    const [udp, log, mail] = cases(`=== two probes
sid: 9000003
expect: positive
count: 2
server: 10.0.0.2:1434
--- udp hex
04 01
--- udp hex frag=8 fragorder=1,0
04 {{40*01}}

=== IIS log
sid: 9000004
expect: positive
--- log iis
#Fields: date time c-ip cs-method cs-uri-stem cs-uri-query sc-status
2003-03-17 10:00:00 203.0.113.66 GET /Admin.dll - 404

=== envelope
sid: 9000005
expect: positive
--- smtp
helo x
mail from:<\\xff@example.net>
quit
`);
    expect((await runCase(udp!, detector)).problems).toEqual([]);
    expect((await runCase({ ...udp!, count: 3 }, detector)).problems).toEqual(['sid 9000003 fired 2 times, not 3 times']);
    expect((await runCase(log!, detector)).problems).toEqual([]);
    expect((await runCase(mail!, detector)).problems).toEqual([]);
  });

  it('fails cases naming sids the rules lack or cannot fire, and cases that cannot be built', async () => {
    const [c] = cases(NIMDA.replace('SID', '9000099'));
    expect((await runCase(c!, detector)).problems).toEqual(['sid 9000099 is not in the rules']);
    const [off] = cases(NIMDA.replace('SID', '9000006'));
    expect((await runCase(off!, detector)).problems[0]).toMatch(/^sid 9000006 \(.*web\.rules:6\) cannot fire: commented out$/);
    const [bad] = cases('=== bad order\nsid: 9000001\nexpect: positive\nserver: 10.0.0.2:80\n--- tcp client order=1,0\nabc\n');
    expect((await runCase(bad!, detector)).problems[0]).toMatch(/x\.ktest:5: order= must list each of the 1 pieces/);
  });

  it('tests the loaded rule of a sid that a rejected duplicate or a commented-out copy repeats', async () => {
    const a = tmp.write('dup/a.rules', 'alert http any any -> any any (msg:"loaded"; http.uri; content:"/cmd.exe"; nocase; sid:9000101; rev:1;)\n');
    const b = tmp.write('dup/b.rules', 'alert http any any -> any any (msg:"duplicate"; http.uri; content:"/other"; sid:9000101; rev:1;)\n# alert http any any -> any any (msg:"copy"; sid:9000101; rev:1;)\n');
    const { detector: d } = loadRules([a, b], []);
    const [c] = cases(NIMDA.replace('SID', '9000101'));
    expect((await runCase(c!, d)).problems).toEqual([]);
  });
});

describe('properties', () => {
  it('catch the weak rule: a shrunk counterexample where IIS reads the same request', async () => {
    const [weak] = cases(NIMDA.replace('SID', '9000001'));
    const r = await checkProperties(weak!, detector, { seed: 10, runs: 100 });
    expect(r.failure).toBeDefined();
    const f = r.failure!;
    expect(f.problems).toEqual(['sid 9000001 did not fire']);
    // Shrunk to one change of the path: an escaped or re-cased character of "cmd.exe".
    const uriChanges = f.changes.filter((c) => c.startsWith('request URI:'));
    expect(uriChanges).toHaveLength(1);
    expect(uriChanges[0]).toMatch(/^request URI: (1 character encoded \([cmdexe.] as [^,]+\)|case of 1 letter in path names changed)$/);
    expect(f.changes.filter((c) => !c.startsWith('request URI'))).toEqual([]);
    // The normalized rule is not fooled: the same request still raises it.
    expect(f.alerts.map((a) => a.sid)).toContain(9000002);
  });

  it('hold for a rule on the normalized URI, and for a negative case under benign rewritings', async () => {
    const [good] = cases(NIMDA.replace('SID', '9000002'));
    const r = await checkProperties(good!, detector, { seed: 10, runs: 100 });
    expect(r).toMatchObject({ variants: 100 });
    expect(r.failure).toBeUndefined();
    const [neg] = cases('=== page\nsid: 9000001, 9000002\nexpect: negative\n--- http request\nGET /index.html HTTP/1.1\nHost: www\nAccept: */*\n');
    expect((await checkProperties(neg!, detector, { seed: 3, runs: 100 })).failure).toBeUndefined();
  });

  it('are reproducible from the seed', async () => {
    const [weak] = cases(NIMDA.replace('SID', '9000001'));
    const a = await checkProperties(weak!, detector, { seed: 77, runs: 50 });
    const b = await checkProperties(weak!, detector, { seed: 77, runs: 50 });
    expect(b.failure?.changes).toEqual(a.failure?.changes);
    expect(b.variants).toBe(a.variants);
  });

  it('write the counterexample as a case that replays the failure', async () => {
    tmp.write('rules/tests/weak.ktest', NIMDA.replace('SID', '9000001'));
    const out = join(tmp.dir, 'found');
    const report = await runSuite({ paths: [join(tmp.dir, 'rules/tests/weak.ktest')], properties: true, seed: 10, runs: 100, outDir: out });
    const r = report.cases[0]!;
    expect(r.status).toBe('fail');
    expect(r.counterexampleFile).toBeDefined();
    expect(existsSync(r.counterexampleFile!)).toBe(true);
    const text = readFileSync(r.counterexampleFile!, 'utf8');
    expect(text).toMatch(/^# Counterexample found by: kanshi test --properties --seed 10 /);
    expect(text).toContain('expect: positive');
    // Replayed as a plain case (rules found above its tests/ directory through -r), it fails the same way.
    const replay = await runSuite({ paths: [r.counterexampleFile!], rules: [RULES] });
    expect(replay.cases[0]!.verdict.problems).toEqual(['sid 9000001 did not fire']);
  });
});

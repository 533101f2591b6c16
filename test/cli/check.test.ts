import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'kanshi-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

async function run(args: string[], tty = false) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY: tty } });
  const lines = out.trimEnd().split('\n');
  return { code, out, err, last: lines[lines.length - 1] };
}

const good = write('good/a.rules', 'alert tcp any any -> any 80 (msg:"one"; sid:1;)\n# alert tcp any any -> any any (msg:"off"; sid:2;)\nalert modbus any any -> any any (msg:"modbus"; lua:check.lua; content:"x"; sid:3;)\n');
write('good/nested/deeper/b.rules', 'alert udp any any -> any 53 (msg:"two"; sid:4;)\n');
write('good/notes.txt', 'not a rules file (\n');
const bad = write('bad.rules', 'alert tcp any any -> any 70000 (msg:"x"; sid:10;)\nalert tcp any any -> any any (msg:"y"; sid:11;)\n');

describe('kanshi (dispatcher)', () => {
  it('prints usage and exits 2 without a command, 0 for --help', async () => {
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('usage: kanshi COMMAND');
    expect(none.err).toContain('check');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: kanshi COMMAND');
  });

  it('rejects an unknown command with exit 2', async () => {
    const r = await run(['chek']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'chek'");
  });
});

describe('kanshi check', () => {
  it('exits 0 and ends with the summary line when there are no errors', async () => {
    const r = await run(['check', good]);
    expect(r.code).toBe(0);
    expect(r.last).toBe('rules: 1 loaded, 1 disabled, 1 skipped, 0 errors');
    expect(r.err).toContain("warning: rule skipped: kanshi does not evaluate protocol modbus, 'lua' yet");
  });

  it('searches directories recursively for *.rules only', async () => {
    const r = await run(['check', join(dir, 'good')]);
    expect(r.code).toBe(0);
    expect(r.last).toBe('rules: 2 loaded, 1 disabled, 1 skipped, 0 errors');
  });

  it('exits 1 with path:line:col diagnostics on stderr when there are errors', async () => {
    const r = await run(['check', bad]);
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toEqual([`${bad}:1:26: error: port 70000 out of range: ports are 0 to 65535`]);
    expect(r.last).toBe('rules: 1 loaded, 0 disabled, 0 skipped, 1 errors');
  });

  it('warns at a flowbit that rules check and no loaded rule sets (a misspelt name), as Suricata does', async () => {
    const f = write(
      'fb.rules',
      [
        'alert tcp any any -> any any (msg:"s"; content:"a"; flowbits:set,file.realplayer.playlist; flowbits:noalert; sid:1;)',
        'alert tcp any any -> any any (msg:"c"; content:"b"; flowbits:isset,file.realplayer.playist; sid:2;)',
        'alert tcp any any -> any any (msg:"ok"; content:"b"; flowbits:isset,file.realplayer.playlist; sid:3;)',
      ].join('\n') + '\n',
    );
    const r = await run(['check', f]);
    expect(r.code).toBe(0);
    expect(r.err.trimEnd().split('\n')).toEqual([`${f}:2:62: warning: flowbit 'file.realplayer.playist' is checked but no loaded rule sets it: check the spelling, or load the rules that set it`]);
  });

  it('names the set flowbit that a checked one differs from only in case', async () => {
    const f = write(
      'fbcase.rules',
      [
        'alert tcp any any -> any 80 (msg:"s"; content:"a"; flowbits:set,cve.stage1; flowbits:noalert; sid:1;)',
        'alert tcp any any -> any 80 (msg:"c"; content:"a"; flowbits:isset,CVE.stage1; sid:2;)',
      ].join('\n') + '\n',
    );
    const r = await run(['check', f]);
    expect(r.err.trimEnd().split('\n')).toEqual([
      `${f}:2:61: warning: flowbit 'CVE.stage1' is checked but no loaded rule sets it: did you mean 'cve.stage1'? (flowbit names are case-sensitive)`,
    ]);
  });

  it('warns at rules whose parts contradict each other, which Suricata refuses and which never match', async () => {
    const f = write(
      'never.rules',
      [
        'alert http any any -> any any (msg:"a"; flow:established,to_server; content:"200"; http_stat_code; sid:1;)',
        'alert udp any any -> any any (msg:"b"; content:"/x"; http_uri; sid:2;)',
        'alert dns any any -> any any (msg:"c"; http.uri; content:"/x"; sid:3;)',
        'alert http any any -> any any (msg:"fine"; flow:established,to_client; content:"200"; http_stat_code; http.uri; content:"/x"; sid:4;)',
        'alert http any any -> any any (msg:"e"; flow:established,to_client; http.request_body; content:"cmd="; sid:5;)',
        'alert http any any -> any any (msg:"f"; flow:from_server; content:"GET"; http_method; sid:6;)',
      ].join('\n') + '\n',
    );
    const r = await run(['check', f]);
    expect(r.code).toBe(0);
    // At the flow direction as written, or at the header's protocol.
    expect(r.err.trimEnd().split('\n')).toEqual([
      `${f}:1:58: warning: http.stat_code is in the response, but flow:to_server inspects requests only: the rule can never match; use flow:to_client, or a request buffer`,
      `${f}:2:7: warning: http.uri is a buffer of http, which runs over TCP, but the rule is alert udp: the rule can never match; write alert http or alert tcp`,
      `${f}:3:7: warning: http.uri is a buffer of http, but the rule is alert dns: the rule can never match; write alert http (or tcp)`,
      `${f}:5:58: warning: http.request_body is in the request, but flow:to_client inspects responses only: Suricata refuses the rule (its keywords have conflicting directions); use flow:to_server, or a response buffer`,
      `${f}:6:46: warning: http.method is in the request, but flow:to_client inspects responses only: Suricata refuses the rule (its keywords have conflicting directions); use flow:to_server, or a response buffer`,
    ]);
  });

  it('shows the source line and a caret on a terminal', async () => {
    const r = await run(['check', bad], true);
    expect(r.err.split('\n').slice(0, 3)).toEqual([
      `${bad}:1:26: error: port 70000 out of range: ports are 0 to 65535`,
      '  alert tcp any any -> any 70000 (msg:"x"; sid:10;)',
      '                           ^~~~~',
    ]);
  });

  it('prints one JSON object with --json', async () => {
    const r = await run(['check', '--json', good, bad]);
    expect(r.code).toBe(1);
    expect(r.out.trimEnd().split('\n')).toHaveLength(1);
    const json = JSON.parse(r.out) as { diagnostics: Array<{ file: string; line: number; col: number; severity: string; message: string }> };
    expect({ ...json, diagnostics: undefined }).toEqual({ loaded: 2, disabled: 1, skipped: 1, errors: 1, warnings: 1, unsupported: { 'protocol modbus': 1, lua: 1 }, policies: 0, diagnostics: undefined });
    // The same problems as on stderr, one object each.
    expect(json.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`)).toEqual(r.err.trimEnd().split('\n'));
    expect(json.diagnostics.map((d) => d.severity).sort()).toEqual(['error', 'warning']);
  });

  it('applies --var, in both spellings, over the defaults', async () => {
    const p = write('vars.rules', 'alert tcp $DMZ any -> $HOME_NET $WEB (msg:"x"; sid:1;)\n');
    expect((await run(['check', p])).code).toBe(1);
    const r = await run(['check', '--var', 'DMZ=10.0.0.0/8', '--var=WEB=[80,443]', '--var', 'HOME_NET=192.0.2.0/24', p]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('treats bad arguments as usage errors (exit 2)', async () => {
    for (const args of [['check'], ['check', '--frobnicate', good], ['check', '--var', 'HOME_NET', good], ['check', '--var', 'HOME_NET=10.0.0.0/40', good], ['check', '--var']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(/^kanshi check: /);
    }
    expect((await run(['check', '--var', 'HOME_NET=10.0.0.0/40', good])).err).toContain("bad CIDR '10.0.0.0/40'");
  });

  it('reports a path it cannot read, or a directory with nothing to check, as an error (exit 1), and checks the rest', async () => {
    const missing = join(dir, 'missing.rules');
    const r = await run(['check', missing, good]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${missing}:1:1: error: cannot read rules file: no such file`);
    expect(r.out).toContain('rules: 1 loaded, 1 disabled, 1 skipped, 1 errors');
    const emptyDir = join(dir, 'empty-dir');
    mkdirSync(emptyDir, { recursive: true });
    const e = await run(['check', emptyDir]);
    expect(e.code).toBe(1);
    expect(e.err).toContain(`kanshi check: error: no policy or rules files under '${emptyDir}': nothing was checked there`);
  });
});

describe('kanshi check --perf', () => {
  const rules = write(
    'perf.rules',
    [
      'alert tcp any any -> any 80 (msg:"no pattern"; pcre:"/a.*b/"; sid:20;)',
      'alert tcp any any -> any any (msg:"short"; content:"|0d 0a|"; sid:21;)',
      // One service's port: a request type byte is the natural screen there.
      'alert udp any any -> any 1434 (msg:"type byte"; content:"|04|"; depth:1; sid:26;)',
      'alert http any any -> any any (msg:"short pcre literals"; http.uri; pcre:"/(?:ab|cd)/"; sid:22;)',
      'alert tcp any any -> any 80 (msg:"good"; content:"/cmd.exe"; sid:23;)',
      'alert tcp any any -> any 80 (msg:"header only"; flags:S; sid:24;)',
      '# alert tcp any any -> any 80 (msg:"disabled"; content:"a"; sid:25;)',
    ].join('\n') + '\n',
  );

  it('warns of rules the prefilter screens poorly, at the rule or its content, only when asked', async () => {
    const r = await run(['check', '--perf', rules]);
    expect(r.code).toBe(0);
    expect(r.err.trimEnd().split('\n')).toEqual([
      `${rules}:1:1: warning: no fast pattern: the prefilter cannot screen this rule, so its payload options run on every inspection its header lets through; add a content the attack always contains, or a pcre literal it requires`,
      `${rules}:2:44: warning: fast pattern in pkt_data: "|0D 0A|" is 2 bytes long, so most traffic holds it and the prefilter lets this rule through nearly always; mark a longer, rarer content with fast_pattern`,
      `${rules}:4:1: warning: fast pattern in http.uri: the pcre's 2 literals include one of 2 bytes, so most traffic holds one and the prefilter lets this rule through nearly always; add a longer content the attack always contains`,
    ]);
    expect(r.out).toContain('poorly screened: 3 rules (warnings above)\n');
    expect(JSON.parse((await run(['check', '--perf', '--json', rules])).out)).toMatchObject({ perf: 3, errors: 0 });
    const plain = await run(['check', rules]);
    expect(plain.err).toBe('');
    expect(plain.out).not.toContain('poorly screened');
  });
});

describe('a classification.config beside the rules', () => {
  const rules = write('site/local.rules', 'alert http any any -> any any (msg:"site class"; http.uri; content:"/x"; classtype:site-webshell; sid:900001;)\n');
  write(
    'site/classification.config',
    '# site classes\nconfig classification: site-webshell,Web shell upload, seen here,1\nconfig classification: broken line\nconfig classification: site-other,Other,high\n',
  );

  it('defines classes a classtype may name, and reports its malformed lines at their position', async () => {
    const r = await run(['check', join(dir, 'site')]);
    expect(r.code).toBe(0);
    const cfg = join(dir, 'site', 'classification.config');
    expect(r.err.trimEnd().split('\n')).toEqual([
      `${cfg}:3:1: warning: not a classification: write config classification: name,description,priority (e.g. config classification: web-application-attack,Web Application Attack,1)`,
      `${cfg}:4:41: warning: priority "high" of site-other is not a number from 1 (most severe) up`,
    ]);
    // Checked without it, the class is unknown.
    const alone = write('elsewhere/local.rules', 'alert tcp any any -> any 80 (msg:"site class"; content:"x"; classtype:site-webshell; sid:900001;)\n');
    expect((await run(['check', alone])).err).toContain('unknown classtype "site-webshell"');
  });

  it('gives scan alerts of those classes their description and priority', async () => {
    const log = write('site/access.log', '10.0.0.1 - - [10/Mar/2003:10:00:00 +0000] "GET /x HTTP/1.0" 200 1 "-" "curl"\n');
    let out = '';
    const code = await main(['scan', '--no-correlate', '-r', rules, '--format', 'eve', log], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined } });
    expect(code).toBe(0);
    const alert = out.split('\n').filter((l) => l.includes('"event_type":"alert"')).map((l) => JSON.parse(l) as { alert: { category: string; severity: number } })[0]!;
    expect(alert.alert).toMatchObject({ category: 'Web shell upload, seen here', severity: 1 });
  });
});

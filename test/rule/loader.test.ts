import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRules, RuleLoader, VariableTable, locate, type Rule } from '../../src/rule/index.js';
import { DiagnosticCollector } from '../../src/rule/diagnostics.js';
import { ip4 } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kanshi-loader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

function load(path: string, vars = VariableTable.withDefaults(), fixed?: Set<string>) {
  const collector = new DiagnosticCollector();
  const loader = new RuleLoader({ vars, collector, ...(fixed ? { fixedVars: fixed } : {}) });
  loader.loadFile(path);
  return { loader, diags: collector.list.map((d) => `${d.file.slice(dir.length + 1)}:${d.line}:${d.col}: ${d.severity}: ${d.message}`) };
}

describe('byte order mark', () => {
  it('a rules file saved with a UTF-8 byte order mark loads its first rule, positions as the editor shows them', () => {
    const p = write('bom.rules', '\ufeffalert tcp any any -> any 80 (msg:"first"; content:"a"; sid:1;)\nalert tcp any any -> any 80 (msg:"second"; depth:2; sid:2;)\n');
    const { loader, diags } = load(p);
    expect(loader.rules.map((r) => [r.status, r.loc.line, r.loc.col])).toEqual([['loaded', 1, 1], ['invalid', 2, 1]]);
    expect(diags).toEqual([
      'bom.rules:1:1: warning: the file begins with a UTF-8 byte order mark, which Suricata 7 reads as part of line 1 (a rule there fails to load): save the file as UTF-8 without BOM',
      'bom.rules:2:44: error: depth must follow a content option; write content:"..."; depth:2;',
    ]);
    expect(load(write('nobom.rules', 'alert tcp any any -> any 80 (msg:"first"; content:"a"; sid:1;)\n')).diags).toEqual([]);
  });
});

describe('comments and disabled rules', () => {
  it('parses commented-out rules as disabled rules, whatever the number of #', () => {
    const r = parseRules(['# alert tcp any any -> any any (msg:"a"; sid:1;)', '#alert tcp any any -> any any (msg:"b"; sid:2;)', '## alert udp any any -> any any (msg:"c"; sid:3;)', '   # drop ip any any -> any any (msg:"d"; sid:4;)'].join('\n'));
    expect(r.diagnostics).toEqual([]);
    expect(r.counts).toEqual({ loaded: 0, disabled: 4, skipped: 0, invalid: 0 });
    expect(r.rules.map((x) => [x.enabled, x.action, x.protocol, x.body?.meta.sid])).toEqual([
      [false, 'alert', 'tcp', 1],
      [false, 'alert', 'tcp', 2],
      [false, 'alert', 'udp', 3],
      [false, 'drop', 'ip', 4],
    ]);
    expect(r.rules[0]!.loc).toEqual({ file: '<text>', line: 1, col: 3 });
  });

  it('treats comments that do not parse as rules as plain comments, silently', () => {
    const r = parseRules(['# alert on anything suspicious', '#', '# alert tcp any any -> (broken', '#########', '', '   ', ' # drop this idea'].join('\n'));
    expect(r.diagnostics).toEqual([]);
    expect(r.rules).toEqual([]);
  });

  it('reads a disabled rule with the variables as they stood at its line, whenever it is first used', () => {
    const r = parseRules(
      [
        'ipvar NET 10.0.0.0/8',
        '# alert tcp $NET any -> any $P (msg:"a"; content:"x"; depth:4; sid:1;)',
        'ipvar NET 192.168.0.0/16',
        'portvar P 8080',
        '# alert tcp $NET any -> any any (msg:"b"; sid:2;)',
      ].join('\n'),
    );
    expect(r.diagnostics).toEqual([]);
    const [first, second] = r.rules;
    // $P was not defined yet at the first rule: its header stays unreadable, quietly.
    expect(first!.header).toBeUndefined();
    expect(first!.status).toBe('disabled');
    expect(second!.header!.src.contains(ip4('192.168.1.1'))).toBe(true);
    expect(second!.header!.src.contains(ip4('10.0.0.1'))).toBe(false);
    const sameAsEnabled = parseRules('ipvar NET 10.0.0.0/8\nalert tcp $NET any -> any 80 (msg:"a"; content:"x"; depth:4; sid:1;)').rules[0]!;
    const lazily = parseRules('ipvar NET 10.0.0.0/8\n# alert tcp $NET any -> any 80 (msg:"a"; content:"x"; depth:4; sid:1;)\nipvar NET 1.2.3.4').rules[0]!;
    expect(lazily.header!.src.contains(ip4('10.1.2.3'))).toBe(true);
    expect(lazily.options.map((o) => [o.keyword, o.raw, o.offset - lazily.options[0]!.offset, o.value])).toEqual(
      sameAsEnabled.options.map((o) => [o.keyword, o.raw, o.offset - sameAsEnabled.options[0]!.offset, o.value]),
    );
    const model = (r: Rule): string => JSON.stringify(r.body, (k, v: unknown) => (k === 'option' ? undefined : v));
    expect(model(lazily)).toBe(model(sameAsEnabled));
    expect(lazily.body!.detection.payload).toHaveLength(1);
    expect(lazily.loc).toEqual({ file: '<text>', line: 2, col: 3 });
  });

  it('keeps what is written to a disabled rule', () => {
    const rule = parseRules('# alert tcp any any -> any any (msg:"a"; sid:1;)').rules[0]!;
    rule.status = 'invalid';
    rule.unsupported = ['x'];
    expect([rule.status, rule.unsupported, rule.enabled]).toEqual(['invalid', ['x'], false]);
  });

  it('does not count a disabled rule towards duplicate sids', () => {
    const r = parseRules('# alert tcp any any -> any any (msg:"a"; sid:1;)\nalert tcp any any -> any any (msg:"b"; sid:1;)');
    expect(r.diagnostics).toEqual([]);
    expect(r.counts).toEqual({ loaded: 1, disabled: 1, skipped: 0, invalid: 0 });
  });
});

describe('logical lines', () => {
  it('joins lines ending with a backslash and reports positions on the physical lines', () => {
    const text = 'alert tcp any any -> any any ( \\\n    msg:"multi"; \\\n    sid:70000; port:1; )';
    const r = parseRules(text, { file: 'm.rules' });
    expect(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`)).toEqual(["3:16: unknown keyword 'port': check the spelling, or remove the option"]);
    expect(r.diagnostics[0]!.sourceLine).toBe('    sid:70000; port:1; )');
    const good = parseRules('alert tcp any any -> any any ( \\\n  msg:"multi"; \\\n  sid:5; )');
    expect(good.counts.loaded).toBe(1);
    expect(good.rules[0]!.options.map((o) => o.keyword)).toEqual(['msg', 'sid']);
    expect(locate(good.rules[0]!, good.rules[0]!.options[1]!.offset)).toEqual({ file: '<text>', line: 3, col: 3 });
  });

  it('accepts CRLF line ends', () => {
    const r = parseRules('alert tcp any any -> any any (msg:"a"; sid:1;)\r\nalert tcp any any -> any any (msg:"b"; sid:2;)\r\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.counts.loaded).toBe(2);
  });
});

describe('variables', () => {
  it('applies var/ipvar/portvar lines to the rules after them', () => {
    const r = parseRules(['ipvar HOME_NET [10.0.0.0/8, 192.168.0.0/16]', 'portvar WEB [80,8080]', 'var DMZ 172.16.0.0/12', 'alert tcp $DMZ any -> $HOME_NET $WEB (msg:"x"; sid:1;)'].join('\n'));
    expect(r.diagnostics).toEqual([]);
    const h = r.rules[0]!.header!;
    expect(h.dst.contains(ip4('192.168.1.1'))).toBe(true);
    expect(h.dst.contains(ip4('8.8.8.8'))).toBe(false);
    expect(h.dstPort.contains(8080)).toBe(true);
    expect(h.dstPort.contains(443)).toBe(false);
    expect(h.src.contains(ip4('172.20.0.1'))).toBe(true);
  });

  it('reports a bad value on the var line itself', () => {
    expect(parseRules('portvar WEB [80,99999]', { file: 'v.rules' }).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`)).toEqual([
      '1:17: port 99999 out of range: ports are 0 to 65535',
    ]);
    expect(parseRules('ipvar 1BAD any').diagnostics[0]!.message).toBe("'1BAD' is not a variable name: use letters, digits and '_', starting with a letter");
  });

  it('lets command-line variables win over var lines', () => {
    const p = write('vars.rules', 'ipvar HOME_NET 10.0.0.0/8\nalert tcp any any -> $HOME_NET any (msg:"x"; sid:1;)\n');
    const vars = VariableTable.withDefaults();
    vars.set('HOME_NET', '192.0.2.0/24', 'ip');
    const { loader } = load(p, vars, new Set(['HOME_NET']));
    expect(loader.rules[0]!.header!.dst.contains(ip4('192.0.2.9'))).toBe(true);
    expect(loader.rules[0]!.header!.dst.contains(ip4('10.0.0.1'))).toBe(false);
  });

  it('defines every variable the ET Open and Snort community rules use', () => {
    const v = VariableTable.withDefaults();
    for (const name of ['HOME_NET', 'EXTERNAL_NET', 'HTTP_SERVERS', 'SMTP_SERVERS', 'SQL_SERVERS', 'DNS_SERVERS', 'TELNET_SERVERS', 'AIM_SERVERS', 'DNP3_SERVER', 'DNP3_CLIENT', 'MODBUS_CLIENT', 'MODBUS_SERVER', 'ENIP_CLIENT', 'ENIP_SERVER', 'SIP_SERVERS', 'HTTP_PORTS', 'SHELLCODE_PORTS', 'ORACLE_PORTS', 'SSH_PORTS', 'DNP3_PORTS', 'MODBUS_PORTS', 'FILE_DATA_PORTS', 'FTP_PORTS', 'GENEVE_PORTS', 'VXLAN_PORTS', 'TEREDO_PORTS', 'SIP_PORTS']) {
      expect(v.get(name), name).toBeDefined();
    }
    expect(v.get('HOME_NET')).toBe('any');
    expect(v.get('EXTERNAL_NET')).toBe('any');
  });
});

describe('includes', () => {
  it('includes files relative to the including file, with variables in the path', () => {
    write('inc/sub/child.rules', 'alert tcp any any -> any any (msg:"child"; sid:2;)\n');
    write('inc/sub/grand.rules', 'alert tcp any any -> any any (msg:"grand"; sid:3;)\n');
    write('inc/sub/middle.rules', 'include child.rules\n');
    const top = write('inc/top.rules', 'var SUBDIR sub\nalert tcp any any -> any any (msg:"top"; sid:1;)\ninclude sub/middle.rules\ninclude $SUBDIR/grand.rules\n');
    const { loader, diags } = load(top);
    expect(diags).toEqual([]);
    expect(loader.rules.map((r) => r.body?.meta.msg)).toEqual(['top', 'child', 'grand']);
  });

  it('detects include cycles and reports where', () => {
    write('cyc/a.rules', 'include b.rules\nalert tcp any any -> any any (msg:"a"; sid:1;)\n');
    write('cyc/b.rules', 'alert tcp any any -> any any (msg:"b"; sid:2;)\ninclude a.rules\n');
    const { loader, diags } = load(join(dir, 'cyc/a.rules'));
    expect(diags).toEqual(['cyc/b.rules:2:9: error: include cycle: a.rules -> b.rules -> a.rules; remove one of these includes']);
    expect(loader.counts().loaded).toBe(2);
  });

  it('reports a missing include and carries on', () => {
    const p = write('miss/top.rules', 'include nowhere.rules\nalert tcp any any -> any any (msg:"x"; sid:1;)\n');
    const { loader, diags } = load(p);
    expect(diags).toEqual(["miss/top.rules:1:9: error: cannot include 'nowhere.rules': no such file"]);
    expect(loader.counts().loaded).toBe(1);
  });

  it('loads a file once when it is both included and named (a checked directory)', () => {
    const child = write('both/local.rules', 'alert tcp any any -> any any (msg:"local"; sid:1000601;)\n');
    const top = write('both/all.rules', 'include local.rules\n');
    const { loader, diags } = load(top);
    loader.loadFile(join(dir, 'both', '.', 'local.rules'));
    loader.loadFile(child);
    expect(diags).toEqual([]);
    expect(loader.collector.list).toEqual([]);
    expect(loader.counts().loaded).toBe(1);
  });

  it('keeps the newer revision of a duplicated sid, with a warning, as Suricata does', () => {
    const p = write('rev/update.rules', [
      'alert tcp any any -> any 80 (msg:"old"; content:"a"; sid:1000804; rev:1;)',
      'alert tcp any any -> any 80 (msg:"new"; content:"b"; sid:1000804; rev:2;)',
      'alert tcp any any -> any 80 (msg:"older"; content:"c"; sid:1000804; rev:1;)',
    ].join('\n'));
    const { loader, diags } = load(p);
    expect(diags).toEqual([
      `rev/update.rules:2:58: warning: sid 1000804 rev 2 replaces rev 1 at ${p}:1:1: the newer revision is kept`,
      `rev/update.rules:3:60: error: duplicate sid 1000804: already used by the rule at ${p}:2:1; give this rule another sid, or a rev above 2 to replace that rule`,
    ]);
    expect(loader.rules.map((r) => [r.body?.meta.msg, r.status])).toEqual([['new', 'loaded'], ['older', 'invalid']]);
  });

  it('counts a rule line too broken to parse as an invalid rule', () => {
    const p = write('broken/r.rules', 'alert tcp any any -> any 80 (msg:"x"; sid:1; rev:1)\nalert tcp any any -> any 80 (msg:"y"; sid:2;)\n');
    const { loader, diags } = load(p);
    expect(diags).toHaveLength(1);
    expect(loader.counts()).toEqual({ loaded: 1, disabled: 0, skipped: 0, invalid: 1 });
  });

  it('reports no sid clash with a file written in Snort 3 syntax, none of whose rules load', () => {
    const s2 = write('s3dup/a.rules', 'alert tcp any any -> any any (msg:"two"; content:"a"; sid:5;)\n');
    // Three rules in Snort 3 syntax, and one that reads as Snort 2 but shares sid 5.
    const s3 = write(
      's3dup/b.rules',
      [...Array.from({ length: 3 }, (_, i) => `alert tcp any any -> any any (msg:"x"; content:"a",nocase; sid:${i + 6};)`), 'alert tcp any any -> any any (msg:"y"; content:"b"; sid:5;)'].join('\n') + '\n',
    );
    const { loader, diags } = load(s2);
    loader.loadFile(s3);
    const all = loader.collector.list.map((d) => d.message);
    expect(diags).toEqual([]);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatch(/^this file is written in Snort 3 rule syntax/);
  });

  it('reports duplicate sids across included files', () => {
    write('dup/other.rules', 'alert tcp any any -> any any (msg:"b"; sid:7;)\n');
    const p = write('dup/top.rules', 'alert tcp any any -> any any (msg:"a"; sid:7;)\ninclude other.rules\n');
    const { diags } = load(p);
    expect(diags).toEqual([`dup/other.rules:1:44: error: duplicate sid 7: already used by the rule at ${join(dir, 'dup/top.rules')}:1:1; give this rule another sid`]);
  });
});

describe('skipped rules', () => {
  it('skips a rule whose protocol or keyword is not evaluated yet, naming it', () => {
    const r = parseRules('alert modbus any any -> any any (msg:"x"; lua:check.lua; content:"evil"; sid:1;)', { file: 's.rules' });
    expect(r.counts).toEqual({ loaded: 0, disabled: 0, skipped: 1, invalid: 0 });
    expect(r.rules[0]!.unsupported).toEqual(['protocol modbus', 'lua']);
    expect(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`)).toEqual(["1:7: warning: rule skipped: kanshi does not evaluate protocol modbus, 'lua' yet"]);
  });

  it('knows Suricata 7 and 8 keywords it does not evaluate, rather than calling them typos', () => {
    for (const kw of ['frame:http.request', 'tls.subjectaltname', 'bittorrent-dht.node_id', 'email.subject', 'ldap.request.dn']) {
      const r = parseRules(`alert tcp any any -> any any (msg:"x"; ${kw}; content:"x"; sid:1;)`, { file: 's.rules' });
      expect(r.counts, kw).toEqual({ loaded: 0, disabled: 0, skipped: 1, invalid: 0 });
    }
  });
});

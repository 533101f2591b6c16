import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicy, loadDefaultPolicy, loadPolicyFile } from '../../src/correlate/index.js';
import { VariableTable } from '../../src/rule/variables.js';
import { problemsOf } from './helpers.js';

describe('threshold.config statements as written for Suricata and Snort', () => {
  // Statements in the forms the Suricata user guide (global thresholds) and the Snort 2
  // manual (event filtering, rate filtering, suppression) show them.
  const suricata = [
    'threshold gen_id 1, sig_id 2002087, type both, track by_src, count 3, seconds 5',
    'threshold gen_id 1, sig_id 2002088, type threshold, track by_src, count 10, seconds 60',
    'threshold gen_id 1, sig_id 2002089, type limit, track by_src, count 1, seconds 15',
    'threshold gen_id 0, sig_id 0, type threshold, track by_src, count 10, seconds 10',
    'rate_filter gen_id 1, sig_id 1000, track by_rule, count 100, seconds 60, \\\n    new_action alert, timeout 30',
    'rate_filter gen_id 1, sig_id 888, track by_src, count 10, seconds 60, \\\n    new_action drop, timeout 300',
    'suppress gen_id 1, sig_id 2002087, track by_src, ip 209.132.180.67',
    'suppress gen_id 0, sig_id 0, track by_src, ip 209.132.180.67',
    'suppress gen_id 1, sig_id 0, track by_src, ip 209.132.180.67',
    'suppress gen_id 1, sig_id 2003614, track by_src, ip 217.110.97.128/25',
    'suppress gen_id 1, sig_id 2003615, track by_src, ip [192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]',
    'suppress gen_id 1, sig_id 2003616, track by_src, ip $HOME_NET',
    'suppress gen_id 1, sig_id 2003617, track by_either, ip 217.110.97.128/25',
    'suppress gen_id 1, sig_id 2000328, track by_src, ip fe80::/10',
    'suppress gen_id 1, sig_id 2002090',
    'threshold gen_id 1, sig_id 2002091, type limit, track by_flow, count 1, seconds 3600',
    'rate_filter gen_id 1, sig_id 2002092, track by_flow, count 10, seconds 1, new_action drop, timeout 60',
  ];
  const snort = [
    'event_filter gen_id 1, sig_id 1851, type limit, track by_src, count 1, seconds 60',
    'event_filter gen_id 1, sig_id 1852, type threshold, track by_src, count 3, seconds 60',
    'event_filter gen_id 1, sig_id 1853, type both, track by_src, count 30, seconds 60',
    'event_filter gen_id 1, sig_id 0, type limit, track by_src, count 1, seconds 60',
    'event_filter gen_id 1, sig_id 1854, type limit, track by_dst, count -1, seconds 60',
    'event_filter \\\n    gen_id 1, sig_id 1855, \\\n    type limit, track by_src, \\\n    count 1, seconds 60',
    'rate_filter gen_id 135, sig_id 1, track by_src, count 100, seconds 1, new_action drop, timeout 10',
    'rate_filter gen_id 1, sig_id 2000, track by_src, count 5, seconds 1, new_action sdrop, timeout 10, apply_to [10.1.1.0/24]',
    'suppress gen_id 1, sig_id 1852, track by_src, ip 10.1.1.54',
    'suppress gen_id 1, sig_id 1853, track by_dst, ip 10.1.1.0/24',
    'suppress gen_id 0, sig_id 0, track by_src, ip 1.1.1.0/24 2.2.2.0/24',
  ];

  it('loads every form without a single diagnostic', () => {
    const text = ['# tuning file', ...suricata, '', '  # indented comment', ...snort, 'suppress gen_id 1, sig_id 3 # trailing comment'].join('\n');
    const load = parsePolicy(text, 'threshold.config');
    expect(load.diagnostics).toEqual([]);
    expect(load.policy.statements).toHaveLength(suricata.length + snort.length + 1);
  });

  it('reads CRLF files and continuation lines', () => {
    const load = parsePolicy('suppress gen_id 1, \\\r\n  sig_id 5\r\nsuppress gen_id 1, sig_id 6\r\n', 'crlf.config');
    expect(load.diagnostics).toEqual([]);
    expect(load.policy.statements.map((s) => s.origin.text)).toEqual(['suppress gen_id 1, sig_id 5', 'suppress gen_id 1, sig_id 6']);
    expect(load.policy.statements.map((s) => s.origin.line)).toEqual([1, 3]);
  });
});

describe('policy files', () => {
  it('a file saved with a UTF-8 byte order mark reads its first statement', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kanshi-policy-'));
    try {
      const path = join(dir, 'threshold.config');
      writeFileSync(path, '\ufeffsuppress gen_id 1, sig_id 2002087, track by_src, ip 209.132.180.67\n');
      const load = loadPolicyFile(path);
      expect(load.diagnostics).toEqual([]);
      expect(load.policy.statements).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('policy diagnostics', () => {
  it('counts columns in code points, as the rule diagnostics do', () => {
    // An emoji (two UTF-16 units) before a mistake counts as one column.
    const problems = problemsOf('except uri "/\u{1F600}", track by_src');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^p\.policy:1:18: error: except has no option 'track'/);
  });

  it('reports every problem of a file with file:line:col and what to write instead', () => {
    const text = [
      'suppres gen_id 1, sig_id 2', // 1
      'threshold gen_id 1, sig_id 5, type lmit, track by_src, count x, seconds 60', // 2
      'suppress gen_id 1,, sig_id 3', // 3
      'suppress gen_id 1, sig_id 3,', // 4
      'suppress gen_id 1, sig_id 3, track by_src, ip [1.2.3.4', // 5
      'except uri "/admin', // 6
      'threshold gen_id 1, sig_id 7, type limit, trak by_src, count 1, seconds 60', // 7
      'rate_filter gen_id 1, sig_id 8, track by_src, count 5, seconds 60, new_action drop', // 8
      'suppress gen_id 0, sig_id 9', // 9
      'suppress gen_id 1, sig_id 10, track by_src', // 10
      'escalate classtype web-application-attack, track by_src, count 10, seconds 60, level Severe', // 11
      'refused classtype web-application-attack', // 12
      'Suppress gen_id 1, sig_id 11', // 13
      'scan diagonal, count 3', // 14
      'suppress gen_id 1, sig_id 12, sig_id 13', // 15
      'suppress gen_id 1, sig_id 99999999999', // 16
      ', suppress', // 17
      'rate_filter gen_id 1, sig_id 14, track by_rule, count 5, seconds 60, new_action drop, timeout 5, apply_to 10.0.0.0/8', // 18
      'suppress gen_id 1, sig_id 15 \\ x', // 19
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      "p.policy:1:1: error: unknown statement 'suppres' (did you mean 'suppress'?)",
      "p.policy:2:36: error: unknown type 'lmit' (did you mean 'limit'?): write limit, threshold or both",
      "p.policy:2:62: error: 'count' needs a whole number, not 'x': write 'count 1'",
      'p.policy:3:19: error: two commas in a row: remove one, or write the missing option between them',
      "p.policy:4:28: error: the statement ends with ',': remove it, or write the missing option after it",
      "p.policy:5:47: error: this '[' is not closed: add ']' before the end of the statement (continue a long line with '\\')",
      'p.policy:6:12: error: this string has no closing \'"\': end it on the same line',
      "p.policy:7:1: error: threshold needs 'track by_src|by_dst|by_rule|by_both|by_flow'",
      "p.policy:7:43: error: threshold has no option 'trak' (did you mean 'track'?); it takes gen_id, sig_id, type, track, count, seconds",
      "p.policy:8:1: error: rate_filter needs 'timeout <T>'",
      "p.policy:9:17: error: gen_id 0 with sig_id 9 matches nothing: write the rule's generator (gen_id 1 for text rules), or sig_id 0 for every rule",
      "p.policy:10:31: error: suppress with 'track' needs 'ip <address>' after it: write 'track by_src, ip 192.0.2.1'",
      "p.policy:11:86: error: unknown level 'Severe': write Information, Warning, Critical or Emergency",
      "p.policy:12:1: error: refused needs evidence: add 'http_status 400|404|501', 'server \"Apache\"' or 'smtp_reply 5xx'",
      "p.policy:13:1: error: unknown statement 'Suppress' (keywords are lower case: write 'suppress')",
      "p.policy:14:6: error: unknown scan kind 'diagonal': write one of horizontal, vertical, sweep, flags, port_zero, service_sweep, icmp_sweep",
      "p.policy:15:31: error: 'sig_id' is given twice in this statement (first at column 20): keep one",
      "p.policy:16:27: error: 'sig_id' must be 0 to 4294967295, not 99999999999",
      "p.policy:17:1: error: ',' cannot start a statement: a statement starts with a keyword: suppress, threshold, event_filter, rate_filter, var, ipvar, escalate, outbound, refused, except, scan or classify",
      "p.policy:18:98: error: apply_to needs an address to check: use it with track by_src or by_dst, not by_rule",
      "p.policy:19:30: error: a '\\' continues a statement only at the very end of a line",
    ]);
  });

  it('warns of a near miss of a known classtype, and leaves a site\'s own class names alone', () => {
    expect(problemsOf('escalate classtype attempted-admn|web-application-attack, track by_src, count 3, seconds 10\nclassify classtype acme-internal, level Critical')).toEqual([
      "p.policy:1:20: warning: 'attempted-admn' is no classtype kanshi knows (did you mean 'attempted-admin'?): the statement applies only to rules of that class",
    ]);
  });

  it('says to bracket an address list written with commas, and cuts an endless value short in the message', () => {
    expect(problemsOf('suppress gen_id 1, sig_id 16, track by_src, ip 1.2.3.4, 5.6.7.8')).toEqual([
      "p.policy:1:57: error: suppress has no option '5.6.7.8'; to list addresses write them in brackets: ip [1.2.3.4,5.6.7.8]; it takes gen_id, sig_id, track, ip",
    ]);
    const [long] = problemsOf(`suppress gen_id 1, sig_id ${'9'.repeat(100_000)}`);
    expect(long).toBe(`p.policy:1:27: error: 'sig_id' must be 0 to 4294967295, not ${'9'.repeat(60)}...`);
  });

  it('reports a bad address at the address, with the address parser\'s advice', () => {
    const [problem, ...rest] = problemsOf('suppress gen_id 1, sig_id 3, track by_src, ip 300.1.1.1');
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^p\.policy:1:47: error: '300\.1\.1\.1' is not an IP address/);
  });

  it('points inside a space-separated address list', () => {
    const [problem] = problemsOf('suppress gen_id 0, sig_id 0, track by_src, ip 1.1.1.0/24 2.2.2.999');
    expect(problem).toMatch(/^p\.policy:1:58: error: '2\.2\.2\.999' is not an IP address/);
  });

  it('reports an undefined variable where it is used', () => {
    const [problem] = problemsOf('\nsuppress gen_id 1, sig_id 3, track by_dst, ip $NO_SUCH_NET');
    expect(problem).toMatch(/^p\.policy:2:47: error: .*NO_SUCH_NET/);
  });

  it('warns of a second event filter for the same rule, citing the first; the later one applies, as in Suricata', () => {
    const text = 'threshold gen_id 1, sig_id 5, type limit, track by_src, count 1, seconds 60\nevent_filter gen_id 1, sig_id 5, type both, track by_dst, count 2, seconds 10';
    expect(problemsOf(text)).toEqual([
      'p.policy:2:1: warning: gen_id 1, sig_id 5 already has a threshold at p.policy:1; this later one replaces it, as in Suricata: keep only one',
    ]);
    const load = parsePolicy(text, 'p.policy');
    expect(load.policy.thresholdByRule.get(4294967296 + 5)?.origin.line).toBe(2);
  });

  it('keeps the first of two gen-wide or global event filters, with a warning', () => {
    const text = 'threshold gen_id 1, sig_id 0, type limit, track by_src, count 1, seconds 60\nthreshold gen_id 1, sig_id 0, type limit, track by_src, count 3, seconds 60';
    expect(problemsOf(text)).toEqual([
      'p.policy:2:1: warning: gen_id 1, sig_id 0 already has a threshold at p.policy:1; that first one applies and this one is ignored, as in Suricata: keep only one',
    ]);
    expect(parsePolicy(text, 'p.policy').policy.thresholdByGid.get(1)?.origin.line).toBe(1);
    const global = 'threshold gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 60\nthreshold gen_id 0, sig_id 0, type limit, track by_dst, count 3, seconds 60';
    expect(parsePolicy(global, 'p.policy').policy.thresholdAll?.origin.line).toBe(1);
  });

  it('warns when outbound cannot apply because HOME_NET is any, but not for the bundled policy', () => {
    expect(problemsOf('outbound level Emergency')).toEqual([
      "p.policy:1:1: warning: the monitored network ($HOME_NET) is 'any', so no destination is outside it and this statement never applies: set 'ipvar HOME_NET [...]' or pass --var HOME_NET=...",
    ]);
    expect(problemsOf('outbound level Emergency', { varOverrides: { HOME_NET: '[10.0.0.0/8]' } })).toEqual([]);
    expect(problemsOf('outbound level Emergency', { bundled: true })).toEqual([]);
  });

  it('keeps the good statements of a file that has bad ones', () => {
    const load = parsePolicy('suppress gen_id 1, sig_id 1\nsuppress gen_id x, sig_id 2\nsuppress gen_id 1, sig_id 3', 'p.policy');
    expect(load.errors).toBe(1);
    expect(load.policy.statements.map((s) => s.origin.line)).toEqual([1, 3]);
  });

  it('never throws on garbage, and every position is inside the file', () => {
    const alphabet = fc.constantFrom(...'suppress threshold gen_id sig_id track by_src ip count seconds , [ ] " \\ \n # $ 1 0 x'.split(' '), ' ', ',', '\n', '"', '[', ']', '\\', '\t');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (parts) => {
        const text = parts.join(' ');
        const lines = text.split('\n');
        const load = parsePolicy(text, 'f.policy');
        for (const d of load.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lines.length);
          expect(d.col).toBeGreaterThanOrEqual(1);
          expect(d.col).toBeLessThanOrEqual(lines[d.line - 1]!.length + 1);
          expect(d.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('variables', () => {
  it('lets statements use variables defined anywhere in the file', () => {
    const load = parsePolicy('suppress gen_id 1, sig_id 3, track by_src, ip $SCANNERS\nipvar SCANNERS [192.0.2.5,192.0.2.6]', 'p.policy');
    expect(load.diagnostics).toEqual([]);
    // And variables defined from variables written further down.
    const forward = parsePolicy('ipvar A [$B,10.0.0.1]\nipvar B [1.2.3.4]\nsuppress gen_id 1, sig_id 1, track by_src, ip $A', 'p.policy');
    expect(forward.diagnostics).toEqual([]);
    const cycle = parsePolicy('ipvar A $B\nipvar B $A', 'p.policy');
    expect(cycle.diagnostics.map((d) => d.message)).toEqual([
      'in $A ($B): variable $B refers to itself ($B -> $A -> $B)',
      'in $B ($A): variable $A refers to itself ($A -> $B -> $A)',
    ]);
  });

  it('gives --var the last word over the file', () => {
    const load = parsePolicy('ipvar HOME_NET [10.0.0.0/8]', 'p.policy', { varOverrides: { HOME_NET: '[192.168.0.0/16]' } });
    expect(load.policy.vars.get('HOME_NET')).toBe('[192.168.0.0/16]');
    expect(load.policy.home.contains(new Uint8Array([192, 168, 1, 1]))).toBe(true);
    expect(load.policy.home.contains(new Uint8Array([10, 1, 1, 1]))).toBe(false);
  });

  it('does not change the caller\'s variable table', () => {
    const vars = VariableTable.withDefaults();
    parsePolicy('ipvar HOME_NET [10.0.0.0/8]', 'p.policy', { vars });
    expect(vars.get('HOME_NET')).toBe('any');
  });

  it('rejects a bad ipvar value and a $ in a definition', () => {
    expect(problemsOf('ipvar HOME_NET [10.0.0.0/33]\nvar $X 1')).toEqual([
      expect.stringMatching(/^p\.policy:1:26: error: bad CIDR/),
      "p.policy:2:5: error: write the variable's name without '$' when defining it: 'var X ...'",
    ]);
  });
});

describe('the bundled default policy', () => {
  it('loads cleanly', () => {
    const load = loadDefaultPolicy();
    expect(load.diagnostics).toEqual([]);
    expect(load.policy.statements.length).toBeGreaterThan(5);
  });
});

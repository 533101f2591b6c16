import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const RULES = tmp.write('rules/web.rules', 'alert tcp any any -> any 80 (msg:"WEAK cmd.exe"; flow:to_server,established; content:"cmd.exe"; sid:9100001; rev:1;)\n');
const GOOD = tmp.write(
  'rules/tests/good.ktest',
  `=== cmd.exe
sid: 9100001
expect: positive
target: iis
--- http request
GET /scripts/cmd.exe?/c+dir HTTP/1.0

=== other page
sid: 9100001
expect: negative
--- http request
GET /index.html HTTP/1.0
`,
);
const BAD = tmp.write('rules/tests/bad.ktest', '=== x\nsid: 9100001\nexpect: sometimes\n--- http request\nGET / HTTP/1.0\n');
const KNOWN = tmp.write(
  'rules/tests/known.ktest',
  '=== encoded\nsid: 9100001\nexpect: positive\nknown-issue: the rule reads the raw payload\n--- http request\nGET /scripts/%63md.exe HTTP/1.0\n',
);

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(['test', ...args], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err, last: out.trimEnd().split('\n').at(-1) };
}

describe('kanshi test', () => {
  it('passes a good file, with the per-rule table and the closing line', async () => {
    const r = await run([GOOD]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok +9100001 +\+ cmd\.exe$/m);
    expect(r.out).toMatch(/^ {2}9100001 +2\/2 +ok$/m);
    expect(r.last).toBe('2 passed, 0 failed');
  });

  it('fails with the weak rule under --properties, printing the variant, the file and the seed', async () => {
    const r = await run(['--properties', '--seed', '10', '--runs', '50', '--out', `${tmp.dir}/found`, GOOD]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL +9100001 +\+ cmd\.exe$/m);
    expect(r.out).toContain('a variant fails');
    // The explanation: what the rule reads, as the variant gave it, and the content it lacks.
    expect(r.out).toMatch(/^ {8}why: {6}sid 9100001 reads pkt_data; the traffic gave:$/m);
    expect(r.out).toMatch(/^ {18}content:"cmd\.exe" is in no pkt_data above$/m);
    expect(r.out).toMatch(/counterexample written to .*found\/counterexample-9100001-cmd-exe\.ktest/);
    // With what the run was given beyond the default, so the line finds the same variant.
    expect(r.out).toContain(`reproduce: kanshi test --properties --seed 10 --runs 50 --out ${tmp.dir}/found ${GOOD}`);
    const named = await run(['--properties', '--seed', '10', '--runs', '50', '-r', RULES, '--var', 'HOME_NET=10.0.0.0/8', '--out', `${tmp.dir}/found2`, GOOD]);
    expect(named.out).toContain(`reproduce: kanshi test --properties --seed 10 --runs 50 --out ${tmp.dir}/found2 -r ${RULES} --var HOME_NET=10.0.0.0/8 ${GOOD}`);
    expect(readFileSync(`${tmp.dir}/found2/counterexample-9100001-cmd-exe.ktest`, 'utf8')).toContain(`# Counterexample found by: kanshi test --properties --seed 10 --runs 50 --out ${tmp.dir}/found2 -r ${RULES} --var HOME_NET=10.0.0.0/8 ${GOOD}`);
    // The same case failing twice in one run (a second file naming it) gets a file of its own.
    const twice = await run(['--properties', '--seed', '10', '--runs', '50', '--out', `${tmp.dir}/found3`, GOOD, GOOD]);
    expect(twice.out).toContain(`${tmp.dir}/found3/counterexample-9100001-cmd-exe.ktest`);
    expect(twice.out).toContain(`${tmp.dir}/found3/counterexample-9100001-cmd-exe-2.ktest`);
    expect(r.out).toMatch(/other page +\[50 variants\]/);
    expect(r.out).toContain('variants checked: ');
    expect(r.last).toBe('1 passed, 1 failed');
  });

  it('says so when a case file holds no case', async () => {
    const empty = tmp.write('rules/tests/empty.ktest', '# nothing yet\n');
    const r = await run([empty]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`kanshi test: ${empty}: no test case in it (a case starts with a line '=== name')`);
  });

  it('prints one JSON object with --json: every case, its verdict and explanation, and the totals', async () => {
    const good = await run(['--json', GOOD]);
    expect(good.code).toBe(0);
    const ok = JSON.parse(good.out) as Record<string, unknown>;
    expect(ok).toMatchObject({ passed: 2, failed: 0, known: 0, case_file_errors: 0, diagnostics: [], rules_errors: 0, properties: false });
    expect(ok.cases).toEqual([
      { file: GOOD, line: 1, name: 'cmd.exe', sids: [9100001], expect: 'positive', status: 'ok', problems: [], alerts: { '9100001': 1 } },
      { file: GOOD, line: 8, name: 'other page', sids: [9100001], expect: 'negative', status: 'ok', problems: [], alerts: {} },
    ]);
    const r = await run(['--json', '--properties', '--seed', '10', '--runs', '50', '--out', `${tmp.dir}/found-json`, GOOD]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { failed: number; seed: number; runs: number; cases: Array<Record<string, unknown>> };
    expect(report).toMatchObject({ passed: 1, failed: 1, seed: 10, runs: 50, properties: true });
    const failing = report.cases[0]!;
    expect(failing.status).toBe('fail');
    expect(failing.failing_variant).toMatchObject({ problems: ['sid 9100001 did not fire'], alerts: {} });
    expect(failing.reproduce).toBe(`kanshi test --properties --seed 10 --runs 50 --out ${tmp.dir}/found-json ${GOOD}`);
    expect((failing.failing_variant as { why: string[] }).why.at(-1)).toBe('content:"cmd.exe" is in no pkt_data above');
    expect(failing.counterexample).toMatch(/found-json\/counterexample-9100001-cmd-exe\.ktest$/);
    expect(report.cases[1]).toMatchObject({ status: 'ok', variants: 50 });
  });

  it('reports case-file errors as file:line:col and exits 1', async () => {
    const r = await run([BAD]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${BAD}:3:9: error: expect is 'positive'`);
    expect(r.out).toContain('case files with errors: 1 (1 error)\n');
    const j = JSON.parse((await run(['--json', BAD])).out) as { diagnostics: Array<Record<string, unknown>> };
    expect(j.diagnostics).toEqual([expect.objectContaining({ file: BAD, line: 3, col: 9, severity: 'error' })]);
  });

  it('reports known issues without failing', async () => {
    const r = await run([KNOWN]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^known +9100001/m);
    expect(r.out).toContain('known issue: the rule reads the raw payload');
    expect(r.out).toContain('known issues: 1 case fail');
  });

  it('rejects bad options and empty paths', async () => {
    expect((await run(['--runs', '0', GOOD])).code).toBe(2);
    expect((await run(['--frobnicate'])).code).toBe(2);
    tmp.write('empty/README', 'no cases here\n');
    const none = await run([`${tmp.dir}/empty`]);
    expect(none.code).toBe(2);
    expect(none.err).toContain('no test cases');
    const missing = await run([`${tmp.dir}/nope.ktest`]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('nope.ktest:1:1: error: cannot read test cases: no such file');
    expect((await run(['--help'])).out).toContain('usage: kanshi test');
  });
});

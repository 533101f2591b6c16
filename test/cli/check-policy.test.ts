import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'kanshi-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('kanshi check on policy files', () => {
  it('reports every policy problem at file:line:col and fails', async () => {
    const p = join(dir, 'bad.policy');
    writeFileSync(p, 'suppress gen_id 1, sig_id 5, track by_sorc, ip 10.0.0.1\nsuppress gen_id 1, sig_id 6, track by_src, ip 10.0.0.300\n');
    const r = await run(['check', '--json', p]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${p}:1:36: error: unknown track 'by_sorc' (did you mean 'by_src'?)`);
    expect(r.err).toMatch(new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: error: `));
    expect(JSON.parse(r.out.trim()).policies).toBe(1);
  });

  it('accepts a threshold.config as Suricata writes it, with --var applied', async () => {
    const p = join(dir, 'threshold.config');
    writeFileSync(p, '# tuning\nsuppress gen_id 1, sig_id 2002087, track by_src, ip $HOME_NET\nthreshold gen_id 1, sig_id 2001219, type limit, track by_src, count 1, seconds 60\n');
    const r = await run(['check', '--var', 'HOME_NET=10.0.0.0/8', p]);
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
  });

  it("reads Snort's threshold.conf as a policy, also in a directory", async () => {
    const sub = join(dir, 'snort');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'threshold.conf'), 'suppress gen_id 1, sig_id 2002087, track by_src, ip 10.0.0.1\n');
    const r = await run(['check', '--json', sub]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.trim()).policies).toBe(1);
  });

  it('warns, as Suricata does, of a filter naming a sid that no rule checked with it has', async () => {
    const rules = join(dir, 'local.rules');
    writeFileSync(rules, 'alert tcp any any -> any 80 (msg:"x"; content:"a"; sid:100;)\n');
    const p = join(dir, 'tuning.policy');
    writeFileSync(p, 'suppress gen_id 1, sig_id 101, track by_src, ip 10.0.0.1\nsuppress gen_id 1, sig_id 100, track by_src, ip 10.0.0.1\nevent_filter gen_id 1, sig_id 0, type limit, track by_src, count 1, seconds 60\n');
    const r = await run(['check', rules, p]);
    expect(r.code).toBe(0);
    expect(r.err.trimEnd().split('\n')).toEqual([`${p}:1:1: warning: no rule checked here has sid 101: this suppress never applies; check the sid`]);
    // Checked alone, the policy names rules it cannot see: no warning.
    expect((await run(['check', p])).err).toBe('');
  });

  it('warns, as Suricata does, that a rate_filter does not apply to a rule with its own threshold', async () => {
    const rules = join(dir, 'own.rules');
    writeFileSync(rules, 'alert tcp any any -> any 80 (msg:"x"; content:"a"; threshold:type limit, track by_src, count 1, seconds 60; sid:200;)\n');
    const p = join(dir, 'rate.policy');
    writeFileSync(p, 'rate_filter gen_id 1, sig_id 200, track by_src, count 2, seconds 60, new_action drop, timeout 60\n');
    const r = await run(['check', rules, p]);
    expect(r.code).toBe(0);
    expect(r.err.trimEnd()).toBe(
      `${p}:1:1: warning: rule sid 200 has its own threshold or detection_filter, which takes precedence: this rate_filter never applies to it (remove the rule's threshold to rate-limit it here)`,
    );
  });
});

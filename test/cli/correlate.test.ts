import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'kanshi-correlate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function eve(sec: number, src: string, sid: number): string {
  return JSON.stringify({
    timestamp: `2003-03-17T10:00:${String(sec).padStart(2, '0')}.000000+0000`,
    event_type: 'alert',
    src_ip: src,
    src_port: 1025,
    dest_ip: '192.168.1.5',
    dest_port: 80,
    proto: 'TCP',
    alert: { action: 'allowed', gid: 1, signature_id: sid, rev: 1, signature: `test ${sid}`, category: 'Web Application Attack', severity: 1 },
  });
}

async function run(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('kanshi correlate', () => {
  it('suppresses by policy, reports malformed lines, and accounts for every input alert', async () => {
    const input = join(dir, 'eve.json');
    writeFileSync(input, [eve(1, '10.0.0.1', 100), eve(2, '10.0.0.2', 100), 'not json', eve(3, '10.0.0.1', 200)].join('\n') + '\n');
    const policy = join(dir, 'p.policy');
    writeFileSync(policy, 'suppress gen_id 1, sig_id 100, track by_src, ip 10.0.0.1\n');
    const r = await run(['correlate', '--policy', policy, input]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`${input}:3:`);
    const records = r.out.trim().split('\n').map((l) => JSON.parse(l));
    const alerts = records.filter((x) => x.event_type === 'alert');
    expect(alerts.map((a) => [a.src_ip, a.alert.signature_id])).toEqual([
      ['10.0.0.2', 100],
      ['10.0.0.1', 200],
    ]);
    for (const a of alerts) expect(['Information', 'Warning', 'Critical', 'Emergency']).toContain(a.alert.level);
    const stats = records[records.length - 1];
    expect(stats.event_type).toBe('stats');
    expect(stats.stats.correlate.input.alerts).toBe(3);
    expect(stats.stats.correlate.input.malformed).toBe(1);
    // The closing line on stderr, as kanshi scan writes one.
    const levels = ['Emergency', 'Critical', 'Warning', 'Information'].map((l) => `${l} ${alerts.filter((a) => a.alert.level === l).length}`).join(', ');
    expect(r.err.trimEnd().split('\n').at(-1)).toBe(`kanshi correlate: 1 input (3 alerts, 1 malformed line skipped) -> 2 events (${levels})`);
  });

  it('refuses a policy with errors and exits 1', async () => {
    const input = join(dir, 'one.json');
    writeFileSync(input, eve(1, '10.0.0.1', 100) + '\n');
    const policy = join(dir, 'bad.policy');
    writeFileSync(policy, 'suppress gen_id 1\n');
    const r = await run(['correlate', '--policy', policy, input]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${policy}:1:`);
  });

  it('is a usage error without an input', async () => {
    expect((await run(['correlate'])).code).toBe(2);
  });
});

describe('kanshi correlate inputs', () => {
  it('names an unreadable input, reads the others, closes with the stats record and exits 1', async () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, [eve(1, '10.0.0.1', 100), eve(2, '10.0.0.2', 100)].join('\n') + '\n');
    const missing = join(dir, 'missing.json');
    const r = await run(['correlate', '--policy', '/dev/null', good, missing, good]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot read ${missing}: no such file`);
    const records = r.out.trim().split('\n').map((l) => JSON.parse(l) as { event_type: string; stats?: { correlate: { input: Record<string, number> } } });
    expect(records.filter((x) => x.event_type === 'alert')).toHaveLength(4);
    expect(records.at(-1)!.stats!.correlate.input).toMatchObject({ alerts: 4, unreadable: 1 });
  });
});

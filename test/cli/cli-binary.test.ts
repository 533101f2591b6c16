import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpus, REPO_ROOT } from '../corpora.js';

const BIN = join(REPO_ROOT, 'bin', 'kanshi.js');
const built = existsSync(join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'));

function kanshi(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// The built CLI (npm test builds before running the tests).
describe.skipIf(!built)('bin/kanshi.js check', () => {
  it('loads and evaluates every active ET Open rule, with zero errors', () => {
    const r = kanshi('check', '--json', corpus('et-open-suricata5-20240421'));
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as { loaded: number; skipped: number; disabled: number; errors: number; unsupported: Record<string, number> };
    expect(s.loaded).toBe(23_635);
    expect(s.skipped).toBe(0);
    expect(s.disabled).toBe(6_579);
    expect(s.errors).toBe(0);
    expect(s.unsupported).toEqual({});
  });

  it('reports the Snort 3 community file as another dialect, with exit 1 and no crash', () => {
    const r = kanshi('check', corpus('snort-community', 'snort3-community.rules'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('this file is written in Snort 3 rule syntax');
    expect(r.out.trimEnd().split('\n').pop()).toBe('rules: 0 loaded, 0 disabled, 0 skipped, 1 errors');
  });

  it('checks the bundled rules without errors', () => {
    const r = kanshi('check', 'rules/');
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n').pop()).toMatch(/^rules: \d+ loaded, \d+ disabled, \d+ skipped, 0 errors$/);
  });
});

describe.skipIf(!built)('bin/kanshi.js start-up', () => {
  it('starts from the code cache the build wrote, under the flags the CLI sets', () => {
    const r = spawnSync(process.execPath, [BIN, '--help'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, KANSHI_CODE_CACHE_REPORT: '1' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('kanshi: code cache accepted');
  });

  it('finds the bundled rules from the bundle when no -r is given, wherever it is run from', () => {
    const r = spawnSync(process.execPath, [BIN, 'scan', '--format', 'fast', join(REPO_ROOT, 'samples', 'pcap', 'slammer', 'inbound.pcap')], { cwd: '/', encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\[\*\*\] \[1:\d+:\d+\] [^\n]*Slammer/);
  });
});

describe.skipIf(!built)('bin/kanshi.js output', () => {
  it('stops quietly when its reader closes the pipe early (as `| head` does)', async () => {
    const child = spawn(process.execPath, [BIN, 'scan', '--format', 'fast', '--no-correlate', 'samples/pcap', 'samples/pcap'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Read the first chunk, then close our end, as head does after its first lines.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(err).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});

describe.skipIf(!built)('bin/kanshi.js correlation of captures and logs', () => {
  const levels = (out: string): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const line of out.split('\n')) {
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as { event_type: string; alert?: { level: string } };
      if (e.event_type === 'alert') counts[e.alert!.level] = (counts[e.alert!.level] ?? 0) + 1;
    }
    return counts;
  };

  it('lowers the attempts a web server refused alike, seen in a capture or in its access log', () => {
    // The same Nimda probes, every one answered 404: in the capture the alerts on the requests
    // wait for the responses, so `refused http_status 404` applies as it does to the log lines.
    const pcap = kanshi('scan', '--var', 'HOME_NET=192.168.0.0/16', '--format', 'eve', 'samples/pcap/nimda/scan.pcap');
    const log = kanshi('scan', '--var', 'HOME_NET=192.168.0.0/16', '--format', 'eve', 'samples/logs/nimda-iis.log');
    expect(pcap.code).toBe(0);
    expect(log.code).toBe(0);
    expect(levels(pcap.out)).toEqual(levels(log.out));
    expect(Object.keys(levels(pcap.out))).toEqual(['Information']);
  });
});

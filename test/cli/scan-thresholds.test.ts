/**
 * A rule's own threshold:/detection_filter: together with the policy, end to end through
 * `kanshi scan`, counted as Suricata counts them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CaptureFileWriter, udpPacket } from '../../src/traffic/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kanshi-thresholds-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(name: string, text: string): string {
  const p = join(dir, `${n++}-${name}`);
  writeFileSync(p, text);
  return p;
}

/** Combined-log lines `GET /x` from each client at the given second of 10 Mar 2003 10:00. */
function accessLog(hits: ReadonlyArray<[client: string, second: number]>): string {
  return file(
    'access.log',
    hits.map(([c, s]) => `${c} - - [10/Mar/2003:10:00:${String(s).padStart(2, '0')} +0000] "GET /x HTTP/1.0" 404 10 "-" "curl"\n`).join(''),
  );
}

async function alertsOf(args: string[]): Promise<Array<{ src_ip: string; dest_ip?: string }>> {
  let out = '';
  const code = await main(['scan', '--format', 'eve', ...args], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined } });
  expect(code).toBe(0);
  return out
    .split('\n')
    .filter((l) => l.includes('"event_type":"alert"'))
    .map((l) => JSON.parse(l) as { src_ip: string; dest_ip?: string });
}

const rule = (opts: string) => file('r.rules', `alert http any any -> any any (msg:"x"; http.uri; content:"/x"; ${opts} sid:1;)\n`);

describe('rule thresholds with the policy', () => {
  it('suppressed hits do not use up a rule threshold (Suricata handles suppressions first)', async () => {
    const rules = rule('threshold:type limit, track by_rule, count 1, seconds 60;');
    const policy = file('p.policy', 'suppress gen_id 1, sig_id 1, track by_src, ip 10.0.0.1\n');
    const log = accessLog([['10.0.0.1', 0], ['10.0.0.2', 5], ['10.0.0.3', 6]]);
    const alerts = await alertsOf(['-r', rules, '--policy', policy, log]);
    expect(alerts.map((a) => a.src_ip)).toEqual(['10.0.0.2']);
  });

  it('nor count towards a detection_filter', async () => {
    const rules = rule('detection_filter:track by_rule, count 2, seconds 60;');
    const policy = file('p.policy', 'suppress gen_id 1, sig_id 1, track by_src, ip 10.0.0.1\n');
    const log = accessLog([['10.0.0.1', 0], ['10.0.0.1', 1], ['10.0.0.1', 2], ['10.0.0.1', 3], ['10.0.0.2', 4]]);
    expect(await alertsOf(['-r', rules, '--policy', policy, log])).toEqual([]);
  });

  it('a rate_filter leaves a rule with its own threshold alone, as Suricata does', async () => {
    const rules = rule('threshold:type threshold, track by_src, count 2, seconds 60;');
    const log = accessLog([['10.0.0.1', 0], ['10.0.0.1', 1], ['10.0.0.1', 2], ['10.0.0.1', 3], ['10.0.0.1', 4], ['10.0.0.1', 5]]);
    for (const statement of ['rate_filter gen_id 1, sig_id 1', 'rate_filter gen_id 0, sig_id 0']) {
      const policy = file('p.policy', `${statement}, track by_src, count 2, seconds 60, new_action drop, timeout 60\n`);
      const alerts = await alertsOf(['-r', rules, '--policy', policy, log]);
      expect(alerts.map((a) => (a as unknown as { alert: { action: string } }).alert.action)).toEqual(['allowed', 'allowed', 'allowed']);
    }
  });

  it('re-correlating the raw EVE of a scan gives what the scan with the policy gave', async () => {
    const rules = rule('detection_filter:track by_src, count 1, seconds 60;');
    const policy = file('p.policy', 'event_filter gen_id 0, sig_id 0, type limit, track by_src, count 2, seconds 60\n');
    const log = accessLog([['10.0.0.1', 0], ['10.0.0.1', 1], ['10.0.0.1', 2], ['10.0.0.1', 3], ['10.0.0.1', 4], ['10.0.0.1', 5]]);
    const direct = await alertsOf(['-r', rules, '--policy', policy, log]);
    // The global filter leaves a rule with its own detection_filter alone: 5 of 6 hits.
    expect(direct.length).toBe(5);
    const raw = join(dir, 'raw.json');
    expect(await main(['scan', '--no-correlate', '-r', rules, '--format', 'eve', '-o', raw, log], { stdout: { write: () => undefined }, stderr: { write: () => undefined } })).toBe(0);
    let out = '';
    expect(await main(['correlate', '--policy', policy, raw], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined } })).toBe(0);
    expect(out.split('\n').filter((l) => l.includes('"event_type":"alert"')).length).toBe(5);
  });

  it('track by_flow on log records keys each client apart', async () => {
    const rules = rule('threshold:type limit, track by_flow, count 1, seconds 60;');
    const log = accessLog([['10.0.0.1', 0], ['10.0.0.2', 1], ['10.0.0.3', 2], ['10.0.0.1', 3]]);
    const alerts = await alertsOf(['--no-correlate', '-r', rules, log]);
    expect(alerts.map((a) => a.src_ip)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('track by_both is one key for both directions between two hosts', async () => {
    const rules = file(
      'r.rules',
      [
        'alert udp any any -> any any (msg:"limit"; content:"PING"; threshold:type limit, track by_both, count 1, seconds 60; sid:1;)',
        'alert udp any any -> any any (msg:"df"; content:"PING"; detection_filter:track by_both, count 1, seconds 60; sid:2;)',
      ].join('\n'),
    );
    const capture = join(dir, 'both.pcap');
    const w = new CaptureFileWriter(capture, { format: 'pcap' });
    const pairs: Array<[string, string]> = [
      ['10.0.0.1:1000', '10.0.0.9:2000'],
      ['10.0.0.9:2000', '10.0.0.1:1000'],
      ['10.0.0.1:1001', '10.0.0.9:2001'],
      ['10.0.0.2:1000', '10.0.0.9:2000'],
      ['[2001:db8::1]:1000', '[2001:db8::9]:2000'],
      ['[2001:db8::9]:2000', '[2001:db8::1]:1000'],
    ];
    pairs.forEach(([src, dst], i) => w.write(udpPacket({ src, dst, payload: 'PING', tsUs: 1_000_000 + i * 1000 })));
    w.close();
    const alerts = await alertsOf(['--no-correlate', '-r', rules, capture]);
    const bySid = (sid: number) => alerts.filter((a) => (a as unknown as { alert: { signature_id: number } }).alert.signature_id === sid).map((a) => `${a.src_ip}>${a.dest_ip}`);
    const v6 = (last: string) => `2001:0db8:0000:0000:0000:0000:0000:000${last}`;
    // limit 1: the first hit of each of the three pairs.
    expect(bySid(1)).toEqual(['10.0.0.1>10.0.0.9', '10.0.0.2>10.0.0.9', `${v6('1')}>${v6('9')}`]);
    // detection_filter count 1: every hit of a pair after its first, whichever way it went.
    expect(bySid(2)).toEqual(['10.0.0.9>10.0.0.1', '10.0.0.1>10.0.0.9', `${v6('9')}>${v6('1')}`]);
  });
});

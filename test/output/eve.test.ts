import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEveLine } from '../../src/correlate/index.js';
import { eveAlert, eveStats } from '../../src/output/eve.js';
import { fastLine } from '../../src/output/fast.js';
import { eveTimestamp, fastTimestamp } from '../../src/output/timestamp.js';
import { createAlertWriter } from '../../src/output/writer.js';
import type { Alert } from '../../src/types/alert.js';
import { LEVELS } from '../../src/types/level.js';

const BASE: Alert = {
  tsUs: Date.UTC(2003, 2, 17, 10, 0, 5) * 1000 + 123_456,
  pcapCnt: 42,
  flowId: 7,
  srcIp: '10.0.0.1',
  srcPort: 40000,
  destIp: '192.0.2.5',
  destPort: 80,
  proto: 'TCP',
  appProto: 'http',
  action: 'alert',
  gid: 1,
  sid: 2003,
  rev: 4,
  signature: 'WEB-IIS cmd.exe access',
  category: 'Web Application Attack',
  severity: 1,
  classtype: 'web-application-attack',
  level: 'Warning',
  http: { hostname: 'www.example.com', url: '/scripts/..%c0%af../winnt/system32/cmd.exe', http_method: 'GET' },
};

describe('EVE alert records', () => {
  it('leave out an address the input did not carry, as they leave out unknown ports', () => {
    const rec = eveAlert({ ...BASE, flowId: undefined, pcapCnt: undefined, srcPort: undefined, destIp: '', destPort: undefined });
    expect(Object.keys(rec)).toEqual(['timestamp', 'event_type', 'src_ip', 'proto', 'app_proto', 'alert', 'http']);
    expect(Object.keys(eveAlert({ ...BASE, srcIp: '' }))).not.toContain('src_ip');
  });

  it('put a host name a log gave for an address in log.src_host, never in src_ip, and read it back', () => {
    const log = { file: 'access.log', line: 3, format: 'combined' };
    const rec = eveAlert({ ...BASE, srcIp: 'host.attacker.example', destIp: '', destPort: undefined, log });
    expect(rec.src_ip).toBeUndefined();
    expect(rec.log).toEqual({ ...log, src_host: 'host.attacker.example' });
    expect(eveAlert({ ...BASE, srcIp: '2001:0db8:0000:0000:0000:0000:0000:0001' }).src_ip).toBe('2001:0db8:0000:0000:0000:0000:0000:0001');
    const back = parseEveLine(JSON.stringify(rec));
    expect(back.kind === 'alert' && back.alert.srcIp).toBe('host.attacker.example');
  });

  it('leave out the protocol of a record that has none (a syslog message)', () => {
    const rec = eveAlert({ ...BASE, srcIp: '', srcPort: undefined, destIp: '', destPort: undefined, proto: '', appProto: undefined, http: undefined });
    expect(Object.keys(rec)).toEqual(['timestamp', 'flow_id', 'pcap_cnt', 'event_type', 'alert']);
    expect(eveAlert(BASE).proto).toBe('TCP');
  });

  it('have Suricata field names and nesting, plus alert.level', () => {
    const rec = eveAlert(BASE);
    expect(Object.keys(rec)).toEqual(['timestamp', 'flow_id', 'pcap_cnt', 'event_type', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'proto', 'app_proto', 'alert', 'http']);
    expect(rec.timestamp).toBe('2003-03-17T10:00:05.123456+0000');
    expect(rec.event_type).toBe('alert');
    expect(rec.alert).toEqual({
      action: 'allowed',
      gid: 1,
      signature_id: 2003,
      rev: 4,
      signature: 'WEB-IIS cmd.exe access',
      category: 'Web Application Attack',
      severity: 1,
      level: 'Warning',
      classtype: 'web-application-attack',
    });
    expect(rec.http).toEqual(BASE.http);
  });

  it('write the action as Suricata does reading a capture, and leave out what the hit does not have', () => {
    const rec = eveAlert({ ...BASE, action: 'reject', pcapCnt: undefined, flowId: undefined, srcPort: undefined, destPort: undefined, appProto: undefined, http: undefined, proto: 'ICMP' });
    expect((rec.alert as Record<string, unknown>).action).toBe('blocked');
    // Nothing is dropped off-line: Suricata writes "blocked" for drop rules only in IPS mode.
    for (const action of ['drop', 'sdrop', 'alert', 'pass'] as const) expect((eveAlert({ ...BASE, action }).alert as Record<string, unknown>).action, action).toBe('allowed');
    // A rate_filter's new action is the packet's: drop then writes "blocked", as in Suricata.
    const rated = (from: string, to: string): unknown => (eveAlert({ ...BASE, action: to, correlation: { base_level: 'Warning', level_source: 'classtype', action: { from, to } } }).alert as Record<string, unknown>).action;
    expect(rated('alert', 'drop')).toBe('blocked');
    expect(rated('reject', 'alert')).toBe('allowed');
    for (const k of ['pcap_cnt', 'flow_id', 'src_port', 'dest_port', 'app_proto', 'http']) expect(rec).not.toHaveProperty(k);
  });

  it('carry log origin, metadata, tx_id and vlan', () => {
    const rec = eveAlert({ ...BASE, log: { file: 'access.log', line: 12, format: 'combined' }, extra: { metadata: { created_at: ['2003_03_17'] }, tx_id: 0, vlan: [100] } });
    expect(rec.log).toEqual({ file: 'access.log', line: 12, format: 'combined' });
    expect((rec.alert as Record<string, unknown>).metadata).toEqual({ created_at: ['2003_03_17'] });
    expect(rec.tx_id).toBe(0);
    expect(rec.vlan).toEqual([100]);
  });

  it('read back by the correlator as the same hit (kanshi correlate can re-read kanshi output)', () => {
    const alertArb = fc.record({
      tsUs: fc.integer({ min: 0, max: 4_000_000_000_000_000 }),
      srcIp: fc.ipV4(),
      destIp: fc.ipV4(),
      srcPort: fc.integer({ min: 0, max: 65535 }),
      destPort: fc.integer({ min: 0, max: 65535 }),
      proto: fc.constantFrom('TCP', 'UDP', 'ICMP'),
      gid: fc.integer({ min: 1, max: 200 }),
      sid: fc.integer({ min: 1, max: 4_000_000 }),
      rev: fc.integer({ min: 1, max: 30 }),
      signature: fc.string(),
      severity: fc.integer({ min: 1, max: 4 }),
      level: fc.constantFrom(...LEVELS),
    });
    fc.assert(
      fc.property(alertArb, (a) => {
        const alert: Alert = { ...a, action: 'alert', category: 'Misc activity', classtype: 'misc-activity' };
        const line = JSON.stringify(eveAlert(alert));
        const back = parseEveLine(line);
        expect(back.kind).toBe('alert');
        if (back.kind !== 'alert') return;
        expect(back.alert).toMatchObject({ ...a, action: 'alert', classtype: 'misc-activity' });
      }),
    );
  });
});

describe('EVE stats record', () => {
  it('groups dotted counter names as Suricata nests them', () => {
    const rec = eveStats(1_000_000, { 'decoder.pkts': 10, 'decoder.bytes': 1500, 'detect.alert': 2, 'tcp.reassembly_gap': 0 });
    expect(rec.event_type).toBe('stats');
    expect(rec.stats).toEqual({ decoder: { pkts: 10, bytes: 1500 }, detect: { alert: 2 }, tcp: { reassembly_gap: 0 } });
  });

  it('keeps a counter that is also a group prefix, as total', () => {
    const rec = eveStats(0, { 'a.b': 1, 'a.b.c': 2, 'x.y.z': 3, 'x.y': 4 });
    expect(rec.stats).toEqual({ a: { b: { total: 1, c: 2 } }, x: { y: { total: 4, z: 3 } } });
  });
});

describe('alert_fast lines', () => {
  it('follow Snort', () => {
    expect(fastLine(BASE)).toBe(
      '03/17/03-10:00:05.123456  [**] [1:2003:4] WEB-IIS cmd.exe access [**] [Classification: Web Application Attack] [Priority: 1] {TCP} 10.0.0.1:40000 -> 192.0.2.5:80',
    );
  });

  it('bracket IPv6 endpoints and leave out missing ports and classification', () => {
    const line = fastLine({ ...BASE, srcIp: '2001:0db8:0000:0000:0000:0000:0000:0001', srcPort: undefined, destIp: '2001:0db8:0000:0000:0000:0000:0000:0002', destPort: undefined, category: '', proto: 'IPv6-ICMP' });
    expect(line).toBe('03/17/03-10:00:05.123456  [**] [1:2003:4] WEB-IIS cmd.exe access [**] [Priority: 1] {IPv6-ICMP} [2001:0db8:0000:0000:0000:0000:0000:0001] -> [2001:0db8:0000:0000:0000:0000:0000:0002]');
  });

  it('print an address a log record lacks as -', () => {
    const line = fastLine({ ...BASE, srcPort: undefined, destIp: '', destPort: undefined });
    expect(line.endsWith('{TCP} 10.0.0.1 -> -')).toBe(true);
  });
});

describe('writers', () => {
  it('write one JSON object per line, alerts then the stats record', () => {
    let out = '';
    const w = createAlertWriter('eve', { write: (s: string) => (out += s) });
    w.alert(BASE);
    w.alert({ ...BASE, sid: 2004 });
    w.stats(BASE.tsUs, { 'detect.alert': 2 });
    w.flush();
    const lines = out.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l).event_type)).toEqual(['alert', 'alert', 'stats']);
    expect(w.written).toBe(3);
  });

  it('batch many lines into few writes', () => {
    const writes: string[] = [];
    const w = createAlertWriter('fast', { write: (s: string) => writes.push(s) });
    for (let i = 0; i < 5000; i++) w.alert({ ...BASE, sid: i });
    w.stats(0, { x: 1 });
    w.flush();
    const text = writes.join('');
    expect(text.split('\n').length - 1).toBe(5000);
    expect(writes.length).toBeLessThan(50);
  });
});

describe('timestamps out of range', () => {
  it('are held to the years 0000-9999, so every line keeps a parseable time (a hostile pcapng can say anything)', () => {
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+0000$/;
    for (const t of [2 ** 64, Number.MAX_VALUE, -(2 ** 63), NaN, Infinity]) {
      expect(eveTimestamp(t), String(t)).toMatch(iso);
      expect(fastTimestamp(t), String(t)).toMatch(/^\d{2}\/\d{2}\/\d{2}-\d{2}:\d{2}:\d{2}\.\d{6}$/);
    }
    expect(eveTimestamp(2 ** 64)).toBe('9999-12-31T23:59:59.999936+0000');
    expect(eveTimestamp(1_047_895_200_123_456)).toBe('2003-03-17T10:00:00.123456+0000');
  });
});

import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { eveAlert } from '../../src/output/eve.js';
import {
  Correlator,
  correlateEveFiles,
  correlateEveStream,
  parseEveLine,
  parseEveTimestamp,
  type CorrelatedEvent,
} from '../../src/correlate/index.js';
import { hit, policyOf, T0 } from './helpers.js';

/** An alert line in the shape Suricata's eve.json writes (fields as its user guide documents them). */
const suricataLine = (over: Record<string, unknown> = {}, alert: Record<string, unknown> = {}): string =>
  JSON.stringify({
    timestamp: '2009-11-24T21:27:09.534255+0100',
    flow_id: 1676750115612680,
    pcap_cnt: 7,
    event_type: 'alert',
    src_ip: '192.168.2.7',
    src_port: 1041,
    dest_ip: '72.21.211.150',
    dest_port: 80,
    proto: 'TCP',
    app_proto: 'http',
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: 2019236,
      rev: 3,
      signature: 'ET WEB_SERVER Possible CVE-2014-6271 Attempt',
      category: 'Attempted Administrator Privilege Gain',
      severity: 1,
      metadata: { created_at: ['2014_09_25'] },
      ...alert,
    },
    http: { hostname: 'example.com', url: '/cgi-bin/test.sh', http_method: 'GET', status: 404 },
    flow: { pkts_toserver: 4, pkts_toclient: 3 },
    ...over,
  });

describe('EVE timestamps', () => {
  it('reads offsets, Z and fractions of any length', () => {
    const base = Date.UTC(2009, 10, 24, 20, 27, 9) * 1000;
    expect(parseEveTimestamp('2009-11-24T21:27:09.534255+0100')).toBe(base + 534255);
    expect(parseEveTimestamp('2009-11-24T20:27:09.534255+0000')).toBe(base + 534255);
    expect(parseEveTimestamp('2009-11-24T20:27:09.5Z')).toBe(base + 500000);
    expect(parseEveTimestamp('2009-11-24T15:57:09-04:30')).toBe(base);
    expect(parseEveTimestamp('2009-11-24 20:27:09')).toBeUndefined();
    expect(parseEveTimestamp('yesterday')).toBeUndefined();
  });

  it('refuses dates that do not exist rather than rolling them over into later ones', () => {
    for (const bad of ['2003-13-45T99:00:00Z', '2003-02-29T00:00:00Z', '2003-04-31T00:00:00Z', '2003-01-01T24:00:00Z', '2003-01-01T00:60:00Z', '2003-00-10T00:00:00Z']) {
      expect(parseEveTimestamp(bad), bad).toBeUndefined();
    }
    expect(parseEveTimestamp('2004-02-29T23:59:59Z')).toBe(Date.UTC(2004, 1, 29, 23, 59, 59) * 1000);
  });
});

describe('parsing eve.json alert lines', () => {
  it("reads Suricata's alert records", () => {
    const r = parseEveLine(suricataLine());
    expect(r.kind).toBe('alert');
    if (r.kind !== 'alert') return;
    expect(r.alert).toMatchObject({
      srcIp: '192.168.2.7',
      srcPort: 1041,
      destIp: '72.21.211.150',
      destPort: 80,
      proto: 'TCP',
      appProto: 'http',
      action: 'alert',
      gid: 1,
      sid: 2019236,
      rev: 3,
      severity: 1,
      classtype: 'attempted-admin',
      pcapCnt: 7,
      flowId: 1676750115612680,
    });
    expect(r.alert.http).toMatchObject({ status: 404 });
    expect(r.alert.extra).toEqual({ metadata: { created_at: ['2014_09_25'] }, flow: { pkts_toserver: 4, pkts_toclient: 3 } });
    // Suricata writes no level: the mapping decides, not the parser.
    expect(r.facts.levelExplicit).toBe(false);
  });

  it("reads kanshi's own records back, keeping the level before correlation", () => {
    const event: CorrelatedEvent = hit({ tsUs: T0 + 123, level: 'Critical', http: { status: 200 } });
    event.correlation = { base_level: 'Warning', level_source: 'classtype', changes: [] };
    const r = parseEveLine(JSON.stringify(eveAlert(event)));
    if (r.kind !== 'alert') throw new Error('not an alert');
    expect(r.alert).toMatchObject({ tsUs: T0 + 123, srcIp: event.srcIp, destIp: event.destIp, sid: 1000, level: 'Warning', action: 'alert' });
    // Its level came from the classtype: the re-reading policy's classify and mapping decide again.
    expect(r.facts.levelExplicit).toBe(false);
    // A level the rule itself set (level:) is kept as the rule's.
    const own = parseEveLine(JSON.stringify(eveAlert(hit({ level: 'Critical', levelFromRule: true }))));
    if (own.kind !== 'alert') throw new Error('not an alert');
    expect(own.facts.levelExplicit).toBe(true);
    expect(own.alert.level).toBe('Critical');
  });

  it('applies the policy\'s classify to kanshi records whose level came from the classtype', () => {
    const line = JSON.stringify(eveAlert(hit({ level: 'Warning', classtype: 'web-application-attack', category: 'Web Application Attack' })));
    const events: CorrelatedEvent[] = [];
    const c = new Correlator(policyOf('classify classtype web-application-attack, level Critical'), { onEvent: (e) => events.push(e) });
    const r = parseEveLine(line);
    if (r.kind !== 'alert') throw new Error('not an alert');
    c.push(r.alert, r.facts);
    expect(events.map((e) => e.level)).toEqual(['Critical']);
  });

  it("reads back kanshi's records of a web log line, which leave out the server address", () => {
    const event: CorrelatedEvent = hit({ tsUs: T0 + 5, srcIp: '198.51.100.7', destIp: '' });
    const line = JSON.stringify(eveAlert(event));
    expect(line).not.toContain('dest_ip');
    const r = parseEveLine(line);
    if (r.kind !== 'alert') throw new Error('not an alert');
    expect(r.alert).toMatchObject({ srcIp: '198.51.100.7', destIp: '' });
    // A syslog line that names no host gives a record with neither address: read back too.
    const none = hit({ tsUs: T0 + 6, srcIp: '', destIp: '' });
    const bare = parseEveLine(JSON.stringify(eveAlert(none)));
    if (bare.kind !== 'alert') throw new Error('not an alert');
    expect(bare.alert).toMatchObject({ srcIp: '', destIp: '' });
    // An address that is not text is refused.
    expect(parseEveLine(suricataLine({ src_ip: 7 }))).toEqual({ kind: 'bad', message: '"src_ip" or "dest_ip" is not a string' });
  });

  it('maps blocked to drop, and counts other event types and junk without throwing', () => {
    const blocked = parseEveLine(suricataLine({}, { action: 'blocked' }));
    expect(blocked.kind === 'alert' && blocked.alert.action).toBe('drop');
    expect(parseEveLine('{"event_type":"flow","src_ip":"1.2.3.4"}')).toEqual({ kind: 'other', eventType: 'flow' });
    expect(parseEveLine('   ')).toEqual({ kind: 'blank' });
    expect(parseEveLine('{"event_type":"alert"').kind).toBe('bad');
    expect(parseEveLine('[1,2]')).toEqual({ kind: 'bad', message: 'not a JSON object' });
    expect(parseEveLine(suricataLine({ timestamp: 'soon' }))).toEqual({ kind: 'bad', message: 'bad or missing "timestamp" ("soon")' });
    expect(parseEveLine(suricataLine({}, { signature_id: 'x' }))).toEqual({ kind: 'bad', message: 'missing or bad "alert.signature_id"' });
  });
});

describe('re-correlating EVE streams', () => {
  it('applies the policy to Suricata alerts, skipping and reporting bad lines without losing good ones', async () => {
    const lines = [
      suricataLine(),
      '{"event_type":"stats","stats":{}}',
      'garbage {',
      suricataLine({ timestamp: '2009-11-24T21:27:10.000000+0100', http: { status: 200 } }),
      '',
    ];
    const events: CorrelatedEvent[] = [];
    const policy = policyOf('refused classtype attempted-admin, http_status 404');
    const r = await correlateEveStream(lines, policy, (e) => events.push(e), { file: 'eve.json' });
    expect(r.input).toEqual({ lines: 5, alerts: 2, other: 1, blank: 1, malformed: 1, latestUs: Date.UTC(2009, 10, 24, 20, 27, 10) * 1000 });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ file: 'eve.json', line: 3, severity: 'warning' });
    expect(r.problems[0]!.message).toMatch(/^skipped: not JSON/);
    expect(events.map((e) => [e.level, e.fp_reason])).toEqual([
      ['Information', 'target answered HTTP 404 (test.policy:1)'],
      ['Warning', undefined],
    ]);
    expect(r.stats).toMatchObject({ raw: 2, emitted: 2, refused: 1 });
  });

  it('gives the same result for kanshi output read back (round trip through eveAlert)', async () => {
    const policy = policyOf('escalate classtype attempted-admin, track by_src, count 3, seconds 60');
    const hits = [0, 1, 2, 3].map((i) => hit({ tsUs: T0 + i * 1_000_000, srcIp: '203.0.113.9' }));
    const first: CorrelatedEvent[] = [];
    await correlateEveStream(
      hits.map((h) => JSON.stringify(eveAlert({ ...h, level: 'Warning' }))),
      policy,
      (e) => first.push(e),
    );
    const second: CorrelatedEvent[] = [];
    await correlateEveStream(
      first.map((e) => JSON.stringify(eveAlert(e))),
      policyOf(''),
      (e) => second.push(e),
    );
    expect(first.map((e) => e.level)).toEqual(['Warning', 'Warning', 'Critical']);
    // Without the escalate statement, the escalated event falls back to its level before correlation.
    expect(second.map((e) => e.level)).toEqual(['Warning', 'Warning', 'Warning']);
  });

  it('reads several files in turn with one correlator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kanshi-eve-'));
    try {
      const a = join(dir, 'a.json');
      const b = join(dir, 'b.json');
      writeFileSync(a, `${suricataLine()}\n`);
      writeFileSync(b, `${suricataLine({ timestamp: '2009-11-24T21:27:10.534255+0100' })}\nnot json\n`);
      const events: CorrelatedEvent[] = [];
      const policy = policyOf('threshold gen_id 1, sig_id 2019236, type limit, track by_src, count 1, seconds 60');
      const r = await correlateEveFiles([a, b], policy, (e) => events.push(e));
      expect(events).toHaveLength(1);
      expect(r.stats).toMatchObject({ raw: 2, thresholded: 1 });
      expect(r.problems.map((p) => `${p.file}:${p.line}`)).toEqual([`${b}:2`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

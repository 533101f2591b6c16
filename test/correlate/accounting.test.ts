import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Alert } from '../../src/types/alert.js';
import { LEVELS } from '../../src/types/level.js';
import { Correlator, parsePolicy, type CorrelatedEvent, type PacketObservation } from '../../src/correlate/index.js';
import { T0 } from './helpers.js';

const IPS = ['10.0.0.1', '10.0.0.2', '10.0.1.7', '192.0.2.5', '198.51.100.9', '2001:db8::1', 'fe80::7'];
const SIDS = [1, 2, 3, 0];
const CLASSTYPES = ['attempted-admin', 'web-application-attack', 'trojan-activity', 'misc-activity', 'policy-violation'];

const ip = fc.constantFrom(...IPS);
const sid = fc.constantFrom(1, 2, 3);
const sidOrZero = fc.constantFrom(...SIDS);
const track = fc.constantFrom('by_src', 'by_dst', 'by_rule', 'by_both');
const count = fc.integer({ min: 1, max: 4 });
const seconds = fc.integer({ min: 1, max: 30 });
const cidr = fc.constantFrom('10.0.0.0/24', '10.0.0.1', '192.0.2.0/24', '$HOME_NET', '[10.0.1.0/24,198.51.100.9]', '2001:db8::/32');

const statement = fc.oneof(
  fc.tuple(sid, fc.option(fc.tuple(fc.constantFrom('by_src', 'by_dst', 'by_either'), cidr))).map(([s, t]) =>
    t ? `suppress gen_id 1, sig_id ${s}, track ${t[0]}, ip ${t[1]}` : `suppress gen_id 1, sig_id ${s}`,
  ),
  fc
    .tuple(sidOrZero, fc.constantFrom('limit', 'threshold', 'both'), track, fc.oneof(count, fc.constant(-1)), seconds)
    .map(([s, type, t, c, sec]) => `event_filter gen_id ${s === 0 ? 0 : 1}, sig_id ${s}, type ${type}, track ${t}, count ${c}, seconds ${sec}`),
  fc
    .tuple(sidOrZero, track, count, seconds, fc.constantFrom('alert', 'drop', 'pass', 'log', 'reject', 'sdrop'), fc.integer({ min: 0, max: 20 }))
    .map(([s, t, c, sec, a, to]) => `rate_filter gen_id 1, sig_id ${s}, track ${t}, count ${c}, seconds ${sec}, new_action ${a}, timeout ${to}`),
  fc
    .tuple(fc.constantFrom(...CLASSTYPES), track, count, seconds)
    .map(([c, t, n, sec]) => `escalate classtype ${c}, track ${t}, count ${n}, seconds ${sec}`),
  fc.tuple(sid, track, count).map(([s, t, n]) => `escalate sig_id ${s}, track ${t}, count ${n}, seconds 10, level Emergency`),
  fc.constantFrom('outbound level Emergency', 'outbound level Critical, classtype misc-activity'),
  fc.constantFrom('refused http_status 404', 'refused classtype web-application-attack, server "apache"', 'refused smtp_reply 5xx'),
  fc.oneof(sid.map((s) => `except sig_id ${s}`), cidr.map((c) => `except ip ${c}`), fc.constant('except uri "/ok*"')),
  fc.tuple(fc.constantFrom(...CLASSTYPES), fc.constantFrom(...LEVELS)).map(([c, l]) => `classify classtype ${c}, level ${l}`),
);

const alertArb = fc.record({
  dt: fc.integer({ min: 0, max: 4_000_000 }),
  src: ip,
  dst: ip,
  sid,
  classtype: fc.constantFrom(...CLASSTYPES),
  severity: fc.integer({ min: 1, max: 4 }),
  status: fc.option(fc.constantFrom(200, 404), { nil: undefined }),
  server: fc.option(fc.constantFrom('Apache/2.4', 'nginx'), { nil: undefined }),
  url: fc.option(fc.constantFrom('/ok/1', '/x'), { nil: undefined }),
  reply: fc.option(fc.constantFrom(250, 550), { nil: undefined }),
});

type AlertSpec = typeof alertArb extends fc.Arbitrary<infer T> ? T : never;

function toAlerts(specs: readonly AlertSpec[]): Alert[] {
  let t = T0;
  return specs.map((s) => {
    t += s.dt;
    const a: Alert = {
      tsUs: t,
      srcIp: s.src,
      destIp: s.dst,
      proto: 'TCP',
      action: 'alert',
      gid: 1,
      sid: s.sid,
      rev: 1,
      signature: `sig ${s.sid}`,
      category: '',
      severity: s.severity,
      classtype: s.classtype,
      level: 'Information',
    };
    if (s.status !== undefined || s.server !== undefined || s.url !== undefined) {
      a.http = {};
      if (s.status !== undefined) a.http.status = s.status;
      if (s.server !== undefined) a.http.server = s.server;
      if (s.url !== undefined) a.http.url = s.url;
    }
    if (s.reply !== undefined) a.smtp = { reply_code: s.reply };
    return a;
  });
}

function runAll(policyText: string, alerts: readonly Alert[], maxTracked?: number) {
  const load = parsePolicy(policyText, 'random.policy', { varOverrides: { HOME_NET: '[10.0.0.0/16,2001:db8::/32]' } });
  const events: CorrelatedEvent[] = [];
  // A cap far above what 120 hits can fill keeps each run cheap without changing results.
  const c = new Correlator(load.policy, { onEvent: (e) => events.push(e), maxTracked: maxTracked ?? 1024 });
  for (const a of alerts) c.push({ ...a });
  return { load, events, stats: c.stats() };
}

describe('accounting', () => {
  it('every raw hit is emitted, suppressed, rate filtered, thresholded or merged, and nothing else', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 8 }), fc.array(alertArb, { maxLength: 120 }), (stmts, specs) => {
        const { load, events, stats } = runAll(stmts.join('\n'), toAlerts(specs));
        // Random statements may clash (two event filters for one rule): that is reported, not fatal.
        for (const d of load.diagnostics) expect(d.message).toMatch(/already has a|keep only one|never applies/);
        expect(stats.raw).toBe(specs.length);
        expect(stats.emitted + stats.suppressed + stats.rate_filtered + stats.thresholded + stats.merged).toBe(stats.raw);
        expect(events).toHaveLength(stats.emitted);
        expect(LEVELS.reduce((n, l) => n + stats.levels[l], 0)).toBe(stats.emitted);
        for (const l of LEVELS) expect(events.filter((e) => e.level === l)).toHaveLength(stats.levels[l]);
        // The per-statement counts add up to the totals.
        const sum = (k: 'suppressed' | 'rate_filtered' | 'thresholded' | 'merged') => stats.statements.reduce((n, s) => n + s[k], 0);
        expect(sum('suppressed')).toBe(stats.suppressed);
        expect(sum('rate_filtered')).toBe(stats.rate_filtered);
        expect(sum('thresholded')).toBe(stats.thresholded);
        expect(sum('merged')).toBe(stats.merged);
        // Events come out in input order, each with a level, and a reason whenever the level moved.
        for (let i = 1; i < events.length; i++) expect(events[i]!.tsUs).toBeGreaterThanOrEqual(events[i - 1]!.tsUs);
        for (const e of events) {
          expect(LEVELS).toContain(e.level);
          if (e.correlation?.changes) expect(e.correlation.changes.at(-1)!.to).toBe(e.level);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('holds with a tracking cap small enough to evict all the time', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 6 }), fc.array(alertArb, { maxLength: 80 }), (stmts, specs) => {
        const { stats } = runAll(stmts.join('\n'), toAlerts(specs), 2);
        expect(stats.emitted + stats.suppressed + stats.rate_filtered + stats.thresholded + stats.merged).toBe(stats.raw);
        expect(stats.tracking.entries).toBeLessThanOrEqual(2);
      }),
      { numRuns: 100 },
    );
  });

  it('is deterministic: the same input twice gives the same events and stats', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 8 }), fc.array(alertArb, { maxLength: 80 }), (stmts, specs) => {
        const alerts = toAlerts(specs);
        const a = runAll(stmts.join('\n'), alerts);
        const b = runAll(stmts.join('\n'), alerts);
        expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
        expect(b.stats).toEqual(a.stats);
      }),
      { numRuns: 100 },
    );
  });

  it('is deterministic for scan detection too, whatever the packet mix', () => {
    const pktArb = fc.record({
      dt: fc.integer({ min: 0, max: 200_000 }),
      s: fc.integer({ min: 0, max: 3 }),
      d: fc.integer({ min: 0, max: 30 }),
      sp: fc.constantFrom(0, 1024, 5555),
      dp: fc.integer({ min: 0, max: 25 }),
      proto: fc.constantFrom(6, 17),
      flags: fc.integer({ min: 0, max: 63 }),
    });
    fc.assert(
      fc.property(fc.array(pktArb, { maxLength: 300 }), (specs) => {
        const once = () => {
          const load = parsePolicy('scan horizontal, count 4\nscan vertical, count 4\nscan sweep, count 4\nscan service_sweep, count 4', 'p');
          const events: CorrelatedEvent[] = [];
          const c = new Correlator(load.policy, { onEvent: (e) => events.push(e), maxScanTracked: 8 });
          let t = T0;
          for (const p of specs) {
            t += p.dt;
            const o: PacketObservation = {
              tsUs: t,
              src: new Uint8Array([10, 0, 0, p.s]),
              dst: new Uint8Array([192, 0, 2, p.d]),
              srcPort: p.sp,
              dstPort: p.dp,
              proto: p.proto,
              tcpFlags: p.proto === 6 ? p.flags : -1,
            };
            c.observePacket(o);
          }
          return { events, stats: c.stats() };
        };
        const a = once();
        const b = once();
        expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
        expect(a.stats.raw).toBe(a.stats.scan.events);
        expect(a.stats.emitted + a.stats.suppressed + a.stats.rate_filtered + a.stats.thresholded + a.stats.merged).toBe(a.stats.raw);
      }),
      { numRuns: 100 },
    );
  });
});

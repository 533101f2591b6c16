import { describe, expect, it } from 'vitest';
import { Correlator, type CorrelatedEvent } from '../../src/correlate/index.js';
import { correlate, hit, policyOf, sec } from './helpers.js';

/** Seconds (relative) at which the hits that came out were raised. */
const times = (events: readonly CorrelatedEvent[]): number[] => events.map((e) => (e.tsUs - sec(0)) / 1_000_000);

describe('event filters (threshold / event_filter) as Snort and Suricata document them', () => {
  it('type limit: the first count hits per window, then nothing until the window ends', () => {
    // "Limit logging to 1 event per 60 seconds" (Snort manual). The window is inclusive.
    const hits = [0, 1, 30, 60, 61, 100, 121, 122].map((t) => hit({ tsUs: sec(t) }));
    const { events, stats } = correlate('event_filter gen_id 1, sig_id 1000, type limit, track by_src, count 1, seconds 60', hits);
    expect(times(events)).toEqual([0, 61, 122]);
    expect(stats.thresholded).toBe(5);
  });

  it('type limit with count 2 lets two per window through', () => {
    const hits = [0, 1, 2, 3, 70, 71, 72].map((t) => hit({ tsUs: sec(t) }));
    const { events } = correlate('threshold gen_id 1, sig_id 1000, type limit, track by_src, count 2, seconds 60', hits);
    expect(times(events)).toEqual([0, 1, 70, 71]);
  });

  it('type threshold: every count-th hit within the window', () => {
    // "Limit logging to every 3rd event".
    const hits = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((t) => hit({ tsUs: sec(t) }));
    const { events } = correlate('event_filter gen_id 1, sig_id 1000, type threshold, track by_src, count 3, seconds 60', hits);
    expect(times(events)).toEqual([2, 5, 8]);
  });

  it('type threshold: a window that ends before count hits starts again from one', () => {
    const hits = [0, 1, 100, 101, 102].map((t) => hit({ tsUs: sec(t) }));
    const { events } = correlate('threshold gen_id 1, sig_id 1000, type threshold, track by_src, count 3, seconds 60', hits);
    expect(times(events)).toEqual([102]);
  });

  it('type both: once per window, after count hits', () => {
    // "Limit logging to just 1 event per 60 seconds, but only if we exceed 30 events in 60 seconds" (count 3 here).
    const hits = [0, 1, 2, 3, 4, 50, 61, 62, 63, 64].map((t) => hit({ tsUs: sec(t) }));
    const { events } = correlate('threshold gen_id 1, sig_id 1000, type both, track by_src, count 3, seconds 60', hits);
    expect(times(events)).toEqual([2, 63]);
  });

  it('tracks by source, by destination, by rule and by address pair', () => {
    const A = '203.0.113.1';
    const B = '203.0.113.2';
    const hits = [
      hit({ tsUs: sec(0), srcIp: A, destIp: B }),
      hit({ tsUs: sec(1), srcIp: B, destIp: A }),
      hit({ tsUs: sec(2), srcIp: A, destIp: '192.0.2.99' }),
      hit({ tsUs: sec(3), srcIp: '192.0.2.98', destIp: B }),
    ];
    const run = (track: string) => times(correlate(`threshold gen_id 1, sig_id 1000, type limit, track ${track}, count 1, seconds 60`, hits).events);
    expect(run('by_src')).toEqual([0, 1, 3]);
    expect(run('by_dst')).toEqual([0, 1, 2]);
    expect(run('by_rule')).toEqual([0]);
    // A->B and B->A are one pair (Suricata tracks both directions as the same pair).
    expect(run('by_both')).toEqual([0, 2, 3]);
  });

  it('tracks by flow (Suricata 8): the flow id, else both directions of the 5-tuple', () => {
    const hits = [
      hit({ tsUs: sec(0), flowId: 7 }),
      hit({ tsUs: sec(1), flowId: 7 }),
      hit({ tsUs: sec(2), flowId: 8 }),
      hit({ tsUs: sec(3), srcIp: '203.0.113.1', srcPort: 1111, destIp: '192.0.2.1', destPort: 80 }),
      hit({ tsUs: sec(4), srcIp: '192.0.2.1', srcPort: 80, destIp: '203.0.113.1', destPort: 1111 }),
      hit({ tsUs: sec(5), srcIp: '203.0.113.1', srcPort: 2222, destIp: '192.0.2.1', destPort: 80 }),
    ];
    const { events } = correlate('threshold gen_id 1, sig_id 1000, type limit, track by_flow, count 1, seconds 3600', hits);
    expect(times(events)).toEqual([0, 2, 3, 5]);
  });

  it('counts per rule: the same source hitting two rules has two windows', () => {
    const hits = [hit({ tsUs: sec(0), sid: 1 }), hit({ tsUs: sec(1), sid: 2 }), hit({ tsUs: sec(2), sid: 1 })];
    const { events } = correlate('threshold gen_id 1, sig_id 0, type limit, track by_src, count 1, seconds 60', hits);
    expect(events.map((e) => e.sid)).toEqual([1, 2]);
  });

  it('gen_id G, sig_id 0 covers that generator only; gen_id 0, sig_id 0 covers all', () => {
    const hits = [hit({ gid: 1, sid: 5 }), hit({ gid: 1, sid: 5 }), hit({ gid: 3, sid: 5 }), hit({ gid: 3, sid: 5 })];
    const byGen = correlate('threshold gen_id 1, sig_id 0, type limit, track by_src, count 1, seconds 60', hits);
    expect(byGen.events.map((e) => e.gid)).toEqual([1, 3, 3]);
    const all = correlate('threshold gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 60', hits);
    expect(all.events.map((e) => e.gid)).toEqual([1, 3]);
  });

  it('a sid-specific filter wins over gen-wide and global ones; count -1 switches filtering off (Snort)', () => {
    const policy = [
      'threshold gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 60',
      'threshold gen_id 1, sig_id 0, type limit, track by_src, count 2, seconds 60',
      'event_filter gen_id 1, sig_id 7, type limit, track by_src, count -1, seconds 60',
    ].join('\n');
    const hits = [7, 7, 7, 8, 8, 8].map((sid, i) => hit({ sid, tsUs: sec(i) }));
    const hitsGen9 = [1, 1].map((sid) => hit({ gid: 9, sid }));
    const { events } = correlate(policy, [...hits, ...hitsGen9]);
    expect(events.map((e) => `${e.gid}:${e.sid}`)).toEqual(['1:7', '1:7', '1:7', '1:8', '1:8', '9:1']);
  });

  it("leaves a rule's own threshold alone unless the filter names that rule (Suricata)", () => {
    const policy = policyOf(
      'threshold gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 60\nthreshold gen_id 1, sig_id 20, type limit, track by_src, count 1, seconds 60',
    );
    const out: CorrelatedEvent[] = [];
    const c = new Correlator(policy, { onEvent: (e) => out.push(e), ruleFacts: (_g, sid) => ({ ruleThreshold: sid === 10 || sid === 20 }) });
    for (const sid of [10, 10, 10, 20, 20, 30, 30]) c.push(hit({ sid }));
    expect(out.map((e) => e.sid)).toEqual([10, 10, 10, 20, 30]);
    expect(policy.overridesRuleThreshold(1, 20)).toBe(true);
    expect(policy.overridesRuleThreshold(1, 10)).toBe(false);
    // The same fact can come with the hit instead of from ruleFacts.
    const out2: CorrelatedEvent[] = [];
    const c2 = new Correlator(policy, { onEvent: (e) => out2.push(e) });
    for (let i = 0; i < 3; i++) c2.push(hit({ sid: 11 }), { ruleThreshold: true });
    expect(out2).toHaveLength(3);
  });
});

describe('suppression', () => {
  const from = (srcIp: string, destIp = '192.0.2.10') => hit({ srcIp, destIp });

  it('without an address, suppresses every hit of the rule (noalert)', () => {
    const { events, stats } = correlate('suppress gen_id 1, sig_id 1000', [from('10.0.0.1'), hit({ sid: 1001 })]);
    expect(events.map((e) => e.sid)).toEqual([1001]);
    expect(stats.suppressed).toBe(1);
    expect(stats.statements[0]).toMatchObject({ at: 'test.policy:1', statement: 'suppress gen_id 1, sig_id 1000', suppressed: 1 });
  });

  it('by_src with a single address', () => {
    const { events } = correlate('suppress gen_id 1, sig_id 1000, track by_src, ip 209.132.180.67', [
      from('209.132.180.67'),
      from('209.132.180.68'),
      from('10.0.0.1', '209.132.180.67'),
    ]);
    expect(events.map((e) => e.srcIp)).toEqual(['209.132.180.68', '10.0.0.1']);
  });

  it('by_dst with a CIDR block', () => {
    const { events } = correlate('suppress gen_id 1, sig_id 1000, track by_dst, ip 217.110.97.128/25', [
      from('10.0.0.1', '217.110.97.128'),
      from('10.0.0.1', '217.110.97.255'),
      from('10.0.0.1', '217.110.97.127'),
      from('217.110.97.200', '10.0.0.2'),
    ]);
    expect(events.map((e) => `${e.srcIp}>${e.destIp}`)).toEqual(['10.0.0.1>217.110.97.127', '217.110.97.200>10.0.0.2']);
  });

  it('by_either suppresses when the source or the destination is in the block', () => {
    const { events } = correlate('suppress gen_id 1, sig_id 1000, track by_either, ip 217.110.97.128/25', [
      from('217.110.97.130', '10.0.0.1'),
      from('10.0.0.1', '217.110.97.130'),
      from('10.0.0.1', '10.0.0.2'),
    ]);
    expect(events.map((e) => `${e.srcIp}>${e.destIp}`)).toEqual(['10.0.0.1>10.0.0.2']);
  });

  it('with a variable, a list, a negation and IPv6', () => {
    const policy = [
      'ipvar SCANNERS [192.0.2.0/24,!192.0.2.77]',
      'suppress gen_id 1, sig_id 1000, track by_src, ip $SCANNERS',
      'suppress gen_id 1, sig_id 1000, track by_src, ip [10.0.0.0/8, 172.16.0.0/12]',
      'suppress gen_id 1, sig_id 1000, track by_src, ip fe80::/10',
    ].join('\n');
    const { events } = correlate(policy, [
      from('192.0.2.5'),
      from('192.0.2.77'),
      from('10.9.9.9'),
      from('172.31.0.1'),
      from('172.32.0.1'),
      from('fe80::1'),
      from('2001:db8::1'),
    ]);
    expect(events.map((e) => e.srcIp)).toEqual(['192.0.2.77', '172.32.0.1', '2001:db8::1']);
  });

  it('with a list of 50,000 addresses, bracketed or space-separated (the parse keeps no copy per element)', () => {
    const hosts = Array.from({ length: 50_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    const hits = [from('10.0.195.79'), from('10.0.195.80'), from('10.1.0.0')];
    const bracketed = correlate(`suppress gen_id 1, sig_id 1000, track by_src, ip [${hosts.join(',')}]`, hits);
    // The last address listed is suppressed; the ones after the list are not.
    expect(bracketed.events.map((e) => e.srcIp)).toEqual(['10.0.195.80', '10.1.0.0']);
    const spaced = correlate(`suppress gen_id 1, sig_id 1000, track by_src, ip ${hosts.slice(0, 20_000).join(' ')} 10.1.0.0`, hits);
    expect(spaced.events.map((e) => e.srcIp)).toEqual(['10.0.195.79', '10.0.195.80']);
  });

  it('with $HOME_NET from --var', () => {
    const { events } = correlate('suppress gen_id 1, sig_id 0, track by_src, ip $HOME_NET', [from('10.1.2.3'), from('8.8.8.8')], {
      varOverrides: { HOME_NET: '10.0.0.0/8' },
    });
    expect(events.map((e) => e.srcIp)).toEqual(['8.8.8.8']);
  });

  it('gen_id 0, sig_id 0 with an address applies to every rule', () => {
    const { events } = correlate('suppress gen_id 0, sig_id 0, track by_src, ip 1.1.1.0/24 2.2.2.0/24', [
      hit({ srcIp: '1.1.1.9', gid: 3, sid: 9 }),
      hit({ srcIp: '2.2.2.9', sid: 1 }),
      hit({ srcIp: '3.3.3.9', sid: 1 }),
    ]);
    expect(events.map((e) => e.srcIp)).toEqual(['3.3.3.9']);
  });

  it('comes before event filters: a suppressed hit does not count in a window', () => {
    const policy = 'suppress gen_id 1, sig_id 1000, track by_src, ip 10.0.0.66\nthreshold gen_id 1, sig_id 1000, type threshold, track by_rule, count 2, seconds 60';
    const { events, stats } = correlate(policy, [
      hit({ tsUs: sec(0), srcIp: '10.0.0.1' }),
      hit({ tsUs: sec(1), srcIp: '10.0.0.66' }),
      hit({ tsUs: sec(2), srcIp: '10.0.0.2' }),
    ]);
    expect(times(events)).toEqual([2]);
    expect(stats).toMatchObject({ raw: 3, suppressed: 1, thresholded: 1, emitted: 1 });
  });
});

describe('rate_filter', () => {
  const policy = 'rate_filter gen_id 1, sig_id 888, track by_src, count 3, seconds 60, new_action drop, timeout 30';

  it('switches the action after count hits in the window, for timeout seconds', () => {
    const hits = [0, 1, 2, 3, 4, 33, 34, 35].map((t) => hit({ sid: 888, tsUs: sec(t) }));
    const { events, stats } = correlate(policy, hits);
    // Hits 1-3 are within the rate; the 4th exceeds it at t=3: drop until t=33 (inclusive);
    // t=34 is past the timeout and keeps its action, but the window from t=0 still holds more
    // than 3 hits, so t=35 drops again (Suricata and Snort keep the count past the timeout).
    expect(events.map((e) => e.action)).toEqual(['alert', 'alert', 'alert', 'drop', 'drop', 'drop', 'alert', 'drop']);
    expect(events[3]!.correlation?.action).toEqual({
      statement: policy,
      at: 'test.policy:1',
      from: 'alert',
      to: 'drop',
      count: 3,
      seconds: 60,
      timeout: 30,
    });
    expect(stats.action_changed).toBe(4);
    expect(stats.emitted).toBe(8);
  });

  it('tracks each source on its own', () => {
    const hits = [0, 1, 2, 3].map((t) => hit({ sid: 888, tsUs: sec(t), srcIp: `10.0.0.${t}` }));
    expect(correlate(policy, hits).events.map((e) => e.action)).toEqual(['alert', 'alert', 'alert', 'alert']);
  });

  it('timeout 0 never reverts (Snort)', () => {
    const hits = [0, 1, 1000, 100000].map((t) => hit({ sid: 888, tsUs: sec(t) }));
    const { events } = correlate('rate_filter gen_id 1, sig_id 888, track by_rule, count 1, seconds 60, new_action reject, timeout 0', hits);
    expect(events.map((e) => e.action)).toEqual(['alert', 'reject', 'reject', 'reject']);
  });

  it('pass, sdrop and log take the hit out of the alert stream, counted as rate filtered', () => {
    for (const action of ['pass', 'sdrop', 'log']) {
      const hits = [0, 1, 2].map((t) => hit({ sid: 888, tsUs: sec(t) }));
      const { events, stats } = correlate(`rate_filter gen_id 1, sig_id 888, track by_src, count 1, seconds 60, new_action ${action}, timeout 60`, hits);
      expect(events).toHaveLength(1);
      expect(stats.rate_filtered).toBe(2);
      expect(stats.raw).toBe(3);
    }
  });

  it('apply_to limits the filter to the tracked addresses in the list', () => {
    const p = 'rate_filter gen_id 1, sig_id 888, track by_src, count 1, seconds 60, new_action drop, timeout 60, apply_to [10.1.1.0/24]';
    const inside = [0, 1].map((t) => hit({ sid: 888, tsUs: sec(t), srcIp: '10.1.1.5' }));
    const outside = [0, 1].map((t) => hit({ sid: 888, tsUs: sec(t), srcIp: '10.2.1.5' }));
    expect(correlate(p, inside).events.map((e) => e.action)).toEqual(['alert', 'drop']);
    expect(correlate(p, outside).events.map((e) => e.action)).toEqual(['alert', 'alert']);
  });

  it('with several filters on a rule, the first one in force decides (file order)', () => {
    const p = [
      'rate_filter gen_id 1, sig_id 888, track by_src, count 5, seconds 60, new_action reject, timeout 60',
      'rate_filter gen_id 1, sig_id 0, track by_src, count 1, seconds 60, new_action drop, timeout 60',
    ].join('\n');
    const hits = [0, 1, 2, 3, 4, 5, 6].map((t) => hit({ sid: 888, tsUs: sec(t) }));
    expect(correlate(p, hits).events.map((e) => e.action)).toEqual(['alert', 'drop', 'drop', 'drop', 'drop', 'reject', 'reject']);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { correlate, hit, sec } from './helpers.js';

// The correlator works out once per rule what applies to it, and keeps recent rules in a small
// direct-mapped cache by gid and sid: rules that share a cache entry, or a sid under two
// generators, or a rule whose classtype or priority changes (EVE input), must never borrow
// each other's statements.
describe('rule plans', () => {
  const POLICY = [
    'event_filter gen_id 1, sig_id 100, type limit, track by_src, count 1, seconds 60',
    'suppress gen_id 1, sig_id 4196',
    'suppress gen_id 3, sig_id 8292',
    'classify sig_id 100, classtype trojan-activity, level Emergency',
  ].join('\n');

  it('keeps rules apart that share a cache entry or a sid', () => {
    // 100, 4196 = 100 + 4096 and 8292 = 100 + 2 * 4096 land on the same entry for one gid.
    const hits = [
      hit({ tsUs: sec(0), sid: 100 }),
      hit({ tsUs: sec(1), sid: 4196 }),
      hit({ tsUs: sec(2), sid: 100 }),
      hit({ tsUs: sec(3), gid: 3, sid: 100 }),
      hit({ tsUs: sec(4), gid: 3, sid: 8292 }),
      hit({ tsUs: sec(5), sid: 8292 }),
      hit({ tsUs: sec(6), gid: 3, sid: 100 }),
      hit({ tsUs: sec(7), sid: 4196 }),
    ];
    const { events, stats } = correlate(POLICY, hits);
    expect(events.map((e) => `${e.gid}:${e.sid}@${(e.tsUs - sec(0)) / 1e6}`)).toEqual(['1:100@0', '3:100@3', '1:8292@5', '3:100@6']);
    expect(stats.suppressed).toBe(3);
    expect(stats.thresholded).toBe(1);
  });

  it('re-plans a rule whose classtype or priority changes', () => {
    const hits = [
      hit({ tsUs: sec(0), sid: 100, classtype: 'attempted-admin' }),
      hit({ tsUs: sec(100), sid: 100, classtype: 'trojan-activity' }),
      hit({ tsUs: sec(200), sid: 100, classtype: 'attempted-admin' }),
      hit({ tsUs: sec(300), sid: 7, classtype: 'misc-activity-x', severity: 1 }),
      hit({ tsUs: sec(301), sid: 7, classtype: 'misc-activity-x', severity: 3 }),
    ];
    const { events } = correlate(POLICY, hits);
    expect(events.map((e) => e.level)).toEqual(['Warning', 'Emergency', 'Warning', 'Warning', 'Information']);
  });

  it('gives every hit the fate its own rule calls for, however rules interleave', () => {
    // Reference: each rule's hits alone (no statement here spans rules), against the mixed stream.
    const rule = fc.constantFrom([1, 100], [1, 4196], [3, 100], [3, 8292], [1, 8292], [2, 100]);
    fc.assert(
      fc.property(fc.array(fc.tuple(rule, fc.integer({ min: 0, max: 90 })), { maxLength: 60 }), (spec) => {
        let t = 0;
        const hits = spec.map(([[gid, sid], dt]) => hit({ gid, sid, tsUs: sec((t += dt)) }));
        const mixed = correlate(POLICY, hits).events.map((e) => e.tsUs);
        const alone: number[] = [];
        for (const key of new Set(hits.map((h) => `${h.gid}:${h.sid}`))) {
          const own = hits.filter((h) => `${h.gid}:${h.sid}` === key).map((h) => ({ ...h }));
          alone.push(...correlate(POLICY, own).events.map((e) => e.tsUs));
        }
        expect(mixed.sort((a, b) => a - b)).toEqual(alone.sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });
});

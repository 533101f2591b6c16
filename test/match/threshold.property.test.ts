import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ThresholdTrack } from '../../src/options/post/threshold.js';
import { dottedQuad, ThresholdTable, type ThresholdKeyParts } from '../../src/match/threshold.js';

type Kind = 'limit' | 'threshold' | 'both' | 'detection';

interface RuleConf {
  index: number;
  type: Kind;
  track: ThresholdTrack;
  count: number;
  seconds: number;
}

interface Hit {
  rule: number;
  dtUs: number;
  src: string;
  dst: string;
  flowId: number | undefined;
  numbers: boolean;
}

/**
 * The documented rules, keyed by text: a window opens at the first hit of a key and takes every
 * hit up to `seconds` later (and any up to `seconds` earlier; one earlier still opens a fresh window); limit alerts the first `count` hits, threshold every `count`-th
 * (counting afresh after each alert), both the `count`-th only, detection_filter every hit past
 * the first `count`.
 */
class ReferenceModel {
  readonly windows = new Map<string, { startUs: number; hits: number; sinceAlert: number }>();

  allow(r: RuleConf, tsUs: number, p: ThresholdKeyParts): boolean {
    const key = `${r.index}|${keyText(r.track, p)}`;
    let w = this.windows.get(key);
    // A hit after the window, or earlier than it by more than its length (out of time order), opens a fresh one.
    if (w === undefined || tsUs - w.startUs > r.seconds * 1_000_000 || w.startUs - tsUs > r.seconds * 1_000_000) {
      w = { startUs: tsUs, hits: 0, sinceAlert: 0 };
      this.windows.set(key, w);
    }
    w.hits++;
    w.sinceAlert++;
    switch (r.type) {
      case 'limit':
        return w.hits <= r.count;
      case 'threshold':
        if (w.sinceAlert < r.count) return false;
        w.sinceAlert = 0;
        return true;
      case 'both':
        return w.hits === r.count;
      case 'detection':
        return w.hits > r.count;
    }
  }
}

function keyText(track: ThresholdTrack, p: ThresholdKeyParts): string {
  switch (track) {
    case 'by_src':
      return p.src;
    case 'by_dst':
      return p.dst;
    case 'by_both':
      // An unordered pair: both directions between two hosts are one key.
      return p.src <= p.dst ? `${p.src}>${p.dst}` : `${p.dst}>${p.src}`;
    case 'by_flow':
      return `f${p.flowId ?? -1}`;
    case 'by_rule':
      return '';
  }
}

// Addresses as alerts write them: IPv4 (edge values too), none, IPv6, a host name, and texts that
// look like IPv4 but are not canonical (they must key apart from the address they resemble).
const ADDRESSES = [
  '10.0.0.1', '10.0.0.2', '192.168.1.10', '0.0.0.0', '255.255.255.255', '',
  '2001:0db8:0000:0000:0000:0000:0000:0001', 'fe80:0000:0000:0000:0000:0000:0000:0001',
  'mail.example.org', '010.0.0.1', '10.0.0.01', '1.2.3',
];
const FLOWS = [undefined, -1, 0, 1, 7, 2 ** 32 + 1, 2 ** 40, 1.5];
const RULE_INDEXES = [0, 1, 2, 17, 2 ** 28 - 1, 2 ** 28, 2 ** 31];

const ruleConf = (index: number): fc.Arbitrary<RuleConf> =>
  fc.record({
    index: fc.constant(index),
    type: fc.constantFrom<Kind>('limit', 'threshold', 'both', 'detection'),
    track: fc.constantFrom<ThresholdTrack>('by_src', 'by_dst', 'by_both', 'by_rule', 'by_flow'),
    count: fc.integer({ min: 1, max: 5 }),
    seconds: fc.integer({ min: 1, max: 4 }),
  });

const rulesArb = fc
  .uniqueArray(fc.constantFrom(...RULE_INDEXES), { minLength: 1, maxLength: 4 })
  .chain((idx) => fc.tuple(...idx.map(ruleConf)));

const hitArb = (nRules: number): fc.Arbitrary<Hit> =>
  fc.record({
    rule: fc.nat({ max: nRules - 1 }),
    // Mostly forward in time, sometimes a jump back (event time across sources is not monotone).
    dtUs: fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 2_500_000 }) },
      { weight: 1, arbitrary: fc.constantFrom(1_000_000, 2_000_000, 4_000_000) },
      { weight: 1, arbitrary: fc.integer({ min: -3_000_000, max: 0 }) },
    ),
    src: fc.constantFrom(...ADDRESSES),
    dst: fc.constantFrom(...ADDRESSES),
    flowId: fc.constantFrom(...FLOWS),
    // The caller hands over IPv4 addresses as numbers too (srcV4/dstV4), or only the texts.
    numbers: fc.boolean(),
  });

const scenario = rulesArb.chain((rules) =>
  fc.record({
    rules: fc.constant(rules),
    hits: fc.array(hitArb(rules.length), { maxLength: 300 }),
    cap: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constant(65536)),
  }),
);

/** Sets the key parts of a hit from `src` to `dst`, the IPv4 numbers too when the hit hands them over. */
function setParts(parts: ThresholdKeyParts, h: Hit, src: string, dst: string): void {
  parts.src = src;
  parts.dst = dst;
  parts.flowId = h.flowId;
  parts.srcV4 = h.numbers ? dottedQuad(src) : undefined;
  parts.dstV4 = h.numbers ? dottedQuad(dst) : undefined;
}

describe('ThresholdTable agrees with the text-keyed reference model', () => {
  it('decides every hit alike while the keys fit under the cap, and stays within the cap', () => {
    fc.assert(
      fc.property(scenario, ({ rules, hits, cap }) => {
        const table = new ThresholdTable(cap);
        const ref = new ReferenceModel();
        const parts: ThresholdKeyParts = { src: '', dst: '', flowId: undefined };
        let tsUs = 1_700_000_000_000_000;
        let suppressed = 0;
        for (const h of hits) {
          const r = rules[h.rule]!;
          tsUs += h.dtUs;
          setParts(parts, h, h.src, h.dst);
          const got = table.allow(r.index, r.type, r.track, r.count, r.seconds, tsUs, parts);
          const want = ref.allow(r, tsUs, parts);
          if (ref.windows.size <= cap) {
            // No key was ever dropped: the two must agree exactly.
            expect(table.evictions).toBe(0);
            expect(got).toBe(want);
            expect(table.size).toBe(ref.windows.size);
            if (!want) suppressed++;
            expect(table.suppressed).toBe(suppressed);
          }
          expect(table.size).toBeLessThanOrEqual(cap);
        }
        const distinct = ref.windows.size;
        if (distinct > cap) {
          expect(table.size).toBe(cap);
          expect(table.evictions + table.reclaimed).toBeGreaterThanOrEqual(distinct - cap);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('in event time that only moves forward, decides every hit alike as long as no live window was dropped', () => {
    // Steps long enough next to the windows (1-4 s) for keys to run out, exact window ends among them.
    const step = fc.oneof(fc.integer({ min: 0, max: 6_000_000 }), fc.constantFrom(1_000_000, 2_000_000, 3_000_000, 4_000_000));
    const forward = rulesArb.chain((all) =>
      fc.record({
        // One or two rules: fewer keys alive at once, so runs go on long past the first reclaim.
        rules: fc.constant(all.slice(0, 2)),
        hits: fc.array(fc.tuple(hitArb(Math.min(2, all.length)), step), { minLength: 30, maxLength: 200 }),
        cap: fc.integer({ min: 1, max: 4 }),
      }),
    );
    const FEW = ['10.0.0.1', '10.0.0.2', '2001:0db8:0000:0000:0000:0000:0000:0001'];
    // Hits decided after some key had been reclaimed: the property is about them, there must be many.
    let afterReclaim = 0;
    fc.assert(
      fc.property(forward, ({ rules, hits, cap }) => {
        const table = new ThresholdTable(cap);
        const ref = new ReferenceModel();
        const parts: ThresholdKeyParts = { src: '', dst: '', flowId: undefined };
        let tsUs = 1_700_000_000_000_000;
        for (const [h, dtUs] of hits) {
          const r = rules[h.rule]!;
          tsUs += dtUs;
          // Few keys (numeric and text ones), so that keys come back after their room was reused.
          setParts(parts, h, FEW[ADDRESSES.indexOf(h.src) % FEW.length]!, FEW[ADDRESSES.indexOf(h.dst) % FEW.length]!);
          const got = table.allow(r.index, r.type, r.track, r.count, r.seconds, tsUs, parts);
          const want = ref.allow(r, tsUs, parts);
          if (table.evictions > 0) return;
          // Keys past the cap went, but only ones whose window had run out: nothing to tell apart.
          expect(got).toBe(want);
          expect(table.size).toBeLessThanOrEqual(cap);
          if (table.reclaimed > 0) afterReclaim++;
        }
      }),
      { numRuns: 400 },
    );
    expect(afterReclaim).toBeGreaterThan(1000);
  });
});

describe('ThresholdTable eviction', () => {
  const limit1 = (t: ThresholdTable, src: string, tsUs: number): boolean =>
    t.allow(0, 'limit', 'by_src', 1, 60, tsUs, { src, dst: '', flowId: undefined });

  it('counts one eviction per new key past the cap, and never holds more keys', () => {
    const t = new ThresholdTable(16);
    for (let i = 0; i < 100; i++) expect(limit1(t, `10.0.${i >> 8}.${i & 255}`, i)).toBe(true);
    expect(t.size).toBe(16);
    expect(t.evictions).toBe(84);
    // Text keys (IPv6) share the same cap and counter.
    for (let i = 0; i < 10; i++) limit1(t, `2001:0db8:0000:0000:0000:0000:0000:${i.toString(16).padStart(4, '0')}`, 200 + i);
    expect(t.size).toBe(16);
    expect(t.evictions).toBe(94);
  });

  it('drops a key not used since the last sweep before one that was (second chance), which then starts afresh', () => {
    const t = new ThresholdTable(4);
    for (const a of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']) expect(limit1(t, a, 0)).toBe(true);
    expect(limit1(t, '10.0.0.1', 1)).toBe(false); // used again: kept past the next eviction
    expect(limit1(t, '10.0.0.5', 2)).toBe(true); // evicts 10.0.0.2, the least recently used
    expect(t.evictions).toBe(1);
    expect(limit1(t, '10.0.0.1', 3)).toBe(false); // its window survived
    expect(limit1(t, '10.0.0.2', 4)).toBe(true); // dropped: a fresh window
    expect(t.evictions).toBe(2);
    expect(t.size).toBe(4);
  });

  it('drops a key whose window has run out before a live one, without counting an eviction', () => {
    const t = new ThresholdTable(2);
    const hit = (src: string, seconds: number, tsUs: number): boolean => t.allow(0, 'limit', 'by_src', 1, seconds, tsUs, { src, dst: '', flowId: undefined });
    expect(hit('10.0.0.1', 3600, 0)).toBe(true); // a window of an hour
    expect(hit('10.0.0.2', 1, 0)).toBe(true); // a window of a second
    // At 10 s the one-second window is over: the new key takes its place, nothing is lost.
    expect(hit('10.0.0.3', 1, 10_000_000)).toBe(true);
    expect(t.evictions).toBe(0);
    expect(t.reclaimed).toBe(1);
    expect(hit('10.0.0.1', 3600, 11_000_000)).toBe(false); // the hour-long window is still there
    // Both held windows are live now (10.0.0.3 until 11 s): a new key must evict one.
    expect(hit('10.0.0.4', 3600, 11_000_000)).toBe(true);
    expect(t.evictions).toBe(1);
    expect(t.size).toBe(2);
  });

  it('judges a window at the time of the hit that needs the room, also when inputs go back in time', () => {
    const t = new ThresholdTable(1);
    const hit = (src: string, seconds: number, tsUs: number): boolean => t.allow(0, 'limit', 'by_src', 1, seconds, tsUs, { src, dst: '', flowId: undefined });
    hit('10.0.0.1', 1, 200_000_000); // a later capture first
    hit('10.0.0.2', 100, 50_000_000); // then an older one: its window lasts until 150 s
    hit('10.0.0.3', 100, 60_000_000); // at 60 s that window is live: a loss, counted
    expect([t.evictions, t.reclaimed]).toEqual([2, 0]);
  });

  it('reclaims a run-out key whatever kind of window it had', () => {
    for (const type of ['limit', 'threshold', 'both', 'detection'] as const) {
      const t = new ThresholdTable(1);
      const hit = (src: string, tsUs: number): boolean => t.allow(0, type, 'by_src', 2, 1, tsUs, { src, dst: '', flowId: undefined });
      hit('10.0.0.1', 0);
      hit('10.0.0.2', 1_000_000); // the first window ends at 1 s inclusive: still live
      expect([type, t.evictions, t.reclaimed]).toEqual([type, 1, 0]);
      hit('10.0.0.3', 2_000_001); // 10.0.0.2's window ended at 2 s
      expect([type, t.evictions, t.reclaimed]).toEqual([type, 1, 1]);
    }
  });

  it('rejects a cap below one key', () => {
    expect(() => new ThresholdTable(0)).toThrow();
  });
});

describe('dottedQuad', () => {
  it('reads exactly the canonical IPv4 texts, one text per address', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const n = dottedQuad(ip);
        const back = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
        expect(back).toBe(ip);
      }),
    );
    for (const s of ['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.256', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.a', '::1', '1.2.3.4 '])
      expect(dottedQuad(s)).toBe(-1);
    expect(dottedQuad('0.0.0.0')).toBe(0);
    expect(dottedQuad('255.255.255.255')).toBe(2 ** 32 - 1);
  });
});

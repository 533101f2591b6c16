import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import type { Alert } from '../../src/types/alert.js';
import { addressText, canonicalIpv4, parseIpv4Into } from '../../src/correlate/ip-bytes.js';
import { ScanDetector, TallyTable } from '../../src/correlate/scan-detector.js';
import { correlate, hit, policyOf, sec } from './helpers.js';

describe('canonicalIpv4', () => {
  it('numbers exactly the texts addressText writes, and nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        expect(canonicalIpv4(addressText(b))).toBe(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9.]{0,17}$/), (text) => {
        const out = new Uint8Array(4);
        const canonical = parseIpv4Into(text, out) && addressText(out) === text;
        expect(canonicalIpv4(text) >= 0, text).toBe(canonical);
      }),
    );
    for (const t of ['010.0.0.1', '10.0.0.01', '00.1.2.3', '1.2.3.4 ', '::1', '']) expect(canonicalIpv4(t), t).toBe(-1);
    expect(canonicalIpv4('0.0.0.0')).toBe(0);
    expect(canonicalIpv4('255.255.255.255')).toBe(0xffffffff);
  });
});

const POLICY = `
event_filter gen_id 1, sig_id 1001, type limit, track by_src, count 2, seconds 30
event_filter gen_id 1, sig_id 1002, type threshold, track by_dst, count 3, seconds 30
event_filter gen_id 1, sig_id 1003, type both, track by_both, count 2, seconds 30
rate_filter gen_id 1, sig_id 1004, track by_both, count 2, seconds 20, new_action drop, timeout 30
escalate classtype attempted-user, track by_src, count 3, seconds 60
escalate classtype trojan-activity, track by_dst, count 2, seconds 60
`;

/** What a run did to each hit, with addresses left out (they are renamed between runs). */
function fates(hits: readonly Alert[], maxTracked: number) {
  const { events, stats } = correlate(POLICY, hits, { maxTracked });
  return {
    events: events.map((e) => [e.tsUs, e.sid, e.level, e.action, e.correlation?.changes?.map((c) => c.reason)]),
    stats: { ...stats, statements: stats.statements.map((s) => ({ ...s })) },
  };
}

describe('tracking keys', () => {
  it('numbers for canonical IPv4 addresses count exactly as the address texts do', () => {
    const hitArb = fc.record({
      dt: fc.integer({ min: 0, max: 15 }),
      s: fc.integer({ min: 0, max: 5 }),
      d: fc.integer({ min: 0, max: 5 }),
      sid: fc.integer({ min: 1001, max: 1005 }),
      cls: fc.constantFrom('attempted-user', 'trojan-activity', 'attempted-admin'),
    });
    fc.assert(
      fc.property(fc.array(hitArb, { maxLength: 150 }), fc.integer({ min: 1, max: 40 }), (specs, maxTracked) => {
        let t = 0;
        const build = (name: (n: number) => string) => {
          t = 0;
          return specs.map((p) => {
            t += p.dt;
            return hit({ tsUs: sec(t), srcIp: name(p.s), destIp: name(p.d), sid: p.sid, classtype: p.cls });
          });
        };
        // Numeric keys (canonical IPv4), text keys (not addresses), and text keys again (IPv4
        // written with a leading zero, which must not be taken for the canonical address).
        const numeric = fates(build((n) => `192.0.2.${n}`), maxTracked);
        const text = fates(build((n) => `host-${n}`), maxTracked);
        const padded = fates(build((n) => `192.0.2.0${n}`), maxTracked);
        expect(text).toEqual(numeric);
        expect(padded).toEqual(numeric);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps an address written two ways as two keys, as the texts are', () => {
    const hits = [hit({ tsUs: sec(0), srcIp: '10.0.0.1', sid: 1001 }), hit({ tsUs: sec(1), srcIp: '010.0.0.1', sid: 1001 }), hit({ tsUs: sec(2), srcIp: '10.0.0.1', sid: 1001 }), hit({ tsUs: sec(3), srcIp: '10.0.0.1', sid: 1001 })];
    const { events } = correlate('event_filter gen_id 1, sig_id 1001, type limit, track by_src, count 2, seconds 30', hits);
    expect(events.map((e) => e.srcIp)).toEqual(['10.0.0.1', '010.0.0.1', '10.0.0.1']);
  });
});

describe('TallyTable', () => {
  it('counts a dropped key as evicted only while its window is open', () => {
    const table = new TallyTable(2);
    table.open('a', 0, 10);
    table.open('b', 5_000_000, 10);
    table.open('c', 10_000_000, 10); // 'a' still counts until 10 s inclusive
    expect([table.evictions, table.reclaimed]).toEqual([1, 0]);
    table.open('d', 15_000_001, 10); // 'b' ran out at 15 s
    expect([table.evictions, table.reclaimed]).toEqual([1, 1]);
    expect(table.peek('b')).toBeUndefined();
    expect(table.peek('c')).toBeDefined();
  });

  it('keeps and drops keys exactly as an LRU cache of the same size would', () => {
    const keyArb = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom('a', 'b', 'c', 'd'), fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.tuple(keyArb, fc.boolean()), { maxLength: 300 }), (max, ops) => {
        const table = new TallyTable(max);
        const model = new LRUCache<string, true>({ max });
        let evictions = 0;
        const id = (k: number | string | [number, number]) => JSON.stringify(k);
        const universe = new Set<string>();
        const peek = (k: number | string | [number, number]) => (Array.isArray(k) ? table.peekNumbers((k[0] + 1) * 1e12, k[1]) : table.peek(k));
        for (const [k, open] of ops) {
          universe.add(id(k));
          if (open) {
            if (!model.get(id(k))) {
              if (model.size >= max) evictions++;
              model.set(id(k), true);
            }
            if (Array.isArray(k)) table.openNumbers((k[0] + 1) * 1e12, k[1], 0, 60);
            else table.open(k, 0, 60);
          } else expect(peek(k) !== undefined).toBe(model.has(id(k)));
        }
        for (const u of universe) {
          const k = JSON.parse(u) as number | string | [number, number];
          expect(peek(k) !== undefined, u).toBe(model.has(u));
        }
        expect(table.evictions).toBe(evictions);
      }),
      { numRuns: 300 },
    );
  });
});

describe('scan tallies', () => {
  it('IPv4 packets (numeric keys) are counted exactly as the same traffic over IPv6 (text keys)', () => {
    const pktArb = fc.record({
      dt: fc.integer({ min: 0, max: 3_000_000 }),
      s: fc.integer({ min: 0, max: 3 }),
      d: fc.integer({ min: 0, max: 4 }),
      sp: fc.constantFrom(0, 1024, 5555),
      dp: fc.integer({ min: 0, max: 8 }),
      proto: fc.constantFrom(6, 17),
      flags: fc.constantFrom(0x02, 0x02, 0x12, 0x10, 0x04, 0x01, 0),
      reply: fc.boolean(),
    });
    let scanned = 0;
    const v6 = (n: number) => new Uint8Array([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n]);
    fc.assert(
      fc.property(fc.array(pktArb, { maxLength: 300 }), fc.integer({ min: 2, max: 30 }), (specs, cap) => {
        const run = (addr: (n: number) => Uint8Array) => {
          const events: Array<[number, number, number | undefined, unknown]> = [];
          const d = new ScanDetector(policyOf('scan horizontal, count 3\nscan vertical, count 3\nscan sweep, count 4\nscan service_sweep, count 3').scan, (a) => events.push([a.tsUs, a.sid, a.destPort, a.extra]), cap);
          let t = sec(0);
          for (const p of specs) {
            t += p.dt;
            // A reply goes from the target back to the prober.
            const [a, b] = p.reply ? [100 + p.d, p.s] : [p.s, 100 + p.d];
            d.observe({ tsUs: t, src: addr(a), dst: addr(b), srcPort: p.reply ? p.dp : p.sp, dstPort: p.reply ? p.sp : p.dp, proto: p.proto, tcpFlags: p.proto === 6 ? p.flags : -1 });
          }
          return { events, stats: d.stats() };
        };
        const v4run = run((n) => new Uint8Array([10, 0, n >> 8, n & 255]));
        if (v4run.events.length > 0) scanned++;
        expect(run(v6)).toEqual(v4run);
      }),
      { numRuns: 200 },
    );
    // The streams must raise events often enough for the comparison to mean something.
    expect(scanned).toBeGreaterThan(20);
  });
});

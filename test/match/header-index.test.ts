/**
 * The header prefilter of always-candidates (header-index.ts) lets through every rule whose
 * header conditions hold, and leaves out only rules one of its tabulated tests rejects.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderIndex } from '../../src/match/header-index.js';
import { CandidateSet } from '../../src/match/prefilter/index.js';
import type { CompiledRule } from '../../src/match/compile.js';
import {
  FACT_ADDRS,
  FACT_DSIZE,
  FACT_ICMP_CODE,
  FACT_ICMP_TYPE,
  FACT_IP_ID,
  FACT_IP_PROTO,
  FACT_TCP_FLAGS,
  FACT_TCP_WINDOW,
  FACT_TOS,
  FACT_TTL,
  HeaderFacts,
} from '../../src/options/matcher.js';
import { icmpPacket, ipDatagram, ipPacket, tcpSession, udpPacket, type BuiltPacket } from '../../src/traffic/index.js';
import { rulesetOf, scanPackets } from './helpers.js';

const INDEXED = [FACT_IP_PROTO, FACT_TCP_FLAGS, FACT_DSIZE, FACT_TTL, FACT_ICMP_TYPE, FACT_ICMP_CODE];

const flagLetters = fc.subarray(['F', 'S', 'R', 'P', 'A', 'U', 'C', 'E'], { minLength: 1 }).map((l) => l.join(''));
const range = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.integer({ min: 0, max }).map(String),
    fc.tuple(fc.constantFrom('<', '>', '<=', '>=', '!'), fc.integer({ min: 0, max })).map(([op, n]) => op + n),
    fc.tuple(fc.integer({ min: 0, max: max - 1 }), fc.integer({ min: 1, max })).map(([a, b]) => `${Math.min(a, b)}<>${Math.max(a + 1, b)}`),
  );
/** One header keyword, indexed or not (tos and id read the IP version too; window is not tabulated). */
const keyword = fc.oneof(
  fc.tuple(fc.constantFrom('', '!', '<', '>'), fc.constantFrom(1, 2, 6, 17, 47, 58)).map(([op, p]) => `ip_proto:${op}${p};`),
  fc.tuple(fc.constantFrom('', '+', '*', '!'), flagLetters, fc.option(fc.constantFrom('12', 'CE', 'A'), { nil: undefined })).map(
    ([m, f, ign]) => `flags:${m}${f}${ign === undefined ? '' : ',' + ign};`,
  ),
  fc.constant('flags:0;'),
  range(1600).map((r) => `dsize:${r};`),
  range(255).map((r) => `ttl:${r};`),
  range(255).map((r) => `itype:${r};`),
  range(255).map((r) => `icode:${r};`),
  fc.integer({ min: 0, max: 255 }).map((n) => `tos:${n};`),
  fc.integer({ min: 0, max: 65535 }).map((n) => `id:${n};`),
  range(65535).map((r) => `window:${r};`),
);
const ruleSet = fc.array(fc.array(keyword, { minLength: 0, maxLength: 3 }), { minLength: 1, maxLength: 70 });

function compile(bodies: readonly string[][]): CompiledRule[] {
  // One keyword of a kind per rule (flags and others are single-use).
  const text = bodies
    .map((kws, i) => {
      const seen = new Set<string>();
      const kept = kws.filter((k) => {
        const name = k.slice(0, k.indexOf(':'));
        if (seen.has(name)) return false;
        seen.add(name);
        return true;
      });
      return `alert ip any any -> any any (msg:"r${i}"; ${kept.join(' ')} sid:${i + 1};)`;
    })
    .join('\n');
  return [...rulesetOf(text).rules];
}

const facts = fc.record({
  known: fc.subarray([FACT_ADDRS, FACT_IP_PROTO, FACT_TCP_FLAGS, FACT_DSIZE, FACT_TTL, FACT_ICMP_TYPE, FACT_ICMP_CODE, FACT_TOS, FACT_IP_ID, FACT_TCP_WINDOW]),
  ipVersion: fc.constantFrom(4, 6),
  ipProto: fc.constantFrom(0, 1, 2, 6, 17, 47, 58, 255),
  tcpFlags: fc.integer({ min: 0, max: 255 }),
  dsize: fc.oneof(fc.integer({ min: 0, max: 1600 }), fc.integer({ min: 0, max: 70000 })),
  ttl: fc.integer({ min: 0, max: 255 }),
  icmpType: fc.integer({ min: 0, max: 255 }),
  icmpCode: fc.integer({ min: 0, max: 255 }),
  tos: fc.integer({ min: 0, max: 255 }),
  ipId: fc.integer({ min: 0, max: 65535 }),
  window: fc.integer({ min: 0, max: 65535 }),
});

function headerOf(f: typeof facts extends fc.Arbitrary<infer T> ? T : never): HeaderFacts {
  const h = new HeaderFacts();
  Object.assign(h, { ...f, known: f.known.reduce((a, b) => a | b, 0) });
  return h;
}

/** What evaluate() decides from the header conditions alone. */
function conditionsHold(r: CompiledRule, h: HeaderFacts): boolean {
  return (r.needs & h.known) === r.needs && r.conditions.every((c) => c.test(h));
}

describe('HeaderIndex', () => {
  it('selects every rule whose header conditions hold, and drops only rules a tabulated test rejects', () => {
    fc.assert(
      fc.property(ruleSet, fc.array(facts, { minLength: 1, maxLength: 8 }), (bodies, headers) => {
        const rules = compile(bodies);
        const ids = Int32Array.from(rules.map((r) => r.index));
        const index = new HeaderIndex(ids, rules);
        const set = new CandidateSet(rules.length);
        for (const f of headers) {
          const h = headerOf(f);
          set.clear();
          index.addTo(set, h);
          for (const r of rules) {
            const tabulated = r.conditions.filter((c) => c.decidedBy !== undefined && INDEXED.includes(c.decidedBy));
            const passes = tabulated.every((c) => (h.known & c.decidedBy!) !== 0 && c.test(h));
            expect(set.has(r.index)).toBe(passes);
            if (conditionsHold(r, h)) expect(set.has(r.index)).toBe(true);
          }
          // Each id once.
          expect(new Set(set.toArray()).size).toBe(set.count);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same answer from its filled tables as on first use', () => {
    const rules = compile([['flags:S;'], ['ip_proto:2;'], ['dsize:>1000;', 'flags:+A;'], ['ttl:<5;'], []]);
    const index = new HeaderIndex(Int32Array.from(rules.map((r) => r.index)), rules);
    const h = new HeaderFacts();
    h.known = FACT_IP_PROTO | FACT_TCP_FLAGS | FACT_DSIZE | FACT_TTL;
    Object.assign(h, { ipProto: 6, tcpFlags: 0x12, dsize: 1400, ttl: 64 });
    const once = new CandidateSet(rules.length);
    for (let k = 0; k < 3; k++) {
      once.clear();
      index.addTo(once, h);
      expect(once.toArray().sort()).toEqual([2, 4]);
    }
  });

  it('has no tests to look at for rules without tabulated keywords', () => {
    const rules = compile([['window:5;'], ['tos:3;'], []]);
    const index = new HeaderIndex(Int32Array.from(rules.map((r) => r.index)), rules);
    expect(index.selective).toBe(false);
    const set = new CandidateSet(rules.length);
    index.addTo(set, new HeaderFacts());
    expect(set.toArray().sort()).toEqual([0, 1, 2]);
  });
});

describe('engine with the header index', () => {
  function traffic(ttl: number, flagsSeed: number): BuiltPacket[] {
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 });
    s.handshake();
    s.send('client', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    s.send('server', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    if (flagsSeed % 2 === 0) s.reset('client');
    else s.close();
    const igmp = ipPacket(ipDatagram({ src: '10.0.0.3', dst: '224.0.0.1', protocol: 2, payload: new Uint8Array(8), ttl }), 2_000_000);
    const udp = udpPacket({ src: '10.0.0.1:1024', dst: '10.0.0.2:53', payload: 'x'.repeat(flagsSeed % 40), tsUs: 2_000_100, ttl });
    const icmp = icmpPacket({ src: '10.0.0.1', dst: '10.0.0.2', type: flagsSeed % 20, code: flagsSeed % 3, tsUs: 2_000_200, ttl });
    return [...s.packets(), igmp, udp, icmp];
  }

  it('raises the same alerts as evaluating every rule without a fast pattern', async () => {
    await fc.assert(
      fc.asyncProperty(ruleSet, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 1000 }), async (bodies, ttl, seed) => {
        const text = bodies
          .map((kws, i) => {
            const seen = new Set<string>();
            const kept = kws.filter((k) => !seen.has(k.slice(0, k.indexOf(':'))) && seen.add(k.slice(0, k.indexOf(':'))));
            return `alert ip any any -> any any (msg:"r${i}"; ${kept.join(' ')} sid:${i + 1};)`;
          })
          .join('\n');
        const rs = rulesetOf(text);
        const packets = traffic(ttl, seed);
        const key = (a: { sid: number; pcapCnt?: number }): string => `${a.sid}@${a.pcapCnt}`;
        const on = (await scanPackets(rs, packets)).map(key);
        const off = (await scanPackets(rs, packets, { engine: { headerIndex: false } })).map(key);
        expect(on).toEqual(off);
      }),
      { numRuns: 40 },
    );
  });

  it('still fires header rules on the packets they describe', async () => {
    const rules = 'alert ip any any -> any any (msg:"igmp"; ip_proto:2; sid:1;)\nalert tcp any any -> any any (msg:"rst"; flags:+R; sid:2;)\nalert tcp any any -> any any (msg:"syn"; flags:S; sid:3;)';
    const alerts = await scanPackets(rules, traffic(64, 0));
    expect(alerts.map((a) => a.sid).sort()).toEqual([1, 2, 3]);
  });
});

/**
 * The engine's payload evaluation against the plain reference evaluator (reference.ts) on random
 * content chains and payloads: relative modifiers, offsets and depths at the buffer boundaries,
 * nocase, negation, startswith/endswith. Checked twice: on the compiled program alone, and
 * through the whole engine (groups, prefilter, fast pattern choice) with several rules at once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Inspection } from '../../src/options/matcher.js';
import { runProgram } from '../../src/match/payload.js';
import { udpPacket } from '../../src/traffic/index.js';
import { contentText, rulesetOf, scanPackets } from './helpers.js';
import { referenceMatch, type RefContent } from './reference.js';

const BYTES = [0x61, 0x62, 0x41, 0x42, 0x63, 0x00];

const patternArb = fc.uint8Array({ minLength: 1, maxLength: 3 }).map((a) => a.map((x) => BYTES[x % 4]!));
const payloadArb = fc.uint8Array({ minLength: 0, maxLength: 40 }).map((a) => a.map((x) => BYTES[x % BYTES.length]!));

const contentArb: fc.Arbitrary<RefContent> = fc
  .record({
    bytes: patternArb,
    nocase: fc.boolean(),
    negated: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    mode: fc.constantFrom('none', 'abs', 'rel', 'rel', 'start', 'end'),
    a: fc.integer({ min: 0, max: 12 }),
    b: fc.integer({ min: 0, max: 12 }),
    dist: fc.integer({ min: -6, max: 10 }),
    which: fc.integer({ min: 0, max: 2 }),
  })
  .map((r) => {
    const c: RefContent = { bytes: r.bytes, nocase: r.nocase, negated: r.negated };
    const len = r.bytes.length;
    switch (r.mode) {
      case 'abs':
        if (r.which !== 1) c.offset = r.a;
        if (r.which !== 0) c.depth = len + r.b;
        break;
      case 'rel':
        if (r.which !== 1) c.distance = r.dist;
        if (r.which !== 0) c.within = len + r.b;
        break;
      case 'start':
        c.startsWith = true;
        break;
      case 'end':
        c.endsWith = true;
        break;
    }
    return c;
  });

const chainArb = fc.array(contentArb, { minLength: 1, maxLength: 4 });

/**
 * Chains that exercise the retry: two letters, short patterns, and mostly relative contents with
 * tight windows, so the first occurrence of an earlier content often is not the one that works.
 */
const tightPattern = fc.uint8Array({ minLength: 1, maxLength: 2 }).map((a) => a.map((x) => (x & 1 ? 0x61 : 0x62)));
const tightContent: fc.Arbitrary<RefContent> = fc
  .record({ bytes: tightPattern, negated: fc.integer({ min: 0, max: 5 }).map((n) => n === 0), dist: fc.integer({ min: -2, max: 3 }), extra: fc.integer({ min: 0, max: 3 }), rel: fc.boolean() })
  .map((r) => (r.rel ? { bytes: r.bytes, nocase: false, negated: r.negated, distance: r.dist, within: r.bytes.length + r.extra } : { bytes: r.bytes, nocase: false, negated: r.negated }));
const tightChainArb = fc.array(tightContent, { minLength: 2, maxLength: 4 });
const tightPayload = fc.uint8Array({ minLength: 0, maxLength: 30 }).map((a) => a.map((x) => (x % 3 === 0 ? 0x61 : x % 3 === 1 ? 0x62 : 0x63)));

function ruleText(chain: readonly RefContent[], sid: number): string {
  const parts = chain.map((c) => {
    let s = `content:${c.negated ? '!' : ''}${contentText(c.bytes)};`;
    if (c.nocase) s += ' nocase;';
    if (c.offset !== undefined) s += ` offset:${c.offset};`;
    if (c.depth !== undefined) s += ` depth:${c.depth};`;
    if (c.distance !== undefined) s += ` distance:${c.distance};`;
    if (c.within !== undefined) s += ` within:${c.within};`;
    if (c.startsWith === true) s += ' startswith;';
    if (c.endsWith === true) s += ' endswith;';
    return s;
  });
  return `alert udp any any -> any any (msg:"chain ${sid}"; ${parts.join(' ')} sid:${sid};)`;
}

const describeChain = (chain: readonly RefContent[], payload: Uint8Array): string =>
  `${ruleText(chain, 1)}\npayload: ${Buffer.from(payload).toString('hex')}`;

describe('payload evaluation agrees with the reference evaluator', () => {
  it('on the compiled program (1 rule, random chain and payload)', () => {
    const ins = new Inspection();
    ins.stepLimit = 1e9;
    fc.assert(
      fc.property(chainArb, payloadArb, (chain, payload) => {
        const rs = rulesetOf(ruleText(chain, 1));
        const program = rs.rules[0]!.pktProgram!;
        ins.steps = 0;
        ins.setBuffer(payload);
        const got = runProgram(program, ins, -2);
        expect(got, describeChain(chain, payload)).toBe(referenceMatch(payload, chain));
      }),
      { numRuns: 1500 },
    );
  });

  it('on chains that need the retry of earlier contents', () => {
    const ins = new Inspection();
    ins.stepLimit = 1e9;
    fc.assert(
      fc.property(tightChainArb, tightPayload, (chain, payload) => {
        const rs = rulesetOf(ruleText(chain, 1));
        ins.steps = 0;
        ins.setBuffer(payload);
        expect(runProgram(rs.rules[0]!.pktProgram!, ins, -2), describeChain(chain, payload)).toBe(referenceMatch(payload, chain));
      }),
      { numRuns: 1500 },
    );
  });

  it('through the engine, several rules against one UDP payload', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(chainArb, { minLength: 1, maxLength: 6 }), payloadArb, async (chains, payload) => {
        const text = chains.map((c, i) => ruleText(c, i + 1)).join('\n');
        const pkt = udpPacket({ src: '10.0.0.1:1111', dst: '10.0.0.2:2222', payload, tsUs: 1_000_000 });
        const alerts = await scanPackets(text, [pkt]);
        const want = chains.flatMap((c, i) => (referenceMatch(payload, c) ? [i + 1] : []));
        expect(alerts.map((a) => a.sid).sort((x, y) => x - y), `${text}\npayload ${Buffer.from(payload).toString('hex')}`).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });
});

describe('program reach', () => {
  it('bounds where every match ends: nothing matches that must end past it', () => {
    const ins = new Inspection();
    ins.stepLimit = 1e9;
    let bounded = 0;
    fc.assert(
      fc.property(chainArb, payloadArb, fc.integer({ min: 0, max: 5 }), (chain, payload, extra) => {
        const program = rulesetOf(ruleText(chain, 1)).rules[0]!.pktProgram!;
        if (!Number.isFinite(program.reach)) return;
        bounded++;
        ins.steps = 0;
        ins.setBuffer(payload);
        expect(runProgram(program, ins, program.reach + extra), describeChain(chain, payload)).toBe(false);
        // And the bound is not loose for a chain of one bounded content that matches.
        if (chain.length === 1 && !chain[0]!.negated && referenceMatch(payload, chain)) {
          ins.steps = 0;
          expect(runProgram(program, ins, -2)).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
    expect(bounded).toBeGreaterThan(50);
  });

  it('is unbounded as soon as one step that moves the cursor is', () => {
    const rs = rulesetOf(
      [
        'alert tcp any any -> any any (msg:"a"; content:"ab"; depth:10; content:"cd"; within:5; sid:1;)',
        'alert tcp any any -> any any (msg:"b"; content:"ab"; depth:10; content:"cd"; distance:0; sid:2;)',
        'alert tcp any any -> any any (msg:"c"; content:"ab"; depth:10; pcre:"/x/R"; sid:3;)',
        'alert tcp any any -> any any (msg:"d"; content:"ab"; offset:4; depth:10; content:!"zz"; isdataat:2,relative; sid:4;)',
      ].join('\n'),
    );
    // d: the match ends at most at 14, and isdataat needs 2 bytes past that.
    expect(rs.rules.map((r) => r.pktProgram!.reach)).toEqual([15, Infinity, Infinity, 16]);
  });
});

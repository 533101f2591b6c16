/**
 * Rule groups' shortcuts must not change what is found: candidates come out sorted, a packet
 * prefilter leaves out only rules whose dsize rules the payload size out, and an HTTP message's
 * body is scanned once for the patterns of pkt_data, file.data and the body buffer together.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Candidates } from '../../src/match/groups.js';
import { CandidateSet } from '../../src/match/prefilter/index.js';
import { CLASS_UDP } from '../../src/match/ruleset.js';
import { httpRequest, httpResponse, tcpSession, udpPacket } from '../../src/traffic/index.js';
import { rulesetOf, scanPackets, sids } from './helpers.js';

describe('Candidates.ordered', () => {
  it('returns each id once, ascending, for sets small and large', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(299), { maxLength: 120 }), fc.array(fc.nat(299), { maxLength: 8 }), (ids, more) => {
        const c = new Candidates(300);
        for (const id of ids) c.add(id);
        const first = Array.from(c.ordered());
        expect(first).toEqual([...new Set(ids)].sort((a, b) => a - b));
        // Reused: a second call after more ids sees them all.
        for (const id of more) c.add(id);
        expect(Array.from(c.ordered())).toEqual([...new Set([...ids, ...more])].sort((a, b) => a - b));
        c.clear();
        expect(c.ordered().length).toBe(0);
      }),
    );
  });
});

describe('packet prefilter by payload size', () => {
  const RULES = [
    'alert udp any any -> any any (msg:"small"; dsize:<10; content:"ping"; sid:1;)',
    'alert udp any any -> any any (msg:"any size"; content:"ping"; sid:2;)',
    'alert udp any any -> any any (msg:"band"; dsize:20<>40; content:"ping"; sid:3;)',
    'alert udp any any -> any any (msg:"large"; dsize:>100; content:"ping"; sid:4;)',
    'alert udp any any -> any any (msg:"exact"; dsize:25; content:"ping"; sid:5;)',
    'alert udp any any -> any any (msg:"not"; dsize:!30; content:"ping"; sid:6;)',
  ].join('\n');
  const accepts: Record<number, (n: number) => boolean> = {
    1: (n) => n < 10,
    2: () => true,
    3: (n) => n > 20 && n < 40,
    4: (n) => n > 100,
    5: (n) => n === 25,
    6: (n) => n !== 30,
  };

  it('reports every pattern whose rule accepts the size, at least', () => {
    const rs = rulesetOf(RULES);
    const group = rs.packet[CLASS_UDP]![0].generic;
    for (const size of [4, 9, 10, 11, 20, 21, 25, 30, 39, 40, 41, 100, 101, 1400]) {
      const payload = new Uint8Array(size).fill(0x2e);
      payload.set([0x70, 0x69, 0x6e, 0x67], 0);
      const found = new CandidateSet(rs.rules.length);
      group.packetPrefilter(size)?.scan(payload, found);
      const reported = new Set(found.toArray().map((i) => rs.rules[i]!.sid));
      for (const [sid, ok] of Object.entries(accepts)) if (ok(size)) expect(reported.has(Number(sid)), `sid ${sid} at ${size}`).toBe(true);
      // Rules whose bound lies below the size are left out.
      if (size > 10) expect(reported.has(1)).toBe(false);
      if (size > 40) expect(reported.has(3) || reported.has(5)).toBe(false);
    }
  });

  it('alerts exactly as the dsize conditions say, for any payload size', async () => {
    const rs = rulesetOf(RULES);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 4, max: 160 }), { minLength: 1, maxLength: 6 }), async (sizes) => {
        const packets = sizes.map((n, i) => {
          const payload = new Uint8Array(n).fill(0x2e);
          payload.set([0x70, 0x69, 0x6e, 0x67], n - 4);
          return udpPacket({ src: '10.0.0.1:5000', dst: '10.0.0.2:6000', payload, tsUs: 1_000_000 + i });
        });
        const want = sizes.flatMap((n) => [1, 2, 3, 4, 5, 6].filter((sid) => accepts[sid]!(n)));
        expect(sids(await scanPackets(rs, packets))).toEqual(want);
      }),
      { numRuns: 30 },
    );
  });
});

describe('HTTP body scanned once for pkt_data, file.data and the body buffer', () => {
  const RULES = [
    'alert http any any -> any any (msg:"file data"; flow:to_client; file.data; content:"BODYMARK"; sid:1;)',
    'alert http any any -> any any (msg:"response body"; flow:to_client; http.response_body; content:"OTHERMARK"; sid:2;)',
    // Across the seam of headers and body, and on the body alone, through pkt_data.
    'alert http any any -> any any (msg:"raw seam"; flow:to_client; http.stat_code; content:"200"; pkt_data; content:"|0d 0a 0d 0a|<h1>"; sid:3;)',
    'alert http any any -> any any (msg:"raw body"; flow:to_client; http.stat_code; content:"200"; pkt_data; content:"TAILMARK"; sid:4;)',
    'alert http any any -> any any (msg:"absent"; flow:to_client; file.data; content:"NOWHERE"; sid:5;)',
    'alert http any any -> any any (msg:"request body"; flow:to_server; file.data; content:"FORMMARK"; http.request_body; content:"user="; sid:6;)',
  ].join('\n');

  function exchange(body: string, chunked = false) {
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 }).handshake();
    s.send('client', httpRequest({ method: 'POST', uri: '/login', body: 'user=FORMMARK' }, 'example.com'));
    s.send('server', httpResponse({ body, headers: { 'Content-Type': 'text/html' }, ...(chunked ? { chunked: true } : {}) }));
    s.close();
    return s.packets();
  }

  it('finds each buffer\'s patterns in the one body', async () => {
    const alerts = await scanPackets(RULES, exchange('<h1>x</h1> BODYMARK ... OTHERMARK ... TAILMARK'));
    expect(sids(alerts).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6]);
  });

  it('a chunked body (raw bytes differ from the body buffers) still matches each buffer as before', async () => {
    const alerts = await scanPackets(RULES, exchange('<h1>x</h1> BODYMARK OTHERMARK', true));
    // pkt_data is the start line and headers plus the dechunked body.
    expect(sids(alerts).sort((a, b) => a - b)).toEqual([1, 2, 3, 6]);
  });

  it('a response without a body matches no body pattern', async () => {
    expect(sids(await scanPackets(RULES, exchange('')))).toEqual([6]);
  });
});

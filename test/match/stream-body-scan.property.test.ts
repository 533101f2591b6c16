/**
 * The to-client stream scan of an HTTP flow also looks for the response body patterns, and an
 * identity-encoded body is then not scanned again (body-hits.ts). That must change nothing:
 * the same alerts, in the same order, and the same rules evaluated, as scanning every body on
 * its own (`streamBodyScan: false`), whatever the framing, segmentation, keep-alive,
 * pipelining, retransmissions with other bytes, and holes.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { BodyHitLog } from '../../src/match/body-hits.js';
import { CandidateSet } from '../../src/match/prefilter/index.js';
import { Scanner } from '../../src/match/scanner.js';
import type { Ruleset } from '../../src/match/ruleset.js';
import { encodePcap, httpRequest, httpResponse, TcpSession, type BuiltPacket } from '../../src/traffic/index.js';
import type { Alert } from '../../src/types/alert.js';
import { contentText, rulesetOf } from './helpers.js';

// Some words span a head's end and a body's start ("...\r\n\r\nalpha"): found in the stream, not in the body.
const WORDS = ['alpha', 'Bravo', 'zq', 'xyzzy-long-marker', 'GET', '<html>', 'k9', 'ORIGIN-STAMP-0001', 'ab', 'tail!', '\r\n\r\nalpha', 'html\r\n\r\nab', 'OK\r\nContent'];
const enc = new TextEncoder();

interface Run {
  alerts: string[];
  counters: Record<string, number>;
}

async function scan(rs: Ruleset, packets: readonly BuiltPacket[], merged: boolean): Promise<Run> {
  const alerts: Alert[] = [];
  const scanner = new Scanner(rs, (a) => alerts.push(a), { engine: { streamBodyScan: merged } });
  const bytes = encodePcap(packets);
  const r = await scanner.scanCaptureStream(
    (async function* () {
      yield bytes;
    })(),
    'test.pcap',
  );
  if (r.error !== undefined) throw new Error(r.error);
  const c = scanner.counters();
  const counters: Record<string, number> = {};
  for (const k of Object.keys(c)) if (k.startsWith('detect.')) counters[k] = c[k]!;
  return { alerts: alerts.map((a) => `${a.sid}@${a.pcapCnt}`), counters };
}

/** A rule looking for `word` in one of the places a response's bytes are inspected. */
const SPANNING = WORDS.filter((w) => w.includes('\r\n'));
const rule = fc.record({
  kind: fc.constantFrom('stream', 'file.data', 'http.response_body', 'pkt_data', 'stream-any'),
  word: fc.oneof(fc.constantFrom(...WORDS), fc.constantFrom(...SPANNING)),
  nocase: fc.boolean(),
  second: fc.option(fc.constantFrom(...WORDS), { nil: undefined }),
});

function ruleText(r: { kind: string; word: string; nocase: boolean; second: string | undefined }, sid: number): string {
  const c = (w: string): string => `content:${contentText(enc.encode(w))};${r.nocase ? ' nocase;' : ''}`;
  const more = r.second === undefined ? '' : ` ${c(r.second)}`;
  switch (r.kind) {
    case 'stream':
      return `alert tcp any any -> any any (msg:"s"; flow:to_client; ${c(r.word)}${more} sid:${sid};)`;
    case 'stream-any':
      return `alert tcp any 80 -> any any (msg:"s"; ${c(r.word)}${more} sid:${sid};)`;
    case 'pkt_data':
      // pkt_data of an HTTP rule is the raw message (start line, headers, body).
      return `alert http any any -> any any (msg:"p"; flow:to_client; http.stat_code; content:"200"; pkt_data; ${c(r.word)}${more} fast_pattern; sid:${sid};)`;
    default:
      return `alert http any any -> any any (msg:"b"; flow:to_client; ${r.kind}; ${c(r.word)}${more} sid:${sid};)`;
  }
}

/** A body of words and filler bytes. */
const body = fc
  .tuple(
    fc.constantFrom('alpha', 'ab', 'Content', ''),
    fc.array(fc.oneof(fc.constantFrom(...WORDS), fc.string({ minLength: 0, maxLength: 40 }), fc.constant('x'.repeat(700))), { minLength: 0, maxLength: 12 }),
  )
  .map(([first, parts]) => first + parts.join(' '));

const exchange = fc.record({
  body,
  framing: fc.constantFrom('length', 'chunked', 'gzip-label', 'close'),
  /** Segment starts: near the head's end (relative to it), and anywhere. */
  nearHeadEnd: fc.array(fc.integer({ min: -10, max: 12 }), { minLength: 0, maxLength: 3 }),
  cuts: fc.array(fc.nat(6000), { minLength: 0, maxLength: 8 }),
  duplicate: fc.boolean(),
});

/** Something happening in the middle of a response: bytes sent again with other content, or a hole. */
const disturbance = fc.record({
  kind: fc.constantFrom('overlap', 'hole'),
  /** Where in the response (per mille of its length). */
  at: fc.integer({ min: 0, max: 1000 }),
  /** Overlap: how far back the other bytes start; hole: how many bytes go missing. */
  length: fc.integer({ min: 1, max: 300 }),
  data: fc.constantFrom(...WORDS),
});

const conversation = fc.record({
  exchanges: fc.array(fc.record({ exchange, disturb: fc.option(disturbance, { nil: undefined }) }), { minLength: 1, maxLength: 3 }),
  pipeline: fc.boolean(),
});

type Exchange = { body: string; framing: string; nearHeadEnd: number[]; cuts: number[]; duplicate: boolean };
type Disturbance = { kind: string; at: number; length: number; data: string };

function packetsOf(conv: { exchanges: { exchange: Exchange; disturb: Disturbance | undefined }[]; pipeline: boolean }): BuiltPacket[] {
  const s = new TcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80' });
  s.handshake();
  let sent = 0; // server stream offset
  const responses = conv.exchanges.map(({ exchange: x }) => {
    const headers: [string, string][] = [['Content-Type', 'text/html']];
    if (x.framing === 'gzip-label') headers.push(['Content-Encoding', 'gzip']);
    if (x.framing === 'close') {
      // Close-delimited: no Content-Length, no chunking (the body runs to the end of the stream).
      return enc.encode(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n${x.body}`);
    }
    return httpResponse({ headers, body: x.body, ...(x.framing === 'chunked' ? { chunked: [97, 500, 1500] } : {}) });
  });
  const sendPart = (r: Uint8Array, from: number, to: number, x: Exchange): void => {
    if (to <= from) return;
    const headEnd = indexOfBlankLine(r);
    const splitAt = [...new Set([...x.nearHeadEnd.map((d) => headEnd + d), ...x.cuts])]
      .filter((o) => o > from && o < to)
      .map((o) => o - from)
      .sort((a, b) => a - b);
    s.send('server', r.subarray(from, to), { splitAt, ...(x.duplicate ? { duplicate: [0] } : {}) });
    sent += to - from;
  };
  const send = (i: number): void => {
    const { exchange: x, disturb } = conv.exchanges[i]!;
    const r = responses[i]!;
    if (disturb === undefined) {
      sendPart(r, 0, r.length, x);
      return;
    }
    const m = Math.floor((r.length * disturb.at) / 1000);
    sendPart(r, 0, m, x);
    if (disturb.kind === 'overlap') {
      s.segment('server', { offset: Math.max(0, sent - disturb.length), data: disturb.data, advance: false });
      sendPart(r, m, r.length, x);
    } else {
      s.skip('server', disturb.length);
      sent += disturb.length;
      // The peer's ACK of the next bytes declares the hole; what follows is delivered segment
      // by segment again.
      const m2 = Math.min(r.length, m + 1 + (disturb.length % 200));
      sendPart(r, m, m2, x);
      sendPart(r, m2, r.length, x);
    }
  };
  if (conv.pipeline) {
    for (let i = 0; i < conv.exchanges.length; i++) s.send('client', httpRequest({ uri: `/p${i}` }, '10.0.0.2'));
    for (let i = 0; i < conv.exchanges.length; i++) send(i);
  } else {
    for (let i = 0; i < conv.exchanges.length; i++) {
      s.send('client', httpRequest({ uri: `/p${i}` }, '10.0.0.2'));
      send(i);
    }
  }
  s.close('client');
  return s.packets();
}

function indexOfBlankLine(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i + 4;
  return 0;
}

describe('merged to-client stream and response body scan', () => {
  it('gives the alerts and counters of separate scans', async () => {
    const collect = vi.spyOn(BodyHitLog.prototype, 'collect');
    await fc.assert(
      fc.asyncProperty(fc.array(rule, { minLength: 1, maxLength: 12 }), conversation, async (rules, conv) => {
        const rs = rulesetOf(rules.map((r, i) => ruleText(r, i + 1)).join('\n'));
        const packets = packetsOf(conv);
        const merged = await scan(rs, packets, true);
        const separate = await scan(rs, packets, false);
        expect(merged.alerts).toEqual(separate.alerts);
        expect(merged.counters).toEqual(separate.counters);
      }),
      { numRuns: 250 },
    );
    // The merged path did serve bodies (else this property would test nothing).
    expect(collect.mock.results.filter((r) => r.value === true).length).toBeGreaterThan(20);
    collect.mockRestore();
  });

  it('takes body patterns from the stream scans of a multi-segment identity body', async () => {
    const rs = rulesetOf(
      [
        'alert tcp any 80 -> any any (msg:"s"; flow:to_client; content:"never-there"; sid:1;)',
        'alert http any any -> any any (msg:"b"; flow:to_client; file.data; content:"ORIGIN-STAMP-0001"; sid:2;)',
        'alert http any any -> any any (msg:"r"; flow:to_client; http.response_body; content:"xyzzy-long-marker"; sid:3;)',
      ].join('\n'),
    );
    const filler = 'x'.repeat(3000);
    const s = new TcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80' });
    s.handshake();
    s.send('client', httpRequest({ uri: '/' }, '10.0.0.2'));
    s.send('server', httpResponse({ body: `${filler}ORIGIN-STAMP-0001${filler}xyzzy-long-marker${filler}` }), { segments: [500, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000] });
    s.close('client');
    const collect = vi.spyOn(BodyHitLog.prototype, 'collect');
    try {
      const merged = await scan(rs, s.packets(), true);
      const separate = await scan(rs, s.packets(), false);
      expect(merged.alerts.map((a) => a.split('@')[0])).toEqual(['2', '3']);
      expect(merged).toEqual(separate);
      // The first call (merged run) used logged hits.
      expect(collect.mock.results.some((r) => r.value === true)).toBe(true);
    } finally {
      collect.mockRestore();
    }
  });
});

describe('merged scan at the head/body seam', () => {
  it('does not take a stream occurrence that begins in the head for a body pattern', async () => {
    const rs = rulesetOf(
      [
        'alert tcp any 80 -> any any (msg:"s"; flow:to_client; content:"never-there"; sid:1;)',
        'alert http any any -> any any (msg:"b"; flow:to_client; file.data; content:"|0d 0a 0d 0a|alpha"; sid:2;)',
        'alert http any any -> any any (msg:"c"; flow:to_client; file.data; content:"beta-marker"; sid:3;)',
      ].join('\n'),
    );
    const response = httpResponse({ body: `alpha ${'y'.repeat(2000)} beta-marker ${'z'.repeat(2000)}` });
    const headEnd = indexOfBlankLine(response);
    for (const d of [-3, 0, 1, 2, 4, 5, 9]) {
      const s = new TcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80' });
      s.handshake();
      s.send('client', httpRequest({ uri: '/' }, '10.0.0.2'));
      s.send('server', response, { splitAt: [headEnd + d, headEnd + 700, headEnd + 1400, headEnd + 2100, headEnd + 2800] });
      s.close('client');
      const merged = await scan(rs, s.packets(), true);
      const separate = await scan(rs, s.packets(), false);
      expect(merged.alerts.map((a) => a.split('@')[0])).toEqual(['3']);
      expect(merged).toEqual(separate);
    }
  });
});

describe('BodyHitLog', () => {
  it('uses only contiguous records inside the body whose context holds a whole occurrence', () => {
    const log = new BodyHitLog();
    const owner = {};
    // maxLength 5: an occurrence ending in a record's range starts at most 4 bytes before it.
    expect(log.begin(owner, 5, 0, 100, 0)).toBe(false); // no context before offset 0
    expect(log.begin(owner, 5, 100, 200, 0)).toBe(true);
    log.push(7);
    log.end(true);
    expect(log.begin(owner, 5, 200, 300, 0)).toBe(true);
    log.push(8);
    log.end(true);
    expect(log.begin(owner, 5, 300, 400, 0)).toBe(true);
    log.push(9);
    log.end(true);
    const out = new CandidateSet(16);
    // Body [97, 350): the first record starts too close to the body (100 - 4 < 97); the third ends past it.
    expect(log.collect(owner, 97, 350, out)).toBe(true);
    expect(out.toArray()).toEqual([8]);
    expect([log.coveredFrom, log.coveredTo]).toEqual([200, 300]);
    // Records up to the body's end are forgotten; the next body finds the one left.
    out.clear();
    expect(log.collect(owner, 290, 400, out)).toBe(true);
    expect(out.toArray()).toEqual([9]);
    // Another owner's hits are never used.
    expect(log.collect({}, 0, 1000, out)).toBe(false);
  });

  it('stays bounded and exact when full: neighbours merge, ids deduplicated', () => {
    const log = new BodyHitLog();
    const owner = {};
    for (let r = 0; r < 500; r++) {
      expect(log.begin(owner, 3, 1000 + r * 10, 1010 + r * 10, 0)).toBe(true);
      log.push(r % 3);
      log.push(100 + r);
      log.end(true);
    }
    expect(log.records).toBeLessThanOrEqual(64);
    const out = new CandidateSet(1000);
    expect(log.collect(owner, 0, 1_000_000, out)).toBe(true);
    // Whatever run was used, its ids are those of the records it spans.
    const from = (log.coveredFrom - 1000) / 10;
    const to = (log.coveredTo - 1000) / 10;
    const want = new Set<number>();
    for (let r = from; r < to; r++) {
      want.add(r % 3);
      want.add(100 + r);
    }
    expect(new Set(out.toArray())).toEqual(want);
  });
});

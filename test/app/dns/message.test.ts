import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DnsQuery, parseDnsMessage, rrtypeName } from '../../../src/app/dns/message.js';
import { dnsMessage } from '../../../src/traffic/index.js';

const dnsRequest = (names: readonly string[], id?: number): Uint8Array => dnsMessage({ names, ...(id !== undefined ? { id } : {}) });

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('parseDnsMessage', () => {
  it('reads the header and every question', () => {
    const r = parseDnsMessage(dnsRequest(['www.example.com', 'evil.test']));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.message.id).toBe(0x1234);
    expect(r.message.response).toBe(false);
    expect(r.message.questions.map((q) => text(q.name))).toEqual(['www.example.com', 'evil.test']);
    expect(r.message.questions[0]!.type).toBe(1);
  });

  it('follows backward compression pointers, and gives the root as an empty name', () => {
    // Question 1: example.com; question 2: "www" + pointer to offset 12; question 3: the root.
    const b = Uint8Array.from([0, 1, 1, 0, 0, 3, 0, 0, 0, 0, 0, 0, 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0, 0, 1, 0, 1, 3, ...Buffer.from('www'), 0xc0, 12, 0, 28, 0, 1, 0, 0, 2, 0, 1]);
    const r = parseDnsMessage(b);
    expect(r.ok && r.message.questions.map((q) => [text(q.name), q.type])).toEqual([
      ['example.com', 1],
      ['www.example.com', 28],
      ['', 2],
    ]);
  });

  it.each([
    ['dns.too_short', Uint8Array.from([0, 1, 1, 0, 0, 1])],
    ['dns.no_question', Uint8Array.from([0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])],
    // A pointer to itself before any other was followed, and one past the end.
    ['dns.malformed_name', Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1])],
    ['dns.malformed_name', Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 99, 0, 1, 0, 1])],
    // Label type 0x40, and a label running past the end.
    ['dns.malformed_name', Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0x61, 0])],
    ['dns.malformed_name', Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 0x61])],
    ['dns.truncated_question', Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1])],
  ])('%s', (anomaly, bytes) => {
    expect(parseDnsMessage(bytes)).toEqual({ ok: false, anomaly });
  });

  it('ends a name at a pointer loop with what was read, once a pointer was followed, as Suricata 7 does', () => {
    // The question points at "evil" followed by a pointer to itself.
    const self = Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 28, 0, 1, 0, 1, ...new Array<number>(10).fill(0), 4, ...Buffer.from('evil'), 0xc0, 33]);
    const a = parseDnsMessage(self);
    expect(a.ok && a.message.questions.map((q) => text(q.name))).toEqual(['evil']);
    // The question points at "evil" followed by a pointer back to it: 255 labels and pointers, then the end.
    const loop = Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 24, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 4, ...Buffer.from('evil'), 0xc0, 24]);
    const b = parseDnsMessage(loop);
    expect(b.ok && b.message.questions.map((q) => text(q.name).split('.').every((l) => l === 'evil'))).toEqual([true]);
    expect(b.ok && b.message.questions[0]!.name.length).toBe(127 * 5 + 4);
    expect(b.ok && b.message.questions[0]!.type).toBe(1);
  });

  it("ends a name at a pointer to the message's very end, as Suricata does (one past it is malformed)", () => {
    // "evil.bad.example" then a pointer to offset 35, the message's length.
    const labels = [4, ...Buffer.from('evil'), 3, ...Buffer.from('bad'), 7, ...Buffer.from('example')];
    const b = Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0xc0, 35, 0, 1, 0, 1]);
    expect(b.length).toBe(35);
    const r = parseDnsMessage(b);
    expect(r.ok && r.message.questions.map((q) => [text(q.name), q.type])).toEqual([['evil.bad.example', 1]]);
    const past = Uint8Array.from([...b.subarray(0, 29), 0xc0, 36, 0, 1, 0, 1]);
    expect(parseDnsMessage(past)).toEqual({ ok: false, anomaly: 'dns.malformed_name' });
  });

  it('reads at most eight looping names per message, so a datagram cannot multiply its weight', () => {
    // 30 questions, each a pointer to a looping "evil" name: 255 steps and a 639-byte name apiece.
    const head = [0, 1, 1, 0, 0, 30, 0, 0, 0, 0, 0, 0];
    const questions = new Array<number[]>(30).fill([0xc0, 12 + 30 * 6, 0, 1, 0, 1]).flat();
    const loop = [4, ...Buffer.from('evil'), 0xc0, 12 + 30 * 6];
    const r = parseDnsMessage(Uint8Array.from([...head, ...questions, ...loop]));
    expect(r.ok && r.message.questions.length).toBe(8);
  });

  it('reads what Suricata reads: forward pointers, names past 255 bytes (cut at 1025), any number of questions', () => {
    // A forward pointer: the question's name points at "evil.example" written after it.
    const fwd = Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 18, 0, 1, 0, 1, 4, ...Buffer.from('evil'), 7, ...Buffer.from('example'), 0]);
    const f = parseDnsMessage(fwd);
    expect(f.ok && f.message.questions.map((q) => text(q.name))).toEqual(['evil.example']);
    const long = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.');
    const l = parseDnsMessage(dnsRequest([long]));
    expect(l.ok && text(l.message.questions[0]!.name)).toBe(long);
    const huge = Array.from({ length: 20 }, () => 'b'.repeat(63)).join('.');
    const h = parseDnsMessage(dnsRequest([huge, 'after.example']));
    expect(h.ok && h.message.questions.map((q) => q.name.length)).toEqual([1025, 13]);
    const many = Array.from({ length: 40 }, (_, i) => `q${i}.example`);
    const m = parseDnsMessage(dnsRequest(many));
    expect(m.ok && m.message.questions.length).toBe(40);
  });

  it('property: names of 1-63-byte labels come back as written', () => {
    const label = fc.uint8Array({ minLength: 1, maxLength: 63 }).map((b) => text(b.map((x) => (x === 0x2e ? 0x2d : x))));
    fc.assert(
      fc.property(fc.array(fc.array(label, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }), (names) => {
        const written = names.map((ls) => ls.join('.'));
        const r = parseDnsMessage(dnsRequest(written));
        expect(r.ok && r.message.questions.map((q) => text(q.name))).toEqual(written);
      }),
    );
  });

  it('property: arbitrary bytes never throw, and a parsed name never exceeds the wire limit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const r = parseDnsMessage(b);
        if (r.ok) for (const q of r.message.questions) expect(q.name.length).toBeLessThanOrEqual(1025);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('DnsQuery', () => {
  it('exposes dns.query, pkt_data and EVE metadata', () => {
    const raw = dnsRequest(['a.example.org', 'b.example.org'], 77);
    const r = parseDnsMessage(raw);
    if (!r.ok) throw new Error('not parsed');
    const q = new DnsQuery(r.message, 1, 3, raw);
    expect(text(q.buffer('dns.query')!)).toBe('b.example.org');
    expect(q.buffer('pkt_data')).toBe(raw);
    expect(q.buffer('http.uri')).toBeUndefined();
    // Every question of the request, as Suricata's EVE lists the transaction's queries.
    expect(q.meta()).toEqual({
      query: [
        { type: 'query', id: 77, rrname: 'a.example.org', rrtype: 'A', tx_id: 3, opcode: 0 },
        { type: 'query', id: 77, rrname: 'b.example.org', rrtype: 'A', tx_id: 3, opcode: 0 },
      ],
    });
    expect(rrtypeName(28)).toBe('AAAA');
    expect(rrtypeName(4242)).toBe('4242');
  });
});

/** DCE/RPC: binds, requests (fragments joined), connectionless requests. */
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/app/accumulator.js';
import { DcerpcSession, MAX_STUB, newDcerpcStats, parseDatagramRequest, uuidText, type DceRequest } from '../../src/app/dcerpc/session.js';
import { bindPdu, dceDatagram, requestPdu, uuidBytes } from './dcerpc-fixtures.js';

const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('latin1');
const IACTIVATION = '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57';
const SRVSVC = '4b324fc8-1670-01d3-1278-5a47bf6ee188';

function session(): { s: DcerpcSession; out: DceRequest[]; stats: ReturnType<typeof newDcerpcStats> } {
  const out: DceRequest[] = [];
  const stats = newDcerpcStats();
  return { s: new DcerpcSession({ stats, budget: new MemoryBudget(1 << 24), emit: (r) => out.push(r) }), out, stats };
}

describe('DCE/RPC', () => {
  it('writes and reads UUIDs in either byte order', () => {
    for (const little of [true, false]) expect(uuidText(uuidBytes(IACTIVATION, little), 0, little)).toBe(IACTIVATION);
  });

  it('names the interface a request calls through its bound context, in either byte order', () => {
    for (const little of [true, false]) {
      const { s, out } = session();
      s.data(true, bindPdu([{ id: 1, uuid: SRVSVC, major: 3 }, { id: 2, uuid: IACTIVATION, major: 0 }], little));
      s.data(true, requestPdu({ callId: 1, contextId: 2, opnum: 0, stub: 'stub-bytes', little }));
      s.data(true, requestPdu({ callId: 2, contextId: 9, opnum: 4, stub: 'x', little }));
      expect(out.map((r) => [r.iface?.uuid ?? null, r.iface?.major ?? null, r.opnum, r.little, text(r.buffer('dce_stub_data'))])).toEqual([
        [IACTIVATION, 0, 0, little, 'stub-bytes'],
        [null, null, 4, little, 'x'],
      ]);
      expect(text(out[0]!.buffer('pkt_data'))).toMatch(/stub-bytes$/);
      // Suricata's fields (call_id, frag_cnt, rpc_version), and the interface the context is bound to.
      expect(out[0]!.meta()).toEqual({ request: 'REQUEST', req: { opnum: 0, frag_cnt: 1, stub_data_size: 10 }, call_id: 1, rpc_version: '5.0', interfaces: [{ uuid: IACTIVATION, version: '0.0' }] });
    }
  });

  it('joins a request\'s fragments, interleaved with another call, however the stream is cut', () => {
    const { s, out } = session();
    const stream = Buffer.concat([
      bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }], true),
      requestPdu({ callId: 7, contextId: 0, opnum: 15, stub: 'AAAA', first: true, last: false }),
      requestPdu({ callId: 8, contextId: 0, opnum: 1, stub: 'other' }),
      requestPdu({ callId: 7, contextId: 0, opnum: 15, stub: 'BBBB', first: false, last: false }),
      requestPdu({ callId: 7, contextId: 0, opnum: 15, stub: 'CC', first: false, last: true }),
    ]);
    for (let i = 0; i < stream.length; i += 7) s.data(true, stream.subarray(i, i + 7));
    expect(out.map((r) => [r.opnum, text(r.buffer('dce_stub_data'))])).toEqual([[1, 'other'], [15, 'AAAABBBBCC']]);
    expect(out.map((r) => r.id)).toEqual([0, 1]);
    expect(out.map((r) => [(r.meta().req as { frag_cnt: number }).frag_cnt, r.meta().call_id])).toEqual([
      [1, 8],
      [3, 7],
    ]);
  });

  it('hands over a request whose last fragment never comes: restarted call id, too many open calls, connection end', () => {
    const { s, out, stats } = session();
    s.data(true, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }], true));
    // A first fragment, then its call id restarted by a whole request: the first is not hidden.
    s.data(true, requestPdu({ callId: 5, contextId: 0, opnum: 15, stub: 'EVILEVIL', first: true, last: false }));
    s.data(true, requestPdu({ callId: 5, contextId: 0, opnum: 15, stub: 'benign' }));
    // More open calls than MAX_CALLS: the oldest is handed over, not dropped.
    for (let k = 0; k < 17; k++) s.data(true, requestPdu({ callId: 100 + k, contextId: 0, opnum: 1, stub: `open${k}`, first: true, last: false }));
    expect(out.map((r) => text(r.buffer('dce_stub_data')))).toEqual(['EVILEVIL', 'benign', 'open0']);
    // At the end of the connection the calls still open are handed over with what was joined.
    s.data(true, requestPdu({ callId: 116, contextId: 0, opnum: 1, stub: '-more', first: false, last: false }));
    s.end();
    expect(out).toHaveLength(3 + 16);
    expect(out.map((r) => text(r.buffer('dce_stub_data')))).toContain('open16-more');
    expect(out.every((r) => r.iface?.uuid === SRVSVC)).toBe(true);
    expect(stats.requests).toBe(19);
  });

  it('after a gap, resumes at the next PDU (05 00), even one whose 05 ends a chunk', () => {
    for (const cut of [0, 1, 5]) {
      const { s, out, stats } = session();
      s.data(true, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }], true));
      const lost = requestPdu({ callId: 1, contextId: 0, opnum: 2, stub: 'lost-part-of-this-request' });
      s.data(true, lost.subarray(0, 20));
      // Bytes went missing: what follows starts inside the request, then a whole one comes.
      s.gap(true);
      const after = Buffer.concat([lost.subarray(30), requestPdu({ callId: 2, contextId: 0, opnum: 9, stub: 'after-the-gap' })]);
      const split = after.indexOf(5) + cut;
      s.data(true, after.subarray(0, split));
      s.data(true, after.subarray(split));
      expect(out.map((r) => [r.iface?.uuid, r.opnum, text(r.buffer('dce_stub_data'))])).toEqual([[SRVSVC, 9, 'after-the-gap']]);
      expect(stats.malformed).toBe(0);
    }
  });

  it('bounds what it keeps and stops on bytes that are not DCE/RPC', () => {
    const { s, out, stats } = session();
    s.data(true, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }], true));
    const big = 'Z'.repeat(60_000);
    for (let k = 0; k < 6; k++) s.data(true, requestPdu({ callId: 1, contextId: 0, opnum: 2, stub: big, first: k === 0, last: k === 5 }));
    expect(out[0]!.buffer('dce_stub_data')!.length).toBe(MAX_STUB);
    expect(stats.stubsCut).toBe(1);
    s.data(true, Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    s.data(true, requestPdu({ callId: 3, contextId: 0, opnum: 2, stub: 'late' }));
    expect(out).toHaveLength(1);
    expect(stats.malformed).toBe(1);
  });

  it('gives the memory of abandoned calls back to the budget', () => {
    const budget = new MemoryBudget(1 << 24);
    const s = new DcerpcSession({ stats: newDcerpcStats(), budget, emit: () => {} });
    s.data(true, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }], true));
    // Calls that never send their last fragment, far more of them than MAX_CALLS.
    for (let k = 0; k < 200; k++) s.data(true, requestPdu({ callId: k, contextId: 0, opnum: 2, stub: 'Q'.repeat(1000), first: true, last: false }));
    expect(budget.used).toBeLessThanOrEqual(16 * 1024 + 4096);
    s.end();
    expect(budget.used).toBe(0);
  });

  it('leaves an authentication trailer (padding, sec_trailer, verifier) out of the stub', () => {
    const { s, out } = session();
    s.data(true, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }], true));
    // Stub "abcde", 3 bytes of padding, an 8-byte sec_trailer (pad length 3), a 16-byte verifier.
    const body = Uint8Array.from([5, 0, 0, 0, 0, 0, 9, 0, ...Buffer.from('abcde'), 0, 0, 0, 10, 2, 3, 0, 0, 0, 0, 0, ...new Array<number>(16).fill(0xee)]);
    const len = 16 + body.length;
    s.data(true, Uint8Array.from([5, 0, 0, 3, 0x10, 0, 0, 0, len & 0xff, len >> 8, 16, 0, 4, 0, 0, 0, ...body]));
    expect(out.map((r) => [r.opnum, text(r.buffer('dce_stub_data'))])).toEqual([[9, 'abcde']]);
  });

  it('unbinds a context the server rejects', () => {
    const { s, out } = session();
    s.data(true, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }, { id: 1, uuid: IACTIVATION, major: 0 }], true));
    // bind_ack: no secondary address, then results: context 0 accepted, context 1 rejected.
    const results = Uint8Array.from([2, 0, 0, 0, ...new Array<number>(24).fill(0), 2, 0, 2, 0, ...new Array<number>(20).fill(0)]);
    const body = Uint8Array.from([0x10, 0x10, 0x10, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, ...results]);
    const len = 16 + body.length;
    s.data(false, Uint8Array.from([5, 0, 12, 3, 0x10, 0, 0, 0, len & 0xff, len >> 8, 0, 0, 1, 0, 0, 0, ...body]));
    s.data(true, requestPdu({ callId: 2, contextId: 1, opnum: 0, stub: 'x' }));
    s.data(true, requestPdu({ callId: 3, contextId: 0, opnum: 0, stub: 'y' }));
    expect(out.map((r) => r.iface?.uuid ?? null)).toEqual([null, SRVSVC]);
  });

  it('binds nothing the server refused with a bind_nak', () => {
    const { s, out } = session();
    s.data(true, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }], true));
    // bind_nak (type 13): a reject reason, then the supported protocol versions.
    s.data(false, Uint8Array.from([5, 0, 13, 3, 0x10, 0, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0, 4, 0, 1, 5, 0, 0, 0, 0]));
    s.data(true, requestPdu({ callId: 2, contextId: 0, opnum: 0, stub: 'x' }));
    expect(out.map((r) => r.iface?.uuid ?? null)).toEqual([null]);
  });

  it('reads a connectionless request from its datagram, and only that', () => {
    const r = parseDatagramRequest(dceDatagram({ uuid: IACTIVATION, major: 0, opnum: 3, stub: 'udp-stub', little: true }), 0)!;
    expect([r.iface?.uuid, r.opnum, r.little, text(r.buffer('dce_stub_data'))]).toEqual([IACTIVATION, 3, true, 'udp-stub']);
    expect(parseDatagramRequest(Buffer.from('\x04' + 'A'.repeat(100), 'latin1'), 0)).toBeNull();
  });
});

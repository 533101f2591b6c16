/** SIP messages over UDP (one per datagram) and TCP (cut by headers and Content-Length). */
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/app/accumulator.js';
import { newSipStats, parseSipDatagram, SipSession, type SipMessage } from '../../src/app/sip/message.js';
import { detectToClient, detectToServer } from '../../src/app/detect.js';
import { bytes } from './helpers.js';

const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('latin1'));

const INVITE =
  'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.example.com\r\nf: Alice <sip:alice@example.com>\r\nTo: Bob <sip:bob@example.com>\r\n' +
  'CSeq: 314159 INVITE\r\nUser-Agent: () { :; }; /bin/id\r\nContent-Length: 4\r\n\r\nv=0\n';
const RINGING = 'SIP/2.0 180 Ringing\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n';

describe('SIP', () => {
  it('reads a request datagram into its buffers', () => {
    const m = parseSipDatagram(bytes(INVITE), 0, true)!;
    expect([m.method, m.status, m.cseqMethod]).toEqual(['INVITE', 0, 'INVITE']);
    expect(text(m.buffer('sip.uri'))).toBe('sip:bob@example.com');
    expect(text(m.buffer('sip.request_line'))).toBe('INVITE sip:bob@example.com SIP/2.0');
    expect(m.buffer('sip.response_line')).toBeUndefined();
    expect(text(m.buffer('sip.from'))).toBe('Alice <sip:alice@example.com>');
    expect(text(m.buffer('sip.user_agent'))).toBe('() { :; }; /bin/id');
    expect(text(m.buffer('sip_header'))).toMatch(/^Via: .*Content-Length: 4\r\n\r\n$/s);
    expect(text(m.buffer('sip_body'))).toBe('v=0\n');
    expect(m.meta()).toEqual({ method: 'INVITE', uri: 'sip:bob@example.com', version: 'SIP/2.0' });
  });

  it('reads a response and its CSeq method', () => {
    const m = parseSipDatagram(bytes(RINGING), 1, false)!;
    expect([m.method, m.status, m.cseqMethod, text(m.buffer('sip.stat_msg'))]).toEqual([null, 180, 'INVITE', 'Ringing']);
    expect(m.meta()).toEqual({ version: 'SIP/2.0', code: '180', reason: 'Ringing' });
  });

  it.each(['GET / HTTP/1.1\r\n\r\n', 'INVITE sip:x SIP/2.0', 'SIP/2.0 99 x\r\n', 'hello world\r\n'])('%j is not a SIP datagram', (d) => {
    expect(parseSipDatagram(bytes(d), 0, true)).toBeNull();
  });

  it('cuts a TCP stream into messages by Content-Length, however it is split', () => {
    const stream = INVITE + '\r\n' + RINGING.replace('Content-Length: 0', 'l: 2') + 'ok';
    for (const step of [1, 7, 1000]) {
      const out: SipMessage[] = [];
      const s = new SipSession({ stats: newSipStats(), budget: new MemoryBudget(1 << 20), emit: (m) => out.push(m) });
      for (let i = 0; i < stream.length; i += step) s.data(true, bytes(stream.slice(i, i + step)));
      expect(out.map((m) => [m.method ?? m.status, text(m.buffer('sip_body'))])).toEqual([['INVITE', 'v=0\n'], [180, 'ok']]);
    }
  });

  it('stops a direction on bytes that are not SIP', () => {
    const stats = newSipStats();
    const out: SipMessage[] = [];
    const s = new SipSession({ stats, budget: new MemoryBudget(1 << 20), emit: (m) => out.push(m) });
    s.data(true, bytes('GET / HTTP/1.1\r\n\r\n'));
    s.data(true, bytes(INVITE));
    expect(out).toEqual([]);
    expect(stats.malformed).toBe(1);
  });

  it('detects SIP over TCP, including OPTIONS, which HTTP has too', () => {
    expect(detectToServer(bytes('OPTIONS sip:a@b SIP/2.0\r\n'))).toBe('sip');
    expect(detectToServer(bytes('OPTIONS * HTTP/1.1\r\n'))).toBe('http');
    expect(detectToServer(bytes('OPTIONS '))).toBe('more');
    expect(detectToServer(bytes('REGISTER sip:example.com SIP/2.0\r\n'))).toBe('sip');
    expect(detectToClient(bytes('SIP/2.0 200 OK\r\n'))).toBe('sip');
  });
});

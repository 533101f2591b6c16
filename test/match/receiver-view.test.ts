/**
 * Detection sees the bytes the receiver keeps, not those it drops: junk on a SYN, a copy failing
 * PAWS, data past a FIN. And fragbits reads IPv4 headers only, as in Suricata.
 */
import { describe, expect, it } from 'vitest';
import { concatBytes, fragmentPacket, tcpOption, tcpSession, udpPacket, type TcpSession } from '../../src/traffic/index.js';
import { scanPackets, scanWithCounters, sids } from './helpers.js';

const REQUEST = 'GET /scripts/cmd.exe HTTP/1.1\r\nHost: a\r\n\r\n';
const RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
const RULES = [
  'alert http any any -> any any (msg:"uri"; flow:established,to_server; http.uri; content:"/scripts/cmd.exe"; sid:1;)',
  'alert tcp any any -> any any (msg:"raw"; flow:to_server; content:"EVIL"; sid:2;)',
  'alert tcp any any -> any any (msg:"raw anchored"; flow:to_server; content:"EVIL"; depth:4; sid:3;)',
].join('\n');
/** TCP Fast Open option with an 8-byte cookie. */
const TFO = Uint8Array.of(34, 10, 1, 2, 3, 4, 5, 6, 7, 8);

function session(): TcpSession {
  return tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 });
}

/**
 * A handshake whose SYN carries `synData`, answered by a SYN/ACK acknowledging `acked` bytes of
 * it; the client then sends `data` after what the server took, and the server answers.
 */
function synWithData(synData: string, options: Uint8Array, acked: number, data: string): TcpSession {
  const s = session();
  const c = s.isn('client');
  const v = s.isn('server');
  const next = c + 1 + acked;
  s.segment('client', { seq: c, flags: 'S', data: synData, options, ack: 0 });
  s.segment('server', { seq: v, flags: 'SA', ack: next });
  s.segment('client', { seq: next, flags: 'A', ack: v + 1 });
  if (data !== '') {
    s.segment('client', { seq: next, data, ack: v + 1 });
    s.segment('server', { seq: v + 1, data: RESPONSE, ack: next + data.length });
  }
  return s;
}

describe('data on a SYN', () => {
  it('without TCP Fast Open does not take the place of the request that follows', async () => {
    const s = synWithData('X'.repeat(56), new Uint8Array(0), 0, REQUEST);
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([1]);
  });

  it('without TCP Fast Open is inspected as a lone packet by every stream rule, as Suricata does', async () => {
    const s = synWithData('EVIL in the SYN', new Uint8Array(0), 0, 'harmless');
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([2, 3]);
  });

  it('with TCP Fast Open is the start of the request when the SYN/ACK acknowledges it', async () => {
    const s = synWithData(REQUEST, TFO, REQUEST.length, '');
    s.segment('server', { seq: s.isn('server') + 1, data: RESPONSE, ack: s.isn('client') + 1 + REQUEST.length });
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([1]);
  });

  it('with TCP Fast Open is dropped when the SYN/ACK acknowledges only the SYN: the request sent again counts', async () => {
    const junk = 'GET /xxxxxxx/xxx.xxx HTTP/1.1\r\nHost: a\r\n\r\n';
    const s = synWithData(junk, TFO, 0, REQUEST);
    const r = await scanWithCounters(RULES, s.packets());
    expect(sids(r.alerts)).toEqual([1]);
    expect(r.counters['stream.3whs_synack_tfo_data_ignored']).toBe(1);
  });
});

describe('PAWS', () => {
  it('keeps a copy with an older TSval out of the stream, so the real request is parsed', async () => {
    const s = session();
    const c = s.isn('client');
    const v = s.isn('server');
    s.segment('client', { seq: c, flags: 'S', ack: 0, options: tcpOption.timestamp(1000, 0) });
    s.segment('server', { seq: v, flags: 'SA', ack: c + 1, options: tcpOption.timestamp(50000, 1000) });
    s.segment('client', { seq: c + 1, flags: 'A', ack: v + 1, options: tcpOption.timestamp(1001, 50000) });
    s.segment('client', { seq: c + 1, data: 'GET /xxxxxxx/xxx.xxx', ack: v + 1, options: tcpOption.timestamp(5, 50000) });
    s.segment('client', { seq: c + 1, data: REQUEST, ack: v + 1, options: tcpOption.timestamp(1002, 50000) });
    s.segment('server', { seq: v + 1, data: RESPONSE, ack: c + 1 + REQUEST.length, options: tcpOption.timestamp(50001, 1002) });
    const r = await scanWithCounters(RULES, s.packets());
    expect(sids(r.alerts)).toEqual([1]);
    expect(r.counters['stream.pkt_invalid_timestamp']).toBe(1);
    const event = 'alert tcp any any -> any any (msg:"paws"; stream-event:pkt_invalid_timestamp; sid:9;)';
    expect(sids(await scanPackets(event, s.packets()))).toEqual([9]);
  });

  it('does not apply when the server did not answer the SYN with timestamps', async () => {
    const s = session();
    const c = s.isn('client');
    const v = s.isn('server');
    s.segment('client', { seq: c, flags: 'S', ack: 0, options: concatBytes([tcpOption.mss(1460), tcpOption.timestamp(1000, 0)]) });
    s.segment('server', { seq: v, flags: 'SA', ack: c + 1 });
    s.segment('client', { seq: c + 1, flags: 'A', ack: v + 1 });
    s.segment('client', { seq: c + 1, data: REQUEST, ack: v + 1, options: tcpOption.timestamp(5, 0) });
    s.segment('server', { seq: v + 1, data: RESPONSE, ack: c + 1 + REQUEST.length });
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([1]);
  });
});

describe('data after a FIN', () => {
  it('is not reassembled: only rules positioned from a buffer start see its packet', async () => {
    const s = session().handshake();
    s.send('client', 'hi ').fin('client').ack('server');
    s.segment('client', { seq: s.seqAt('client', 3), data: 'EVIL after fin' });
    s.fin('server').ack('client');
    expect(sids(await scanPackets(RULES, s.packets()))).toEqual([3]);
  });
});

describe('fragbits', () => {
  const rules = [
    'alert ip any any -> any any (msg:"MF"; fragbits:M; sid:1;)',
    'alert ip any any -> any any (msg:"not DF"; fragbits:!D; sid:2;)',
    'alert ip any any -> any any (msg:"fragment offset"; fragoffset:>0; sid:3;)',
  ].join('\n');

  it('never matches IPv6: neither a plain datagram nor its fragments (fragoffset does read those)', async () => {
    const plain = udpPacket({ src: '[2001:db8::1]:1024', dst: '[2001:db8::2]:53', payload: 'A'.repeat(40), tsUs: 1_000_000 });
    expect(sids(await scanPackets(rules, [plain]))).toEqual([]);
    const frags = fragmentPacket(udpPacket({ src: '[2001:db8::1]:1024', dst: '[2001:db8::2]:53', payload: 'A'.repeat(40), tsUs: 1_000_000 }), { sizes: [24], id: 9 });
    expect(sids(await scanPackets(rules, frags))).toEqual([3]);
  });

  it('matches IPv4 fragments and, as in Suricata, the datagram rebuilt from them', async () => {
    const frags = fragmentPacket(udpPacket({ src: '10.0.0.1:1024', dst: '10.0.0.2:53', payload: 'A'.repeat(40), tsUs: 1_000_000 }), { sizes: [24] });
    // First fragment: MF, not DF; last fragment: not DF, offset > 0; rebuilt datagram: not DF.
    expect(sids(await scanPackets(rules, frags))).toEqual([1, 2, 2, 3, 2]);
  });
});

describe('negated isdataat on a stream', () => {
  const rules = 'alert tcp any any -> any any (msg:"short after"; flow:established,to_server; content:"OVERFLOW"; isdataat:!200,relative; sid:1;)';

  it('is not judged while more data follows in the same turn: a chunked body makes it false', async () => {
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:4444', startUs: 1_000_000 }).handshake();
    s.send('client', 'xxOVERFLOWyy').send('client', 'B'.repeat(300)).send('server', 'ok\r\n').close();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([]);
  });

  it('is decided when the other side speaks, at the packet bringing its data', async () => {
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:4444', startUs: 1_000_000 }).handshake();
    s.send('client', 'xxOVERFLOWyy').send('server', 'ok\r\n');
    // The reply's packet number (numbered from 1, before the client's ACK of it): the decision is
    // not delayed to the flow's end.
    const reply = s.packets().length - 1;
    s.send('client', 'B'.repeat(300)).close();
    const alerts = await scanPackets(rules, s.packets());
    expect(sids(alerts)).toEqual([1]);
    expect(alerts[0]!.pcapCnt).toBe(reply);
  });

  it('fires once per beacon on a persistent connection, each decided at its reply', async () => {
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:4444', startUs: 1_000_000 }).handshake();
    for (let i = 0; i < 3; i++) s.send('client', `beacon ${i} OVERFLOWyy`).send('server', 'ack\r\n');
    s.send('client', 'B'.repeat(300)).close();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([1, 1, 1]);
  });

  it('is decided at each complete HTTP request: a request pipelined behind it does not follow it', async () => {
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 }).handshake();
    s.send('client', 'GET /a?OVERFLOW HTTP/1.1\r\nHost: a\r\n\r\n');
    s.send('client', `GET /${'b'.repeat(300)} HTTP/1.1\r\nHost: a\r\n\r\n`);
    s.send('server', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').close();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([1]);
    // A chunked body is one request until its last chunk: nothing is decided before.
    const c = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 }).handshake();
    c.send('client', 'POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nxxxxxxOVERFLOWyy\r\n');
    c.send('client', `12c\r\n${'B'.repeat(300)}\r\n0\r\n\r\n`);
    c.send('server', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').close();
    expect(sids(await scanPackets(rules, c.packets()))).toEqual([]);
  });

  it('is judged at the end of a one-way stream, on all the data it holds', async () => {
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:4444', startUs: 1_000_000 }).handshake();
    s.send('client', 'xxOVERFLOWyy').send('client', 'B'.repeat(100)).close();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([1]);
    const t = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:4444', startUs: 1_000_000 }).handshake();
    t.send('client', 'xxOVERFLOWyy').send('client', 'B'.repeat(300)).close();
    expect(sids(await scanPackets(rules, t.packets()))).toEqual([]);
  });

  it('still holds on a lone packet, whose data is all there is', async () => {
    const udpRules = 'alert udp any any -> any any (msg:"short after"; content:"OVERFLOW"; isdataat:!200,relative; sid:1;)';
    const dgram = udpPacket({ src: '10.0.0.1:1024', dst: '10.0.0.2:9999', payload: 'xxOVERFLOWyy', tsUs: 1_000_000 });
    expect(sids(await scanPackets(udpRules, [dgram]))).toEqual([1]);
  });
});

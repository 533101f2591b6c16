/** Explicit-proxy tunnels: after an accepted CONNECT the connection's rules are those of what it carries. */
import { describe, expect, it } from 'vitest';
import { clientHello, concatBytes, serverHello, tcpSession, tlsRecords, type BuiltPacket } from '../../src/traffic/index.js';
import { scanWithCounters } from './helpers.js';

const CONNECT = 'CONNECT secure.example:443 HTTP/1.1\r\nHost: secure.example:443\r\n\r\n';
const ESTABLISHED = 'HTTP/1.1 200 Connection established\r\n\r\n';
const HELLO = tlsRecords(22, clientHello({ sni: 'inner.example', ciphers: [0x1301, 0xc02f], groups: [29], pointFormats: [0] }));
const SERVER_TLS = concatBytes([tlsRecords(22, serverHello({ cipher: 0xc02f })), tlsRecords(20, Uint8Array.of(1))]);

const rules = `
alert http any any -> any any (msg:"connect"; http.method; content:"CONNECT"; sid:1;)
alert tls any any -> any any (msg:"sni in tunnel"; flow:to_server; tls.sni; content:"inner.example"; sid:2;)
alert http any any -> any any (msg:"uri in tunnel"; http.uri; content:"/inside"; sid:3;)
`;

function proxy(steps: (s: ReturnType<typeof tcpSession>) => void): BuiltPacket[] {
  const s = tcpSession({ client: '10.0.0.5:50000', server: '10.0.0.1:3128' }).handshake();
  steps(s);
  return s.close('client').packets();
}

async function hits(packets: BuiltPacket[]): Promise<[number, string | undefined][]> {
  const r = await scanWithCounters(rules, packets);
  return r.alerts.map((a) => [a.sid, a.appProto]);
}

describe('HTTP CONNECT through an explicit proxy', () => {
  it('fires tls.sni on the ClientHello inside the tunnel, app_proto tls', async () => {
    const packets = proxy((s) => s.send('client', CONNECT).send('server', ESTABLISHED).send('client', HELLO).send('server', SERVER_TLS));
    const r = await scanWithCounters(rules, packets);
    expect(r.alerts.map((a) => [a.sid, a.appProto])).toEqual([[1, 'http'], [2, 'tls']]);
    expect(r.counters['app_layer.flow.tls']).toBe(1);
    expect(r.counters['kanshi.app.http.connect_tunnels']).toBe(1);
  });

  it('fires http.uri on a request inside the tunnel', async () => {
    const packets = proxy((s) =>
      s
        .send('client', 'CONNECT plain.example:80 HTTP/1.1\r\nHost: plain.example:80\r\n\r\n')
        .send('server', ESTABLISHED)
        .send('client', 'GET /inside/tunnel HTTP/1.1\r\nHost: plain.example\r\n\r\n')
        .send('server', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'),
    );
    expect(await hits(packets)).toEqual([[1, 'http'], [3, 'http']]);
  });

  it('fires on a ClientHello sent before the answer, in the CONNECT segment or the next', async () => {
    const same = proxy((s) => s.send('client', concatBytes([Buffer.from(CONNECT, 'latin1'), HELLO])).send('server', concatBytes([Buffer.from(ESTABLISHED, 'latin1'), SERVER_TLS])));
    expect(await hits(same)).toEqual([[1, 'http'], [2, 'tls']]);
    const next = proxy((s) => s.send('client', CONNECT).send('client', HELLO).send('server', ESTABLISHED).send('server', SERVER_TLS));
    expect(await hits(next)).toEqual([[1, 'http'], [2, 'tls']]);
  });

  it('stays HTTP after a refused CONNECT (407), and after one accepted later in a keep-alive connection', async () => {
    const refused = proxy((s) => s.send('client', CONNECT).send('server', 'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n').send('client', HELLO));
    expect(await hits(refused)).toEqual([[1, 'http']]);
    const second = proxy((s) =>
      s
        .send('client', 'GET /first HTTP/1.1\r\nHost: a\r\n\r\n')
        .send('server', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')
        .send('client', CONNECT)
        .send('server', ESTABLISHED)
        .send('client', HELLO),
    );
    expect(await hits(second)).toEqual([[1, 'http']]);
  });
});

/** ssl_state and ssl_version: the handshake messages of the inspected data, the versions of the flow. */
import { describe, expect, it } from 'vitest';
import { clientHello, concatBytes, serverHello, tcpSession, tlsHandshake, tlsRecords } from '../../src/traffic/index.js';
import { scanPackets, sids } from './helpers.js';

/** An SSLv2 CLIENT-HELLO record: version, cipher specs, no session id, a 16-byte challenge. */
function ssl2ClientHello(version: number, challenge = 16): Uint8Array {
  const body = [1, version >> 8, version & 0xff, 0, 3, 0, 0, 0, challenge, 0x01, 0x00, 0x80, ...new Array<number>(challenge).fill(0x42)];
  return Uint8Array.from([0x80 | (body.length >> 8), body.length & 0xff, ...body]);
}

/** An SSLv2 SERVER-HELLO record with a certificate of `cert` bytes. */
function ssl2ServerHello(cert: Uint8Array): Uint8Array {
  const body = [4, 0, 1, 0, 2, cert.length >> 8, cert.length & 0xff, 0, 3, 0, 16, ...cert, 0x01, 0x00, 0x80, ...new Array<number>(16).fill(0x43)];
  return Uint8Array.from([0x80 | (body.length >> 8), body.length & 0xff, ...body]);
}

const certWith = (text: string): Uint8Array => Uint8Array.from(Buffer.from(`\x30\x82\x01\x00\x55\x04\x0a\x0e${text}`, 'latin1'));

describe('ssl_state and ssl_version', () => {
  it('SSLv2: the client hello of an SSL 2.0 client, as the Snort community rules look for it', async () => {
    const rules = [
      'alert tcp any any -> any 443 (msg:"sslv2 client hello"; flow:to_server,established; ssl_version:sslv2; ssl_state:client_hello; content:"|01 00 02|"; depth:3; offset:2; byte_test:2,>,8,9; sid:2657;)',
      'alert tcp any 443 -> any any (msg:"sslv2 server hello"; flow:to_client,established; ssl_state:server_hello; content:"MyCompany"; sid:2;)',
    ].join('\n');
    const v2 = tcpSession({ client: '10.0.0.5:50000', server: '10.0.0.9:443' }).handshake();
    v2.send('client', ssl2ClientHello(0x0002, 32)).send('server', ssl2ServerHello(certWith('MyCompany Ltd')));
    // An SSLv2-compatible hello offering TLS 1.0 is not SSL 2.0.
    const compat = tcpSession({ client: '10.0.0.6:50000', server: '10.0.0.9:443' }).handshake();
    compat.send('client', ssl2ClientHello(0x0301, 32));
    expect(sids(await scanPackets(rules, [...v2.packets(), ...compat.packets()]))).toEqual([2657, 2]);
  });

  it('a message counts in the packet that carries it, in its own direction', async () => {
    const rules = [
      'alert tcp any any -> any any (msg:"ch"; flow:to_server; ssl_state:client_hello; content:"|16 03|"; depth:2; sid:1;)',
      'alert tcp any any -> any any (msg:"sh"; flow:to_client; ssl_state:server_hello; content:"MyCompany Ltd"; sid:2;)',
      'alert tcp any any -> any any (msg:"not ch"; flow:to_server; ssl_state:!client_hello; content:"|16 03|"; depth:2; sid:3;)',
      'alert tcp any any -> any any (msg:"keyx"; flow:to_server; ssl_state:client_keyx|server_keyx; content:"|16 03|"; depth:2; sid:4;)',
      'alert tcp any any -> any any (msg:"tls12 seen"; ssl_version:tls1.2; content:"|17 03|"; sid:5;)',
      'alert tcp any any -> any any (msg:"no sslv3"; flow:to_server; ssl_version:!sslv3; content:"|17 03|"; sid:6;)',
    ].join('\n');
    const s = tcpSession({ client: '10.0.0.5:50000', server: '10.0.0.9:8443' }).handshake();
    s.send('client', tlsRecords(22, clientHello({ sni: 'a.example' })));
    s.send('server', concatBytes([tlsRecords(22, serverHello()), tlsRecords(22, tlsHandshake(11, certWith('MyCompany Ltd')))]));
    // The client's key exchange: a handshake record, but no ClientHello in it.
    s.send('client', tlsRecords(22, tlsHandshake(16, new Uint8Array(33).fill(4)), 16384, 0x0303));
    s.send('client', tlsRecords(23, new Uint8Array(40).fill(0x41), 16384, 0x0303));
    const alerts = await scanPackets(rules, s.packets());
    expect(alerts.map((a) => [a.sid, a.pcapCnt])).toEqual([[1, 4], [2, 6], [3, 8], [4, 8], [5, 10], [6, 10]]);
  });

  it('never matches on a flow without SSL/TLS, even negated', async () => {
    const rules = 'alert tcp any any -> any any (msg:"not ch"; ssl_state:!client_hello; ssl_version:!sslv2; content:"hello"; sid:1;)';
    const s = tcpSession({ client: '10.0.0.5:50000', server: '10.0.0.9:443' }).handshake();
    s.send('client', 'hello there\r\n');
    expect(await scanPackets(rules, s.packets())).toEqual([]);
  });

  it('unknown: data of an SSL/TLS flow that is not records', async () => {
    const rules = 'alert tcp any any -> any any (msg:"junk"; flow:to_server; ssl_state:unknown; content:"junk"; sid:1;)';
    const s = tcpSession({ client: '10.0.0.5:50000', server: '10.0.0.9:443' }).handshake();
    s.send('client', tlsRecords(22, clientHello({ sni: 'a.example' }))).send('client', 'junk after the hello');
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([1]);
  });
});

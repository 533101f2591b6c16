/** tls.version: the sender's TLS version, the client's hello version or the version the server negotiated. */
import { describe, expect, it } from 'vitest';
import { clientHello, concatBytes, serverHello, tcpSession, tlsRecords, type BuiltPacket } from '../../src/traffic/index.js';
import { scanPackets, sids } from './helpers.js';

function connection(clientVersion: number, serverVersion: number, tls13 = false): BuiltPacket[] {
  const s = tcpSession({ client: '10.0.0.5:50000', server: '10.0.0.9:8443' }).handshake();
  s.send('client', tlsRecords(22, clientHello({ version: clientVersion, sni: 'a.example', ciphers: [0xc02f] })));
  // TLS 1.3: legacy version 1.2, the real one in supported_versions (extension 43).
  const ext = tls13 ? [{ type: 43, data: Uint8Array.of(0x03, 0x04) }] : [];
  s.send('server', concatBytes([tlsRecords(22, serverHello({ version: serverVersion, cipher: 0xc02f, extensions: ext })), tlsRecords(20, Uint8Array.of(1))]));
  return s.packets();
}

describe('tls.version', () => {
  const rules = [
    'alert tls any any -> any any (msg:"server 1.2"; flow:established,to_client; tls.version:1.2; content:"|c0 2f|"; sid:1;)',
    'alert tls any any -> any any (msg:"server 1.1"; flow:established,to_client; tls.version:1.1; content:"|c0 2f|"; sid:2;)',
    'alert tls any any -> any any (msg:"server 1.3"; flow:established,to_client; tls.version:1.3; content:"|c0 2f|"; sid:3;)',
    'alert tls any any -> any any (msg:"client 1.0"; flow:established,to_server; tls.version:0x0301; tls.sni; content:"a.example"; sid:4;)',
  ].join('\n');

  it('reads the server version towards the client and the client version towards the server', async () => {
    expect(sids(await scanPackets(rules, connection(0x0303, 0x0303)))).toEqual([1]);
    expect(sids(await scanPackets(rules, connection(0x0301, 0x0302)))).toEqual([4, 2]);
    expect(sids(await scanPackets(rules, connection(0x0303, 0x0303, true)))).toEqual([3]);
  });

  it("reads a TLS 1.3 client's version from supported_versions (its first, GREASE left out), as Suricata does", async () => {
    const s = tcpSession({ client: '10.0.0.5:50000', server: '10.0.0.9:8443' }).handshake();
    s.send('client', tlsRecords(22, clientHello({ version: 0x0303, sni: 'a.example', ciphers: [0xc02f], extensions: [{ type: 43, data: Uint8Array.of(6, 0x2a, 0x2a, 0x03, 0x04, 0x03, 0x03) }] })));
    const client = [
      'alert tls any any -> any any (msg:"client 1.3"; flow:to_server; tls.version:1.3; tls.sni; content:"a.example"; sid:1;)',
      'alert tls any any -> any any (msg:"client 1.2"; flow:to_server; tls.version:1.2; tls.sni; content:"a.example"; sid:2;)',
    ].join('\n');
    expect(sids(await scanPackets(client, s.packets()))).toEqual([1]);
  });

  it('alone, alerts once per hello (a transaction match, as in Suricata), not on every packet of the flow', async () => {
    const rules = [
      'alert tls any any -> any any (msg:"client 1.2"; flow:established,to_server; tls.version:1.2; sid:1;)',
      'alert tls any any -> any any (msg:"server 1.2"; flow:established,to_client; tls.version:1.2; sid:2;)',
    ].join('\n');
    const s = tcpSession({ client: '10.0.0.5:50000', server: '10.0.0.9:8443' }).handshake();
    s.send('client', tlsRecords(22, clientHello({ version: 0x0303, sni: 'a.example', ciphers: [0xc02f] })));
    s.send('server', concatBytes([tlsRecords(22, serverHello({ version: 0x0303, cipher: 0xc02f })), tlsRecords(20, Uint8Array.of(1))]));
    s.send('client', concatBytes([tlsRecords(20, Uint8Array.of(1)), tlsRecords(23, new Uint8Array(300))]));
    s.send('server', tlsRecords(23, new Uint8Array(900)));
    s.close();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([1, 2]);
  });

  it('is not known on flows that are not TLS', async () => {
    const s = tcpSession({ client: '10.0.0.5:50000', server: '10.0.0.9:8443' }).handshake();
    s.send('server', Uint8Array.of(0xc0, 0x2f, 0x0a));
    expect(sids(await scanPackets('alert tcp any any -> any any (msg:"x"; tls.version:1.2; content:"|c0 2f|"; sid:1;)', s.packets()))).toEqual([]);
  });
});

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientHello, concatBytes, serverHello, tcpSession, tlsRecords, type BuiltPacket } from '../../src/traffic/index.js';
import type { Alert } from '../../src/types/alert.js';
import { scanPackets, scanWithCounters, sids } from './helpers.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function tlsConnection(sni: string, opts: { server?: string; splitAt?: number[]; recordSize?: number } = {}): BuiltPacket[] {
  const s = tcpSession({ client: '10.0.0.5:50000', server: opts.server ?? '10.0.0.9:443' }).handshake();
  s.send('client', tlsRecords(22, clientHello({ sni, ciphers: [0x1301, 0xc02f], groups: [29], pointFormats: [0] }), opts.recordSize ?? 16384), { splitAt: opts.splitAt ?? [] });
  s.send('server', concatBytes([tlsRecords(22, serverHello({ cipher: 0xc02f })), tlsRecords(20, Uint8Array.of(1)), tlsRecords(23, new Uint8Array(40).fill(0x41))]));
  s.send('client', concatBytes([tlsRecords(20, Uint8Array.of(1)), tlsRecords(23, Buffer.from('tls.sni evil.example in ciphertext'))]));
  return s.close('client').packets();
}

const JA3 = '771,4865-49199,0-10-11,29,0';

describe('TLS', () => {
  const rules = `
alert tls any any -> any any (msg:"sni"; flow:established,to_server; tls.sni; content:"evil.example"; endswith; nocase; sid:1;)
alert tls any any -> any any (msg:"legacy name"; tls_sni; content:"EVIL"; nocase; sid:2;)
alert tls any any -> any any (msg:"ja3"; ja3.hash; content:"${md5(JA3)}"; sid:3;)
alert tls any any -> any any (msg:"ja3s"; ja3s.hash; content:"${md5('771,49199,')}"; sid:4;)
alert tcp any any -> any any (msg:"ja3 string on tcp"; ja3.string; content:"771,4865-49199"; startswith; sid:5;)
`;

  it('tls.sni, ja3 and ja3s rules fire once each, on any port, whatever the segmentation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: 150 }), { maxLength: 5 }), fc.integer({ min: 5, max: 400 }), fc.constantFrom('10.0.0.9:443', '10.0.0.9:8443'), async (cuts, recordSize, server) => {
        const packets = tlsConnection('www.EVIL.example', { server, splitAt: [...cuts].sort((a, b) => a - b), recordSize });
        expect(sids(await scanPackets(rules, packets)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
      }),
      { numRuns: 25 },
    );
  });

  it('does not fire on other names, nor on the encrypted application data', async () => {
    expect(sids(await scanPackets(rules, tlsConnection('www.good.example'))).sort()).toEqual([3, 4, 5]);
  });

  it('header-only tls rules see the flow as TLS; EVE gets the tls metadata', async () => {
    const alerts: Alert[] = await scanPackets('alert tls any any -> any any (msg:"sni"; tls.sni; content:"x.example"; sid:9;)', tlsConnection('x.example'));
    expect(alerts.length).toBe(1);
    expect(alerts[0]!.appProto).toBe('tls');
    expect(alerts[0]!.extra).toMatchObject({ tx_id: 0, tls: { sni: 'x.example', version: 'TLS 1.2', ja3: { hash: md5(JA3), string: JA3 } } });
    expect(sids(await scanPackets('alert tls any any -> any any (msg:"any tls"; flow:to_server; sid:8;)', tlsConnection('x.example'))).length).toBeGreaterThan(0);
  });

  it('counts TLS traffic in the stats', async () => {
    const { counters: c } = await scanWithCounters('alert tls any any -> any any (msg:"sni"; tls.sni; content:"q"; sid:1;)', tlsConnection('a.example'));
    expect(c['app_layer.flow.tls']).toBe(1);
    expect(c['kanshi.app.tls.client_hellos']).toBe(1);
    expect(c['kanshi.app.tls.server_hellos']).toBe(1);
    expect(c['kanshi.detect.inspect.tls']).toBe(2);
  });
});

describe('TLS certificates', () => {
  it('tls.cert_subject / cert_issuer / certs rules fire on the server certificate (ET style)', async () => {
    const { TEST_CERT } = await import('../app/tls/fixtures.js');
    const { tlsHandshake } = await import('../../src/traffic/index.js');
    const list = concatBytes([Uint8Array.from([0, (TEST_CERT.length + 3) >> 8, (TEST_CERT.length + 3) & 0xff, 0, TEST_CERT.length >> 8, TEST_CERT.length & 0xff]), TEST_CERT]);
    const s = tcpSession({ client: '10.0.0.5:50000', server: '198.51.100.7:443' }).handshake();
    s.send('client', tlsRecords(22, clientHello({ sni: 'miner.coin-hive.com' })));
    s.send('server', concatBytes([tlsRecords(22, concatBytes([serverHello(), tlsHandshake(11, list), tlsHandshake(14, new Uint8Array(0))])), tlsRecords(20, Uint8Array.of(1))]), { splitAt: [100, 333] });
    const rules = `
alert tls $EXTERNAL_NET any -> $HOME_NET any (msg:"ET COINMINER Observed Malicious SSL Cert (Coin-Hive)"; flow:established,to_client; tls.cert_subject; content:"CN=*.coin-hive.com"; nocase; endswith; sid:11;)
alert tls $EXTERNAL_NET any -> $HOME_NET any (msg:"issuer"; flow:established,to_client; tls.cert_issuer; content:"O=Evil Corp"; sid:12;)
alert tls $EXTERNAL_NET any -> $HOME_NET any (msg:"certs bytes"; flow:established,to_client; tls.certs; content:"|06 03 55 04 08 0c 07|Arizona"; sid:13;)
alert tls any any -> any any (msg:"serial"; tls.cert_serial; content:"0C:9A:41"; sid:14;)
alert tls any any -> any any (msg:"wrong direction"; flow:to_server; tls.cert_subject; content:"coin-hive"; sid:15;)
`;
    expect(sids(await scanPackets(rules, s.close('client').packets())).sort((a, b) => a - b)).toEqual([11, 12, 13, 14]);
  });
});

describe('tls.random', () => {
  it('reads the random of the hello the rule looks at: the client\'s towards the server, the server\'s towards the client', async () => {
    const rules = [
      'alert tls any any -> any any (msg:"client random"; flow:to_server; tls.random; content:"|07 07 07 07|"; startswith; sid:1;)',
      'alert tls any any -> any any (msg:"server random bytes"; flow:to_client; tls.random_bytes; content:"|09 09|"; bsize:28; sid:2;)',
      'alert tls any any -> any any (msg:"not the client\'s"; flow:to_client; tls.random; content:"|07|"; sid:3;)',
      'alert tls any any -> any any (msg:"time part"; tls.random_time; bsize:4; sid:4;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, tlsConnection('r.example'))).sort()).toEqual([1, 2, 4]);
  });
});

import { describe, expect, it } from 'vitest';
import { ja4String, parseClientHello } from '../../src/app/tls/hello.js';
import { clientHello, concatBytes, serverHello, tcpSession, tlsRecords, type BuiltPacket } from '../../src/traffic/index.js';
import type { Alert } from '../../src/types/alert.js';
import { scanPackets, sids } from './helpers.js';

const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const list16 = (xs: readonly number[]): string => String.fromCharCode(...u16(xs.length * 2), ...xs.flatMap(u16));
const alpnData = (names: readonly string[]): string => {
  const body = names.map((n) => String.fromCharCode(n.length) + n).join('');
  return String.fromCharCode(...u16(body.length)) + body;
};

/**
 * A browser ClientHello whose JA4 is published with its raw parts (ciphers and extensions in
 * wire order, signature algorithms): t13d1516h2_8daaf6152771_d8a2da3f94cd.
 */
const CHROME = {
  sni: 'tls.browserleaks.com',
  ciphers: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
  extensions: [
    { type: 0x002d, data: '\x01\x01' },
    { type: 0x0033, data: '' },
    { type: 0x0010, data: alpnData(['h2', 'http/1.1']) },
    { type: 0xfe0d, data: '' },
    { type: 0x0017, data: '' },
    { type: 0x44cd, data: '' },
    { type: 0x000b, data: '\x01\x00' },
    { type: 0x000a, data: list16([29, 23, 24]) },
    { type: 0x002b, data: '\x06' + String.fromCharCode(...[0x7a7a, 0x0304, 0x0303].flatMap(u16)) },
    { type: 0xff01, data: '\x00' },
    { type: 0x0023, data: '' },
    { type: 0x0012, data: '' },
    { type: 0x0005, data: '' },
    { type: 0x000d, data: list16([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]) },
    { type: 0x001b, data: '' },
  ],
};
const CHROME_JA4 = 't13d1516h2_8daaf6152771_d8a2da3f94cd';

/** The SNI extension goes first in the builder; JA4 sorts, so the order does not matter. */
const hello = (spec: Parameters<typeof clientHello>[0]) => parseClientHello(clientHello(spec).subarray(4))!;

function tlsConnection(spec: Parameters<typeof clientHello>[0]): BuiltPacket[] {
  const s = tcpSession({ client: '10.0.0.2:51000', server: '192.0.2.9:443', startUs: 1_700_000_000_000_000 });
  s.handshake();
  s.send('client', tlsRecords(22, clientHello(spec)));
  s.send('server', concatBytes([tlsRecords(22, serverHello({ cipher: 0x1301 })), tlsRecords(20, Uint8Array.of(1))]));
  s.close();
  return s.packets();
}

describe('JA4', () => {
  it('matches the published fingerprint of a browser hello, GREASE left out', () => {
    expect(ja4String(hello(CHROME))).toBe(CHROME_JA4);
    // GREASE cipher, extension and version change nothing.
    const greased = { ...CHROME, ciphers: [0x0a0a, ...CHROME.ciphers], extensions: [{ type: 0x1a1a, data: '' }, ...CHROME.extensions] };
    expect(ja4String(hello(greased))).toBe(CHROME_JA4);
  });

  it('writes i without SNI, 00 without ALPN, the legacy version without supported_versions, zeros for empty lists', () => {
    // sha256("002f") begins ba72b8082249.
    expect(ja4String(hello({ ciphers: [0x002f], extensions: [] }))).toBe('t12i010000_ba72b8082249_000000000000');
    expect(ja4String(hello({ version: 0x0301, ciphers: [], extensions: [] }))).toBe('t10i000000_000000000000_000000000000');
  });

  it('takes the hex digits of a first ALPN name that does not start and end alphanumeric', () => {
    const h = hello({ ciphers: [0x1301], extensions: [{ type: 0x0010, data: alpnData(['\xab\xcd']) }] });
    expect(ja4String(h).slice(0, 10)).toBe('t12i0101ad');
    const one = hello({ ciphers: [0x1301], extensions: [{ type: 0x0010, data: alpnData(['q']) }] });
    expect(ja4String(one).slice(8, 10)).toBe('qq');
  });

  it('ja4.hash rules fire on the ClientHello; EVE gets the fingerprint', async () => {
    const rules = [
      `alert tls any any -> any any (msg:"ja4"; ja4.hash; content:"${CHROME_JA4}"; sid:1;)`,
      'alert tls any any -> any any (msg:"ja4 prefix"; ja4.hash; content:"t13d"; startswith; sid:2;)',
      'alert tls any any -> any any (msg:"other ja4"; ja4.hash; content:"t12i"; startswith; sid:3;)',
    ].join('\n');
    const alerts: Alert[] = await scanPackets(rules, tlsConnection(CHROME));
    expect(sids(alerts)).toEqual([1, 2]);
    expect(alerts[0]!.extra).toMatchObject({ tls: { ja4: CHROME_JA4 } });
  });
});

describe('tls.alpn: one protocol name at a time', () => {
  it('each section matches one offered name; a name never spans two', async () => {
    const rules = [
      'alert tls any any -> any any (msg:"h2 offered"; tls.alpn; content:"h2"; startswith; endswith; sid:10;)',
      'alert tls any any -> any any (msg:"both offered"; tls.alpn; content:"h2"; tls.alpn; content:"http/1.1"; sid:11;)',
      'alert tls any any -> any any (msg:"one name holding both"; tls.alpn; content:"h2"; content:"http"; sid:12;)',
      'alert tls any any -> any any (msg:"exact size"; tls.alpn; bsize:8; sid:13;)',
      'alert tls any any -> any any (msg:"not offered"; tls.alpn; content:"spdy"; sid:14;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, tlsConnection(CHROME)))).toEqual([10, 11, 13]);
  });

  it('a hello without ALPN matches no tls.alpn rule, negated or not', async () => {
    const rules = 'alert tls any any -> any any (msg:"no h2"; tls.alpn; content:!"h2"; sid:20;)';
    expect(sids(await scanPackets(rules, tlsConnection({ sni: 'x.example', ciphers: [0x1301] })))).toEqual([]);
    expect(sids(await scanPackets(rules, tlsConnection({ ...CHROME, extensions: CHROME.extensions.filter((e) => e.type !== 0x10).concat([{ type: 0x10, data: alpnData(['http/1.1']) }]) })))).toEqual([20]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scanner } from '../../src/match/scanner.js';
import { dnsPacket, httpConversation, type BuiltPacket } from '../../src/traffic/index.js';
import type { Alert } from '../../src/types/alert.js';
import { rulesetOf, scanPackets, sids } from './helpers.js';

const dns = (name: string): BuiltPacket => dnsPacket({ client: '10.0.0.5:40000', server: '10.0.0.53:53', names: [name], tsUs: 1_700_000_000_000_000 });

describe('transforms in rules', () => {
  const dotRule = 'alert dns any any -> any any (msg:"ET-style domain and subdomains"; dns.query; dotprefix; content:".evil.com"; endswith; fast_pattern; sid:1;)';

  it('dotprefix: the domain and every name below it, not look-alikes', async () => {
    for (const [name, fires] of [
      ['evil.com', true],
      ['a.b.evil.com', true],
      ['notevil.com', false],
      ['evil.com.example', false],
    ] as const) {
      expect(sids(await scanPackets(dotRule, [dns(name)])), name).toEqual(fires ? [1] : []);
    }
  });

  it('xor: content written as the plain text the key hides; rules with other keys see other bytes', async () => {
    const rules = [
      'alert http any any -> any any (msg:"xor 0102"; http.user_agent; xor:"0102"; content:"evil"; sid:5;)',
      'alert http any any -> any any (msg:"xor 0103"; http.user_agent; xor:"0103"; content:"evil"; sid:6;)',
    ].join('\n');
    // "evil" XOR 01 02 01 02.
    const conv = httpConversation({ request: { method: 'GET', uri: '/', headers: { 'User-Agent': 'dthn' } }, response: { status: 200 } }).packets();
    expect(sids(await scanPackets(rules, conv))).toEqual([5]);
  });

  it('http.uri with to_lowercase and url_decode, chained, on packets and on access-log lines alike', async () => {
    const rule = 'alert http any any -> any any (msg:"decoded admin path"; http.uri.raw; url_decode; to_lowercase; content:"/admin/../etc"; sid:2;)';
    const conv = httpConversation({ request: { method: 'GET', uri: '/ADMIN/%2e%2E/Etc/passwd' }, response: { status: 404 } }).packets();
    expect(sids(await scanPackets(rule, conv))).toEqual([2]);
    const alerts: Alert[] = [];
    const scanner = new Scanner(rulesetOf(rule), (a) => alerts.push(a));
    const line = '192.0.2.9 - - [17/Mar/2003:10:00:00 +0000] "GET /ADMIN/%2e%2E/Etc/passwd HTTP/1.0" 404 210 "-" "-"\n';
    await scanner.scanLogStream(
      (async function* () {
        yield Buffer.from(line + line.replace('ADMIN', 'public'), 'latin1');
      })(),
      'access.log',
    );
    expect(sids(alerts)).toEqual([2]);
  });

  it('a content without the transform still sees the buffer as it is', async () => {
    const rule = `alert dns any any -> any any (msg:"raw"; dns.query; content:"evil.com"; startswith; sid:3;)
alert dns any any -> any any (msg:"prefixed"; dns.query; dotprefix; content:".evil.com"; startswith; sid:4;)`;
    expect(sids(await scanPackets(rule, [dns('evil.com')])).sort()).toEqual([3, 4]);
  });

  it('property: url_decode + to_lowercase rules fire exactly when the decoded, lower-cased URI holds the pattern', async () => {
    const chars = fc.constantFrom('a', 'B', '/', '%', '2', 'e', 'E', 'f', 'F', '+', 'x', '.');
    await fc.assert(
      fc.asyncProperty(fc.array(chars, { minLength: 1, maxLength: 14 }), fc.constantFrom('a/', '..', '/b', 'x x', 'ef'), async (uriChars, needle) => {
        const uri = '/' + uriChars.join('');
        const rule = `alert http any any -> any any (msg:"p"; http.uri.raw; url_decode; to_lowercase; content:"${needle}"; sid:5;)`;
        const decoded = decodeURIComponentLoose(uri).toLowerCase();
        const fired = sids(await scanPackets(rule, httpConversation({ request: { method: 'GET', uri }, response: { status: 200 } }).packets()));
        expect(fired).toEqual(decoded.includes(needle) ? [5] : []);
      }),
      { numRuns: 60 },
    );
  });
});

/** The reference decoding: %XX with two hex digits becomes its byte, + a space, the rest stays. */
function decodeURIComponentLoose(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})|\+/g, (m, hex: string | undefined) => (hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : ' '));
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { httpConversation } from '../../src/traffic/index.js';
import { scanPackets, sids } from './helpers.js';

const conv = (headers: Record<string, string>, responseHeaders: Record<string, string> = {}) =>
  httpConversation({ request: { method: 'GET', uri: '/x', headers }, response: { status: 200, headers: responseHeaders } }).packets();

describe('http.request_header and http.response_header: one header at a time', () => {
  it('matches `Name: value` of one request header, anchored at its start', async () => {
    const rules = [
      'alert http any any -> any any (msg:"whole line"; http.request_header; content:"X-Api-Key|3a 20|secret"; startswith; endswith; sid:1;)',
      'alert http any any -> any any (msg:"name only"; http.request_header; content:"X-Api-Key"; startswith; sid:2;)',
      // Spans two headers: no single instance holds it, though http.header does.
      'alert http any any -> any any (msg:"across"; http.request_header; content:"secret|0d 0a|Accept"; sid:3;)',
      'alert http any any -> any any (msg:"across, http.header"; http.header; content:"secret|0d 0a|Accept"; sid:4;)',
    ].join('\n');
    const fired = sids(await scanPackets(rules, conv({ 'X-Api-Key': 'secret', Accept: '*/*' })));
    expect(fired).toEqual([1, 2, 4]);
  });

  it('each section of a rule may match a different header; one section must match one header', async () => {
    const twoSections = 'alert http any any -> any any (msg:"two headers"; http.request_header; content:"X-A|3a| 1"; http.request_header; content:"X-B|3a| 2"; sid:10;)';
    const oneSection = 'alert http any any -> any any (msg:"one header holding both"; http.request_header; content:"X-A|3a| 1"; content:"X-B|3a| 2"; sid:11;)';
    const fired = sids(await scanPackets([twoSections, oneSection].join('\n'), conv({ 'X-A': '1', 'X-B': '2' })));
    expect(fired).toEqual([10]);
  });

  it('response headers are inspected on the response only', async () => {
    const rules = [
      'alert http any any -> any any (msg:"server header"; http.response_header; content:"Server|3a 20|evil"; startswith; sid:20;)',
      'alert http any any -> any any (msg:"not in the request"; http.request_header; content:"Server|3a 20|evil"; sid:21;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, conv({ Accept: '*/*' }, { Server: 'evil/1.0' })))).toEqual([20]);
  });

  it('negated content, bsize and transforms apply per header', async () => {
    const rules = [
      // Some header lacks "Mozilla": true (Accept), although the User-Agent has it.
      'alert http any any -> any any (msg:"some header without it"; http.request_header; content:!"Mozilla"; sid:30;)',
      'alert http any any -> any any (msg:"exact size"; http.request_header; bsize:11; content:"Accept"; sid:31;)',
      'alert http any any -> any any (msg:"lowercased"; http.request_header; to_lowercase; content:"user-agent: mozilla"; startswith; sid:32;)',
    ].join('\n');
    // "Accept: */*" is 11 bytes.
    expect(sids(await scanPackets(rules, conv({ 'User-Agent': 'Mozilla/5.0', Accept: '*/*' })))).toEqual([30, 31, 32]);
  });

  it('header_lowercase folds the name, not the value, of each header', async () => {
    const rules = [
      'alert http any any -> any any (msg:"name folded"; http.request_header; header_lowercase; content:"x-api-key|3a 20|Secret"; startswith; sid:50;)',
      'alert http any any -> any any (msg:"value not folded"; http.request_header; header_lowercase; content:"x-api-key|3a 20|secret"; sid:51;)',
      'alert http any any -> any any (msg:"whole block"; http.header; header_lowercase; strip_pseudo_headers; content:"|0d 0a|x-api-key|3a 20|Secret|0d 0a|"; sid:52;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, conv({ Accept: '*/*', 'X-API-KEY': 'Secret', 'X-Other': '1' })))).toEqual([50, 52]);
  });

  it('fires exactly when some header line holds the pattern (random headers)', async () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,6}$/);
    const value = fc.stringMatching(/^[a-z0-9 ]{0,8}$/);
    await fc.assert(
      fc.asyncProperty(fc.dictionary(token, value, { maxKeys: 5 }), token, value, async (headers, name, v) => {
        const needle = `${name}: ${v}`.trimEnd();
        const rule = `alert http any any -> any any (msg:"p"; http.request_header; content:"${needle.replace(/:/g, '|3a|')}"; nocase; sid:40;)`;
        // What the parser keeps: names merged case-insensitively, values trimmed.
        const lines = mergedLines({ ...headers, Host: 'www.example.com' });
        const expected = lines.some((l) => l.toLowerCase().includes(needle.toLowerCase()));
        const fired = sids(await scanPackets(rule, conv(headers)));
        expect(fired).toEqual(expected ? [40] : []);
      }),
      { numRuns: 60 },
    );
  });
});

/** `Name: value` lines as Suricata's HTTP/1 parser shows them: repeated names merged with ", ". */
function mergedLines(headers: Record<string, string>): string[] {
  const byName = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const entry = byName.get(key) ?? { name, values: [] };
    entry.values.push(value.trim());
    byName.set(key, entry);
  }
  return [...byName.values()].map((e) => `${e.name}: ${e.values.join(', ')}`);
}

describe('http_raw_cookie', () => {
  it('inspects the Cookie value as sent, like http_cookie and the pcre K flag', async () => {
    const rules = [
      'alert tcp any any -> any 80 (msg:"raw cookie"; flow:to_server; content:"SESSION=..%2f"; http_raw_cookie; sid:60;)',
      'alert tcp any any -> any 80 (msg:"pcre K"; flow:to_server; pcre:"/SESSION=\\.\\.%2f/K"; sid:61;)',
      'alert tcp any any -> any 80 (msg:"not in the URI"; flow:to_server; content:"SESSION"; http_uri; sid:62;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, conv({ Cookie: 'SESSION=..%2f' })))).toEqual([60, 61]);
  });
});

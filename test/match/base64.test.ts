/** base64_decode and base64_data: contents matched in base64 text the rule decodes itself. */
import { describe, expect, it } from 'vitest';
import { decodeBase64Into } from '../../src/options/payload/base64-decode.js';
import { parseRules, VariableTable } from '../../src/rule/index.js';
import { httpConversation, udpPacket } from '../../src/traffic/index.js';
import { scanPackets, sids } from './helpers.js';

const b64 = (s: string): string => Buffer.from(s, 'latin1').toString('base64');
const udp = (payload: string) => udpPacket({ src: '10.0.0.1:1000', dst: '10.0.0.2:9000', payload, tsUs: 1_000_000 });

describe('base64_decode / base64_data', () => {
  it('decodes like RFC 4648 up to the first character outside the alphabet', () => {
    const dec = (s: string, start = 0): string => {
      const out = new Uint8Array(s.length);
      const b = Buffer.from(s, 'latin1');
      return Buffer.from(out.subarray(0, decodeBase64Into(b, start, b.length, out))).toString('latin1');
    };
    expect(dec(b64('hello world'))).toBe('hello world');
    expect(dec(b64('ab'))).toBe('ab');
    expect(dec(b64('abcd'))).toBe('abcd');
    expect(dec(b64('abc') + '!!' + b64('zzz'))).toBe('abc');
    expect(dec('x' + b64('abc'), 1)).toBe('abc');
    expect(dec('!!!')).toBe('');
  });

  it('matches decoded contents after a relative decode, and only there', async () => {
    const rule = (extra: string) => `alert udp any any -> any any (msg:"b64"; content:"data="; base64_decode:offset 0,relative; base64_data; ${extra} sid:1;)`;
    const payload = `GET x data=${b64('cmd.exe /c whoami')}&z=1`;
    expect(sids(await scanPackets(rule('content:"whoami";'), [udp(payload)]))).toEqual([1]);
    expect(sids(await scanPackets(rule('content:"cmd.exe"; startswith;'), [udp(payload)]))).toEqual([1]);
    expect(sids(await scanPackets(rule('content:"data=";'), [udp(payload)]))).toEqual([]);
    expect(sids(await scanPackets(rule('content:"notthere";'), [udp(payload)]))).toEqual([]);
    // bytes bounds the text decoded: 8 characters give 6 bytes, "cmd.ex".
    const bounded = 'alert udp any any -> any any (msg:"b"; content:"data="; base64_decode:bytes 8,offset 0,relative; base64_data; content:"cmd.e"; content:!"exe"; sid:2;)';
    expect(sids(await scanPackets(bounded, [udp(payload)]))).toEqual([2]);
    // Nothing decodable where the decode starts: the rule fails.
    expect(sids(await scanPackets(rule('content:"a";'), [udp('data=!!!!')]))).toEqual([]);
  });

  it('works on HTTP buffers, the decoded content never serving as the prefilter pattern', async () => {
    const rules = 'alert http any any -> any any (msg:"b64 body"; flow:to_server; http.request_body; content:"<b64>"; base64_decode:relative; base64_data; content:"getRuntime"; fast_pattern; sid:7;)';
    const s = httpConversation({ request: { method: 'POST', uri: '/x', body: `<b64>${b64('java.lang.Runtime.getRuntime().exec')}</b64>` } });
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([7]);
    const benign = httpConversation({ request: { method: 'POST', uri: '/x', body: `<b64>${b64('nothing to see')}</b64> getRuntime` } });
    expect(sids(await scanPackets(rules, benign.packets()))).toEqual([]);
  });

  it('base64_data without a base64_decode before it is an error saying what to write', () => {
    const r = parseRules('alert tcp any any -> any any (msg:"x"; base64_data; content:"a"; sid:1;)', { vars: VariableTable.withDefaults() });
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([
      'base64_data inspects what base64_decode decoded: put a base64_decode before it, e.g. base64_decode:relative; base64_data;',
    ]);
  });
});

/** app-layer-event: rules on the anomalies of an HTTP transaction, by Suricata's event names. */
import { describe, expect, it } from 'vitest';
import { parseRules, VariableTable } from '../../src/rule/index.js';
import { httpConversation } from '../../src/traffic/index.js';
import { scanPackets, sids } from './helpers.js';

const request = (head: string, body = ''): Uint8Array => Buffer.from(head + '\r\n\r\n' + body, 'latin1');

describe('app-layer-event', () => {
  const rules = [
    'alert http any any -> any any (msg:"smuggling"; flow:established,to_server; app-layer-event:http.invalid_transfer_encoding_value_in_request; http.method; content:"POST"; sid:1;)',
    'alert http any any -> any any (msg:"no host"; flow:established,to_server; app-layer-event:http.missing_host_header; sid:2;)',
    'alert tcp any any -> any any (msg:"ambiguous host"; flow:to_server; app-layer-event:http.host_header_ambiguous; sid:3;)',
  ].join('\n');

  it('matches the events a transaction raised, on the transaction', async () => {
    const smuggle = httpConversation({ request: request('POST /tmui/login.jsp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked', '0\r\n\r\n') });
    expect(sids(await scanPackets(rules, smuggle.packets()))).toEqual([1]);
    const plain = httpConversation({ request: request('POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked', '0\r\n\r\n') });
    expect(sids(await scanPackets(rules, plain.packets()))).toEqual([]);
    const noHost = httpConversation({ request: request('GET / HTTP/1.1\r\nUser-Agent: x') });
    expect(sids(await scanPackets(rules, noHost.packets()))).toEqual([2]);
    const ambiguous = httpConversation({ request: request('GET http://b.example/ HTTP/1.1\r\nHost: a.example') });
    expect(sids(await scanPackets(rules, ambiguous.packets()))).toEqual([3]);
  });

  it('raises a request line led by whitespace, which IIS and libhtp accept', async () => {
    const rule = 'alert http any any -> any any (msg:"leading blank"; flow:to_server; app-layer-event:http.request_line_leading_whitespace; sid:4;)';
    const led = httpConversation({ request: request(' GET /scripts/cmd.exe HTTP/1.1\r\nHost: a') });
    expect(sids(await scanPackets(rule, led.packets()))).toEqual([4]);
    const plain = httpConversation({ request: request('GET /scripts/cmd.exe HTTP/1.1\r\nHost: a') });
    expect(sids(await scanPackets(rule, plain.packets()))).toEqual([]);
  });

  it('skips rules on events kanshi does not raise, saying why', () => {
    const r = parseRules('alert http any any -> any any (msg:"x"; app-layer-event:http.request_field_too_long; sid:1;)', { vars: VariableTable.withDefaults() });
    expect(r.rules[0]!.status).toBe('skipped');
    expect(r.diagnostics.map((d) => d.message)).toEqual(['rule skipped: kanshi does not raise the app-layer event http.request_field_too_long']);
  });
});

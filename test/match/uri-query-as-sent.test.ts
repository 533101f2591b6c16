/**
 * http.uri rules that spell a %-escape mean the query as sent, as Suricata's http.uri keeps it
 * (libhtp normalises the path only): they read the normalised path with the raw query, every
 * other http.uri rule the fully decoded URI.
 */
import { describe, expect, it } from 'vitest';
import { uriWithQueryAsSent } from '../../src/app/http/normalize-uri.js';
import { URI_QUERY_AS_SENT } from '../../src/match/uri-query-as-sent.js';
import { httpConversation } from '../../src/traffic/index.js';
import { rulesetOf, scanLogLines, scanPackets, sids } from './helpers.js';

/** ET Open 2029163 as published (Suricata 5 rule set of 2024-04-21). */
const ET_2029163 =
  'alert http $EXTERNAL_NET any -> any any (msg:"ET EXPLOIT NetGain Systems Enterprise Manager CVE-2017-16602 (Inbound)"; flow:established,to_server; http.method; content:"POST"; http.uri; content:"/u/jsp/tools/exec.jsp?command=cmd+%2Fc+ping&argument="; depth:53; fast_pattern; content:"http"; distance:0; reference:url,unit42.paloaltonetworks.com/mirai-variant-echobot-resurfaces-with-13-previously-unexploited-vulnerabilities/; reference:cve,2017-16602; classtype:attempted-admin; sid:2029163; rev:3; metadata:affected_product Linux, attack_target IoT, created_at 2019_12_16, cve CVE_2017_16602, deployment Perimeter, former_category EXPLOIT, signature_severity Minor, updated_at 2020_10_26;)';

const NETGAIN = '/u/jsp/tools/exec.jsp?command=cmd+%2Fc+ping&argument=http://198.51.100.7/x.sh';

const request = (uri: string, method = 'POST') => httpConversation({ request: { method, uri }, response: { status: 200 } }).packets();
const logLine = (uri: string, method = 'POST') => `192.0.2.10 - - [17/Mar/2020:10:00:01 +0000] "${method} ${uri} HTTP/1.1" 200 10 "-" "curl/8"`;
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const asSent = (uri: string): string => text(uriWithQueryAsSent(Buffer.from(uri, 'latin1')));

describe('http.uri with the query as sent', () => {
  it('ET 2029163 fires on its request, in a capture and on an access-log line', async () => {
    expect(sids(await scanPackets(ET_2029163, request(NETGAIN)))).toEqual([2029163]);
    expect(sids(await scanLogLines(ET_2029163, [logLine(NETGAIN)]))).toEqual([2029163]);
    // Absolute form: the path starts after the authority, as for http.uri.
    expect(sids(await scanPackets(ET_2029163, request('http://203.0.113.5:8081' + NETGAIN)))).toEqual([2029163]);
  });

  it('ET 2029163 stays silent on look-alikes', async () => {
    const lookAlikes = [
      '/u/jsp/tools/exec.jsp?command=status&argument=http://198.51.100.7/',
      // The same command unescaped: Suricata's http.uri has no %2F in it either.
      '/u/jsp/tools/exec.jsp?command=cmd+/c+ping&argument=http://198.51.100.7/',
      // Double-encoded: the query as sent holds %252F, not %2F.
      '/u/jsp/tools/exec.jsp?command=cmd+%252Fc+ping&argument=http://198.51.100.7/',
    ];
    for (const uri of lookAlikes) {
      expect(sids(await scanPackets(ET_2029163, request(uri))), uri).toEqual([]);
      expect(sids(await scanLogLines(ET_2029163, [logLine(uri)])), uri).toEqual([]);
    }
    expect(sids(await scanPackets(ET_2029163, request(NETGAIN, 'GET')))).toEqual([]);
  });

  it('keeps the path normalised: only the query is read as sent', async () => {
    const rule = 'alert http any any -> any any (msg:"q"; flow:to_server; http.uri; content:"/tools/exec.jsp?command=cmd+%2Fc"; sid:1;)';
    expect(sids(await scanPackets(rule, request('/u/jsp/./tools/%65xec.jsp?command=cmd+%2Fc+ping')))).toEqual([1]);
    expect(sids(await scanLogLines(rule, [logLine('/u/jsp//tools/%65xec.jsp?command=cmd+%2Fc+ping')]))).toEqual([1]);
    expect(asSent('/u/jsp/./tools/%65xec.jsp?command=cmd+%2Fc+ping')).toBe('/u/jsp/tools/exec.jsp?command=cmd+%2Fc+ping');
    expect(asSent('http://host:8080/a/../b%2ec?x=%2F#%2Fy')).toBe('/b.c?x=%2F#/y');
    expect(asSent('http://host?x=%2F')).toBe('/?x=%2F');
    expect(asSent('/a%2fb#%2F')).toBe('/a/b#/');
    expect(asSent('/plain?x=1')).toBe('/plain?x=1');
  });

  it('a rule spelling the query decoded still fires on the encoded request', async () => {
    const decoded = 'alert http any any -> any any (msg:"decoded"; flow:to_server; http.uri; content:"exec.jsp?command=cmd+/c+ping"; sid:2;)';
    expect(sids(await scanPackets(decoded, request(NETGAIN)))).toEqual([2]);
    expect(sids(await scanLogLines(decoded, [logLine(NETGAIN)]))).toEqual([2]);
    const uricontent = 'alert tcp any any -> any any (msg:"decoded, uricontent"; flow:to_server; uricontent:"command=cmd /c"; sid:3;)';
    expect(sids(await scanPackets(uricontent, request('/exec.jsp?command=cmd%20%2Fc%20ping')))).toEqual([3]);
  });

  it('uricontent and pcre /U spelling an escape read the query as sent', async () => {
    const rules = [
      'alert tcp any any -> any any (msg:"uricontent"; flow:to_server; uricontent:"command=cmd+%2fc"; nocase; sid:4;)',
      'alert tcp any any -> any any (msg:"pcre U"; flow:to_server; pcre:"/command=cmd\\+%2Fc\\+ping&argument=https?:/U"; sid:5;)',
      'alert http any any -> any any (msg:"after a transform"; flow:to_server; http.uri; to_lowercase; content:"cmd+%2fc+ping"; sid:6;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, request(NETGAIN)))).toEqual([4, 5, 6]);
    expect(sids(await scanLogLines(rules, [logLine(NETGAIN)]))).toEqual([4, 5, 6]);
    expect(sids(await scanPackets(rules, request('/u/jsp/tools/exec.jsp?command=cmd+/c+ping&argument=http://x/')))).toEqual([]);
  });

  it('an escape in the path part behaves as before (the path is the normalised one)', async () => {
    const rule = 'alert http any any -> any any (msg:"path"; flow:to_server; http.uri; content:"/scripts/%2e%2e/"; sid:7;)';
    // Decoded and collapsed: the normalised path holds no escape.
    expect(sids(await scanPackets(rule, request('/scripts/%2e%2e/winnt/system32/cmd.exe', 'GET')))).toEqual([]);
    expect(sids(await scanPackets(rule, request('/scripts/%252e%252e/winnt/system32/cmd.exe', 'GET')))).toEqual([]);
    // Three layers of encoding leave one after IIS's two decoding passes.
    expect(sids(await scanPackets(rule, request('/scripts/%25252e%25252e/winnt/system32/cmd.exe', 'GET')))).toEqual([7]);
    expect(sids(await scanLogLines(rule, [logLine('/scripts/%25252e%25252e/winnt/system32/cmd.exe', 'GET')]))).toEqual([7]);
  });

  it('urilen measures the URI the rule\'s contents read', async () => {
    const rule = 'alert http any any -> any any (msg:"len"; flow:to_server; http.uri; content:"?q=%2F"; urilen:10; sid:8;)';
    expect(sids(await scanPackets(rule, request('/a.c?q=%2F', 'GET')))).toEqual([8]);
  });

  it('names the buffer: rules with an escape read the derived buffer, others http.uri', () => {
    const rs = rulesetOf(
      [
        ET_2029163,
        'alert http any any -> any any (msg:"plain"; http.uri; content:"/exec.jsp?command="; http.uri; pcre:"/cmd\\s/"; sid:10;)',
        'alert http any any -> any any (msg:"percent alone"; http.uri; content:"100%"; sid:11;)',
        'alert http any any -> any any (msg:"escape elsewhere"; http.uri; content:"/a.php"; http.header; content:"%2F"; sid:12;)',
        'alert http any any -> any any (msg:"pcre escape"; http.uri; pcre:"/x=%2[fF]y%3Dz/"; sid:13;)',
      ].join('\n'),
    );
    const bySid = new Map(rs.rules.map((r) => [r.sid, r]));
    const et = bySid.get(2029163)!;
    expect(URI_QUERY_AS_SENT).toBe('http.uri.raw|query_as_sent');
    expect(et.programs.map((p) => p.buffer)).toEqual(['http.method', URI_QUERY_AS_SENT]);
    expect(et.fastPattern?.buffer).toBe(URI_QUERY_AS_SENT);
    expect(et.derivedBuffers.map((d) => [d.name, d.base])).toEqual([[URI_QUERY_AS_SENT, 'http.uri.raw']]);
    for (const sid of [10, 11]) {
      expect(bySid.get(sid)!.programs.map((p) => p.buffer)).toEqual(['http.uri']);
      expect(bySid.get(sid)!.derivedBuffers).toEqual([]);
    }
    expect(bySid.get(12)!.programs.map((p) => p.buffer)).toEqual(['http.uri', 'http.header']);
    expect(bySid.get(13)!.programs.map((p) => p.buffer)).toEqual([URI_QUERY_AS_SENT]);
    expect(rs.derived.size).toBe(1);
    expect(rulesetOf('alert http any any -> any any (msg:"plain"; http.uri; content:"/a"; sid:1;)').derived.size).toBe(0);
  });
});

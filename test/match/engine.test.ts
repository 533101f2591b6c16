/**
 * The engine's behaviour, keyword by keyword and inspection point by inspection point, on
 * traffic built with the traffic builder.
 */
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { eveAlert } from '../../src/output/eve.js';
import { concatBytes, fragmentPacket, httpConversation, icmpEcho, ipDatagram, ipFragments, ipPacket, smtpConversation, tcpSession, udpPacket } from '../../src/traffic/index.js';
import { scanPackets, scanWithCounters, sids } from './helpers.js';
import { casePackets } from '../../src/ruletest/build.js';
import { parseCaseText } from '../../src/ruletest/parse.js';

const udp = (payload: string | Uint8Array, opts: { src?: string; dst?: string; ts?: number; ttl?: number } = {}) =>
  udpPacket({ src: opts.src ?? '10.0.0.1:1024', dst: opts.dst ?? '10.0.0.2:53', payload, tsUs: opts.ts ?? 1_000_000, ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}) });

describe('headers', () => {
  it('match addresses, ports and direction; <> matches both ways', async () => {
    const rules = [
      'alert udp 10.0.0.1 any -> 10.0.0.2 53 (msg:"fwd"; sid:1;)',
      'alert udp 10.0.0.2 53 -> 10.0.0.1 any (msg:"rev"; sid:2;)',
      'alert udp 10.0.0.2 53 <> 10.0.0.1 any (msg:"bidir"; sid:3;)',
      'alert udp !10.0.0.1 any -> any any (msg:"negated"; sid:4;)',
      'alert udp any any -> any [1:52,54:] (msg:"other ports"; sid:5;)',
      'alert tcp any any -> any any (msg:"tcp only"; sid:6;)',
      'alert ip any any -> any any (msg:"any ip"; sid:7;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, [udp('x')])).sort()).toEqual([1, 3, 7]);
    expect(sids(await scanPackets(rules, [udp('x', { src: '10.0.0.2:53', dst: '10.0.0.1:1024' })])).sort()).toEqual([2, 3, 4, 5, 7]);
  });

  it('evaluate ttl, dsize, sameip, ip_proto', async () => {
    const rules = [
      'alert udp any any -> any any (msg:"ttl"; ttl:<10; sid:1;)',
      'alert udp any any -> any any (msg:"dsize"; dsize:3<>6; sid:2;)',
      'alert ip any any -> any any (msg:"sameip"; sameip; sid:3;)',
      'alert ip any any -> any any (msg:"proto"; ip_proto:17; sid:4;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, [udp('abcd', { ttl: 5 })])).sort()).toEqual([1, 2, 4]);
    // dsize ranges exclude their ends, as in Suricata.
    expect(sids(await scanPackets(rules, [udp('abc', { ttl: 64 })])).sort()).toEqual([4]);
    expect(sids(await scanPackets(rules, [udp('abcdefgh', { src: '10.0.0.9:1', dst: '10.0.0.9:2' })])).sort()).toEqual([3, 4]);
  });

  it('evaluate TCP flags with modifiers, and flow state', async () => {
    const rules = [
      'alert tcp any any -> any any (msg:"syn only"; flags:S; sid:1;)',
      'alert tcp any any -> any any (msg:"syn+any"; flags:S+; sid:2;)',
      'alert tcp any any -> any any (msg:"fin or rst"; flags:*FR; sid:3;)',
      'alert tcp any any -> any any (msg:"established data"; flow:established,to_server; dsize:>0; sid:4;)',
      'alert tcp any any -> any any (msg:"not established"; flow:not_established; sid:5;)',
      'alert tcp any any -> any any (msg:"to client"; flow:to_client; flags:SA; sid:6;)',
    ].join('\n');
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 }).handshake();
    s.send('client', 'hello', { ack: false });
    const got = sids(await scanPackets(rules, s.packets()));
    // SYN: 1,2,5; SYN/ACK: 2,5,6; final ACK of the handshake: 5 (not yet established, as Suricata); data: 4.
    expect(got).toEqual([1, 2, 5, 2, 5, 6, 5, 4]);
  });

  it('evaluate ICMP fields and fragment bits', async () => {
    const rules = [
      'alert icmp any any -> any any (msg:"echo"; itype:8; icode:0; icmp_id:77; icmp_seq:3; sid:1;)',
      'alert icmp any any -> any any (msg:"reply"; itype:0; sid:2;)',
      'alert ip any any -> any any (msg:"more fragments"; fragbits:M+; sid:3;)',
      'alert ip any any -> any any (msg:"frag offset"; fragoffset:>0; sid:4;)',
    ].join('\n');
    const echo = icmpEcho({ src: '10.0.0.1', dst: '10.0.0.2', id: 77, seq: 3, tsUs: 1_000_000 });
    const alerts = await scanPackets(rules, [echo]);
    expect(sids(alerts)).toEqual([1]);
    // Its type and code go to EVE, as Suricata's header writes them for ICMP.
    expect(alerts[0]).toMatchObject({ icmpType: 8, icmpCode: 0 });
    expect(eveAlert(alerts[0]!)).toMatchObject({ proto: 'ICMP', icmp_type: 8, icmp_code: 0 });
    const frags = ipFragments({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, id: 9, tsUs: 1_000_000, pieces: [{ offset: 0, data: new Uint8Array(16) }, { offset: 16, data: new Uint8Array(8), more: false }] });
    expect(sids(await scanPackets(rules, frags))).toEqual([3, 4]);
  });
});

describe('payload keywords', () => {
  const one = async (options: string, payload: string | Uint8Array): Promise<boolean> =>
    (await scanPackets(`alert udp any any -> any any (msg:"t"; ${options} sid:1;)`, [udp(payload)])).length === 1;

  it('byte_test reads binary and text numbers, relative to the cursor', async () => {
    expect(await one('byte_test:2,>,1000,0;', new Uint8Array([0x04, 0x00]))).toBe(true);
    expect(await one('byte_test:2,>,1000,0,little;', new Uint8Array([0x04, 0x00]))).toBe(false);
    expect(await one('content:"len="; byte_test:3,=,123,0,relative,string,dec;', 'len=123;')).toBe(true);
    expect(await one('content:"len="; byte_test:3,!=,123,0,relative,string,dec;', 'len=123;')).toBe(false);
    expect(await one('byte_test:1,&,0x80,0;', new Uint8Array([0x81]))).toBe(true);
    expect(await one('byte_test:1,=,1,0,bitmask 0x0f;', new Uint8Array([0xf1]))).toBe(true);
    expect(await one('byte_test:4,>,1,10;', 'short')).toBe(false);
  });

  it('byte_jump moves the cursor by the value read (multiplier, post_offset, from_beginning)', async () => {
    const data = new Uint8Array([0x03, 0x61, 0x61, 0x61, 0x58, 0x59]);
    expect(await one('byte_jump:1,0; content:"X"; within:1;', data)).toBe(true);
    expect(await one('byte_jump:1,0,post_offset 1; content:"Y"; within:1;', data)).toBe(true);
    expect(await one('byte_jump:1,0,from_beginning; content:"aX"; within:2;', data)).toBe(true);
    expect(await one('byte_jump:1,0,multiplier 9; content:"X";', data)).toBe(false);
  });

  it('byte_extract values serve as offsets, depths and byte_test values', async () => {
    const data = new Uint8Array([0x02, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65, 0x05]);
    expect(await one('byte_extract:1,0,skip; byte_extract:1,1,len; content:"bcdef"; offset:skip; depth:len;', data)).toBe(false);
    expect(await one('byte_extract:1,0,skip; byte_extract:1,1,len; content:"abcde"; offset:skip; depth:len;', data)).toBe(true);
    expect(await one('byte_extract:1,1,len; byte_test:1,=,len,7;', data)).toBe(true);
    expect(await one('byte_extract:1,0,n,relative; content:"c"; distance:n; within:1;', data)).toBe(false);
  });

  it('a string number moves the cursor past the characters it used, as strtoull reads them (Suricata, Snort)', async () => {
    // "12" is the number in "12ab": the cursor goes to "ab", not past the 4 bytes read.
    expect(await one('content:"X"; depth:1; byte_extract:4,0,v,relative,string,dec; content:"ab"; within:2;', 'X12abYYYYYYYY')).toBe(true);
    expect(await one('content:"X"; depth:1; byte_extract:4,0,v,relative,string,dec; content:"YY"; within:2;', 'X12abYYYYYYYY')).toBe(false);
    expect(await one('content:"X"; depth:1; byte_math:bytes 4,offset 0,oper +,rvalue 1,result v,relative,string dec; content:"ab"; within:2;', 'X12abYYYYYYYY')).toBe(true);
    // byte_jump: 1 (after X) + 1 digit + 2 lands on "CD".
    expect(await one('content:"X"; depth:1; byte_jump:3,0,relative,string,dec; content:"CD"; within:2;', 'X2abCDxxxxxx')).toBe(true);
    // A hex number's 0x prefix is part of what it used; "0x" before a non-digit is the number 0.
    expect(await one('content:"X"; depth:1; byte_extract:5,0,v,relative,string,hex; content:"Q"; within:1; byte_test:1,=,v,0;', 'X0x1FQ\x1f')).toBe(false);
    expect(await one('content:"X"; depth:1; byte_extract:5,0,v,relative,string,hex; content:"Q"; within:1;', 'X0x1FQ')).toBe(true);
    expect(await one('content:"X"; depth:1; byte_extract:3,0,v,relative,string,hex; byte_test:1,=,0,0,relative,string,dec;', 'X0xg')).toBe(false);
  });

  it('a string number with a minus sign wraps around 2^64, as strtoull does', async () => {
    expect(await one('content:"Content-Length|3a 20|"; byte_test:10,>,0x7fffffff,0,relative,string,dec;', 'Content-Length: -1\r\nHost: a\r\n')).toBe(true);
    expect(await one('content:"Content-Length|3a 20|"; byte_test:10,>,0x7fffffff,0,relative,string,dec;', 'Content-Length: 12\r\nHost: a\r\n')).toBe(false);
    expect(await one('content:"L="; byte_test:3,&,1,0,relative,string,dec;', 'L=-2;')).toBe(false);
    expect(await one('content:"L="; byte_test:3,&,2,0,relative,string,dec;', 'L=-2;')).toBe(true);
  });

  it('8-byte numbers compare whole, past 2^53', async () => {
    const ones = new Uint8Array([0x5a, 0x5a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(await one('content:"ZZ"; depth:2; byte_test:8,&,1,0,relative;', ones)).toBe(true);
    expect(await one('content:"ZZ"; depth:2; byte_test:8,&,0x100000000,0,relative;', ones)).toBe(true);
    const odd = new Uint8Array([0x5a, 0x5a, 0x00, 0x20, 0, 0, 0, 0, 0, 0x01]); // 2^53 + 1
    expect(await one('content:"ZZ"; depth:2; byte_test:8,=,1,0,relative,bitmask 0x1;', odd)).toBe(true);
    expect(await one('content:"ZZ"; depth:2; byte_test:8,&,1,0,relative;', odd)).toBe(true);
    expect(await one('content:"ZZ"; depth:2; byte_test:8,>,9007199254740991,0,relative;', odd)).toBe(true);
  });

  it('byte_jump to before the buffer start lands on the start (Suricata 7); past its end fails', async () => {
    const data = new Uint8Array([0x00, 0x41, 0x42, 0x43]);
    expect(await one('content:"|00|ABC"; depth:4; byte_jump:1,0,post_offset -5; content:"|00|A"; within:2;', data)).toBe(true);
    expect(await one('byte_jump:1,0,post_offset 4;', data)).toBe(false);
    expect(await one('byte_jump:1,0,post_offset 3;', data)).toBe(true);
  });

  it('isdataat absolute, relative and negated', async () => {
    expect(await one('isdataat:4;', 'abcde')).toBe(true);
    expect(await one('isdataat:5;', 'abcde')).toBe(false);
    expect(await one('content:"abc"; isdataat:2,relative;', 'abcde')).toBe(true);
    expect(await one('content:"abc"; isdataat:3,relative;', 'abcde')).toBe(false);
    expect(await one('content:"abc"; isdataat:!1,relative;', 'xxabc')).toBe(true);
  });

  it('nocase folds ASCII only; negated contents never serve as fast pattern', async () => {
    expect(await one('content:"HeLLo"; nocase;', 'say hello')).toBe(true);
    expect(await one('content:"\xc9T\xc9"; nocase;', '\xe9t\xe9')).toBe(false);
    expect(await one('content:!"veryveryverylong"; content:"ab";', 'xxab')).toBe(true);
    expect(await one('content:!"veryveryverylong"; content:"ab";', 'ab veryveryverylong')).toBe(false);
  });
});

describe('flowbits', () => {
  it('set on one packet, checked on a later one; noalert rules set without alerting', async () => {
    const rules = [
      'alert tcp any any -> any 80 (msg:"login"; flow:to_server; content:"LOGIN"; flowbits:set,logged_in; flowbits:noalert; sid:1;)',
      'alert tcp any any -> any 80 (msg:"cmd after login"; flow:to_server; content:"CMD"; flowbits:isset,logged_in; sid:2;)',
      'alert tcp any any -> any 80 (msg:"cmd without login"; flow:to_server; content:"CMD"; flowbits:isnotset,logged_in; sid:3;)',
      'alert tcp any any -> any 80 (msg:"logout"; flow:to_server; content:"LOGOUT"; flowbits:unset,logged_in; sid:4;)',
      'alert tcp any any -> any 80 (msg:"either"; flow:to_server; content:"CMD"; flowbits:isset,logged_in|admin; sid:5;)',
    ].join('\n');
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 }).handshake();
    s.send('client', 'CMD a\n').send('client', 'LOGIN u\n').send('client', 'CMD b\n').send('client', 'LOGOUT\n').send('client', 'CMD c\n');
    s.close();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([3, 2, 5, 4, 3]);
  });

  it("checks Snort 2.9's groups: isset,any|all,GROUP and isnotset,any|all,GROUP", async () => {
    const rules = [
      'alert tcp any any -> any 80 (msg:"a"; flow:to_server; content:"A"; flowbits:set,bit.a,grp; flowbits:noalert; sid:1;)',
      'alert tcp any any -> any 80 (msg:"b"; flow:to_server; content:"B"; flowbits:set,bit.b,grp; flowbits:noalert; sid:2;)',
      'alert tcp any any -> any 80 (msg:"any set"; flow:to_server; content:"X"; flowbits:isset,any,grp; sid:3;)',
      'alert tcp any any -> any 80 (msg:"all set"; flow:to_server; content:"X"; flowbits:isset,all,grp; sid:4;)',
      'alert tcp any any -> any 80 (msg:"any unset"; flow:to_server; content:"X"; flowbits:isnotset,any,grp; sid:5;)',
      'alert tcp any any -> any 80 (msg:"all unset"; flow:to_server; content:"X"; flowbits:isnotset,all,grp; sid:6;)',
    ].join('\n');
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1_000_000 }).handshake();
    // Nothing set, then bit.a, then both.
    s.send('client', 'X1\n').send('client', 'A\n').send('client', 'X2\n').send('client', 'B\n').send('client', 'X3\n');
    s.close();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([5, 6, 3, 5, 3, 4]);
  });
});

describe('thresholds', () => {
  const packets = (n: number, stepUs: number) => Array.from({ length: n }, (_, i) => udp('PING', { ts: 1_000_000 + i * stepUs }));

  it('limit, threshold, both and detection_filter count in event time', async () => {
    const rules = [
      'alert udp any any -> any any (msg:"limit"; content:"PING"; threshold:type limit, track by_src, count 2, seconds 60; sid:1;)',
      'alert udp any any -> any any (msg:"threshold"; content:"PING"; threshold:type threshold, track by_src, count 3, seconds 60; sid:2;)',
      'alert udp any any -> any any (msg:"both"; content:"PING"; threshold:type both, track by_dst, count 3, seconds 60; sid:3;)',
      'alert udp any any -> any any (msg:"detection_filter"; content:"PING"; detection_filter:track by_src, count 4, seconds 60; sid:4;)',
    ].join('\n');
    const got = sids(await scanPackets(rules, packets(7, 1_000_000)));
    const count = (sid: number): number => got.filter((s) => s === sid).length;
    expect([count(1), count(2), count(3), count(4)]).toEqual([2, 2, 1, 3]);
    // Packets 2 minutes apart each open a new window.
    const spread = sids(await scanPackets(rules, packets(3, 120_000_000)));
    expect(spread.filter((s) => s === 1).length).toBe(3);
    expect(spread.filter((s) => s === 4).length).toBe(0);
  });
});

describe('HTTP', () => {
  it('inspects request buffers at the request and response buffers at the response, once per transaction', async () => {
    const rules = [
      'alert http any any -> any any (msg:"uri"; flow:established,to_server; http.uri; content:"/admin"; sid:1;)',
      'alert tcp any any -> any 80 (msg:"uri snort2"; flow:to_server; uricontent:"/admin"; content:"POST"; http_method; sid:2;)',
      'alert http any any -> any any (msg:"status"; flow:to_client; http.stat_code; content:"403"; sid:3;)',
      'alert http any any -> any any (msg:"ua"; http.user_agent; content:"sqlmap"; nocase; sid:4;)',
      'alert http any any -> any any (msg:"uri and status"; http.uri; content:"/admin"; http.stat_code; content:"403"; sid:5;)',
      'alert http any any -> any any (msg:"header either side"; http.header; content:"X-Secret"; sid:6;)',
    ].join('\n');
    const s = httpConversation({
      exchanges: [
        { request: { method: 'POST', uri: '/admin/login', headers: { 'User-Agent': 'SQLMAP/1.0' }, body: 'a=b' }, response: { status: 403, headers: { 'X-Secret': '1' } } },
        { request: { method: 'GET', uri: '/index.html' }, response: { status: 200 } },
      ],
    });
    const got = sids(await scanPackets(rules, s.packets()));
    expect(got.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('normalized and raw URI are different buffers', async () => {
    const rules = [
      'alert http any any -> any any (msg:"normalized"; http.uri; content:"/winnt/cmd.exe"; startswith; sid:1;)',
      'alert http any any -> any any (msg:"raw"; http.uri.raw; content:"%c0%af"; sid:2;)',
      'alert http any any -> any any (msg:"urilen"; urilen:>10; sid:3;)',
      'alert http any any -> any any (msg:"urilen normalized"; urilen:>30; sid:4;)',
      'alert http any any -> any any (msg:"urilen raw"; urilen:>30,raw; sid:5;)',
    ].join('\n');
    // Normalized, /scripts/..%c0%af../winnt/cmd.exe (33 bytes) is /winnt/cmd.exe (14 bytes).
    const s = httpConversation({ request: { uri: '/scripts/..%c0%af../winnt/cmd.exe' }, response: { status: 404 } });
    expect(sids(await scanPackets(rules, s.packets())).sort()).toEqual([1, 2, 3, 5]);
  });
});

describe('SCTP', () => {
  it('decodes the ports of the common header: alert sctp rules match on them, not on other protocols', async () => {
    const chunk = Buffer.from('\x00\x03\x00\x14\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00EVILMARK', 'latin1');
    const sctp = (sp: number, dp: number) => concatBytes([Uint8Array.of(sp >> 8, sp & 255, dp >> 8, dp & 255, 0, 0, 0, 7, 0, 0, 0, 0), chunk]);
    const packets = [
      ipPacket(ipDatagram({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 132, payload: sctp(40000, 2905) }), 1_000_000),
      ipPacket(ipDatagram({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 47, payload: sctp(40000, 2905) }), 2_000_000),
    ];
    const rules = [
      'alert sctp any any -> any 2905 (msg:"sctp port"; content:"EVILMARK"; sid:1;)',
      'alert sctp any any -> any 80 (msg:"other port"; content:"EVILMARK"; sid:2;)',
      'alert ip any any -> any any (msg:"any ip"; content:"EVILMARK"; sid:3;)',
      'alert udp any any -> any any (msg:"udp"; content:"EVILMARK"; sid:4;)',
    ].join('\n');
    const alerts = await scanPackets(rules, packets);
    expect(alerts.map((a) => `${a.sid} ${a.pcapCnt} ${a.srcPort ?? '-'}>${a.destPort ?? '-'}`)).toEqual(['1 1 40000>2905', '3 1 40000>2905', '3 2 ->-']);
  });
});

describe('HTTP request files, as Suricata finds them', () => {
  const post = (headers: string, body: Buffer | string): Buffer => {
    const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
    return Buffer.concat([Buffer.from(`POST /upload.php?x=1 HTTP/1.1\r\nHost: a\r\n${headers}Content-Length: ${b.length}\r\n\r\n`, 'latin1'), b]);
  };

  // Rules on file.data or file.name look at requests when they say so (flow:to_server).
  it('inspects each file of a multipart upload as file.data and file.name, alerting once per request', async () => {
    const body =
      '--XyZ\r\nContent-Disposition: form-data; name="note"\r\n\r\njust a field <?php\r\n' +
      '--XyZ\r\nContent-Disposition: form-data; name="f"; filename="shell.php"\r\nContent-Type: application/x-php\r\n\r\n<?php system($_GET[c]); ?>\r\n' +
      '--XyZ\r\nContent-Disposition: form-data; name="g"; filename="b.php"\r\n\r\n<?php echo 1; ?>\r\n' +
      '--XyZ--\r\n';
    const rules = [
      'alert http any any -> any any (msg:"php file"; flow:to_server; file.data; content:"<?php"; startswith; sid:1;)',
      'alert http any any -> any any (msg:"named"; flow:to_server; file.name; content:"shell.php"; file.data; content:"system("; sid:2;)',
      'alert http any any -> any any (msg:"no part headers in file.data"; flow:to_server; file.data; content:"Content-Disposition"; sid:3;)',
      'alert http any any -> any any (msg:"exact size"; flow:to_server; file.data; content:"<?php echo"; startswith; bsize:16; sid:4;)',
      'alert http any any -> any any (msg:"name of one, data of another"; flow:to_server; file.name; content:"b.php"; file.data; content:"system"; sid:5;)',
      'alert http any any -> any any (msg:"raw body keeps the multipart"; http.request_body; content:"Content-Disposition"; sid:6;)',
      // Found by the URI, then checked on each file: the second file decides.
      'alert http any any -> any any (msg:"uri then a later file"; flow:to_server; http.uri; content:"/upload.php"; fast_pattern; file.data; content:"echo 1"; sid:7;)',
      'alert http any any -> any any (msg:"no fast pattern, a later file"; flow:to_server; file.data; pcre:"/echo\\s1/"; sid:8;)',
    ].join('\n');
    const s = httpConversation({ request: post('Content-Type: multipart/form-data; boundary=XyZ\r\n', body), response: { status: 200 } });
    const alerts = await scanPackets(rules, s.packets());
    expect(sids(alerts).sort()).toEqual([1, 2, 4, 6, 7, 8]);
  });

  it("names a plain POST's body by its URI path, and decompresses a gzip request body", async () => {
    const rules = [
      'alert http any any -> any any (msg:"name"; flow:to_server; file.name; content:"/upload.php"; endswith; sid:1;)',
      'alert http any any -> any any (msg:"body"; http.request_body; content:"cmd=whoami"; sid:2;)',
      'alert http any any -> any any (msg:"file"; flow:to_server; file.data; content:"cmd=whoami"; startswith; sid:3;)',
    ].join('\n');
    const gz = gzipSync(Buffer.from('cmd=whoami&x=1'));
    const s = httpConversation({ request: post('Content-Encoding: gzip\r\n', gz), response: { status: 200 } });
    expect(sids(await scanPackets(rules, s.packets())).sort()).toEqual([1, 2, 3]);
    // A GET's body is no file.
    const get = Buffer.from('GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\ncmd=whoami', 'latin1');
    const s2 = httpConversation({ request: get, response: { status: 200 } });
    expect(sids(await scanPackets(rules, s2.packets()))).toEqual([2]);
  });
});

describe('HTTP uploads and compressed bodies read as Suricata reads them', () => {
  const RULES = [
    'alert http any any -> any any (msg:"req body"; flow:to_server; http.request_body; content:"EVILREQ"; sid:1;)',
    'alert http any any -> any any (msg:"resp body"; flow:to_client; http.response_body; content:"EVILRESP"; sid:2;)',
    'alert http any any -> any any (msg:"resp file"; flow:to_client; file.data; content:"EVILRESP"; sid:3;)',
    'alert http any any -> any any (msg:"req file"; flow:to_server; file.data; content:"EVILREQ"; sid:4;)',
    'alert http any any -> any any (msg:"exe part"; flow:to_server; file.name; content:"evil.exe"; file.data; content:"MZ"; startswith; sid:14;)',
    'alert http any any -> any any (msg:"put by path"; flow:to_server; file.name; content:"/put.php"; file.data; content:"--XyZ"; startswith; sid:16;)',
  ].join('\n');
  const part = 'Content-Disposition: form-data; name="f"; filename="evil.exe"\r\n\r\nMZ EVILREQ data';
  const upload = (method: string, type: string, body: string) =>
    httpConversation({
      request: Buffer.from(`${method} /put.php HTTP/1.1\r\nHost: a\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 'latin1'),
      response: { status: 200 },
    }).packets();

  it('finds the file of a multipart POST with a loose delimiter line or a boundary on another type', async () => {
    expect(sids(await scanPackets(RULES, upload('POST', 'multipart/form-data; boundary=XyZ', `--XyZ junk\r\n${part}\r\n--XyZ--\r\n`))).sort((x, y) => x - y)).toEqual([1, 4, 14]);
    expect(sids(await scanPackets(RULES, upload('POST', 'multipart/form-data; boundary=XyZ', `--XyZZZ\r\n${part}\r\n--XyZ--\r\n`))).sort((x, y) => x - y)).toEqual([1, 4, 14]);
    expect(sids(await scanPackets(RULES, upload('POST', 'text/plain; boundary=XyZ', `--XyZ\r\n${part}\r\n--XyZ--\r\n`))).sort((x, y) => x - y)).toEqual([1, 4, 14]);
  });

  it('makes a multipart PUT one file named by the URI path', async () => {
    expect(sids(await scanPackets(RULES, upload('PUT', 'multipart/form-data; boundary=XyZ', `--XyZ\r\n${part}\r\n--XyZ--\r\n`))).sort((x, y) => x - y)).toEqual([1, 4, 16]);
  });

  it('decodes bodies whose Content-Encoding is wrong, or given on two lines', async () => {
    const html = Buffer.from('hello EVILRESP world '.repeat(20));
    const respond = (headers: Record<string, string>, body: Buffer) =>
      httpConversation({ request: { uri: '/index.html' }, response: { status: 200, headers: { ...headers, 'Content-Length': String(body.length) }, body } }).packets();
    for (const [enc, body] of [
      ['gzip', deflateSync(html)],
      ['gzip', deflateRawSync(html)],
      ['deflate', gzipSync(html)],
      ['gzip, deflate', gzipSync(deflateSync(html))],
    ] as const) {
      expect(sids(await scanPackets(RULES, respond({ 'Content-Encoding': enc }, body))).sort((x, y) => x - y)).toEqual([2, 3]);
    }
    const twoLines = httpConversation({
      request: { uri: '/index.html' },
      response: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Encoding: deflate\r\nContent-Length: ${deflateSync(gzipSync(html)).length}\r\n\r\n`), deflateSync(gzipSync(html))]),
    }).packets();
    expect(sids(await scanPackets(RULES, twoLines)).sort((x, y) => x - y)).toEqual([2, 3]);
    const form = deflateSync(Buffer.from('a=1&x=EVILREQ'));
    const post = httpConversation({
      request: Buffer.concat([Buffer.from(`POST /f.php HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nContent-Length: ${form.length}\r\n\r\n`), form]),
      response: { status: 200 },
    }).packets();
    expect(sids(await scanPackets(RULES, post)).sort((x, y) => x - y)).toEqual([1, 4]);
  });
});

describe('HTTP rules with raw (pkt_data) contents', () => {
  it('see the raw message: start line, headers and body, including across the header/body seam', async () => {
    const rules = [
      'alert http any any -> any any (msg:"in body"; flow:to_client; content:"200"; http_stat_code; content:"BODYMARK"; fast_pattern; sid:1;)',
      'alert http any any -> any any (msg:"in headers"; flow:to_client; content:"200"; http_stat_code; content:"X-Mark: yes"; fast_pattern; sid:2;)',
      'alert http any any -> any any (msg:"across"; flow:to_client; content:"200"; http_stat_code; content:"|0d 0a 0d 0a|<html>"; fast_pattern; sid:3;)',
      'alert http any any -> any any (msg:"body buffer"; flow:to_client; file.data; content:"BODYMARK"; sid:4;)',
      'alert http any any -> any any (msg:"absent"; flow:to_client; content:"200"; http_stat_code; content:"NOWHERE"; fast_pattern; sid:5;)',
    ].join('\n');
    const s = httpConversation({ request: { uri: '/' }, response: { status: 200, headers: { 'X-Mark': 'yes' }, body: '<html>' + 'x'.repeat(3000) + 'BODYMARK</html>' } });
    expect(sids(await scanPackets(rules, s.packets())).sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('alerts on requests', () => {
  it('wait for the response and carry its status, so a refused attempt shows as such', async () => {
    const rules = [
      'alert http any any -> any any (msg:"probe"; http.uri; content:"/scripts/root.exe"; sid:1;)',
      'alert http any any -> any any (msg:"answered"; flow:to_client; http.stat_code; content:"404"; sid:2;)',
    ].join('\n');
    const s = httpConversation({ request: { uri: '/scripts/root.exe?/c+dir' }, response: { status: 404, body: 'not here' } });
    const alerts = await scanPackets(rules, s.packets());
    // The request's alert goes out before the response's, once the status is known.
    expect(alerts.map((a) => [a.sid, a.http?.status])).toEqual([
      [1, 404],
      [2, 404],
    ]);
  });

  it('go out at the flow end when no response comes', async () => {
    const rules = 'alert http any any -> any any (msg:"probe"; http.uri; content:"/scripts/root.exe"; sid:1;)';
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1 }).handshake();
    s.send('client', 'GET /scripts/root.exe?/c+dir HTTP/1.0\r\n\r\n').close();
    const alerts = await scanPackets(rules, s.packets());
    expect(alerts.map((a) => [a.sid, a.http?.status])).toEqual([[1, undefined]]);
  });
});

describe('SMTP', () => {
  it('inspects commands, envelope and message buffers', async () => {
    const rules = [
      'alert smtp any any -> any any (msg:"helo"; smtp.helo; content:"evil"; sid:1;)',
      'alert smtp any any -> any any (msg:"rcpt"; smtp.rcpt_to; content:"victim@"; sid:2;)',
      'alert smtp any any -> any any (msg:"body"; smtp.body; content:"click here"; sid:3;)',
      'alert tcp any any -> any 25 (msg:"stream"; flow:to_server; content:"MAIL FROM"; sid:4;)',
    ].join('\n');
    const s = smtpConversation({ helo: 'evil.example', from: 'a@example.com', to: 'victim@example.org', message: 'Subject: hi\r\n\r\nplease click here\r\n' });
    const alerts = await scanPackets(rules, s.packets());
    expect(sids(alerts).sort()).toEqual([1, 2, 3, 4]);
    // Alerts from SMTP units carry the envelope, as Suricata's smtp object, and the unit's tx_id.
    const rcpt = alerts.find((a) => a.sid === 2)!;
    expect(rcpt.smtp).toMatchObject({ helo: 'evil.example', mail_from: '<a@example.com>', rcpt_to: ['<victim@example.org>'] });
    // One transaction per mail, as Suricata numbers SMTP transactions: EHLO, RCPT and the message alike.
    expect(alerts.filter((a) => a.sid !== 4).map((a) => a.extra?.tx_id)).toEqual([0, 0, 0]);
    expect(alerts.find((a) => a.sid === 4)!.smtp).toBeUndefined();
  });

  it('inspects each MIME attachment, decoded, as file.data and file.name, alerting once per message', async () => {
    const exe = Buffer.from('MZ\x90\x00\x03\x00\x00\x00 This program cannot be run in DOS mode.', 'latin1');
    const b64 = (exe.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
    const part = (name: string) => `--B\r\nContent-Type: audio/x-wav; name="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`;
    const message =
      'Subject: \r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n' +
      '--B\r\nContent-Type: text/plain\r\n\r\nMZ in the text is not a file\r\n' +
      part('readme.exe') +
      part('second.exe') +
      '--B--\r\n';
    const rules = [
      'alert smtp any any -> any any (msg:"exe attached"; file.data; content:"MZ"; startswith; content:"DOS mode"; sid:1;)',
      'alert smtp any any -> any any (msg:"named exe, PE inside"; file.name; content:"readme.exe"; file.data; content:"MZ"; startswith; sid:2;)',
      'alert smtp any any -> any any (msg:"text part is no file"; file.data; content:"in the text"; sid:3;)',
      'alert smtp any any -> any any (msg:"raw base64 still in smtp.body"; smtp.body; content:"TVqQ"; sid:4;)',
      'alert smtp any any -> any any (msg:"name of one file, data of another"; file.name; content:"second.exe"; file.data; content:"readme"; sid:5;)',
    ].join('\n');
    const s = smtpConversation({ helo: 'infected.example', from: 'a@example.com', to: 'b@example.org', message });
    const alerts = await scanPackets(rules, s.packets());
    // sid 1 matches both attachments, and alerts once: the message is one transaction.
    expect(sids(alerts).sort()).toEqual([1, 2, 4]);
    // Suricata's `email` object: the attachments' names (the text part is no attachment).
    expect(alerts[0]!.extra?.email).toEqual({ status: 'PARSE_DONE', attachment: ['readme.exe', 'second.exe'] });
  });

  it("alerts on a message carry Suricata's email object: From, and To and Cc split at commas", async () => {
    const message = 'From:  Mallory <m@evil.example>\r\nTo: a@example.org,\r\n  "B" <b@example.org>\r\nCc: c@example.org\r\nSubject: x\r\n\r\nclick here\r\n';
    const rules = [
      'alert smtp any any -> any any (msg:"body"; smtp.body; content:"click here"; sid:1;)',
      'alert smtp any any -> any any (msg:"rcpt"; smtp.rcpt_to; content:"a@"; sid:2;)',
    ].join('\n');
    const s = smtpConversation({ from: 'm@evil.example', to: 'a@example.org', message });
    const alerts = await scanPackets(rules, s.packets());
    expect(alerts.find((a) => a.sid === 1)!.extra?.email).toEqual({
      status: 'PARSE_DONE',
      from: 'Mallory <m@evil.example>',
      to: ['a@example.org', '"B" <b@example.org>'],
      cc: ['c@example.org'],
    });
    // A command comes before any message: no email object.
    expect(alerts.find((a) => a.sid === 2)!.extra?.email).toBeUndefined();
  });

  it("alerts on a command wait for the server's reply and carry its code", async () => {
    const rules = 'alert smtp any any -> any any (msg:"vrfy"; smtp.command; content:"VRFY"; sid:1;)';
    const s = smtpConversation({ from: 'a@example.com', to: 'b@example.org', message: 'Subject: x\r\n\r\nbody\r\n', extraCommands: [{ command: 'VRFY root', reply: '502 5.5.1 VRFY disallowed' }] });
    const alerts = await scanPackets(rules, s.packets());
    expect(alerts.map((a) => a.smtp?.reply_code)).toEqual([502]);
  });

  it('raises the MIME app-layer events of a message', async () => {
    const message = 'Content-Type: application/octet-stream; name="x.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQ!!AAMA\r\n';
    const rules = [
      'alert smtp any any -> any any (msg:"bad base64"; app-layer-event:smtp.mime_invalid_base64; sid:1;)',
      'alert smtp any any -> any any (msg:"bad qp"; app-layer-event:smtp.mime_invalid_qp; sid:2;)',
    ].join('\n');
    const s = smtpConversation({ helo: 'h.example', from: 'a@example.com', to: 'b@example.org', message });
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([1]);
  });
});

describe('relative content as Suricata computes its window', () => {
  it('drops within when distance + within would end the window before the buffer start', async () => {
    const rules = [
      'alert udp any any -> any any (msg:"wrapped"; content:"abc"; content:"d"; distance:-10; within:5; sid:1;)',
      'alert udp any any -> any any (msg:"wrapped negated"; content:"abc"; content:!"x"; distance:-10; within:5; sid:2;)',
      'alert udp any any -> any any (msg:"in reach"; content:"abc"; content:"d"; distance:-2; within:5; sid:3;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, [udp('abcxxxxxxxd')]))).toEqual([1]);
    expect(sids(await scanPackets(rules, [udp('abcx')]))).toEqual([]);
    expect(sids(await scanPackets(rules, [udp('abcd')]))).toEqual([1, 2, 3]);
  });
});

describe('TCP reassembly under evasion', () => {
  it('reassembles a request sent in thousands of tiny segments in random order', async () => {
    const rules = 'alert http any any -> any any (msg:"long SEARCH"; http.method; content:"SEARCH"; urilen:>60000; sid:1;)';
    const body = `SEARCH /${'A'.repeat(65_000)} HTTP/1.1\r\nHost: x\r\n\r\n`;
    const sizes = Array.from({ length: Math.ceil(body.length / 24) - 1 }, () => 24);
    // A fixed shuffle (every segment index once), as fragroute's tcp_seg + order random sends it.
    const order = sizes.map((_, i) => i).concat([sizes.length]);
    for (let i = order.length - 1, seed = 7; i > 0; i--) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const j = seed % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1 }).handshake();
    s.send('client', body, { segments: sizes, order }).close();
    expect(order.length).toBeGreaterThan(2_700);
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([1]);
  });

  it('leaves out a segment with a wrong checksum, as the receiver does, once its sender sent a right one', async () => {
    const rules = 'alert tcp any any -> any any (msg:"evil"; flow:established,to_server; content:"EVIL"; sid:1;)\nalert tcp any any -> any any (msg:"good"; content:"GOOD"; sid:2;)';
    const insertion = (): ReturnType<typeof tcpSession> => {
      const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1 }).handshake();
      // Junk the server drops (wrong checksum) takes the sequence space first; the real bytes follow.
      s.segment('client', { data: 'GOOD', badChecksum: true });
      s.segment('client', { data: 'EVIL', offset: 0 });
      s.ack('server').close();
      return s;
    };
    // The dropped segment is still inspected as a packet of its own (Suricata does the same), so
    // sid 2 fires on it; the stream holds the real bytes.
    const auto = await scanWithCounters(rules, insertion().packets());
    expect(sids(auto.alerts)).toEqual([2, 1]);
    expect(auto.counters['tcp.invalid_checksum']).toBe(1);
    // Trusting every checksum, the stream keeps GOOD; EVIL, a retransmission with other bytes,
    // is a segment of the stream as Suricata sees it too: only rules positioned from a buffer
    // start look at it as a packet, and sid 1 is not one.
    const none = await scanWithCounters(rules, insertion().packets(), { stream: { tcp: { checksum: 'none' } } });
    expect(sids(none.alerts)).toEqual([2]);
    expect(none.counters['tcp.overlap_diff_data']).toBe(1);

    // A host whose NIC computes checksums shows every segment it sent with a wrong one: read whole in auto mode.
    const session = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1 }).handshake();
    session.send('client', 'EVIL', { segments: [2, 2] });
    const offload = session.packets().map((p) => {
      // Ethernet, IPv4 without options: the source address at 26, the TCP checksum at 50.
      if (p.frame[29] !== 1) return p;
      const frame = p.frame.slice();
      frame[51] = frame[51]! ^ 0x5a;
      return { ...p, frame };
    });
    const off = await scanWithCounters(rules, offload);
    expect(sids(off.alerts)).toEqual([1]);
    expect(off.counters['kanshi.tcp.checksum_offloaded']).toBe(4);
    expect(sids(await scanPackets(rules, offload, { stream: { tcp: { checksum: 'all' } } }))).toEqual([]);

    // Segmentation offload: the handshake checksummed, the data left with the pseudo-header sum
    // for the NIC to complete (as in suricata-verify's bug-1045 capture).
    const partial = session.packets().map((p, i) => {
      if (p.frame[29] !== 1 || i < 3) return p;
      const frame = p.frame.slice();
      const tcpLength = ((frame[16]! << 8) | frame[17]!) - 20;
      let sum = 6 + tcpLength;
      for (let k = 26; k < 34; k += 2) sum += (frame[k]! << 8) | frame[k + 1]!;
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      frame[50] = sum >>> 8;
      frame[51] = sum & 0xff;
      return { ...p, frame };
    });
    const tso = await scanWithCounters(rules, partial);
    expect(sids(tso.alerts)).toEqual([1]);
    expect(tso.counters['kanshi.tcp.checksum_offloaded']).toBe(2);
    expect(tso.counters['tcp.invalid_checksum']).toBe(0);
  });

  it('reassembles overlapping out-of-order segments as a BSD or Windows target does (the earlier-starting segment wins)', async () => {
    const rules = 'alert tcp any any -> any any (msg:"evil"; flow:established,to_server; content:"EVIL"; sid:1;)';
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1 }).handshake();
    s.segment('client', { data: 'GOXX', offset: 2 });
    s.segment('client', { data: 'EVIL', offset: 0 });
    s.ack('server').close();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([1]);
    expect(sids(await scanPackets(rules, s.packets(), { stream: { tcp: { policy: 'first' } } }))).toEqual([]);
  });

  it('runs rules anchored at a buffer start on a segment that did not begin a stream chunk (as Suricata runs depth/offset rules on packets too), a retransmission with other bytes included', async () => {
    const rules = [
      'alert tcp any any -> any any (msg:"anchored"; flow:to_server; content:"EVIL"; depth:4; sid:3;)',
      'alert tcp any any -> any any (msg:"floating"; flow:to_server; content:"EVIL"; sid:1;)',
    ].join('\n');
    // Out of order: EVIL waits behind a hole, then reaches the stream inside GETEVIL.
    const ooo = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1 }).handshake();
    ooo.segment('client', { data: 'EVIL', offset: 3 });
    ooo.segment('client', { data: 'GET', offset: 0 });
    ooo.ack('server').close();
    expect(sids(await scanPackets(rules, ooo.packets()))).toEqual([3, 1]);
    // A retransmission with other bytes than those delivered: the receiver kept the first copy,
    // and Suricata adds the segment to its stream all the same (PKT_STREAM_ADD), so only the
    // rules positioned from a buffer start look at it as a packet, not every stream rule.
    const retrans = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1 }).handshake();
    retrans.send('client', 'GOOD');
    retrans.segment('client', { data: 'EVIL', offset: 0 });
    retrans.close();
    expect(sids(await scanPackets(rules, retrans.packets()))).toEqual([3]);
    // An identical retransmission is not looked at again: one alert, on the first copy.
    const same = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1 }).handshake();
    same.send('client', 'EVIL', { duplicate: [0] }).close();
    expect(sids(await scanPackets(rules, same.packets()))).toEqual([1, 3]);
  });

  it('is not cut short by a spoofed RST off the next sequence number (the receiver drops it too)', async () => {
    const rules = 'alert tcp any any -> any any (msg:"split"; flow:established,to_server; content:"EVIL"; sid:1;)';
    for (const from of ['client', 'server'] as const) {
      const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1 }).handshake();
      s.send('client', 'hello ', { ack: false });
      s.segment(from, { seq: s.seqAt(from, from === 'client' ? 6 : 0) + 1000, flags: 'RA' });
      s.send('client', 'EVIL', { segments: [2, 2] }).close();
      expect(sids(await scanPackets(rules, s.packets()))).toEqual([1]);
    }
  });
});

describe('IP fragments', () => {
  it('meet flow options as in Suricata: a fragment has no flow, so only the direction alone (to the server) holds', async () => {
    const rules = [
      'alert ip any any -> any any (msg:"only_frag"; flow:only_frag; sid:1;)',
      'alert ip any any -> any any (msg:"to_server and MF"; flow:to_server; fragbits:M; sid:2;)',
      'alert ip any any -> any any (msg:"not_established and MF"; flow:not_established; fragbits:M; sid:3;)',
      'alert ip any any -> any any (msg:"to_client and MF"; flow:to_client; fragbits:M; sid:4;)',
    ].join('\n');
    const datagram = udpPacket({ src: '10.0.0.1:1024', dst: '10.0.0.2:53', payload: 'A'.repeat(40), tsUs: 1_000_000 });
    // The first fragment (MF set) matches sid 2 only; the datagram rebuilt from both has a flow and matches only_frag.
    expect(sids(await scanPackets(rules, fragmentPacket(datagram, { sizes: [24] })))).toEqual([2, 1]);
  });

  it('the datagram rebuilt from them lends its header fields (ttl) to the stream data it delivered', async () => {
    const parsed = parseCaseText('=== frag\nsid: 1\nexpect: positive\nttl: 5\nserver: 10.1.1.1:9\n--- tcp client frag=8\nTTTT\n', '/cases/x.ktest');
    const packets = casePackets(parsed.cases[0]!);
    const rules = [
      'alert tcp any any -> any any (msg:"ttl and content"; ttl:5; content:"TTTT"; sid:1;)',
      'alert tcp any any -> any any (msg:"other ttl"; ttl:6; content:"TTTT"; sid:2;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, packets))).toEqual([1]);
  });
});

describe('pass rules', () => {
  it('stop the flow from being inspected further', async () => {
    const rules = [
      'pass tcp any any -> any 80 (msg:"trusted"; flow:to_server; content:"TRUSTED"; sid:1;)',
      'alert tcp any any -> any 80 (msg:"evil"; flow:to_server; content:"EVIL"; sid:2;)',
    ].join('\n');
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 1 }).handshake();
    s.send('client', 'EVIL TRUSTED').send('client', 'EVIL again').close();
    expect(sids(await scanPackets(rules, s.packets()))).toEqual([]);
  });

  it('pass only the packet they matched when they matched a packet rather than the stream, as Suricata does', async () => {
    const rules = [
      'pass udp any any -> any any (msg:"ok datagram"; content:"ok"; sid:1;)',
      'alert udp any any -> any any (msg:"bad"; content:"bad"; sid:2;)',
      'pass tcp any any -> any any (msg:"syn"; flags:S; sid:3;)',
      'alert tcp any any -> any any (msg:"bad in stream"; content:"bad"; sid:4;)',
    ].join('\n');
    const udpFlow = [udp('ok bad', { ts: 1 }), udp('bad', { ts: 2 })];
    const s = tcpSession({ client: '10.0.0.1:40000', server: '10.0.0.2:80', startUs: 10 }).handshake();
    s.send('client', 'bad').close();
    expect(sids(await scanPackets(rules, [...udpFlow, ...s.packets()]))).toEqual([2, 4]);
  });
});

import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_SYN, TCP_URG } from '../../src/types/packet.js';
import { err, located, ok, print } from './helpers.js';
import { parseRules } from '../../src/rule/index.js';

describe('flow', () => {
  it('parses options into direction, state, stream and frag', () => {
    expect(ok('flow', 'established,to_server')).toEqual({ state: 'established', direction: 'to_server' });
    expect(ok('flow', ' from_server , stateless, only_stream, no_frag')).toEqual({ direction: 'to_client', state: 'stateless', stream: 'only', frag: 'no' });
    expect(print('flow', ok('flow', 'to_client,not_established'))).toBe('not_established,to_client');
  });
  it('rejects conflicting and unknown options at their position', () => {
    expect(err('flow', 'to_server,established,to_client')).toEqual({
      severity: 'error',
      message: 'conflicting flow options to_server and to_client: a flow cannot be both; keep one',
      offset: 22,
      length: 9,
    });
    expect(err('flow', 'established,stateless').message).toBe('conflicting flow options established and stateless: a flow cannot be both; keep one');
    expect(err('flow', 'to_server,from_client').message).toBe('flow has from_client twice (to_server means the same): remove one');
    expect(err('flow', 'established,to_srever')).toEqual({
      severity: 'error',
      message:
        'unknown flow option "to_srever": use to_server, from_client, to_client, from_server, established, not_established, stateless, only_stream, no_stream, only_frag, no_frag',
      offset: 12,
      length: 9,
    });
  });
});

describe('flowbits', () => {
  it('parses commands and name groups', () => {
    expect(ok('flowbits', 'set,ET.foo')).toEqual({ cmd: 'set', names: ['ET.foo'], op: 'all' });
    expect(ok('flowbits', 'isset, a|b')).toEqual({ cmd: 'isset', names: ['a', 'b'], op: 'any' });
    expect(ok('flowbits', 'unset,a&b,grp')).toEqual({ cmd: 'unset', names: ['a', 'b'], op: 'all', group: 'grp' });
    expect(ok('flowbits', 'noalert')).toEqual({ cmd: 'noalert', names: [], op: 'all' });
    expect(ok('flowbits', 'reset,grp')).toEqual({ cmd: 'reset', names: [], op: 'all', group: 'grp' });
    expect(print('flowbits', ok('flowbits', 'isnotset,a|b'))).toBe('isnotset,a|b');
  });
  it('explains misuse', () => {
    expect(err('flowbits', 'set,a|b')).toEqual({
      severity: 'error',
      message: 'flowbits:set cannot take a|b: | (any of) works with isset and isnotset only; write a&b or one name',
      offset: 4,
      length: 3,
    });
    expect(err('flowbits', 'isset,a|b&c').message).toBe('flowbits cannot mix | and &: use a|b (any of them) or a&b (all of them)');
    expect(err('flowbits', 'sett,a').message).toBe('unknown flowbits command "sett": use set, unset, toggle, isset, isnotset or noalert');
    expect(err('flowbits', 'isset').message).toBe('flowbits:isset needs a bit name: write flowbits:isset,name;');
    expect(err('flowbits', 'set,a b')).toEqual({ severity: 'error', message: 'bad flowbit name "a b": use letters, digits, _, . and -', offset: 4, length: 3 });
  });
});

describe('flags and fragbits', () => {
  it('parse flags, modifiers in front or behind, and the ignore mask', () => {
    expect(ok('flags', 'SA')).toEqual({ mode: 'exact', flags: TCP_SYN | TCP_ACK, ignore: 0 });
    expect(ok('flags', 'S,12')).toEqual({ mode: 'exact', flags: TCP_SYN, ignore: TCP_CWR | TCP_ECE });
    expect(ok('flags', '+PA')).toEqual({ mode: 'all', flags: TCP_PSH | TCP_ACK, ignore: 0 });
    expect(ok('flags', 'U+')).toEqual({ mode: 'all', flags: TCP_URG, ignore: 0 });
    expect(ok('flags', '*SF')).toEqual({ mode: 'any', flags: TCP_SYN | TCP_FIN, ignore: 0 });
    expect(ok('flags', '!A')).toEqual({ mode: 'not', flags: TCP_ACK, ignore: 0 });
    expect(ok('flags', '0')).toEqual({ mode: 'exact', flags: 0, ignore: 0 });
    expect(ok('flags', 'CE')).toEqual({ mode: 'exact', flags: TCP_CWR | TCP_ECE, ignore: 0 });
    expect(print('flags', ok('flags', 'AS+,21'))).toBe('+SA,CE');
  });
  it('report a bad flag at its offset', () => {
    expect(err('flags', 'SX')).toEqual({
      severity: 'error',
      message: "unknown TCP flag 'X': use F S R P A U C E (or 1 2 for C E), 0 for none, with + (at least), * (any) or ! (none of)",
      offset: 1,
      length: 1,
    });
    expect(err('flags', '+S*').message).toBe('flags takes one modifier (+, * or !), found + and *');
    expect(err('flags', '0S').message).toBe('flags:0 means no flag set and cannot be combined with flags or modifiers');
    expect(err('flags', 'S,Q')).toEqual({ severity: 'error', message: "unknown TCP flag 'Q' in the ignore mask: use F S R P A U C E (or 1 2)", offset: 2, length: 1 });
  });
  it('fragbits', () => {
    expect(ok('fragbits', '!D')).toEqual({ mode: 'not', bits: 2 });
    expect(ok('fragbits', 'M+')).toEqual({ mode: 'all', bits: 1 });
    expect(print('fragbits', ok('fragbits', 'RDM'))).toBe('MDR');
    expect(err('fragbits', 'MX').message).toBe("unknown fragment bit 'X': use M (more fragments), D (don't fragment), R (reserved) with +, * or !");
  });
});

describe('header values', () => {
  it('share the range grammar with their own bounds', () => {
    expect(ok('ttl', '<10')).toEqual({ op: '<', a: 10 });
    expect(ok('itype', '30<>40')).toEqual({ op: '<>', a: 30, b: 40 });
    expect(ok('icode', '>5')).toEqual({ op: '>', a: 5 });
    expect(ok('window', '!1024')).toEqual({ op: '!=', a: 1024 });
    expect(ok('seq', '4294967295')).toEqual({ op: '=', a: 4294967295 });
    expect(ok('tos', '0x10')).toEqual({ op: '=', a: 16 });
    expect(err('ttl', '256')).toEqual({ severity: 'error', message: 'ttl value 256 is out of range: use 0 to 255', offset: 0, length: 3 });
    expect(err('tos', '<4').message).toBe('tos does not take the "<" form: write tos:5 or tos:!5');
    expect(err('icmp_seq', '70000').message).toBe('icmp_seq value 70000 is out of range: use 0 to 65535');
    expect(ok('dsize', ' >100')).toEqual({ op: '>', a: 100 });
    // Suricata's integer keywords take `!=` as well as `!`; the printer keeps the shorter form.
    expect(ok('dsize', '!=9')).toEqual({ op: '!=', a: 9 });
    expect(print('ttl', ok('ttl', '!= 64'))).toBe('!64');
  });
  it('urilen takes a buffer choice', () => {
    expect(ok('urilen', '>10,norm')).toEqual({ range: { op: '>', a: 10 }, mode: 'norm' });
    expect(print('urilen', ok('urilen', '5<>9 , raw'))).toBe('5<>9,raw');
    expect(err('urilen', '5,both')).toEqual({ severity: 'error', message: 'urilen buffer must be norm or raw, not "both"', offset: 2, length: 4 });
  });
  it('ip_proto takes numbers and names', () => {
    expect(ok('ip_proto', '47')).toEqual({ op: '=', proto: 47 });
    expect(ok('ip_proto', '!tcp')).toEqual({ op: '!=', proto: 6 });
    expect(ok('ip_proto', '>50')).toEqual({ op: '>', proto: 50 });
    expect(err('ip_proto', 'tcpp').message).toBe('ip_proto must be a protocol number from 0 to 255 or a name such as tcp, udp, icmp, gre; not "tcpp"');
  });
  it('ipopts names one option', () => {
    expect(ok('ipopts', 'lsrr')).toEqual({ name: 'lsrr', codes: [131] });
    expect(ok('ipopts', 'any')).toEqual({ name: 'any', codes: [] });
    expect(err('ipopts', 'xx').message).toBe('unknown IP option "xx": use eol, nop, rr, ts, sec, esec, lsrr, lsrre, ssrr, satid, any');
  });
  it('app-layer-protocol, stream_size, xbits, flowint', () => {
    expect(ok('app-layer-protocol', '!http')).toEqual({ negated: true, proto: 'http' });
    expect(ok('stream_size', 'server,<,5')).toEqual({ side: 'server', op: '<', bytes: 5 });
    expect(err('stream_size', 'srv,<,5').message).toBe('stream_size side must be server, client, both or either, not "srv"');
    expect(ok('xbits', 'set,ET.x,track ip_pair,expire 15')).toEqual({ cmd: 'set', name: 'ET.x', track: 'ip_pair', expire: 15 });
    expect(err('xbits', 'set,ET.x').message).toBe('xbits needs track ip_src, ip_dst or ip_pair: write xbits:set,ET.x,track ip_src;');
    expect(ok('flowint', 'cnt, +, 1')).toEqual({ name: 'cnt', op: '+', value: 1 });
    expect(ok('flowint', 'cnt,isset')).toEqual({ name: 'cnt', op: 'isset' });
  });
});

describe('post-detection', () => {
  it('threshold takes its four settings in any order', () => {
    expect(ok('threshold', 'track by_src, count 1, seconds 60, type limit')).toEqual({ type: 'limit', track: 'by_src', count: 1, seconds: 60 });
    expect(print('threshold', ok('threshold', 'type both,track by_dst,count 5,seconds 360'))).toBe('type both, track by_dst, count 5, seconds 360');
  });
  it('threshold reads Suricata 8 backoff, and the rule is skipped with the reason', () => {
    const v = ok('threshold', 'type backoff, track by_flow, count 1, multiplier 10');
    expect(v).toEqual({ type: 'backoff', track: 'by_flow', count: 1, seconds: 0, multiplier: 10 });
    expect(print('threshold', v)).toBe('type backoff, track by_flow, count 1, multiplier 10');
    expect(err('threshold', 'type backoff, track by_flow, count 1, seconds 10').message).toBe('unknown threshold setting "seconds": use type, track, count or multiplier');
    const r = parseRules('alert udp any any -> any any (msg:"b"; content:"BO"; threshold:type backoff, track by_flow, count 1, multiplier 10; sid:1;)');
    expect(r.counts).toEqual({ loaded: 0, disabled: 0, skipped: 1, invalid: 0 });
    expect(r.diagnostics.map((d) => d.message)).toEqual(['rule skipped: kanshi does not evaluate threshold type backoff (Suricata 8); type limit, threshold or both is evaluated']);
  });

  it('threshold says what is missing or wrong', () => {
    expect(err('threshold', 'type limit, track by_src, count 1')).toEqual({
      severity: 'error',
      message: 'threshold needs type, track, count and seconds: missing seconds; write threshold:type limit, track by_src, count 1, seconds 60;',
      offset: 0,
      length: 33,
    });
    expect(err('threshold', 'type limit, track by_host, count 1, seconds 1')).toEqual({
      severity: 'error',
      message: 'threshold track must be by_src, by_dst, by_rule, by_both or by_flow, not "by_host"',
      offset: 18,
      length: 7,
    });
    expect(err('threshold', 'type limit, type both, track by_src, count 1, seconds 1').message).toBe('threshold sets type twice: remove one');
    expect(err('threshold', 'type limit, track by_src, count 0, seconds 1').message).toBe(
      'threshold count must be a whole number from 1 to 4294967295, not "0"',
    );
    expect(err('threshold', 'type limit, track by_src, count 1, period 1').message).toBe('unknown threshold setting "period": use type, track, count or seconds');
  });
  it('detection_filter and tag', () => {
    expect(ok('detection_filter', 'track by_dst, count 100, seconds 25')).toEqual({ track: 'by_dst', count: 100, seconds: 25 });
    expect(ok('tag', 'session,5,packets')).toEqual({ type: 'session', count: 5, metric: 'packets' });
    expect(ok('tag', 'host,10,seconds,src')).toEqual({ type: 'host', count: 10, metric: 'seconds', direction: 'src' });
    expect(print('tag', ok('tag', 'session'))).toBe('session');
    expect(err('tag', 'session,5,frames').message).toBe('tag metric must be packets, seconds or bytes, not "frames"');
  });
});

describe('ssl_state and ssl_version', () => {
  it('read their names with ! per item, without regard to case', () => {
    expect(ok('ssl_state', 'client_hello | !Server_Keyx')).toEqual({ items: [{ name: 'client_hello', negated: false }, { name: 'server_keyx', negated: true }] });
    expect(ok('ssl_version', '!sslv2,TLS1.0')).toEqual({ items: [{ name: 'sslv2', negated: true }, { name: 'tls1.0', negated: false }] });
    expect(print('ssl_state', ok('ssl_state', 'client_hello | !server_keyx'))).toBe('client_hello,!server_keyx');
  });

  it('say what to write instead', () => {
    expect(err('ssl_state', 'client_helo')).toMatchObject({ message: 'unknown ssl_state name "client_helo": use client_hello, server_hello, client_keyx, server_keyx, unknown', offset: 0, length: 11 });
    expect(err('ssl_version', 'sslv3,,tls1.0')).toMatchObject({ message: "ssl_version has an empty item: write names such as sslv3,tls1.0 separated by ','", offset: 6 });
    expect(err('ssl_version', 'tls1.2 tls1.3')).toMatchObject({ message: "ssl_version items are separated by ',': write sslv3,tls1.0", offset: 7 });
    expect(err('ssl_state', 'client_hello,client_hello')).toMatchObject({ message: 'ssl_state names client_hello twice: remove one', offset: 13 });
  });
});

describe('ranges that can never hold', () => {
  it('warn at the value, as the other never-matching values do', () => {
    const rule = (o: string, proto = 'tcp') => `alert ${proto} any any -> any any (msg:"t"; ${o} sid:1;)`;
    expect(located(rule('dsize:>65535;'))).toEqual(['1:46: warning: dsize:>65535 can never match: dsize is never above 65535 (Suricata refuses it)']);
    expect(located(rule('dsize:<0;'))).toEqual(['1:46: warning: dsize:<0 can never match: dsize is never below 0 (Suricata refuses it)']);
    expect(located(rule('ttl:<0;', 'ip'))).toEqual(['1:43: warning: ttl:<0 can never match: ttl is never below 0 (Suricata refuses it)']);
    expect(located(rule('urilen:>65535;', 'http'))).toEqual(['1:48: warning: urilen:>65535 can never match: urilen is never above 65535 (Suricata refuses it)']);
    expect(located(rule('dsize:>65534; ttl:<1;'))).toEqual([]);
  });
});

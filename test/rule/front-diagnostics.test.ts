import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/rule/index.js';
import { formatDiagnostic } from '../../src/rule/diagnostics.js';
import { printRule } from '../../src/rule/printer.js';

/** `line:col: severity: message` of every diagnostic, for exact comparison. */
function diags(text: string): string[] {
  return parseRules(text, { file: 't.rules' }).diagnostics.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`);
}

const ok = 'alert tcp any any -> any any (msg:"ok"; sid:1;)';

describe('rule header diagnostics', () => {
  it('accepts a well-formed rule without any diagnostic', () => {
    expect(diags(ok)).toEqual([]);
  });

  it('warns of flow:established on a udp rule, which a first datagram never meets', () => {
    expect(diags('alert udp any any -> any 1434 (msg:"x"; flow:established; content:"|04|"; sid:1;)')).toEqual([
      '1:41: warning: flow:established on udp: a UDP flow is established only once both sides have sent, so a first datagram (a probe, a query) never matches; write flow:to_server (or to_client) unless the rule is for replies',
    ]);
    expect(diags('alert udp any any -> any 1434 (msg:"x"; flow:to_server; sid:1;)')).toEqual([]);
    expect(diags('alert tcp any any -> any 80 (msg:"x"; flow:established; sid:1;)')).toEqual([]);
  });

  it('port out of range', () => {
    expect(diags('alert tcp any any -> any 70000 (msg:"x"; sid:1;)')).toEqual(['1:26: error: port 70000 out of range: ports are 0 to 65535']);
  });

  it('bad CIDR, pointing at the prefix length', () => {
    expect(diags('alert tcp 10.0.0.0/33 any -> any any (msg:"x"; sid:1;)')).toEqual([
      "1:20: error: bad CIDR '10.0.0.0/33': the prefix length of an IPv4 block is 0 to 32, as in 10.0.0.0/8",
    ]);
  });

  it('unknown variable', () => {
    expect(diags('alert tcp $HOME_NETT any -> any any (msg:"x"; sid:1;)')).toEqual([
      '1:11: error: undefined variable $HOME_NETT: did you mean $HOME_NET? or define it with --var HOME_NETT=VALUE or an ipvar line',
    ]);
    expect(diags('alert tcp any $WEB_PORTS -> any any (msg:"x"; sid:1;)')).toEqual([
      '1:15: error: undefined variable $WEB_PORTS: define it with --var WEB_PORTS=VALUE or a portvar line',
    ]);
  });

  it('an undefined variable one slip away from a defined one of its kind: did you mean', () => {
    expect(diags('alert tcp $EXTERNAL_NET any -> $HOMENET $HTTP_PORT (msg:"x"; sid:1;)')).toEqual([
      '1:32: error: undefined variable $HOMENET: did you mean $HOME_NET? or define it with --var HOMENET=VALUE or an ipvar line',
      '1:41: error: undefined variable $HTTP_PORT: did you mean $HTTP_PORTS? or define it with --var HTTP_PORT=VALUE or a portvar line',
    ]);
  });

  it('unknown action and protocol, with did-you-mean', () => {
    expect(diags('alret tcp any any -> any any (msg:"x"; sid:1;)')).toEqual(["1:1: error: unknown action 'alret'; did you mean 'alert'?"]);
    expect(diags('alert tpc any any -> any any (msg:"x"; sid:1;)')).toEqual(["1:7: error: unknown protocol 'tpc'; did you mean 'tcp'?"]);
    expect(diags('alert zzzzz any any -> any any (msg:"x"; sid:1;)')).toEqual([
      "1:7: error: unknown protocol 'zzzzz': write ip, tcp, udp, icmp or an application protocol such as http",
    ]);
  });

  it('a wrong direction, and a missing header field', () => {
    expect(diags('alert tcp any any <- any any (msg:"x"; sid:1;)')).toEqual(["1:19: error: '<-' is not a direction: write -> or <>"]);
    expect(diags('alert tcp any any -> any (msg:"x"; sid:1;)')).toEqual([
      "1:26: error: missing destination port before '(': a rule reads: action protocol src_addr src_port -> dst_addr dst_port (keyword:value; ...)",
    ]);
  });

  it('an unclosed address list', () => {
    expect(diags('alert tcp [10.0.0.1,10.0.0.2 any -> any any (msg:"x"; sid:1;)')).toEqual(["1:11: error: missing ']' to close this list (or ',' before 'any')"]);
    expect(diags('alert tcp [10.0.0.1,10.0.0.2 -> any any (msg:"x"; sid:1;)')).toEqual(["1:11: error: missing ']' to close this list"]);
  });
});

describe('option list diagnostics', () => {
  it("missing ';' before ')'", () => {
    expect(diags('alert tcp any any -> any any (msg:"x"; sid:1)')).toEqual(["1:45: error: missing ';' after sid:1: end every option with ';', as sid:1;"]);
  });

  it("missing ';' between two options, found inside the first one's value", () => {
    expect(diags('alert tcp any any -> any any (msg:"x" sid:1;)')).toEqual(["1:38: error: missing ';' after msg:\"x\": write msg:\"x\"; sid:1"]);
    expect(diags('alert tcp any any -> any any (msg:"x"; content:"a" nocase; sid:1;)')).toEqual(["1:51: error: missing ';' after content:\"a\": write content:\"a\"; nocase"]);
    // After an unquoted value too, whatever follows.
    expect(diags('alert tcp any any -> any any (msg:"x"; content:"a"; depth:4 content:"b"; sid:1;)')).toEqual(["1:60: error: missing ';' after depth:4: write depth:4; content:\"b\""]);
    expect(diags('alert tcp any any -> any any (msg:"x"; content:"a"; sid:9500004 rev:2;)')).toEqual(["1:64: error: missing ';' after sid:9500004: write sid:9500004; rev:2"]);
  });

  it('names a look-alike letter in a keyword, a missing colon, and a misspelt keyword once', () => {
    expect(diags('alert http any any -> any any (msg:"x"; http.ur\u0456; content:"/a"; sid:1;)')).toEqual([
      "1:48: error: '\u0456' (U+0456) in the keyword 'http.ur\u0456': keywords are written in ASCII letters, digits, '_', '.' and '-' (a look-alike letter pasted from a web page or a document?); did you mean 'http.uri'?",
    ]);
    expect(diags('alert http any any -> any any (msg:"x"; http.uri; content"/a"; sid:2;)')).toEqual([`1:58: error: missing ':' between 'content' and its value: write content:"/a";`]);
    // Not also "http.uri ... none follows": the misspelt keyword is what the buffer was for.
    expect(diags('alert http any any -> any any (msg:"x"; http.uri; contnet:"/a"; sid:3;)')).toEqual(["1:51: error: unknown keyword 'contnet'; did you mean 'content'?"]);
    // Values with blanks of their own are left alone.
    expect(diags('alert tcp any any -> any any (msg:"x"; content:"a"; threshold:type limit, track by_src, count 1, seconds 60; metadata:created_at 2010_07_30, tag Phishing; sid:1;)')).toEqual([]);
  });

  it("missing '(' before the options", () => {
    expect(diags('alert tcp any any -> any any msg:"x"; sid:1;')).toEqual([`1:30: error: missing '(' before 'msg:': the options go in parentheses, as (msg:"..."; sid:1;)`]);
  });

  it('a snort.conf directive is named as such', () => {
    expect(diags('config checksum_mode: all')).toEqual([
      "1:1: error: 'config' is a Snort configuration directive, not a rule: kanshi reads rules files (set variables with var/ipvar/portvar lines or --var)",
    ]);
  });

  it("missing ')' at the end", () => {
    expect(diags('alert tcp any any -> any any (msg:"x"; sid:1;')).toEqual(["1:46: error: missing ')' at the end of the rule: close the options with ')'"]);
  });

  it('unterminated quote with nothing after it', () => {
    expect(diags('alert tcp any any -> any any (sid:1; msg:"abc')).toEqual([`1:42: error: unterminated quote in the value of 'msg': add the closing '"'`]);
  });

  it('unterminated quote before later options is reported at the quote', () => {
    const d = parseRules('alert tcp any any -> any any (msg:"x; sid:1;)').diagnostics;
    expect(d[0]!.col).toBe(35);
    expect(d[0]!.message).toMatch(/unterminated/);
  });

  it('unknown keyword, with did-you-mean over the registry', () => {
    expect(diags('alert tcp any any -> any any (msg:"x"; conten:"abc"; sid:1;)')).toEqual(["1:40: error: unknown keyword 'conten'; did you mean 'content'?"]);
    expect(diags('alert tcp any any -> any any (msg:"x"; nocsae; content:"a"; sid:1;)')[0]).toBe("1:40: error: unknown keyword 'nocsae'; did you mean 'nocase'?");
  });

  it('missing sid (error) and missing msg (warning), at the closing parenthesis', () => {
    expect(diags('alert tcp any any -> any any (msg:"x";)')).toEqual(['1:39: error: missing sid: add sid:NUMBER; to identify the rule']);
    expect(diags('alert tcp any any -> any any (sid:7;)')).toEqual(['1:37: warning: missing msg: add msg:"..."; so its alerts say what was found']);
  });

  it('duplicate sid names the first location', () => {
    expect(diags(`${ok}\n\nalert udp any any -> any any (msg:"again"; sid:1;)`)).toEqual([
      '3:48: error: duplicate sid 1: already used by the rule at t.rules:1:1; give this rule another sid',
    ]);
  });

  it('the same sid under another gid is not a duplicate', () => {
    expect(diags(`${ok}\nalert udp any any -> any any (msg:"again"; gid:3; sid:1;)`)).toEqual([]);
  });

  it('a keyword value error is reported inside the value', () => {
    const d = parseRules('alert tcp any any -> any any (msg:"x"; content:"a|4"; sid:1;)').diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]!.line).toBe(1);
    expect(d[0]!.col).toBeGreaterThanOrEqual(48);
    expect(d[0]!.col).toBeLessThanOrEqual(52);
  });

  it('a Snort 3 rule says how to write it in Snort 2 syntax', () => {
    expect(diags(`${ok}\nalert tcp any any -> any any (msg:"x"; content:"abc",depth 4,nocase; sid:2;)\nalert tcp any any -> any any (msg:"y"; sid:3;)`)).toEqual([
      '2:40: error: Snort 3 syntax is not supported (kanshi reads Snort 2 / Suricata rules): write content:"abc"; depth:4; nocase; instead of content:"abc",depth 4,nocase',
    ]);
    expect(diags(`${ok}\nalert http (msg:"x"; sid:2;)\nalert tcp any any -> any any (msg:"y"; sid:3;)`)).toEqual([
      '2:12: error: Snort 3 syntax is not supported (kanshi reads Snort 2 / Suricata rules): write the full header, as alert http any any -> any any (...)',
    ]);
  });
});

describe('Snort 3 files', () => {
  it('a file mostly in Snort 3 syntax is reported once, as a whole', () => {
    const rules = Array.from({ length: 4 }, (_, i) => `alert tcp any any -> any any (msg:"x"; content:"a",nocase; sid:${i + 1};)`);
    const r = parseRules([ok.replace('sid:1', 'sid:9'), ...rules].join('\n'), { file: 's3.rules' });
    expect(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`)).toEqual([
      '2:40: this file is written in Snort 3 rule syntax (4 of 5 rules use Snort 3 options) and none of its rules were loaded: kanshi reads Snort 2 / Suricata rules; here, write content:"a"; nocase; instead of content:"a",nocase',
    ]);
    expect(r.counts).toEqual({ loaded: 0, disabled: 0, skipped: 0, invalid: 5 });
    // Errors count diagnostics: one here, however many rules it covers.
    expect(r.errors).toBe(1);
  });
});

describe('every problem of a file in one run', () => {
  it('reports all bad lines, in order, and still loads the good ones', () => {
    const text = [
      ok,
      'alert tcp any any -> any 70000 (msg:"x"; sid:2;)',
      'alert tcp any any -> any any (msg:"x"; sid:3)',
      'alert tcp any any -> any any (msg:"x"; sid:4;)',
      'alret tcp any any -> any any (msg:"x"; sid:5;)',
    ].join('\n');
    const r = parseRules(text, { file: 't.rules' });
    expect(r.diagnostics.map((d) => d.line)).toEqual([2, 3, 5]);
    expect(r.counts.loaded).toBe(2);
    expect(r.errors).toBe(3);
  });

  it('reports several problems of one rule', () => {
    expect(diags('alert tcp any 70000 -> any any (conten:"x";)')).toEqual([
      '1:15: error: port 70000 out of range: ports are 0 to 65535',
      "1:33: error: unknown keyword 'conten'; did you mean 'content'?",
      '1:44: error: missing sid: add sid:NUMBER; to identify the rule',
      '1:44: warning: missing msg: add msg:"..."; so its alerts say what was found',
    ]);
  });
});

describe('Suricata 7 names and actions', () => {
  it('reads the Suricata 7 names of tcp and dcerpc keywords as the keywords kanshi evaluates', () => {
    const r = parseRules(
      [
        'alert tcp any any -> any any (msg:"x"; tcp.ack:1; tcp.seq:2; tcp.window:3; sid:1;)',
        'alert dcerpc any any -> any any (msg:"x"; dcerpc.iface:4b324fc8-1670-01d3-1278-5a47bf6ee188; dcerpc.opnum:1; dcerpc.stub_data; content:"a"; sid:2;)',
      ].join('\n'),
      { file: 't.rules' },
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.rules.map((x) => x.options.map((o) => o.keyword))).toEqual([
      ['msg', 'ack', 'seq', 'window', 'sid'],
      ['msg', 'dce_iface', 'dce_opnum', 'dce_stub_data', 'content', 'sid'],
    ]);
  });

  it('skips, with a warning, a rule with a Suricata 7 keyword or action kanshi does not evaluate', () => {
    expect(diags('alert tcp any any -> any any (msg:"x"; ip.src; content:"|0a 00 00 01|"; sid:1;)')).toEqual(["1:40: warning: rule skipped: kanshi does not evaluate 'ip.src' yet"]);
    expect(diags('alert tcp any any -> any any (msg:"x"; tcpv4-csum:invalid; sid:1;)')).toEqual(["1:40: warning: rule skipped: kanshi does not evaluate 'tcpv4-csum' yet"]);
    expect(diags('alert tls any any -> any any (msg:"x"; tls_store; sid:1;)')).toEqual(["1:40: warning: rule skipped: kanshi does not evaluate 'tls_store' yet"]);
    expect(diags('alert tcp any any -> any any (msg:"x"; noalert; alert; sid:1;)')).toEqual(["1:49: warning: rule skipped: kanshi does not evaluate 'alert' yet"]);
    expect(diags('alert krb5 any any -> any any (msg:"x"; krb5.cname; content:"a"; sid:1;)')).toEqual([
      "1:7: warning: rule skipped: kanshi does not evaluate protocol krb5, 'krb5.cname' yet",
    ]);
    expect(diags('config http any any -> any any (msg:"x"; config:logging disable,type tx,scope tx; sid:1;)')).toEqual([
      "1:1: warning: rule skipped: kanshi does not evaluate action config, 'config' yet",
    ]);
  });

  it('suggests only names Suricata 7 or kanshi reads for a misspelt keyword', () => {
    expect(diags('alert tcp any any -> any any (msg:"x"; tcp.windw:1024; sid:1;)')).toEqual(["1:40: error: unknown keyword 'tcp.windw'; did you mean 'tcp.window'?"]);
    // dns.rcode is Suricata 8's: recognised (the rule is skipped), never suggested.
    expect(diags('alert dns any any -> any any (msg:"x"; dns.rcod:1; sid:1;)')).toEqual(["1:40: error: unknown keyword 'dns.rcod': check the spelling, or remove the option"]);
    expect(diags('alert dns any any -> any any (msg:"x"; dns.rcode:1; sid:1;)')).toEqual(["1:40: warning: rule skipped: kanshi does not evaluate 'dns.rcode' yet"]);
  });

  it('lists the actions kanshi reads for an unknown one', () => {
    expect(diags('activate tcp any any -> any any (msg:"x"; content:"x"; sid:1;)')).toEqual([
      "1:1: error: unknown action 'activate': write one of alert, log, pass, drop, reject, sdrop, rejectsrc, rejectdst, rejectboth",
    ]);
  });
});

describe('messages that say what to write', () => {
  it('names a trailing comma and an empty list', () => {
    expect(diags('alert tcp any [80,] -> any any (msg:"x"; sid:1;)')).toEqual(["1:18: error: trailing ',' before ']': remove it, as [80]"]);
    expect(diags('alert tcp [10.0.0.1,] any -> any any (msg:"x"; sid:1;)')).toEqual(["1:20: error: trailing ',' before ']': remove it, as [10.0.0.1]"]);
    expect(diags('alert tcp any [] -> any any (msg:"x"; sid:1;)')).toEqual(["1:15: error: empty list '[]': write at least one element between the brackets, or any"]);
  });

  it("asks for ':' after msg= and after a keyword followed by its quoted value", () => {
    expect(diags('alert tcp any any -> any any (msg="an alert"; content:"x"; sid:1;)')).toEqual([
      `1:34: error: use ':' between 'msg' and its value, not '=': write msg:"an alert";`,
    ]);
    expect(diags('alert tcp any any -> any any (msg:"x"; content "abc"; sid:1;)')).toEqual([`1:48: error: missing ':' between 'content' and its value: write content:"abc";`]);
  });

  it('shows the fix with plain double quotes for a value in typographic or single quotes', () => {
    expect(diags('alert tcp any any -> any any (msg:\u201csmart\u201d; content:"x"; sid:1;)')).toEqual([
      '1:35: error: msg must be quoted with plain double quotes ("), not \u201c: write msg:"smart";',
    ]);
    expect(diags("alert tcp any any -> any any (msg:\"x\"; content:'abc'; sid:1;)")).toEqual([
      `1:48: error: content must be quoted with plain double quotes ("), not ': write content:"abc";`,
    ]);
  });

  it('names invisible characters by code point', () => {
    expect(diags('alert tcp any any -> any any (msg:"x";\u00a0content:"x"; sid:1;)')).toEqual([
      '1:39: error: unexpected U+00A0 (no-break space) in the options: replace it with a plain space',
    ]);
    expect(diags(`${ok}\n\ufeffalert tcp any any -> any any (msg:"x"; sid:2;)`)).toEqual([
      '2:1: error: unexpected U+FEFF (byte order mark) where the action belongs: remove it (most editors do not show it)',
    ]);
  });

  it('says a port goes in its own field, not after a bracketed address', () => {
    expect(diags('alert tcp [2001:db8::1]:80 any -> any any (msg:"x"; sid:1;)')).toEqual([
      "1:24: error: ':80' is joined to the address: a port goes in its own field after a space, as [2001:db8::1] 80",
    ]);
  });
});

describe('formatDiagnostic', () => {
  it('prints path:line:col, then the source line and a caret under the problem', () => {
    const [d] = parseRules('alert tcp any any -> any 70000 (msg:"x"; sid:1;)', { file: 'local.rules' }).diagnostics;
    expect(formatDiagnostic(d!, false)).toBe('local.rules:1:26: error: port 70000 out of range: ports are 0 to 65535');
    expect(formatDiagnostic(d!, true).split('\n')).toEqual([
      'local.rules:1:26: error: port 70000 out of range: ports are 0 to 65535',
      '  alert tcp any any -> any 70000 (msg:"x"; sid:1;)',
      '                           ^~~~~',
    ]);
  });

  it('puts the caret under the problem after wide characters (CJK and emoji take two cells)', () => {
    const [d] = parseRules('alert tcp any any -> any 80 (msg:"監視 🔥"; conten:"a"; sid:1;)', { file: 'local.rules' }).diagnostics;
    const [, line, caret] = formatDiagnostic(d!, true).split('\n');
    // The caret starts under "conten": 29 cells of header, msg:"監視 🔥"; takes 14 cells, then a space.
    expect(line).toBe('  alert tcp any any -> any 80 (msg:"監視 🔥"; conten:"a"; sid:1;)');
    expect(caret).toBe(' '.repeat(2 + 29 + 15) + '^~~~~~');
  });

  it('counts columns in code points: an emoji before the problem counts once', () => {
    expect(diags('alert tcp any any -> any 80 (msg:"監視 🔥"; conten:"a"; sid:1;)')).toEqual(["1:42: error: unknown keyword 'conten'; did you mean 'content'?"]);
    expect(diags('alert tcp any any -> any any (msg:"😀😀"; content:"a"; rev:0; sid:7;)')).toEqual(['1:58: error: rev 0 is out of range: use 1 to 4294967295']);
  });
});

describe('case', () => {
  it('reads actions, protocols, keywords and flow options without case, as Suricata does', () => {
    const text = [
      'ALERT TCP any any -> any 80 (Msg:"upper"; Flow:Established,To_Server; CONTENT:"abc"; NoCase; HTTP.URI; content:"x"; Sid:1;)',
      'alert tcp any any -> any 80 (msg:"lower"; flow:established,to_server; content:"abc"; nocase; http.uri; content:"x"; sid:2;)',
    ].join('\n');
    const r = parseRules(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.counts.loaded).toBe(2);
    const [upper, lower] = r.rules.map((x) => printRule(x));
    expect(upper!.replace('"upper"', '"lower"').replace('sid:1;', 'sid:2;')).toBe(lower);
  });
});

describe('keywords kanshi recognises but does not evaluate', () => {
  it('a dataset or datarep right after a sticky buffer skips the rule (Suricata allows it)', () => {
    expect(diags('alert dns any any -> any any (msg:"x"; dns.query; dataset:isset,bad-domains,type string,load bad.lst; sid:1;)')).toEqual([
      "1:51: warning: rule skipped: kanshi does not evaluate 'dataset' yet",
    ]);
    expect(diags('alert http any any -> any any (msg:"x"; http.host; datarep:bad-hosts,>,50,load hosts.lst,type string; sid:1;)')).toEqual([
      "1:52: warning: rule skipped: kanshi does not evaluate 'datarep' yet",
    ]);
  });

  it('any keyword known only by name after a sticky buffer skips the rule, without a trailing-buffer error', () => {
    expect(diags('alert http any any -> any any (msg:"x"; http.uri; luajit:check.lua; sid:1;)')).toEqual([
      "1:51: warning: rule skipped: kanshi does not evaluate 'luajit' yet",
    ]);
  });

  it('still reports an error in the dataset value after a sticky buffer', () => {
    expect(diags('alert dns any any -> any any (msg:"x"; dns.query; dataset:isset; sid:1;)')).toEqual([
      '1:64: error: dataset:isset needs a set name: write dataset:isset,bad-domains,type string,load bad-domains.lst;',
    ]);
    expect(diags('alert dns any any -> any any (msg:"x"; dns.query; dataset:isset,bl,type text; sid:1;)')).toEqual([
      '1:73: error: unknown dataset type "text": use string, md5, sha256, ipv4, ipv6, ip',
    ]);
    expect(diags('alert dns any any -> any any (msg:"x"; dns.query; dataset:check,bl; sid:1;)')).toEqual([
      '1:59: error: unknown dataset command "check": use set, unset, isset or isnotset, as in dataset:isset,bad-domains,type string,load bad-domains.lst;',
    ]);
    expect(diags('alert http any any -> any any (msg:"x"; http.host; datarep:bad,=>,50; sid:1;)')).toEqual([
      '1:64: error: datarep operator must be one of > < >= <= ==, not "=>"',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { chooseFastPattern } from '../../src/match/compile.js';
import type { ContentMatch } from '../../src/options/rule-body.js';
import { udpPacket } from '../../src/traffic/index.js';
import { scanPackets, sids } from '../match/helpers.js';
import { META, bodyOf, bytes, located, rule } from './helpers.js';

const contents = (b: ReturnType<typeof rule>['body']): ContentMatch[] => b.detection.payload.filter((e): e is ContentMatch => e.kind === 'content');

describe('buildRuleBody: the model', () => {
  it('collects meta data', () => {
    const { body, diags } = rule(
      'msg:"ET TEST x"; sid:2000001; rev:3; gid:1; classtype:trojan-activity; priority:2; level:Critical; reference:cve,2021-1; reference:url,a.b; metadata:a 1, b 2; target:dest_ip;',
    );
    expect(diags).toEqual([]);
    expect(body.meta).toEqual({
      sid: 2000001,
      gid: 1,
      rev: 3,
      msg: 'ET TEST x',
      classtype: 'trojan-activity',
      priority: 2,
      level: 'Critical',
      references: [{ type: 'cve', id: '2021-1' }, { type: 'url', id: 'a.b' }],
      metadata: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }],
      target: 'dest_ip',
    });
  });

  it('folds modifiers into their content (Snort 2 form) and assigns buffers', () => {
    const { body, diags } = rule(`${META} content:"GET"; http_method; content:"/a.php"; http_uri; nocase; depth:10; content:"pre"; content:"x"; distance:0; within:20; fast_pattern;`);
    expect(diags).toEqual([]);
    const [m, u, , x] = contents(body);
    expect(m).toMatchObject({ buffer: 'http.method', bufferFrom: 'modifier', bytes: bytes('GET') });
    expect(u).toMatchObject({ buffer: 'http.uri', nocase: true, depth: 10 });
    expect(x).toMatchObject({ buffer: 'pkt_data', distance: 0, within: 20, fastPattern: { kind: 'plain' } });
    expect(body.detection.fastPattern).toBe(x);
  });

  it('gives payload keywords after a sticky buffer that buffer, with its transforms', () => {
    const { body, diags } = rule(`${META} http.uri; content:"/x"; pcre:"/y$/R"; http.host; dotprefix; content:".evil.com"; endswith; http.method; domain; content:"x"; pkt_data; content:"raw";`);
    expect(diags).toEqual([]);
    const p = body.detection.payload;
    expect(p.map((e) => [e.kind, e.buffer, e.transforms.map((t) => t.keyword)])).toEqual([
      ['content', 'http.uri', []],
      ['pcre', 'http.uri', []],
      ['content', 'http.host', ['dotprefix']],
      ['content', 'http.method', ['domain']],
      ['content', 'pkt_data', []],
    ]);
    expect(body.unsupported).toEqual(['domain']);
  });

  it('puts relative keywords without a sticky buffer in the buffer of the previous match', () => {
    const { body } = rule(`${META} content:"a"; http_uri; isdataat:!1,relative; byte_test:1,>,5,0; pcre:"/z/U";`);
    expect(body.detection.payload.map((e) => [e.kind, e.buffer])).toEqual([
      ['content', 'http.uri'],
      ['isdataat', 'http.uri'],
      ['byte_test', 'pkt_data'],
      ['pcre', 'http.uri'],
    ]);
  });

  it('keeps flow, flowbits, conditions, thresholds and noalert', () => {
    const { body, diags } = rule(`${META} flow:established,to_server; flowbits:set,a; flowbits:noalert; ttl:<10; dsize:>100; threshold:type limit, track by_src, count 1, seconds 60; tag:session,5,packets;`);
    expect(diags).toEqual([]);
    const d = body.detection;
    expect(d.flow).toEqual({ state: 'established', direction: 'to_server' });
    expect(d.flowbits).toEqual([{ cmd: 'set', names: ['a'], op: 'all' }, { cmd: 'noalert', names: [], op: 'all' }]);
    expect(d.noalert).toBe(true);
    expect(d.conditions.map((c) => [c.keyword, c.value])).toEqual([
      ['ttl', { op: '<', a: 10 }],
      ['dsize', { op: '>', a: 100 }],
    ]);
    expect(d.threshold).toEqual({ type: 'limit', track: 'by_src', count: 1, seconds: 60 });
    expect(d.tag).toEqual({ type: 'session', count: 5, metric: 'packets' });
  });

  it('lists keywords it cannot evaluate yet, with the reason per option', () => {
    const { body } = rule(`${META} smb.share; content:"x"; pcre:"/a(?R)/";`);
    expect(body.unsupported).toEqual(['smb.share', 'pcre']);
    expect(body.skipReasons.map((r) => r.reason)).toEqual([
      'smb.share is recognised but not evaluated yet',
      'pcre: recursion and subroutine calls ((?R), (?1), (?&name)) cannot be evaluated',
    ]);
  });

  it('records byte_extract variables and lets later options use them', () => {
    const { body, diags } = rule(`${META} content:"x"; byte_extract:2,0,len,relative; content:"y"; distance:0; within:len; byte_test:1,>,len,0,relative;`);
    expect(diags).toEqual([]);
    expect(body.detection.variables).toEqual(['len']);
    expect(contents(body)[1]!.within).toBe('len');
  });
});

describe('buildRuleBody: diagnostics', () => {
  it('requires a content before a modifier, saying what to write', () => {
    expect(rule(`${META} nocase;`).diags).toEqual([
      { severity: 'error', message: 'nocase must follow a content option; write content:"..."; nocase;', at: '2:nocase' },
    ]);
    expect(rule(`${META} pcre:"/a/"; depth:4;`).diags).toEqual([
      { severity: 'error', message: 'depth must follow a content option; write content:"..."; depth:4;', at: '3:depth' },
    ]);
  });

  it('stays quiet about modifiers of a content that failed to parse', () => {
    expect(rule(`${META} content:"ab|4"; nocase; depth:3;`).diags.map((d) => d.at)).toEqual(['2:content']);
  });

  it('rejects a depth or within shorter than the content', () => {
    expect(rule(`${META} content:"abcdef"; depth:4;`).diags).toEqual([
      { severity: 'error', message: 'depth:4 is shorter than the content (6 bytes), so it can never match: use depth:6 or more', at: '3:depth' },
    ]);
    expect(rule(`${META} content:"a"; content:"bcd"; distance:0; within:2;`).diags).toEqual([
      { severity: 'error', message: 'within:2 is shorter than the content (3 bytes), so it can never match: use within:3 or more', at: '5:within' },
    ]);
  });

  it('warns when distance/within has no earlier match in its buffer, saying what it means', () => {
    expect(rule(`${META} content:"a"; http_uri; content:"b"; distance:0;`).diags).toEqual([
      {
        severity: 'warning',
        message: 'distance has no earlier content or pcre match in pkt_data to be relative to, so it counts from the buffer start: write offset:0 to say so',
        at: '5:distance',
      },
    ]);
    expect(rule(`${META} file.data; content:"b"; within:5;`).diags[0]!.message).toBe(
      'within has no earlier content or pcre match in file.data to be relative to, so it counts from the buffer start: write depth:5 to say so',
    );
    expect(rule(`${META} content:"a"; content:"b"; distance:0;`).diags).toEqual([]);
  });

  it('rejects offset/depth mixed with distance/within on one content, at the later option', () => {
    expect(rule(`${META} content:"a"; content:"b"; offset:1; distance:2;`).diags).toEqual([
      {
        severity: 'error',
        message: 'distance cannot be combined with offset on the same content: use offset/depth (from the buffer start) or distance/within (from the previous match), not both',
        at: '5:distance',
      },
    ]);
  });

  it('checks fast_pattern use', () => {
    expect(rule(`${META} content:!"a"; depth:3; fast_pattern;`).diags).toEqual([
      { severity: 'error', message: 'fast_pattern cannot be used on a negated content with depth: remove fast_pattern, or put it on a content without !', at: '4:fast_pattern' },
    ]);
    expect(rule(`${META} content:"a"; fast_pattern; content:"b"; fast_pattern;`).diags).toEqual([
      { severity: 'error', message: 'only one content per rule can be the fast_pattern: remove this one (an earlier content already has fast_pattern)', at: '5:fast_pattern' },
    ]);
    expect(rule(`${META} content:"abc"; fast_pattern:1,5;`).diags[0]!.message).toBe('fast_pattern:1,5 reaches past the end of the content (3 bytes)');
    expect(rule(`${META} content:"abc"; fast_pattern:only; depth:3;`).diags[0]!.message).toBe(
      'fast_pattern:only cannot be combined with depth: the prefilter match alone cannot check a position; write fast_pattern; instead',
    );
  });

  it('rejects conflicting or duplicate single-use options', () => {
    expect(rule(`${META} flow:established; flow:to_server;`).diags).toEqual([
      { severity: 'error', message: 'duplicate flow: a rule takes one flow option; combine them, e.g. flow:established,to_server;', at: '3:flow' },
    ]);
    expect(rule(`${META} sid:2;`).diags).toEqual([{ severity: 'error', message: 'duplicate sid: a rule takes one sid option; remove this one', at: '2:sid' }]);
    expect(rule(`${META} content:"a"; nocase; nocase;`).diags).toEqual([
      { severity: 'error', message: 'nocase is already set for this content: remove one', at: '4:nocase' },
    ]);
    expect(rule(`${META} threshold:type limit,track by_src,count 1,seconds 1; detection_filter:track by_src,count 1,seconds 1;`).diags).toEqual([
      { severity: 'error', message: 'threshold and detection_filter cannot be used in the same rule: keep one', at: '3:detection_filter' },
    ]);
  });

  it('rejects an http_* modifier on a content that already has a buffer', () => {
    expect(rule(`${META} http.uri; content:"a"; http_header;`).diags).toEqual([
      { severity: 'error', message: 'http_header cannot apply here: this content already inspects http.uri (selected by the sticky buffer http.uri); remove http_header', at: '4:http_header' },
    ]);
    expect(rule(`${META} uricontent:"a"; http_uri;`).diags).toEqual([
      { severity: 'error', message: 'http_uri cannot apply here: this content already inspects http.uri (selected by uricontent); remove http_uri', at: '3:http_uri' },
    ]);
    expect(rule(`${META} content:"a"; http_uri; http_header;`).diags).toEqual([
      { severity: 'error', message: 'http_header cannot apply here: this content already inspects http.uri (selected by http_uri); remove http_header', at: '4:http_header' },
    ]);
  });

  it('lets an http_* modifier override Snort 2 file_data, as Snort does', () => {
    const { body, diags } = rule(`${META} file_data; content:"a"; content:"Content-Length:"; http_header;`);
    expect(diags).toEqual([
      {
        severity: 'warning',
        message:
          'Suricata 7 refuses this rule: http_header after a content in file_data, which is a sticky buffer there; kanshi reads it as Snort 2 does and moves content:"Content-Length:" to http.header; for Suricata, write pkt_data; before that content',
        at: '5:http_header',
      },
    ]);
    expect(contents(body).map((c) => c.buffer)).toEqual(['file.data', 'http.header']);
  });

  it('checks buffers against other modifiers', () => {
    expect(rule(`${META} content:"a"; http_uri; rawbytes;`).diags[0]!.message).toBe(
      'rawbytes cannot be used on a content in http.uri: rawbytes inspects the raw packet; remove one of them',
    );
    expect(rule(`${META} content:"Evil.com"; http_host;`).diags).toEqual([
      {
        severity: 'error',
        message: 'http.host is lower-cased, so a content with upper-case letters can never match it: write the content in lower case',
        at: '3:http_host',
      },
    ]);
    expect(rule(`${META} http.host; content:".evil.com"; endswith;`).diags).toEqual([]);
    expect(rule(`${META} content:"a"; startswith; offset:2;`).diags[0]!.message).toBe(
      'offset cannot be combined with startswith on the same content: startswith already fixes the position at the buffer start',
    );
    // Reported in the order offset, depth, distance, within, whatever order they are written in.
    expect(
      rule(`${META} content:"z"; content:"abc"; within:9; startswith; depth:5;`)
        .diags.filter((d) => d.message.includes('startswith'))
        .map((d) => d.message.split(' ')[0]),
    ).toEqual(['depth', 'within']);
  });

  it('checks pcre buffer flags and relative matching', () => {
    expect(rule(`${META} http.header; pcre:"/a/U";`).diags).toEqual([
      {
        severity: 'error',
        message: "this pcre's buffer flag selects http.uri, but the rule is inspecting http.header here (after http.header;): drop the flag, or move the pcre before http.header;",
        at: '3:pcre',
      },
    ]);
    expect(rule(`${META} http.uri; pcre:"/a/UR";`).diags).toEqual([]);
    expect(rule(`${META} pcre:"/a/R";`).diags).toEqual([
      // Under the R flag itself: the value is "/a/R".
      { severity: 'error', message: 'pcre flag R needs an earlier content or pcre match in pkt_data to be relative to; drop R to search the whole buffer', at: '2:pcre', offset: 4, length: 1 },
    ]);
  });

  it('rejects a sticky buffer that no payload keyword follows, as Suricata does', () => {
    const msg = (kw: string) => `${kw} selects the buffer of the payload keywords after it, but none follows: move it before the content or pcre it is meant for, e.g. ${kw}; content:"...";`;
    // The Snort 2 habit: the buffer written after the content it was meant for.
    expect(rule(`${META} content:"/admin"; http.uri;`).diags).toEqual([{ severity: 'error', message: msg('http.uri'), at: '3:http.uri' }]);
    expect(rule(`${META} file_data;`).diags).toEqual([{ severity: 'error', message: msg('file.data'), at: '2:file.data' }]);
    expect(rule(`${META} http.uri; to_lowercase;`).diags.map((d) => d.message)).toEqual([msg('http.uri')]);
    // A payload keyword after it, even one with its own error, or pkt_data (back to the packet), is no such case.
    expect(rule(`${META} http.uri; content:"/a"; http.header; pcre:"/a/U";`).diags.map((d) => d.message)).toEqual([
      "this pcre's buffer flag selects http.uri, but the rule is inspecting http.header here (after http.header;): drop the flag, or move the pcre before http.header;",
    ]);
    expect(rule(`${META} http.uri; bsize:>4;`).diags).toEqual([]);
    expect(rule(`${META} http.uri; content:"/a"; pkt_data;`).diags).toEqual([]);
  });

  it('requires sticky buffers for transforms and bsize', () => {
    expect(rule(`${META} to_lowercase; content:"a";`).diags[0]!.message).toBe(
      'to_lowercase must follow a sticky buffer such as http.uri; (a transform rewrites the current buffer)',
    );
    expect(rule(`${META} content:"a"; bsize:4;`).diags[0]!.message).toBe('bsize must follow a sticky buffer such as http.uri; (it measures that buffer)');
  });

  it('rejects a variable no byte_extract defined', () => {
    expect(rule(`${META} content:"a"; content:"b"; distance:n;`).diags).toEqual([
      {
        severity: 'error',
        message: 'distance uses variable "n", which no earlier byte_extract or byte_math defines: define it first, e.g. byte_extract:2,0,n;',
        at: '4:distance',
      },
    ]);
    expect(rule(`${META} content:"a"; byte_test:1,=,v,0,relative; byte_extract:1,0,v,relative;`).diags.map((d) => d.at)).toEqual(['3:byte_test']);
  });

  it('reports a missing sid as an error and a missing msg as a warning, at rule level', () => {
    expect(rule('content:"a";').diags).toEqual([
      { severity: 'error', message: 'rule has no sid: add sid:N; with a number unique among your rules (local rules usually use 1000000 and above)', at: 'rule' },
      { severity: 'warning', message: 'rule has no msg: add msg:"..."; so its alerts say what they detect', at: 'rule' },
    ]);
    // A sid that failed to parse was still written: no second message about it.
    expect(rule('msg:"x"; sid:abc;').diags.map((d) => d.at)).toEqual(['1:sid']);
    expect(rule('content:"a";', false).diags).toEqual([]);
  });
});

describe('buildRuleBody: rules Suricata refuses as never matching', () => {
  it('rejects a content longer than the bsize of its buffer allows, offset included', () => {
    expect(rule(`${META} http.uri; content:"/administrator"; bsize:5;`).diags).toEqual([
      { severity: 'error', message: 'this content is 14 bytes, but bsize:5 allows at most 5, so it can never match: shorten the content or change bsize', at: '3:content' },
    ]);
    expect(rule(`${META} http.uri; content:"/a"; offset:10; bsize:<8;`).diags).toEqual([
      {
        severity: 'error',
        message: 'this content needs 12 bytes (offset 10 and 2 of content), but bsize:<8 allows at most 7, so it can never match: shorten the content or change bsize',
        at: '3:content',
      },
    ]);
    // Another buffer's bsize, a lower bound, or a negated content do not limit it.
    expect(rule(`${META} http.uri; bsize:5; http.header; content:"/administrator";`).diags).toEqual([]);
    expect(rule(`${META} http.uri; content:"/administrator"; bsize:>5;`).diags).toEqual([]);
    expect(rule(`${META} http.uri; content:!"/administrator"; bsize:5;`).diags).toEqual([]);
  });

  it('rejects a packet content longer than dsize allows', () => {
    expect(rule(`${META} dsize:<5; content:"abcdefghij";`).diags).toEqual([
      { severity: 'error', message: 'this content is 10 bytes, but dsize:<5 allows at most 4, so it can never match: shorten the content or change dsize', at: '3:content' },
    ]);
    expect(rule(`${META} dsize:<5; http.uri; content:"abcdefghij";`).diags.filter((d) => d.severity === 'error')).toEqual([]);
    expect(rule(`${META} dsize:10; content:"abcdefghij";`).diags).toEqual([]);
  });

  it('warns of a transform written after a match in its buffer', () => {
    expect(rule(`${META} http.uri; content:"abc"; compress_whitespace; content:"d";`).diags).toEqual([
      {
        severity: 'warning',
        message: 'compress_whitespace after a match in http.uri: a transform rewrites the whole buffer, so put it right after the sticky buffer, as http.uri; compress_whitespace; content:"...";',
        at: '4:compress_whitespace',
      },
    ]);
    expect(rule(`${META} http.uri; to_lowercase; compress_whitespace; content:"abc";`).diags).toEqual([]);
  });

  it('rejects a content that cannot survive a case transform, nocase or not', () => {
    expect(rule(`${META} http.uri; to_lowercase; content:"/Admin";`).diags).toEqual([
      {
        severity: 'error',
        message: 'to_lowercase makes http.uri lower case, so a content with upper-case letters can never match it: write the content in lower case',
        at: '4:content',
      },
    ]);
    expect(rule(`${META} http.uri; to_uppercase; strip_whitespace; content:"GET x";`).diags).toEqual([
      {
        severity: 'error',
        message: 'to_uppercase makes http.uri upper case, so a content with lower-case letters can never match it: write the content in upper case',
        at: '5:content',
      },
    ]);
    expect(rule(`${META} http.uri; to_lowercase; content:"/admin"; nocase;`).diags).toEqual([]);
    expect(rule(`${META} http.uri; to_lowercase; to_md5; content:"AB";`).diags).toEqual([]);
  });
});

describe('buildRuleBody: advice for a modifier written after a pcre', () => {
  it('says nocase applies to content and shows the pcre with the i flag', () => {
    expect(rule(`${META} pcre:"/admin/"; nocase;`).diags).toEqual([
      { severity: 'error', message: 'nocase applies to a content, not to a pcre: give the pcre the i flag instead, as pcre:"/admin/i";', at: '3:nocase' },
    ]);
    expect(rule(`${META} pcre:"/admin/U"; nocase;`).diags.map((d) => d.message)).toEqual([
      'nocase applies to a content, not to a pcre: give the pcre the i flag instead, as pcre:"/admin/Ui";',
    ]);
    // After a content, nocase still applies to that content.
    expect(rule(`${META} content:"a"; pcre:"/b/R"; nocase;`).diags).toEqual([]);
  });
});

describe('buildRuleBody: modifiers and sticky buffers as Suricata 7 reads them', () => {
  it('rejects a modifier after a new sticky buffer and before its content, and never gives it to the previous content', () => {
    const nocase = 'alert http any any -> any any (msg:"t"; http.uri; content:"/a"; http.header; nocase; content:"X-Evil"; sid:1;)';
    expect(located(nocase)).toEqual(['1:78: error: nocase must follow a content in http.header: write http.header; content:"..."; nocase;']);
    expect(located('alert http any any -> any any (msg:"t"; http.uri; content:"/a"; http.user_agent; depth:4; content:"curl"; sid:1;)')).toEqual([
      '1:82: error: depth must follow a content in http.user_agent: write http.user_agent; content:"..."; depth:4;',
    ]);
    // Suricata 7 loads this one, giving fast_pattern to the previous content: only the screening differs.
    const fast = 'alert http any any -> any any (msg:"t"; http.method; content:"GET"; http.uri; fast_pattern; content:".exe"; sid:1;)';
    expect(located(fast)).toEqual([
      '1:79: warning: fast_pattern must follow a content in http.uri: Suricata 7 gives it to the last content before http.uri instead, and kanshi ignores it; write http.uri; content:"..."; fast_pattern;',
    ]);
    expect(bodyOf(fast).detection.fastPattern).toBeUndefined();
    expect(located('alert http any any -> any any (msg:"t"; http.uri; content:"/a"; http.header; rawbytes; content:"X"; sid:1;)')).toEqual([
      '1:78: error: rawbytes cannot be used after http.header: rawbytes inspects the raw packet; remove it',
    ]);
    expect(located('alert http any any -> any any (msg:"t"; http.uri; nocase; content:"/a"; sid:1;)')).toEqual([
      '1:51: error: nocase must follow a content in http.uri: write http.uri; content:"..."; nocase;',
    ]);
    const { body } = rule(`${META} http.uri; content:"/a"; http.header; nocase; content:"X-Evil";`);
    expect(contents(body).map((c) => [c.buffer, c.nocase])).toEqual([['http.uri', false], ['http.header', false]]);
  });

  it('lets a modifier after pkt_data apply to the last content, as Suricata does', () => {
    const { body, diags } = rule(`${META} http.uri; content:"/A"; pkt_data; nocase; content:"x";`);
    expect(diags).toEqual([]);
    expect(contents(body).map((c) => c.nocase)).toEqual([true, false]);
  });

  it('rejects a sticky buffer with nothing to match before the next one, at the first', () => {
    expect(located('alert http any any -> any any (msg:"t"; http.uri; http.header; content:"X"; sid:1;)')).toEqual([
      '1:41: error: http.uri has nothing to match before http.header: remove http.uri, or add the content meant for it, as http.uri; content:"..."; http.header;',
    ]);
    expect(located('alert http any any -> any any (msg:"t"; http.host; http.host; content:"evil.com"; sid:1;)')).toEqual([
      '1:41: error: http.host is written twice in a row, with nothing to match between: remove one',
    ]);
    expect(located('alert http any any -> any any (msg:"t"; http.uri; to_lowercase; pkt_data; content:"x"; sid:1;)')).toEqual([
      '1:41: error: http.uri has nothing to match before pkt_data: remove http.uri, or add the content meant for it, as http.uri; content:"..."; pkt_data;',
    ]);
    expect(located('alert http any any -> any any (msg:"t"; http.uri; bsize:>4; http.header; content:"X"; sid:1;)')).toEqual([]);
  });
});

describe('buildRuleBody: fast_pattern as Suricata 7 takes it', () => {
  it('warns of fast_pattern on a negated content, and rejects it with a position or with only', () => {
    expect(located('alert tcp any any -> any any (msg:"t"; content:"x"; content:!"abc"; fast_pattern; sid:1;)')).toEqual([
      '1:69: warning: fast_pattern on a negated content cannot screen the rule (the rule must be checked wherever the pattern is absent): put it on a content without !',
    ]);
    expect(located('alert tcp any any -> any any (msg:"t"; content:!"abc"; depth:5; fast_pattern; sid:1;)')).toEqual([
      '1:65: error: fast_pattern cannot be used on a negated content with depth: remove fast_pattern, or put it on a content without !',
    ]);
    expect(located('alert tcp any any -> any any (msg:"t"; content:"x"; content:!"abc"; fast_pattern; distance:0; sid:1;)')).toEqual([
      '1:69: error: fast_pattern cannot be used on a negated content with distance: remove fast_pattern, or put it on a content without !',
    ]);
    expect(located('alert tcp any any -> any any (msg:"t"; content:!"abc"; startswith; fast_pattern; content:"x"; sid:1;)')).toEqual([
      '1:68: error: fast_pattern cannot be used on a negated content with startswith: remove fast_pattern, or put it on a content without !',
    ]);
    expect(located('alert tcp any any -> any any (msg:"t"; content:"x"; content:!"abc"; fast_pattern:only; sid:1;)')).toEqual([
      '1:69: error: fast_pattern:only cannot be used on a negated content: put it on a content without !',
    ]);
  });

  it('screens a rule whose fast_pattern is negated by its other content', async () => {
    const rules = 'alert udp any any -> any any (msg:"t"; content:!"abc"; fast_pattern; content:"xyz"; sid:1;)';
    expect(chooseFastPattern(bodyOf(rules).detection)?.bytes).toEqual(bytes('xyz'));
    const udp = (payload: string) => udpPacket({ src: '10.0.0.1:1024', dst: '10.0.0.2:53', payload, tsUs: 1_000_000 });
    expect(sids(await scanPackets(rules, [udp('1 xyz 2')]))).toEqual([1]);
    expect(sids(await scanPackets(rules, [udp('abc xyz')]))).toEqual([]);
  });

  it('accepts fast_pattern on contents in sticky buffers, screening by the one Suricata 7 takes', () => {
    const two = 'alert http any any -> any any (msg:"t"; flow:to_server; http.uri; content:"/aaaa"; fast_pattern; http.header; content:"bbbbbbbb"; fast_pattern; sid:1;)';
    expect(located(two)).toEqual([
      '1:131: warning: fast_pattern on a second content: Suricata 7 accepts it, but screens the rule by content:"/aaaa" in http.uri alone, as kanshi does; remove the fast_pattern it does not use',
    ]);
    expect(bodyOf(two).detection.fastPattern?.bytes).toEqual(bytes('/aaaa'));
    // A pkt_data content wins over an earlier one in a sticky buffer.
    const raw = 'alert http any any -> any any (msg:"t"; flow:to_server; http.uri; content:"/aaaa"; fast_pattern; pkt_data; content:"bbbb"; fast_pattern; sid:1;)';
    expect(located(raw)).toEqual([
      '1:84: warning: fast_pattern on a second content: Suricata 7 accepts it, but screens the rule by content:"bbbb" in pkt_data alone, as kanshi does; remove the fast_pattern it does not use',
    ]);
    expect(bodyOf(raw).detection.fastPattern?.bytes).toEqual(bytes('bbbb'));
    expect(located('alert http any any -> any any (msg:"t"; flow:to_server; content:"abcd"; fast_pattern; http.header; content:"bbbb"; fast_pattern; sid:1;)')).toEqual([
      '1:116: error: only one content per rule can be the fast_pattern: remove this one (an earlier content already has fast_pattern)',
    ]);
  });
});

describe('buildRuleBody: http.host and case transforms as Suricata 7 checks them', () => {
  it('rejects nocase on http.host, sticky or modifier form', () => {
    const message = 'nocase cannot be used on http.host: the host buffer is lower case already, so write the content in lower case without nocase';
    expect(located('alert http any any -> any any (msg:"t"; http.host; content:"evil.com"; nocase; sid:1;)')).toEqual([`1:72: error: ${message}`]);
    expect(located('alert http any any -> any any (msg:"t"; content:"evil.com"; http_host; nocase; sid:1;)')).toEqual([`1:72: error: ${message}`]);
    // A transform makes another buffer, which Suricata does not check.
    expect(located('alert http any any -> any any (msg:"t"; http.host; dotprefix; content:".evil.com"; nocase; sid:1;)')).toEqual([]);
  });

  it('says to write an upper-case host or case-transformed content in the right case, not to add nocase', () => {
    expect(located('alert http any any -> any any (msg:"t"; http.host; content:"EVIL.COM"; sid:1;)')).toEqual([
      '1:52: error: http.host is lower-cased, so a content with upper-case letters can never match it: write the content in lower case',
    ]);
    expect(located('alert http any any -> any any (msg:"t"; http.uri; to_lowercase; content:"ABC"; nocase; sid:1;)')).toEqual([
      '1:65: error: to_lowercase makes http.uri lower case, and Suricata refuses a content with upper-case letters after it even with nocase: write the content in lower case, without nocase',
    ]);
    expect(located('alert http any any -> any any (msg:"t"; http.host; to_uppercase; content:"EVIL.COM"; sid:1;)')).toEqual([]);
  });
});

describe('buildRuleBody: repeated options Suricata 7 accepts', () => {
  it('keeps the classtype of highest priority, the highest priority and the last gid, with a warning', () => {
    const classtype = 'alert tcp any any -> any any (msg:"t"; content:"abc"; classtype:misc-activity; classtype:trojan-activity; sid:1;)';
    expect(located(classtype)).toEqual([
      '1:80: warning: classtype given twice: Suricata keeps the class of highest priority (the first of equal ones), here classtype:trojan-activity; remove the other',
    ]);
    expect(bodyOf(classtype).meta.classtype).toBe('trojan-activity');
    const after = 'alert tcp any any -> any any (msg:"t"; priority:3; classtype:trojan-activity; classtype:misc-activity; sid:1;)';
    expect(located(after)).toEqual(['1:79: warning: classtype given twice: after a priority option Suricata keeps the later class, here classtype:misc-activity; remove the other']);
    expect(bodyOf(after).meta).toMatchObject({ classtype: 'misc-activity', priority: 3 });
    const priority = 'alert tcp any any -> any any (msg:"t"; content:"abc"; priority:2; priority:1; priority:3; sid:1;)';
    expect(located(priority)).toEqual([
      '1:67: warning: priority given twice: Suricata keeps the highest (the smallest number), here priority:1; remove the other',
      '1:79: warning: priority given twice: Suricata keeps the highest (the smallest number), here priority:1; remove the other',
    ]);
    expect(bodyOf(priority).meta.priority).toBe(1);
    const gid = 'alert tcp any any -> any any (msg:"t"; gid:1; gid:2; content:"abc"; sid:1;)';
    expect(located(gid)).toEqual(['1:47: warning: gid given twice: Suricata keeps the last one, here gid:2; remove the other']);
    expect(bodyOf(gid).meta.gid).toBe(2);
  });

  it('combines a flow that gives only a direction with a later one, and tests both flags', () => {
    const flow = 'alert tcp any any -> any any (msg:"t"; flow:to_server; flow:established; content:"abc"; sid:1;)';
    expect(located(flow)).toEqual([
      '1:56: warning: flow given twice: Suricata combines a flow option that gives only a direction with a later one, here as flow:established,to_server; write that one option',
    ]);
    expect(bodyOf(flow).detection.flow).toEqual({ direction: 'to_server', state: 'established' });
    expect(located('alert tcp any any -> any any (msg:"t"; flow:to_server; flow:to_client; content:"abc"; sid:1;)')).toEqual([
      '1:56: error: duplicate flow: a rule takes one flow option; combine them, e.g. flow:established,to_server;',
    ]);
    const flags = 'alert tcp any any -> any any (msg:"t"; flags:S+; flags:A+; sid:1;)';
    expect(located(flags)).toEqual(['1:50: warning: flags given twice: Suricata tests both, so a packet must match flags:S+ and flags:A+; write one flags option']);
    expect(bodyOf(flags).detection.conditions.map((c) => c.keyword)).toEqual(['flags', 'flags']);
  });

  it('accepts a repeated endswith with a warning, and rejects a second dsize', () => {
    expect(located('alert tcp any any -> any any (msg:"t"; content:"/main.html"; endswith; fast_pattern; endswith; sid:1;)')).toEqual([
      '1:86: warning: endswith is already set for this content: remove one',
    ]);
    expect(located('alert tcp any any -> any any (msg:"t"; dsize:>1; dsize:<100; sid:1;)')).toEqual([
      '1:50: error: duplicate dsize: a rule takes one dsize option (Suricata refuses a second); write one range instead, as dsize:10<>100;',
    ]);
  });
});

describe('buildRuleBody: Snort 2 forms Suricata 7 refuses', () => {
  it('warns, once per rule, and evaluates the rule as Snort does', () => {
    const onlyThenRelative =
      'alert tcp any any -> any any (msg:"t"; flow:to_server,established; content:".com.br"; fast_pattern:only; content:"/imagens/"; depth:9; http_uri; content:".jpg"; distance:0; http_uri; content:".gif"; distance:0; http_uri; sid:1;)';
    expect(located(onlyThenRelative)).toEqual([
      '1:162: warning: Suricata 7 refuses this rule: it reads distance next to content:".com.br", which has fast_pattern:only, and allows no relative keyword around such a content; kanshi evaluates the rule as written (for Suricata, write fast_pattern; instead of fast_pattern:only)',
    ]);
    expect(contents(bodyOf(onlyThenRelative)).map((c) => c.buffer)).toEqual(['pkt_data', 'http.uri', 'http.uri', 'http.uri']);
    expect(located('alert tcp any any -> any any (msg:"t"; flow:to_client,established; file_data; content:"a"; content:"Content-Length:"; http_header; sid:1;)')).toEqual([
      '1:119: warning: Suricata 7 refuses this rule: http_header after a content in file_data, which is a sticky buffer there; kanshi reads it as Snort 2 does and moves content:"Content-Length:" to http.header; for Suricata, write pkt_data; before that content',
    ]);
    expect(located('alert tcp any any -> any any (msg:"t"; flow:to_client,established; flags:FA; content:"307"; depth:3; http_stat_code; sid:1;)')).toEqual([
      '1:68: warning: Suricata 7 refuses this rule: it combines flags, a test of one packet, with the http.stat_code buffer, which Suricata inspects per transaction; kanshi evaluates the rule as written',
    ]);
    // Suricata reads the distance where the content is then: after http_uri, in http.uri.
    expect(located('alert tcp any any -> any any (msg:"t"; content:"abc"; fast_pattern:only; content:"c"; http_uri; content:"d"; http_uri; distance:0; sid:1;)')).toEqual([]);
  });

  it('rejects startswith with fast_pattern:only, as depth', () => {
    expect(located('alert tcp any any -> any any (msg:"t"; content:"abc"; fast_pattern:only; startswith; sid:1;)')).toEqual([
      '1:55: error: fast_pattern:only cannot be combined with startswith: the prefilter match alone cannot check a position; write fast_pattern; instead',
    ]);
  });
});

describe('buildRuleBody: hash buffers', () => {
  it('rejects a first hash content that is not 32 characters, as Suricata does', () => {
    expect(located('alert tls any any -> any any (msg:"t"; ja3.hash; content:"abc"; sid:1;)')).toEqual([
      '1:50: error: ja3.hash is an MD5 hash written as 32 hex characters, so a content of 3 bytes can never match it: write the whole hash',
    ]);
    expect(located('alert ssh any any -> any any (msg:"t"; ssh.hassh.server; content:!"0123456789abcdef"; sid:1;)')).toEqual([
      '1:58: error: ssh.hassh.server is an MD5 hash written as 32 hex characters, so a content of 16 bytes can never match it: write the whole hash',
    ]);
    expect(located('alert tls any any -> any any (msg:"t"; ja3s.hash; content:"e7d705a3286e19ea42f587b344ee6865"; sid:1;)')).toEqual([]);
  });
});

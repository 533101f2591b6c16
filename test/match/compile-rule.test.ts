/**
 * Rule compilation state that rules of one set share (variable slots, metadata building) stays
 * per rule: nothing one rule compiles leaks into the next.
 */
import { describe, expect, it } from 'vitest';
import { rulesetOf } from './helpers.js';

describe('compiling a rule set', () => {
  it('numbers each rule\'s byte_extract variables from zero', () => {
    const rs = rulesetOf(
      [
        'alert udp any any -> any any (msg:"two"; content:"ab"; byte_extract:1,0,x; byte_extract:1,1,y; byte_test:1,>,y,0,relative; sid:1;)',
        'alert udp any any -> any any (msg:"one"; content:"cd"; byte_extract:1,0,z; byte_test:1,>,z,0,relative; sid:2;)',
        'alert udp any any -> any any (msg:"none"; content:"ef"; sid:3;)',
      ].join('\n'),
    );
    const bySid = new Map(rs.rules.map((r) => [r.sid, r]));
    expect(bySid.get(1)!.variableCount).toBe(2);
    expect(bySid.get(2)!.variableCount).toBe(1);
    expect(bySid.get(3)!.variableCount).toBe(0);
    expect(rs.maxVariables).toBe(2);
  });

  it('builds each rule\'s metadata once, from its own entries', () => {
    const rs = rulesetOf(
      [
        'alert udp any any -> any any (msg:"a"; content:"ab"; metadata:created_at 2020_01_01, tag x, tag y; sid:1;)',
        'alert udp any any -> any any (msg:"b"; content:"cd"; metadata:tag z; sid:2;)',
        'alert udp any any -> any any (msg:"c"; content:"ef"; sid:3;)',
      ].join('\n'),
    );
    const bySid = new Map(rs.rules.map((r) => [r.sid, r]));
    const a = bySid.get(1)!;
    expect(a.metadata()).toEqual({ created_at: ['2020_01_01'], tag: ['x', 'y'] });
    expect(a.metadata()).toBe(a.metadata());
    expect(bySid.get(2)!.metadata()).toEqual({ tag: ['z'] });
    expect(bySid.get(3)!.metadata()).toBeUndefined();
  });

  it('splits flowbits into checks and actions per rule', () => {
    const rs = rulesetOf(
      [
        'alert tcp any any -> any any (msg:"set"; content:"ab"; flowbits:set,seen; flowbits:noalert; sid:1;)',
        'alert tcp any any -> any any (msg:"check"; content:"cd"; flowbits:isset,seen; flowbits:unset,seen; sid:2;)',
        'alert tcp any any -> any any (msg:"plain"; content:"ef"; sid:3;)',
      ].join('\n'),
    );
    const bySid = new Map(rs.rules.map((r) => [r.sid, r]));
    expect(bySid.get(1)!.flowbitActions.map((f) => f.cmd)).toEqual(['set']);
    expect(bySid.get(1)!.flowbitChecks).toEqual([]);
    expect(bySid.get(1)!.noalert).toBe(true);
    expect(bySid.get(2)!.flowbitChecks.map((f) => f.cmd)).toEqual(['isset']);
    expect(bySid.get(2)!.flowbitActions.map((f) => f.cmd)).toEqual(['unset']);
    expect(bySid.get(3)!.flowbitActions).toEqual([]);
  });
});

describe('choosing a fast pattern', () => {
  const fp = (rule: string): string | null => {
    const f = rulesetOf(rule).rules[0]!.fastPattern;
    return f === null ? null : `${f.buffer}:${Buffer.from(f.bytes).toString('latin1')}${f.alternatives ? `+${f.alternatives.length}` : ''}`;
  };

  it('ranks http.method below every other buffer, as Suricata 7 does', () => {
    expect(fp('alert http any any -> any any (msg:"m"; http.method; content:"POST"; http.user_agent; content:"asd"; sid:1;)')).toBe('http.user_agent:asd');
    expect(fp('alert http any any -> any any (msg:"m"; http.method; content:"GET"; pkt_data; content:"xyz"; sid:1;)')).toBe('pkt_data:xyz');
    expect(fp('alert http any any -> any any (msg:"m"; http.method; content:"PROPFIND"; sid:1;)')).toBe('http.method:PROPFIND');
    // A content of one or two bytes ranks with the method: the longer of the two is kept.
    expect(fp('alert http any any -> any any (msg:"m"; http.method; content:"SEARCH"; http.uri; content:"/"; sid:1;)')).toBe('http.method:SEARCH');
    // An explicit fast_pattern is kept wherever it is.
    expect(fp('alert http any any -> any any (msg:"m"; http.method; content:"GET"; fast_pattern; http.uri; content:"/admin"; sid:1;)')).toBe('http.method:GET');
  });

  it('keeps application buffers over the raw payload, then takes the longest', () => {
    expect(fp('alert http any any -> any any (msg:"m"; content:"longer raw bytes"; http.uri; content:"/x"; sid:1;)')).toBe('http.uri:/x');
    expect(fp('alert tcp any any -> any any (msg:"m"; content:"ab"; content:"abcd"; content:"wxyz"; sid:1;)')).toBe('pkt_data:abcd');
  });

  it('lets a content of under four bytes give way to longer pcre literals', () => {
    expect(fp('alert http any any -> any any (msg:"m"; http.uri; pcre:"/\\/(?:cmd|root)\\.exe/i"; http.stat_code; content:"200"; sid:1;)')).toBe('http.uri:/cmd.exe+1');
    expect(fp('alert http any any -> any any (msg:"m"; http.uri; content:"/adm"; pcre:"/\\/(?:cmd|root)\\.exe/i"; sid:1;)')).toBe('http.uri:/adm');
    expect(fp('alert http any any -> any any (msg:"m"; http.uri; pcre:"/^(?:a|b)/"; sid:1;)')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { err, located, ok, parse, print } from './helpers.js';

describe('msg', () => {
  it('unescapes and prints canonically', () => {
    expect(ok('msg', '"ET TEST \\"quoted\\"\\; done"')).toBe('ET TEST "quoted"; done');
    expect(ok('msg', '"C\\\\WINDOWS \\d"')).toBe('C\\WINDOWS d');
    expect(print('msg', 'a"b;c\\d')).toBe('"a\\"b\\;c\\\\d"');
  });
  it('reports missing quotes and unterminated text', () => {
    expect(err('msg', 'hello world')).toEqual({ severity: 'error', message: 'msg must be quoted: write msg:"hello world";', offset: 0, length: 11 });
    expect(err('msg', ' "abc')).toEqual({ severity: 'error', message: 'unterminated string: add the closing " to the msg', offset: 1, length: 4 });
    expect(err('msg', '"a" b')).toEqual({ severity: 'error', message: 'unexpected text after the closing quote of msg: a " inside the text must be escaped as \\"', offset: 4, length: 1 });
  });
  it('says a forgotten ; when another option follows the text', () => {
    expect(err('msg', '"y" content:"abc"')).toEqual({
      severity: 'error',
      message: `missing ';' after msg:"y": end each option with ';', as msg:"y"; content...`,
      offset: 2,
      length: 1,
    });
    expect(err('msg', '"y"  rev ;')).toMatchObject({ message: `missing ';' after msg:"y": end each option with ';', as msg:"y"; rev...`, offset: 2 });
  });
});

describe('sid, rev, gid, priority', () => {
  it('parse whole numbers in range', () => {
    expect(ok('sid', ' 2100498')).toBe(2100498);
    expect(ok('rev', '1')).toBe(1);
    expect(ok('gid', '1')).toBe(1);
    expect(ok('priority', '3')).toBe(3);
  });
  it('say what to write', () => {
    expect(err('sid', 'abc')).toEqual({
      severity: 'error',
      message: 'sid must be a whole number from 1 to 4294967295, not "abc": write sid:1000001; local rules usually use 1000000 and above',
      offset: 0,
      length: 3,
    });
    expect(err('sid', '0')).toEqual({
      severity: 'error',
      message: 'sid 0 is out of range: use 1 to 4294967295 (local rules usually use 1000000 and above)',
      offset: 0,
      length: 1,
    });
    expect(err('priority', '300').message).toBe('priority 300 is out of range: use 1 to 255 (1 is the most severe)');
    expect(err('sid', null)).toEqual({ severity: 'error', message: 'sid needs a value: write sid:1000001;' });
  });
});

describe('classtype', () => {
  it('accepts the built-in classifications silently', () => {
    expect(ok('classtype', 'trojan-activity')).toBe('trojan-activity');
  });
  it('warns on an unknown class, with a suggestion', () => {
    const r = parse('classtype', 'trojan-activty');
    expect(r.value).toBe('trojan-activty');
    expect(r.diags).toEqual([
      { severity: 'warning', message: 'unknown classtype "trojan-activty": not one of the classtypes kanshi knows (those of ET Open\'s classification.config, Snort\'s standard classes included, and of a classification.config beside the rules); did you mean trojan-activity?', offset: 0, length: 14 },
    ]);
  });
  it('rejects bad characters', () => {
    expect(err('classtype', 'bad class').message).toBe('classtype "bad class" has a bad character: a class name is letters, digits, - and _');
  });
});

describe('reference', () => {
  it('splits type and id at the first comma', () => {
    expect(ok('reference', 'url,example.com/a,b')).toEqual({ type: 'url', id: 'example.com/a,b' });
    expect(ok('reference', ' CVE, 2021-44228')).toEqual({ type: 'cve', id: '2021-44228' });
    expect(print('reference', { type: 'cve', id: '2021-44228' })).toBe('cve,2021-44228');
  });
  it('needs both parts', () => {
    expect(err('reference', 'example.com').message).toBe('reference needs a type and an id: write reference:url,example.com; or reference:cve,2024-1234;');
    expect(err('reference', 'cve').message).toBe('reference cve needs its id after a comma: write reference:cve,2024-1234;');
    expect(err('reference', 'url,')).toEqual({ severity: 'error', message: 'reference url needs an id after the comma', offset: 3, length: 1 });
  });
  it('warns on unknown systems', () => {
    expect(parse('reference', 'foo,1').diags).toEqual([{ severity: 'warning', message: 'unknown reference type "foo" (not in reference.config)', offset: 0, length: 3 }]);
  });
});

describe('metadata', () => {
  it('parses key/value pairs, values with spaces, and bare keys', () => {
    expect(ok('metadata', 'created_at 2010_07_30, deployment Perimeter, policy max-detect-ips drop, flag')).toEqual([
      { key: 'created_at', value: '2010_07_30' },
      { key: 'deployment', value: 'Perimeter' },
      { key: 'policy', value: 'max-detect-ips drop' },
      { key: 'flag', value: '' },
    ]);
    expect(print('metadata', ok('metadata', ' a  b ,c'))).toBe('a b, c');
  });
  it('rejects empty entries at their position', () => {
    expect(err('metadata', 'a b,, c d')).toEqual({ severity: 'error', message: 'empty metadata entry: remove the extra comma', offset: 4, length: 1 });
    expect(err('metadata', '  ').message).toBe('metadata needs a value: write metadata:created_at 2024_01_01, signature_severity Major;');
  });
});

describe('target and level', () => {
  it('take their fixed words', () => {
    expect(ok('target', 'dest_ip')).toBe('dest_ip');
    expect(err('target', 'dst').message).toBe('target must be src_ip or dest_ip, not "dst"');
    expect(ok('level', 'Critical')).toBe('Critical');
    expect(ok('level', 'emergency')).toBe('Emergency');
    expect(err('level', 'High')).toEqual({
      severity: 'error',
      message: 'unknown level "High": write level:Information, Warning, Critical or Emergency',
      offset: 0,
      length: 4,
    });
  });
});

describe('meta values Suricata 7 refuses', () => {
  it('rejects rev:0 and warns of an empty msg, at the value', () => {
    expect(located('alert tcp any any -> any any (msg:"t"; content:"x"; rev:0; sid:1;)')).toEqual(['1:57: error: rev 0 is out of range: use 1 to 4294967295']);
    expect(located('alert tcp any any -> any any (msg:""; content:"x"; sid:1;)')).toEqual([
      '1:35: warning: empty msg: Suricata 7 refuses it, and alerts would carry no description; write what the rule detects, as msg:"...";',
    ]);
  });
});

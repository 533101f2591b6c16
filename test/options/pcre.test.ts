import { describe, expect, it } from 'vitest';
import type { PcreValue } from '../../src/options/payload/pcre.js';
import { err, ok, parse, print } from './helpers.js';

/** Runs a parsed pcre on a binary string the way the matcher will. */
function matches(v: PcreValue, subject: string): boolean {
  return new RegExp(v.compiled!.source, v.compiled!.flags).test(subject);
}

describe('pcre', () => {
  it('parses pattern, flags and negation in both spellings', () => {
    const v = ok<PcreValue>('pcre', '"/^GET\\s+\\/a/Ui"');
    expect(v).toMatchObject({ negated: false, pattern: '^GET\\s+\\/a', flags: 'Ui', buffer: 'http.uri', relative: false, captures: [] });
    expect(v.options.caseless).toBe(true);
    expect(ok<PcreValue>('pcre', '!"/x/"').negated).toBe(true);
    expect(ok<PcreValue>('pcre', '"!/x/R"')).toMatchObject({ negated: true, relative: true });
    expect(print('pcre', ok('pcre', ' "!/x/R" '))).toBe('!"/x/R"');
  });

  it('takes the last / as the end of the pattern, so a pattern may hold / and unescaped quotes', () => {
    expect(ok<PcreValue>('pcre', '"/a/b["\']c/i"')).toMatchObject({ pattern: 'a/b["\']c', flags: 'i' });
  });

  it('accepts every Snort and Suricata flag', () => {
    const v = ok<PcreValue>('pcre', '"/x/ismxAEGRO"');
    expect(v.options).toEqual({ caseless: true, dotall: true, multiline: true, extended: true, anchored: true, dollarEndOnly: true, ungreedy: true });
    expect(v).toMatchObject({ relative: true, overrideMatchLimit: true });
    const buffers: Record<string, string> = {
      U: 'http.uri', I: 'http.uri.raw', P: 'http.request_body', Q: 'file.data', H: 'http.header', D: 'http.header.raw',
      M: 'http.method', C: 'http.cookie', K: 'http.cookie', S: 'http.stat_code', Y: 'http.stat_msg',
      V: 'http.user_agent', W: 'http.host', Z: 'http.host.raw',
    };
    for (const [f, b] of Object.entries(buffers)) expect(ok<PcreValue>('pcre', `"/x/${f}"`).buffer).toBe(b);
    expect(ok<PcreValue>('pcre', '"/x/B"').rawbytes).toBe(true);
  });

  it('reports an unknown flag at its offset', () => {
    expect(err('pcre', '"/x/iL"')).toEqual({
      severity: 'error',
      message: "unknown pcre flag 'L': use i s m x A E G (PCRE options), R (relative), B (rawbytes), O (no match limit) or a buffer flag U I P Q H D M C K S Y V W Z",
      offset: 5,
      length: 1,
    });
  });

  it('rejects two buffer flags and B with a buffer flag', () => {
    expect(err('pcre', '"/x/UH"')).toEqual({
      severity: 'error',
      message: 'pcre flags U and H select two buffers (http.uri and http.header): keep one, or split the pcre in two',
      offset: 5,
      length: 1,
    });
    expect(err('pcre', '"/x/BU"').message).toBe('pcre flag B (rawbytes) cannot be combined with buffer flag U: drop one of them');
  });

  it('reports an invalid pattern with the offset inside it', () => {
    // raw:  " / a ( b     -> the ( is at offset 3 of the raw value
    expect(err('pcre', '"/a(b/"')).toEqual({ severity: 'error', message: 'invalid pcre: missing ) to close the group opened here', offset: 3, length: 1 });
    expect(err('pcre', '"/a{3,1}/"')).toEqual({ severity: 'error', message: 'invalid pcre: numbers out of order in {} quantifier: write {1,3}', offset: 3, length: 5 });
    const behind = 'invalid pcre: lookbehind assertion is not fixed length: PCRE refuses an unbounded repeat inside (?<= or (?<!: give it a fixed count ({3}) or move it out of the lookbehind';
    expect(err('pcre', '"/(?<=a+)b/"')).toEqual({ severity: 'error', message: behind, offset: 7, length: 1 });
    expect(err('pcre', '"/(?<!x(?:a.*))d/"')).toEqual({ severity: 'error', message: behind, offset: 12, length: 1 });
    expect(err('pcre', '"/(?<=ab{2,})c/"')).toEqual({ severity: 'error', message: behind, offset: 8, length: 4 });
    // Fixed-length lookbehinds (alternatives of different fixed lengths too) are PCRE's, and so are repeats after one.
    for (const text of ['"/(?<=ab{3})c/"', '"/(?<=ab|c)d/"', '"/(?<=a)b+/"', '"/(?=a+)b/"']) ok('pcre', text);
    expect(err('pcre', ' !"/x[z-a]/"')).toEqual({
      severity: 'error',
      message: 'invalid pcre: range out of order in character class: write the smaller character first',
      offset: 6,
      length: 3,
    });
    expect(err('pcre', '"/ab)/"')).toEqual({ severity: 'error', message: 'invalid pcre: unmatched closing parenthesis: remove it or escape it as \\)', offset: 4, length: 1 });
    // Deeper than PCRE's nesting limit (250): an error at the first group too deep, not a crash.
    expect(err('pcre', `"/${'(?:'.repeat(5000)}a${')'.repeat(5000)}/"`)).toEqual({
      severity: 'error',
      message: 'invalid pcre: parentheses nested more than 250 deep, which PCRE refuses: flatten the pattern (a group inside a group can often be one group)',
      offset: 2 + 250 * 3,
      length: 1,
    });
    expect(ok<PcreValue>('pcre', `"/${'('.repeat(250)}a${')'.repeat(250)}/"`).captureCount).toBe(250);
    expect(err('pcre', '"/+a/"')).toEqual({
      severity: 'error',
      message: 'invalid pcre: quantifier does not follow a repeatable item: escape it (\\+) to match it literally',
      offset: 2,
      length: 1,
    });
    expect(err('pcre', '"/(a)\\2/"')).toEqual({
      severity: 'error',
      message: 'invalid pcre: reference to non-existent subpattern 2: the pattern has 1 capturing group(s)',
      offset: 5,
      length: 2,
    });
    expect(err('pcre', '"/[abc/"')).toEqual({ severity: 'error', message: 'invalid pcre: missing terminating ] for character class', offset: 2, length: 4 });
  });

  it('reads a pattern written without quotes, as Suricata does, and prints it quoted', () => {
    expect(ok<PcreValue>('pcre', '/one/U')).toMatchObject({ pattern: 'one', flags: 'U', buffer: 'http.uri', negated: false });
    expect(ok<PcreValue>('pcre', ' /\\.\\/a/I ')).toMatchObject({ pattern: '\\.\\/a', flags: 'I', buffer: 'http.uri.raw' });
    expect(ok<PcreValue>('pcre', '!/x/R')).toMatchObject({ negated: true, relative: true });
    expect(ok<PcreValue>('pcre', '/(a)/, pkt:x')).toMatchObject({ pattern: '(a)', captures: ['pkt:x'] });
    expect(print('pcre', ok('pcre', '/one/Ui'))).toBe('"/one/Ui"');
    expect(ok('pcre', '/one/U')).toEqual(ok('pcre', '"/one/U"'));
    // Errors point into the unquoted value just as into a quoted one.
    expect(err('pcre', '/x/iL')).toMatchObject({ message: expect.stringMatching(/^unknown pcre flag 'L'/), offset: 4, length: 1 });
    expect(err('pcre', '/a(b/')).toEqual({ severity: 'error', message: 'invalid pcre: missing ) to close the group opened here', offset: 2, length: 1 });
    expect(err('pcre', '/x')).toEqual({ severity: 'error', message: 'pcre needs a closing / after the pattern: write pcre:"/pattern/flags";', offset: 2, length: 1 });
  });

  it('reports quoting problems', () => {
    expect(err('pcre', 'x/i')).toEqual({ severity: 'error', message: 'pcre must be quoted: write pcre:"x/i";', offset: 0, length: 3 });
    expect(err('pcre', "'/x/i'")).toEqual({ severity: 'error', message: 'pcre must be quoted with plain double quotes ("), not \': write pcre:"/x/i";', offset: 0, length: 6 });
    expect(err('pcre', '"/x/i')).toEqual({ severity: 'error', message: 'unterminated string: add the closing " to the pcre', offset: 0, length: 5 });
    expect(err('pcre', '"x/i"')).toEqual({ severity: 'error', message: 'a pcre pattern starts with /: write pcre:"/pattern/flags";', offset: 1, length: 1 });
    expect(err('pcre', '"/x"')).toEqual({ severity: 'error', message: 'pcre needs a closing / after the pattern: write pcre:"/pattern/flags";', offset: 3, length: 1 });
    expect(err('pcre', '"/a;b/"')).toEqual({ severity: 'error', message: 'a ; inside pcre must be escaped: write \\;', offset: 3, length: 1 });
  });

  it('keeps Suricata capture targets', () => {
    const v = ok<PcreValue>('pcre', '"/(a)\\/(b)$/GUR, flow:ua/ubuntu/repo,pkt:x"');
    expect(v).toMatchObject({ pattern: '(a)\\/(b)$', flags: 'GUR', captures: ['flow:ua/ubuntu/repo', 'pkt:x'] });
    expect(print('pcre', v)).toBe('"/(a)\\/(b)$/GUR, flow:ua/ubuntu/repo, pkt:x"');
  });

  it('refuses an upper-case pattern on the lower-cased host buffer', () => {
    expect(err('pcre', '"/Evil\\.com/W"').message).toBe(
      'pcre with flag W inspects http.host, which is lower-cased: an upper-case letter can never match; write the pattern in lower case or add the i flag',
    );
    expect(ok<PcreValue>('pcre', '"/evil\\.com\\S/W"').buffer).toBe('http.host');
  });

  it('marks patterns JavaScript cannot express as unsupported instead of approximating', () => {
    const v = ok<PcreValue>('pcre', '"/a(?R)?b/"');
    expect(v.compiled).toBeNull();
    expect(v.unsupported).toBe('recursion and subroutine calls ((?R), (?1), (?&name)) cannot be evaluated');
    expect(ok<PcreValue>('pcre', '"/ab\\Kc/"').unsupported).toBe('\\K (reset match start) cannot be evaluated');
  });

  it('compiles to a JS regex that matches like PCRE over bytes', () => {
    const m = (raw: string, s: string): boolean => matches(ok<PcreValue>('pcre', raw), s);
    expect(m('"/^get/i"', 'GET /')).toBe(true);
    expect(m('"/a.c/"', 'a\nc')).toBe(false);
    expect(m('"/a.c/s"', 'a\nc')).toBe(true);
    expect(m('"/^b/m"', 'a\nb')).toBe(true);
    expect(m('"/^b/"', 'a\nb')).toBe(false);
    expect(m('"/a$/"', 'a\n')).toBe(true);
    expect(m('"/a$/E"', 'a\n')).toBe(false);
    expect(m('"/\\x41\\101\\x{41}/"', 'AAA')).toBe(true);
    expect(m('"/a++a/"', 'aaaa')).toBe(false);
    expect(m('"/(?>a+)b/"', 'aaab')).toBe(true);
    expect(m('"/x(?i)ab(?-i)c/"', 'xABc')).toBe(true);
    expect(m('"/x(?i)ab(?-i)c/"', 'xABC')).toBe(false);
    expect(m('"/\\Aab\\z/"', 'ab')).toBe(true);
    expect(m('"/ab\\Z/"', 'ab\n')).toBe(true);
    expect(m('"/\\s/"', '\xa0')).toBe(false);
    expect(m('"/(?P<w>[a-z]+)-(?P=w)/"', 'ab-ab')).toBe(true);
    expect(m('"/(?P<w>[a-z]+)-(?P=w)/i"', 'ab-AB')).toBe(true);
    expect(m('"/[[:digit:]]{3}/"', 'a123')).toBe(true);
    expect(m('"/a b # comment\n c/x"', 'abc')).toBe(true);
    expect(m('"/\\Q.*\\E/"', 'a.*b')).toBe(true);
    expect(m('"/\\Q.*\\E/"', 'ab')).toBe(false);
    expect(m('"/é/"', '\xc3\xa9')).toBe(true);
    expect(m('"/a.*?b/G"', 'aXbYb')).toBe(true);
    expect(m('"/^\\d{2,5}+(?!\\d)/"', '123456')).toBe(false);
    expect(m('"/[^\\x00-\\x7f]/"', '\xff')).toBe(true);
  });

  it('shares one translation between rules with the same pattern', () => {
    const a = ok<PcreValue>('pcre', '"/shared-x/i"');
    const b = ok<PcreValue>('pcre', '"/shared-x/i"');
    expect(a.compiled).toBe(b.compiled);
  });

  it('never throws on hostile input', () => {
    for (const raw of ['"/(/"', '"/[/"', '"/\\/"', '"/(?/"', '"/(?</"', '"/(*/"', '"/\\x{zz}/"', '"/\\c/"', '"/(?P=/"', '"/a{99999}/"']) {
      expect(() => parse('pcre', raw)).not.toThrow();
      expect(parse('pcre', raw).diags.length).toBe(1);
    }
  });
});

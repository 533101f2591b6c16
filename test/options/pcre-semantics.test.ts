/**
 * pcre matches where PCRE2 (8-bit, non-UTF, as Suricata runs it) does, with the same end offset:
 * a relative keyword after the pcre continues from that end. Expected results are PCRE2 10.42's.
 */
import { describe, expect, it } from 'vitest';
import { PcreMatcher, type PcreValue } from '../../src/options/payload/pcre.js';
import { Inspection } from '../../src/options/matcher.js';
import type { PcreMatch } from '../../src/options/rule-body.js';
import { ok } from './helpers.js';

const ins = new Inspection();

function matcher(pcre: string): PcreMatcher {
  const value = ok<PcreValue>('pcre', `"${pcre}"`);
  return new PcreMatcher({ kind: 'pcre', value } as unknown as PcreMatch);
}

/** The first match as [start, end] in the subject (bytes as latin1 characters), or null. */
function search(pcre: string, subject: string, cursor = 0): [number, number] | null {
  const m = matcher(pcre);
  ins.setBuffer(Buffer.from(subject, 'latin1'));
  const end = m.match(ins, cursor, -1);
  return end < 0 ? null : [ins.matchStart, end];
}

describe('pcre back-references follow PCRE', () => {
  it('fails a back-reference to a group that did not take part in the match', () => {
    expect(search('/(a)?b\\1/', 'b')).toBeNull();
    expect(search('/(a)?b\\1/', 'aba')).toEqual([0, 3]);
    expect(search('/(?:(a)|b)\\1/', 'b')).toBeNull();
    expect(search('/(a)|b\\1/', 'ba')).toEqual([1, 2]);
    expect(search('/\\1(a)/', 'a')).toBeNull();
    expect(search('/(a|(b))\\2/', 'ba')).toBeNull();
    // A group that matched the empty string is set: its reference matches.
    expect(search('/(a*)?\\1/', 'b')).toEqual([0, 0]);
  });

  it('takes the branch whose group is set in ET Open patterns', () => {
    const hex = '/^[\\r\\n\\s\\+]*?=[\\r\\n\\s\\+]*?[\\x22\\x27]((?P<hex>%[A-Fa-f0-9]{2})|(?P<ascii>[a-zA-Z0-9]))((?P=hex){10}|(?P=ascii){10})/R';
    expect(search(hex, "='%c5")).toBeNull();
    expect(search(hex, "='aaaaaaaaaaa")).toEqual([0, 13]);
    expect(search(hex, "='%41%41%41%41%41%41%41%41%41%41%41")).toEqual([0, 35]);
    const activeX =
      '/new[\\r\\n\\s]*ActiveXObject[\\r\\n\\s]*\\([\\r\\n\\s]*(\\x22Shell\\.Application\\x22|\\x27Shell\\.Application\\x27)[\\r\\n\\s]*\\)|(\\w+)[\\r\\n\\s]*=[\\r\\n\\s]*(\\x22Shell\\.Application\\x22|\\x27Shell\\.Application\\x27)[\\r\\n\\s]*\\x3b.*new[\\r\\n\\s]*ActiveXObject[\\r\\n\\s]*\\([\\r\\n\\s]*\\1[\\r\\n\\s]*\\)/smi';
    expect(search(activeX, "x = 'Shell.Application'; y = new ActiveXObject()")).toBeNull();
    expect(search(activeX, "y = new ActiveXObject('Shell.Application')")).toEqual([4, 42]);
  });

  it('keeps a capture from an earlier iteration of a repeat', () => {
    expect(search('/(?:(a)|b)+\\1/', 'aba')).toEqual([0, 3]);
    expect(search('/(?:(\\w)x|y)+\\1/', 'axya')).toEqual([0, 4]);
    expect(search('/(?:(\\w)x|y)+\\1/', 'xyx')).toBeNull();
  });

  it('reads a back-reference inside its own group as the previous iteration, failing on the first', () => {
    expect(search('/(a|b\\1)+/', 'ba')).toEqual([1, 2]);
    expect(search('/(a|b\\1)+/', 'aba')).toEqual([0, 3]);
    expect(search('/([^\\n]\\1\\1)/', '_\n')).toBeNull();
    expect(matcher('/(a|b\\1)+/').runner.tier).toBe('backtrack');
  });
});

describe("pcre's default $ (end, or before a final newline)", () => {
  it('ends a lazy match before the final newline', () => {
    expect(search('/foo\\s*?$/', 'foo\n')).toEqual([0, 3]);
    // Without lookaround, so V8's linear engine still backs irregexp on such patterns.
    expect(matcher('/foo\\s*?$/').runner.tier).toBe('irregexp');
    expect(search('/foo\\s*?$/', 'foo \n')).toEqual([0, 4]);
    expect(search('/foo\\s*?\\Z/', 'foo\r\n')).toEqual([0, 4]);
    expect(search('/foo(|\\n)$/', 'foo\n')).toEqual([0, 3]);
    // Greedy: the newline belongs to the match.
    expect(search('/foo\\s*$/', 'foo\n')).toEqual([0, 4]);
    expect(search('/o$|o\\n$/', 'foo\n')).toEqual([2, 3]);
    expect(search('/\\.php\\?e=[^&]+?$/', '/x.php?e=1\n')).toEqual([2, 10]);
    expect(search('/^id=[^&]+&dom=687474703a2f2f[a-f0-9]+2e706870\\s*?$/s', 'id=o]&dom=687474703a2f2f02e706870\n')).toEqual([0, 33]);
    // Counted repeats too large for V8's linear engine run on RE2, with the same ends.
    expect(search('/x[^&]{1,2000}?$/', 'xab\n')).toEqual([0, 3]);
    expect(search('/x[^&]{1,2000}$/', 'xab\n')).toEqual([0, 4]);
  });

  it('gives a relative match the end PCRE gives it', () => {
    expect(search('/^foo\\s*?$/R', 'xxfoo\n', 2)).toEqual([2, 5]);
  });

  it('lets the pattern go on after $ to match the final newline', () => {
    expect(search('/a$\\n/', 'a\n')).toEqual([0, 2]);
    expect(search('/a\\Z\\n/', 'b\na\n')).toEqual([2, 4]);
    expect(search('/a$\\n/', 'a\nb')).toBeNull();
  });
});

describe('\\R', () => {
  it('is atomic: it never gives back the \\n of a \\r\\n', () => {
    expect(search('/\\R\\n/', '\r\n')).toBeNull();
    expect(search('/\\R\\n/', '\r\n\n')).toEqual([0, 3]);
    expect(search('/\\R\\n/', '\r\r\n')).toBeNull();
    expect(search('/\\R\\n/', '\x85\n')).toEqual([0, 2]);
    expect(search('/a\\R{2}b/', 'a\r\nb')).toBeNull();
    expect(search('/a\\R{2}b/', 'a\r\n\rb')).toEqual([0, 5]);
  });

  it('matches only \\r, \\n and \\r\\n after (*BSR_ANYCRLF)', () => {
    expect(search('/(*BSR_ANYCRLF)\\R/', '\x85')).toBeNull();
    expect(search('/(*BSR_ANYCRLF)\\R/', 'a\r')).toEqual([1, 2]);
  });
});

describe('[[:<:]] and [[:>:]]', () => {
  it('are the start and end of a word', () => {
    expect(search('/[[:<:]]a/', 'abc')).toEqual([0, 1]);
    expect(search('/[[:<:]]a/', 'ba')).toBeNull();
    expect(search('/a[[:>:]]/', 'ab')).toBeNull();
    expect(search('/a[[:>:]]/', 'ba c')).toEqual([1, 2]);
    expect(search('/[[:>:]]/', ' ')).toBeNull();
    // A quantifier repeats the lookaround, as PCRE reads \b(?=\w).
    expect(search('/[[:<:]]*a/', ' a')).toEqual([1, 2]);
    expect(search('/[[:<:]]*a/', 'xa')).toBeNull();
  });
});

describe('the backtracker bounds its work, not only its steps', () => {
  it('gives up on a back-reference compared again and again over a long run (counted as a limit hit)', () => {
    // (a+)\1b on 60,000 a: each of a few thousand steps would compare up to 30,000 bytes.
    const before = ins.pcreLimitHits;
    expect(search('/(a+)\\1b/', 'a'.repeat(60_000))).toBeNull();
    expect(ins.pcreLimitHits - before).toBe(1);
    // A back-reference over a short subject still matches as PCRE2 does.
    expect(search('/(a+)\\1b/', 'aaaab')).toEqual([0, 5]);
  });
});

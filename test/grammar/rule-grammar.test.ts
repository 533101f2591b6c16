import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { tokenize } from '../../grammar/rule-lexer.js';
import { parseLine, parseLineWithGrammar, type LineNode } from '../../src/rule/line-parser.js';
import { corpus } from '../corpora.js';

const options = (text: string): string[] => tokenize(text).filter((t) => t.type === 'option').map((t) => t.text.trim());

describe('rule lexer', () => {
  it('makes each option one token, up to the unescaped ; outside quotes', () => {
    expect(options('alert tcp any any -> any any (msg:"a;b"; content:"x\\;y"; nocase; sid:1;)')).toEqual(['msg:"a;b";', 'content:"x\\;y";', 'nocase;', 'sid:1;']);
  });

  it('ends a value at ; when a quote inside a pcre cannot close', () => {
    expect(options(`alert tcp any any -> any any (pcre:"/^["']?post/Ri"; content:"x"; sid:1;)`)).toEqual([`pcre:"/^["']?post/Ri";`, 'content:"x";', 'sid:1;']);
  });

  it('does not let a quoted string swallow the options after it', () => {
    expect(options('alert tcp any any -> any any (msg:"x; sid:1; content:"y";)')).toEqual(['msg:"x;', 'sid:1;', 'content:"y";']);
  });

  it('lexes header tokens: variables, words, lists, negation, direction', () => {
    const types = tokenize('alert tcp ![$A,10.0.0.0/8] [80,1024:] <> any any (').map((t) => `${t.type}:${t.text}`);
    expect(types).toEqual(['word:alert', 'word:tcp', 'bang:!', 'lbracket:[', 'variable:$A', 'comma:,', 'word:10.0.0.0/8', 'rbracket:]', 'lbracket:[', 'word:80', 'comma:,', 'word:1024:', 'rbracket:]', 'dir:<>', 'word:any', 'word:any', 'lparen:(']);
  });

  it('finishes on values full of unbalanced quotes without a terminating ;', () => {
    // A backtracking value pattern would take exponential time here.
    const hostile = 'alert tcp any any -> any any (content:' + '"a\\"b'.repeat(4000);
    const t = tokenize(hostile);
    expect(t[t.length - 1]!.type).toBe('badOption');
  });
});

const ruleNode = (n: LineNode | undefined) => {
  if (!n || n.kind !== 'rule') return undefined;
  const text = (t: { text: string }) => t.text;
  const span = (s: { first: { offset: number }; last: { offset: number; text: string } }) => [s.first.offset, s.last.offset + s.last.text.length];
  return { a: text(n.action), p: text(n.protocol), s: span(n.src), sp: span(n.srcPort), d: text(n.direction), t: span(n.dst), tp: span(n.dstPort), o: n.options.map(text) };
};

describe('rule grammar', () => {
  it('parses every rule shape of the ET Open and Snort community sets, unambiguously', () => {
    const dir = corpus('et-open-suricata5-20240421');
    const files = [...readdirSync(dir).filter((f) => f.endsWith('.rules')).map((f) => `${dir}/${f}`), corpus('snort-community', 'community.rules')];
    const shapes = new Map<string, string>();
    for (const f of files) {
      for (const raw of readFileSync(f, 'utf8').split('\n')) {
        const line = raw.replace(/^\s*#+\s*/, '');
        if (!/^(alert|drop|pass|reject|log)\s/.test(line)) continue;
        const key = tokenize(line).map((t) => t.type).join(' ');
        if (!shapes.has(key)) shapes.set(key, line);
      }
    }
    expect(shapes.size).toBeGreaterThan(50);
    for (const line of shapes.values()) expect(parseLineWithGrammar(line).nodes.length, line).toBe(1);
  });

  it('parses var, ipvar, portvar and include lines', () => {
    for (const line of ['var HOME_NET any', 'ipvar HOME_NET [10.0.0.0/8, !10.1.0.0/16]', 'portvar P [80,!81]', 'include $RULE_PATH/local.rules', 'include a.rules']) {
      expect(parseLineWithGrammar(line).nodes.length, line).toBe(1);
    }
  });

  it('gives the same tree through the shape memo as through the grammar (property)', () => {
    const atom = fc.constantFrom('any', '$HOME_NET', '10.0.0.0/8', '80', '1024:', '!80', '[80,443]', '![$A,1.2.3.4]', '[[1.2.3.4],!5.6.7.8]');
    const option = fc.constantFrom('msg:"a"; ', 'sid:1; ', 'nocase; ', 'content:"x;y"; ', 'pcre:"/a/i"; ', 'flow: to_server,established; ');
    const line = fc.tuple(fc.constantFrom('alert', 'drop', 'var'), fc.constantFrom('tcp', 'http', 'X'), atom, atom, fc.constantFrom('->', '<>', '-'), atom, atom, fc.array(option, { maxLength: 6 }), fc.boolean())
      .map(([a, p, s, sp, d, t, tp, o, close]) => `${a} ${p} ${s} ${sp} ${d} ${t} ${tp} (${o.join('')}${close ? ')' : ''}`);
    fc.assert(
      fc.property(line, (text) => {
        const direct = parseLineWithGrammar(text).nodes;
        const memo = parseLine(text);
        expect(memo.ok).toBe(direct.length === 1);
        if (memo.ok) expect(ruleNode(memo.node)).toEqual(ruleNode(direct[0]));
      }),
      { numRuns: 500 },
    );
  });
});

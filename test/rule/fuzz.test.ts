import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRules } from '../../src/rule/index.js';
import { corpus } from '../corpora.js';

/** The parser's contract on any input: diagnostics, never an exception, positions inside the text. */
function checkContract(text: string): void {
  const r = parseRules(text, { file: 'f.rules' });
  const lines = text.split('\n');
  for (const d of r.diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(Math.max(1, lines.length));
    expect(d.col).toBeGreaterThanOrEqual(1);
    expect(d.col).toBeLessThanOrEqual((lines[d.line - 1] ?? '').length + 2);
    expect(d.message.length).toBeGreaterThan(0);
  }
  expect(r.errors + r.warnings).toBeGreaterThanOrEqual(r.diagnostics.length);
}

/** A sample of real rules to mutate: every 40th active or commented rule of two sets. */
function sampleRules(): string[] {
  const out: string[] = [];
  for (const f of [corpus('et-open-suricata5-20240421', 'emerging-web_client.rules'), corpus('snort-community', 'community.rules')]) {
    const rules = readFileSync(f, 'utf8')
      .split('\n')
      .map((l) => l.replace(/^#\s*/, ''))
      .filter((l) => /^alert\s/.test(l));
    for (let i = 0; i < rules.length; i += 40) out.push(rules[i]!);
  }
  return out;
}

const SPECIALS = [';', '"', '(', ')', '|', '\\', ':', '[', ']', '!', '$', ',', '#', '\n', ' ', '\\\n'];

type Mutation = { kind: 'delete' | 'insert' | 'truncate' | 'duplicate'; at: number; len: number; ch: string };
function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = Math.floor(m.at * t.length);
    if (m.kind === 'delete') t = t.slice(0, at) + t.slice(at + m.len);
    else if (m.kind === 'insert') t = t.slice(0, at) + m.ch + t.slice(at);
    else if (m.kind === 'truncate') t = t.slice(0, at);
    else t = t.slice(0, at) + t.slice(at, at + m.len * 4) + t.slice(at);
  }
  return t;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'insert', 'truncate', 'duplicate'),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  len: fc.integer({ min: 1, max: 6 }),
  ch: fc.constantFrom(...SPECIALS),
});

describe('parser robustness (property)', () => {
  const rules = sampleRules();

  it('has real rules to mutate', () => {
    expect(rules.length).toBeGreaterThan(50);
  });

  it('returns diagnostics for mutated corpus rules, never throws', () => {
    fc.assert(
      fc.property(fc.constantFrom(...rules), fc.array(mutation, { minLength: 1, maxLength: 4 }), (rule, ms) => checkContract(mutate(rule, ms))),
      { numRuns: 1500 },
    );
  });

  it('returns diagnostics for random rule-like text, never throws', () => {
    const piece = fc.oneof(
      fc.constantFrom('alert', 'tcp', 'any', '->', '<>', '$HOME_NET', '80', '[', ']', '!', ',', '(', ')', ';', ':', '"', '|', '\\', 'msg', 'sid', 'content', 'pcre', 'nocase', 'depth', '/', ' ', '\n', '#', 'var', 'include', '0:', '10.0.0.0/8', '::1'),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 60 }), (parts) => checkContract(parts.join(''))), { numRuns: 1500 });
  });

  it('handles long hostile lines in bounded time', () => {
    const quotes = 'alert tcp any any -> any any (msg:' + '"\\";'.repeat(3000) + ')';
    const brackets = 'alert tcp ' + '['.repeat(2000) + '1.2.3.4' + ']'.repeat(2000) + ' any -> any any (msg:"x"; sid:1;)';
    const options = 'alert tcp any any -> any any (' + 'nocase; '.repeat(5000) + 'sid:1;)';
    for (const t of [quotes, brackets, options]) checkContract(t);
  });
});

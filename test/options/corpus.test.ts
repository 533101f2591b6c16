import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeywordContext } from '../../src/options/keyword.js';
import { lookupKeyword } from '../../src/options/registry.js';
import { buildRuleBody, type OptionInstance } from '../../src/options/rule-body.js';
import { corpus } from '../corpora.js';
import { splitOptions } from './helpers.js';

/**
 * Every option of every rule in the public rule sets goes through its keyword module and the
 * rule-body builder: active rules must produce no error, and every printed value must parse back
 * to the same value (print is idempotent on real rules).
 */

interface Tally {
  rules: number;
  options: number;
  errors: string[];
  unknown: Map<string, number>;
  skipped: number;
  unsupported: Map<string, number>;
  roundTripFailures: string[];
}

function ruleLines(file: string, commented: boolean): string[] {
  const out: string[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (!commented) continue;
      const body = line.replace(/^#+\s*/, '');
      if (/^(alert|log|pass|drop|reject|sdrop)\s/.test(body)) out.push(body);
    } else if (!commented) out.push(line);
  }
  return out;
}

function check(lines: readonly string[]): Tally {
  const t: Tally = { rules: 0, options: 0, errors: [], unknown: new Map(), skipped: 0, unsupported: new Map(), roundTripFailures: [] };
  for (const line of lines) {
    const open = line.indexOf('(');
    if (open < 0) continue;
    t.rules++;
    const sid = /\bsid:\s*(\d+)/.exec(line)?.[1] ?? '?';
    const options: OptionInstance[] = [];
    for (const { keyword, raw } of splitOptions(line.slice(open + 1, line.lastIndexOf(')')))) {
      t.options++;
      const m = lookupKeyword(keyword);
      if (m === undefined) {
        t.unknown.set(keyword, (t.unknown.get(keyword) ?? 0) + 1);
        continue;
      }
      const ctx: KeywordContext = { error: (msg) => t.errors.push(`sid ${sid}: ${keyword}: ${msg}`), warning: () => undefined };
      const value = m.parse(raw, ctx);
      options.push({ module: m, keyword: m.keyword, value, raw, ctx });
      if (value === undefined) continue;
      const printed = m.print(value);
      const quiet: KeywordContext = { error: (msg) => t.roundTripFailures.push(`sid ${sid}: ${keyword}:${printed} -> ${msg}`), warning: () => undefined };
      const again = m.parse(printed, quiet);
      if (again !== undefined && (!isDeepStrictEqual(again, value) || m.print(again) !== printed)) {
        t.roundTripFailures.push(`sid ${sid}: ${keyword}:${raw} printed as ${printed} does not read back the same`);
      }
    }
    const ruleCtx = { error: (msg: string) => t.errors.push(`sid ${sid}: ${msg}`), warning: () => undefined };
    const body = buildRuleBody(options, ruleCtx);
    if (body.unsupported.length > 0) {
      t.skipped++;
      for (const k of body.unsupported) t.unsupported.set(k, (t.unsupported.get(k) ?? 0) + 1);
    }
  }
  return t;
}

function summary(name: string, t: Tally): void {
  const top = [...t.unsupported].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}:${n}`);
  console.log(
    `${name}: ${t.rules} rules, ${t.options} options, ${t.errors.length} errors, ${t.skipped} skipped; ` +
      `unknown keywords: ${t.unknown.size === 0 ? 'none' : [...t.unknown].map(([k, n]) => `${k}:${n}`).join(' ')}; ` +
      `not evaluated yet: ${top.join(' ')}`,
  );
}

const ET_DIR = corpus('et-open-suricata5-20240421');
const etFiles = readdirSync(ET_DIR)
  .filter((f) => f.endsWith('.rules'))
  .map((f) => `${ET_DIR}/${f}`);
const COMMUNITY = corpus('snort-community', 'community.rules');

describe('public rule sets', () => {
  it('ET Open: every active rule parses and combines without error', () => {
    const t = check(etFiles.flatMap((f) => ruleLines(f, false)));
    summary('ET Open active', t);
    expect(t.rules).toBe(23635);
    expect(t.unknown).toEqual(new Map());
    expect(t.errors).toEqual([]);
    expect(t.roundTripFailures).toEqual([]);
  });

  it('Snort community: every active rule parses and combines without error', () => {
    const t = check(ruleLines(COMMUNITY, false));
    summary('Snort community active', t);
    expect(t.rules).toBe(545);
    expect(t.unknown).toEqual(new Map());
    expect(t.errors).toEqual([]);
    expect(t.roundTripFailures).toEqual([]);
  });

  it('commented-out rules of both sets use only known keywords and print back', () => {
    const t = check([...etFiles.flatMap((f) => ruleLines(f, true)), ...ruleLines(COMMUNITY, true)]);
    summary('commented-out', t);
    expect(t.rules).toBe(6579 + 3460);
    expect(t.unknown).toEqual(new Map());
    expect(t.roundTripFailures).toEqual([]);
    // Two disabled ET rules are sloppy but load in Suricata 7, so they get warnings only (a
    // repeated endswith, fast_pattern on a negated content).
    expect(t.errors).toEqual([]);
  });

  it('mutated option values from the rule sets get a value or an error, never an exception', () => {
    // Every 97th option of the active ET rules: all keywords, every value shape.
    const samples: Array<{ keyword: string; raw: string }> = [];
    let n = 0;
    for (const line of etFiles.flatMap((f) => ruleLines(f, false))) {
      const open = line.indexOf('(');
      for (const o of splitOptions(line.slice(open + 1, line.lastIndexOf(')')))) {
        if (o.raw !== null && n++ % 97 === 0) samples.push({ keyword: o.keyword, raw: o.raw });
      }
    }
    const edit = fc.tuple(fc.nat(), fc.constantFrom('', '"', '|', '\\', ',', '!', ';', 'x', '9', ' ', '(', '/', '{'), fc.nat({ max: 3 }));
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.array(edit, { minLength: 1, maxLength: 3 }), (sample, edits) => {
        let raw = sample.raw;
        for (const [at, insert, remove] of edits) {
          const i = at % (raw.length + 1);
          raw = raw.slice(0, i) + insert + raw.slice(i + remove);
        }
        const m = lookupKeyword(sample.keyword)!;
        let errors = 0;
        const value = m.parse(raw, { error: () => errors++, warning: () => undefined });
        if (value === undefined) expect(errors).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});

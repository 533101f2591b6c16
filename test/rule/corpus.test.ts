import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRules, printRule, RuleLoader, VariableTable, type Rule } from '../../src/rule/index.js';
import { DiagnosticCollector } from '../../src/rule/diagnostics.js';
import { corpus } from '../corpora.js';

const ET = corpus('et-open-suricata5-20240421');
const COMMUNITY = corpus('snort-community', 'community.rules');
const SNORT3 = corpus('snort-community', 'snort3-community.rules');

function loadAll(files: string[]) {
  const collector = new DiagnosticCollector();
  const loader = new RuleLoader({ vars: VariableTable.withDefaults(), collector });
  for (const f of files) loader.loadFile(f);
  return { loader, collector };
}

/**
 * Printing is idempotent, and printed rules read back with the same status and no errors.
 * All printed rules are read back as one file (sids are unique in these sets, so reading them
 * together changes nothing) to keep the test fast.
 */
function checkPrinter(rules: readonly Rule[]): void {
  const printed = rules.map(printRule);
  const back = parseRules(printed.join('\n'));
  expect(back.errors).toBe(0);
  expect(back.rules).toHaveLength(rules.length);
  const mismatches: string[] = [];
  back.rules.forEach((again, i) => {
    if (printRule(again) !== printed[i] || again.status !== rules[i]!.status) mismatches.push(printed[i]!);
  });
  expect(mismatches.slice(0, 5)).toEqual([]);
}

describe('ET Open (suricata-5.0 snapshot)', () => {
  const files = readdirSync(ET)
    .filter((f) => f.endsWith('.rules'))
    .sort()
    .map((f) => `${ET}/${f}`);
  const { loader, collector } = loadAll(files);

  it('loads every active rule (loaded or skipped) with zero errors', () => {
    const c = loader.counts();
    expect(collector.list.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`).slice(0, 10)).toEqual([]);
    expect(c.loaded + c.skipped).toBe(23_635);
    expect(c.disabled).toBe(6_579);
    expect(c.invalid).toBe(0);
  });

  it('names what the skipped rules need', () => {
    const total = [...loader.unsupported.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(loader.counts().skipped);
    for (const r of loader.rules.filter((x) => x.status === 'skipped')) expect(r.unsupported.length).toBeGreaterThan(0);
  });

  it('prints every rule idempotently', () => checkPrinter(loader.rules));
});

describe('Snort community rules (Snort 2 syntax)', () => {
  it('loads the file with zero errors', () => {
    const { loader, collector } = loadAll([COMMUNITY]);
    expect(collector.errors).toBe(0);
    const c = loader.counts();
    expect(c.loaded + c.skipped).toBe(545);
    expect(c.disabled).toBe(3_460);
    checkPrinter(loader.rules);
  });

  it('loads all 4,005 rules with zero errors when every rule is uncommented', () => {
    const text = readFileSync(COMMUNITY, 'utf8').replace(/^# (?=(alert|drop|pass|log) )/gm, '');
    const r = parseRules(text, { file: COMMUNITY });
    expect(r.errors).toBe(0);
    expect(r.counts.loaded + r.counts.skipped).toBe(4_005);
  });
});

describe('Snort 3 community rules', () => {
  it('are reported as a different dialect, once, without loading anything', () => {
    const { loader, collector } = loadAll([SNORT3]);
    expect(collector.list).toHaveLength(1);
    expect(collector.list[0]!.message).toMatch(/^this file is written in Snort 3 rule syntax \(\d+ of 4004 rules use Snort 3 options\)/);
    expect(collector.errors).toBe(1);
    expect(loader.counts()).toEqual({ loaded: 0, disabled: 0, skipped: 0, invalid: 4_004 });
  });
});

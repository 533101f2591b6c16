/**
 * The shipped ruleset against its test cases: every rule has a positive and a negative case,
 * every case passes (or fails exactly as its known-issue line says), and a few variants each.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadRules, rulesFiles } from '../../src/ruletest/detect.js';
import { runSuite } from '../../src/ruletest/suite.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('rules/tests', () => {
  it('covers every shipped rule with a positive and a negative case', async () => {
    const { detector } = loadRules(rulesFiles(['rules']), []);
    const report = await runSuite({ paths: ['rules/tests'] });
    const positive = new Set(report.cases.filter((c) => c.case.expect === 'positive').flatMap((c) => c.case.sids));
    const negative = new Set(report.cases.filter((c) => c.case.expect === 'negative').flatMap((c) => c.case.sids));
    const sids = [...detector.rules.keys()];
    expect(sids.length).toBeGreaterThan(0);
    expect(sids.filter((s) => !positive.has(s))).toEqual([]);
    expect(sids.filter((s) => !negative.has(s))).toEqual([]);
    expect(report.diagnostics).toEqual([]);
    expect(report.cases.filter((c) => c.status === 'fail').map((c) => `${c.case.file}:${c.case.line} ${c.verdict.problems.join('; ')}`)).toEqual([]);
  });

  it('holds on a few variants of every case', async () => {
    const report = await runSuite({ paths: ['rules/tests'], properties: true, seed: 2003, runs: 2, outDir: tmp.dir });
    const failed = report.cases.filter((c) => c.status === 'fail');
    expect(failed.map((c) => `${c.case.file}:${c.case.line} ${c.property?.failure?.changes.join('; ')}`)).toEqual([]);
  });
});

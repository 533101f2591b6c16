import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { lookupClassification } from '../../src/options/lib/classifications.js';
import { isLevel } from '../../src/types/level.js';
import { Ruleset } from '../../src/match/ruleset.js';
import { RULES_DIR, loadShippedRules, optionValue, optionValues, rulesFiles, sidOf } from './helpers.js';

/** kanshi's private sid range for its own rules (see rules/README.md). */
const SID_MIN = 3100000;
const SID_MAX = 3199999;

/** Reference systems the shipped rules may cite. */
const REFERENCE_TYPES = new Set(['cve', 'bugtraq', 'url', 'msb']);

async function check(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['check', ...args], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY: false } });
  return { code, out, err };
}

const shipped = loadShippedRules();
const rules = shipped.rules;

describe('kanshi check rules/', () => {
  it('loads every shipped rule with 0 errors and 0 skipped', async () => {
    const r = await check([RULES_DIR]);
    const last = r.out.trimEnd().split('\n').pop();
    expect(r.code).toBe(0);
    expect(last).toBe(`rules: ${rules.length} loaded, 0 disabled, 0 skipped, 0 errors`);
  });

  it('warns, with default variables, only that the outbound rules wait for HOME_NET', async () => {
    const r = await check([RULES_DIR]);
    const warnings = r.err.split('\n').filter((l) => l.includes('warning:'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/worm-slammer\.rules:\d+:\d+: warning: address '!\$HOME_NET' matches nothing/);
    expect(warnings[1]).toMatch(/default\.policy:\d+:\d+: warning: the monitored network \(\$HOME_NET\) is 'any'/);
  });

  it('is silent once HOME_NET is set', async () => {
    const r = await check(['--var', 'HOME_NET=192.168.0.0/16', RULES_DIR]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });
});

describe('shipped rules', () => {
  it('are all loaded and compile for the detection engine', () => {
    expect(rules.length).toBeGreaterThan(40);
    expect(rules.filter((r) => r.status !== 'loaded').map((r) => `${r.loc.file}:${r.loc.line} ${r.status}`)).toEqual([]);
    const ruleset = new Ruleset(rules);
    expect(ruleset.skipped).toEqual([]);
    expect(ruleset.rules).toHaveLength(rules.length);
  });

  it('each carry msg, sid, rev, classtype, level and references', () => {
    const problems: string[] = [];
    for (const r of rules) {
      const where = `${r.loc.file}:${r.loc.line}`;
      const msg = optionValue(r, 'msg');
      if (msg === undefined || !/^"KANSHI [A-Z-]+ .+"$/.test(msg)) problems.push(`${where}: msg must read "KANSHI AREA ...": ${msg}`);
      if (optionValue(r, 'rev') === undefined) problems.push(`${where}: no rev`);
      const classtype = optionValue(r, 'classtype');
      if (classtype === undefined || lookupClassification(classtype) === undefined) problems.push(`${where}: classtype ${classtype} is not a standard one`);
      const level = optionValue(r, 'level');
      if (level === undefined || !isLevel(level)) problems.push(`${where}: level ${level}`);
      const refs = optionValues(r, 'reference');
      if (refs.length === 0) problems.push(`${where}: no reference`);
      for (const ref of refs) if (!REFERENCE_TYPES.has(ref.split(',')[0]!)) problems.push(`${where}: reference ${ref}`);
      if (r.action !== 'alert') problems.push(`${where}: action ${r.action}`);
      if (optionValue(r, 'gid') !== undefined) problems.push(`${where}: gid set (kanshi rules use gid 1)`);
    }
    expect(problems).toEqual([]);
  });

  it('have unique sids inside the sub-range their file declares', () => {
    const seen = new Map<number, string>();
    const problems: string[] = [];
    for (const f of rulesFiles()) {
      const text = readFileSync(join(RULES_DIR, f), 'utf8');
      const m = /^# sids (\d+)-(\d+)$/m.exec(text);
      if (m === null) {
        problems.push(`${f}: no "# sids A-B" header`);
        continue;
      }
      const lo = Number(m[1]);
      const hi = Number(m[2]);
      if (lo < SID_MIN || hi > SID_MAX || lo > hi) problems.push(`${f}: sub-range ${lo}-${hi} outside ${SID_MIN}-${SID_MAX}`);
      for (const r of shipped.byFile.get(f) ?? []) {
        const sid = sidOf(r);
        if (sid < lo || sid > hi) problems.push(`${f}:${r.loc.line}: sid ${sid} outside ${lo}-${hi}`);
        const other = seen.get(sid);
        if (other !== undefined) problems.push(`${f}:${r.loc.line}: sid ${sid} also in ${other}`);
        seen.set(sid, `${f}:${r.loc.line}`);
      }
    }
    // Sub-ranges of different files never overlap.
    const ranges = rulesFiles()
      .map((f) => /^# sids (\d+)-(\d+)$/m.exec(readFileSync(join(RULES_DIR, f), 'utf8')))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [Number(m[1]), Number(m[2])] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) if (ranges[i]![0] <= ranges[i - 1]![1]) problems.push(`overlapping sub-ranges ${ranges[i - 1]} and ${ranges[i]}`);
    expect(problems).toEqual([]);
  });

  it('are all listed in the SID table of rules/README.md with their level and msg', () => {
    const readme = readFileSync(join(RULES_DIR, 'README.md'), 'utf8');
    const table = new Map<number, { msg: string; level: string }>();
    for (const line of readme.split('\n')) {
      const m = /^\| (3\d{6}) \| (.+?) \| (Information|Warning|Critical|Emergency) \|/.exec(line);
      if (m !== null) table.set(Number(m[1]), { msg: m[2]!, level: m[3]! });
    }
    const fromRules = new Map(rules.map((r) => [sidOf(r), { msg: optionValue(r, 'msg')!.slice(1, -1).replace(/\|/g, '\\|'), level: optionValue(r, 'level')! }]));
    expect([...table.keys()].sort()).toEqual([...fromRules.keys()].sort());
    for (const [sid, row] of fromRules) expect(table.get(sid), `sid ${sid}`).toEqual(row);
  });
});

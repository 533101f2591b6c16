/**
 * Every capture in ../shared/corpora scanned with the ET Open rule set and the Snort community
 * set (every rule uncommented): no exception, every input read to its end.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ruleset } from '../../src/match/ruleset.js';
import { Scanner } from '../../src/match/scanner.js';
import { RuleLoader } from '../../src/rule/loader.js';
import { VariableTable } from '../../src/rule/variables.js';
import { CORPORA, corpus } from '../corpora.js';

function captures(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...captures(p));
    else if (/\.(pcap|pcapng|cap)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

function scanAll(ruleset: Ruleset): { files: number; frames: number; alerts: number } {
  let alerts = 0;
  let frames = 0;
  const files = captures(CORPORA);
  for (const f of files) {
    const scanner = new Scanner(ruleset, () => alerts++);
    const r = scanner.scanCaptureFile(f);
    expect(r.error, f).toBeUndefined();
    expect(r.frames, f).toBeGreaterThan(0);
    frames += r.frames;
  }
  return { files: files.length, frames, alerts };
}

const ET = corpus('et-open-suricata5-20240421');
const COMMUNITY = corpus('snort-community', 'community.rules');

describe.skipIf(!existsSync(ET) || !existsSync(COMMUNITY))('corpora captures', () => {
  it('scan with ET Open without an error', () => {
    const loader = new RuleLoader({ vars: VariableTable.withDefaults() });
    for (const f of readdirSync(ET).filter((f) => f.endsWith('.rules')).sort()) loader.loadFile(join(ET, f));
    const ruleset = new Ruleset(loader.rules);
    expect(ruleset.rules.length).toBeGreaterThan(15000);
    const r = scanAll(ruleset);
    expect(r.files).toBeGreaterThan(50);
    expect(r.alerts).toBeGreaterThan(0);
  }, 120_000);

  it('scan with every community rule without an error', () => {
    const text = readFileSync(COMMUNITY, 'utf8').replace(/^#\s*((?:alert|log|pass|drop|reject|sdrop)\s)/gm, '$1');
    const loader = new RuleLoader({ vars: VariableTable.withDefaults() });
    loader.loadText(COMMUNITY, text);
    const ruleset = new Ruleset(loader.rules);
    expect(ruleset.rules.length).toBeGreaterThan(3500);
    expect(statSync(COMMUNITY).size).toBeGreaterThan(0);
    const r = scanAll(ruleset);
    expect(r.alerts).toBeGreaterThan(0);
  }, 120_000);
});

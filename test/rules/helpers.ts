import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../corpora.js';
import { ruleSid, type Rule } from '../../src/rule/ast.js';
import { DiagnosticCollector, RuleLoader, VariableTable } from '../../src/rule/index.js';
import { Ruleset } from '../../src/match/ruleset.js';
import { Scanner } from '../../src/match/scanner.js';

export const RULES_DIR = join(REPO_ROOT, 'rules');
export const SAMPLES_DIR = join(REPO_ROOT, 'samples');

/** The shipped rules files, sorted. */
export function rulesFiles(): string[] {
  return readdirSync(RULES_DIR)
    .filter((f) => f.endsWith('.rules'))
    .sort();
}

export interface LoadedRules {
  rules: Rule[];
  /** Rules by the file they come from (file name without directory). */
  byFile: Map<string, Rule[]>;
  collector: DiagnosticCollector;
}

/** Loads every shipped rules file, with variables set as on the command line. */
export function loadShippedRules(vars: Readonly<Record<string, string>> = {}): LoadedRules {
  const table = VariableTable.withDefaults();
  for (const [k, v] of Object.entries(vars)) table.set(k, v, table.kind(k) ?? 'ip');
  const collector = new DiagnosticCollector();
  const loader = new RuleLoader({ vars: table, fixedVars: new Set(Object.keys(vars)), collector });
  const byFile = new Map<string, Rule[]>();
  for (const f of rulesFiles()) {
    const before = loader.rules.length;
    loader.loadFile(join(RULES_DIR, f));
    byFile.set(f, loader.rules.slice(before));
  }
  return { rules: loader.rules, byFile, collector };
}

/** The value text of the first option with this keyword, trimmed (undefined when absent). */
export function optionValue(rule: Rule, keyword: string): string | undefined {
  return rule.options.find((o) => o.keyword === keyword)?.raw?.trim();
}

export function optionValues(rule: Rule, keyword: string): string[] {
  return rule.options.filter((o) => o.keyword === keyword).map((o) => (o.raw ?? '').trim());
}

export function sidOf(rule: Rule): number {
  const sid = ruleSid(rule);
  if (sid === undefined) throw new Error(`rule without sid at ${rule.loc.file}:${rule.loc.line}`);
  return sid;
}

export interface SampleSpec {
  kind: 'pcap' | 'log';
  expect: number[];
  against?: number[];
  shows: string;
}

export interface Manifest {
  vars: Record<string, string>;
  samples: Record<string, SampleSpec>;
}

export function readManifest(dir = SAMPLES_DIR): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

export function buildRuleset(vars: Readonly<Record<string, string>>): Ruleset {
  return new Ruleset(loadShippedRules(vars).rules);
}

/**
 * Alert counts by sid for the given sample files, scanned in order by one scanner (shared state);
 * the scanner's counters are copied into `counters` when given.
 */
export async function scanSamples(ruleset: Ruleset, files: readonly string[], manifest: Manifest, counters?: Record<string, number>): Promise<Map<number, number>> {
  const hits = new Map<number, number>();
  const scanner = new Scanner(ruleset, (alert) => hits.set(alert.sid, (hits.get(alert.sid) ?? 0) + 1));
  for (const file of files) {
    const path = join(SAMPLES_DIR, file);
    const result = manifest.samples[file]!.kind === 'pcap' ? scanner.scanCaptureFile(path) : await scanner.scanLogFile(path);
    if (result.error !== undefined) throw new Error(`${file}: ${result.error}`);
  }
  if (counters !== undefined) Object.assign(counters, scanner.counters());
  return hits;
}

export function sortedSids(hits: ReadonlyMap<number, number>): number[] {
  return [...hits.keys()].sort((a, b) => a - b);
}

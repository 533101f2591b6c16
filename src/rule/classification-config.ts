import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Classification } from '../options/lib/classifications.js';
import { describeFsError } from '../types/fs-error.js';
import type { DiagnosticCollector } from './diagnostics.js';

// The description may hold commas: the priority is what follows the last one (as Suricata's pattern reads it).
const LINE = /^\s*config\s+classification\s*:\s*([^,]*),(.*),\s*(\S*)\s*$/;
const NAME = /^[A-Za-z0-9_-]+$/;

/**
 * The classification.config files a set of rules paths brings along, as Suricata reads one
 * beside its rules: `DIR/classification.config` for a directory, the one in a rules file's own
 * directory for a file. Each once, in the order given.
 */
export function classificationConfigsFor(rulesPaths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of rulesPaths) {
    let dir: string;
    try {
      dir = statSync(p).isDirectory() ? p : dirname(p);
    } catch {
      continue;
    }
    const file = resolve(join(dir, 'classification.config'));
    if (!out.includes(file) && existsSync(file)) out.push(file);
  }
  return out;
}

/**
 * `config classification: name,description,priority` lines; comments and blank lines skipped.
 * A line that is not one is a warning at its position (the rest is read), as is a priority that
 * is not a number from 1 up.
 */
export function readClassificationConfig(path: string, collector: DiagnosticCollector): Classification[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    collector.add({ file: path, line: 1, col: 1, severity: 'warning', message: `cannot read classification file: ${describeFsError(e)}`, length: 1 });
    return [];
  }
  const out: Classification[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/^\uFEFF/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const warn = (message: string, col = 1): void => {
      collector.add({ file: path, line: i + 1, col, severity: 'warning', message, length: Math.max(1, line.trim().length), sourceLine: line });
    };
    const m = LINE.exec(line);
    if (m === null) {
      warn('not a classification: write config classification: name,description,priority (e.g. config classification: web-application-attack,Web Application Attack,1)', line.search(/\S/) + 1);
      return;
    }
    const name = m[1]!.trim();
    const priority = Number(m[3]);
    if (!NAME.test(name)) return warn(`classification name "${name}" is not letters, digits, - and _`, line.indexOf(m[1]!) + 1);
    if (!Number.isInteger(priority) || priority < 1) return warn(`priority "${m[3]}" of ${name} is not a number from 1 (most severe) up`, line.lastIndexOf(m[3]!) + 1);
    out.push({ name, description: m[2]!.trim(), priority });
  });
  return out;
}

/** Every class the classification.config files beside these rules paths define (later files win). */
export function siteClassifications(rulesPaths: readonly string[], collector: DiagnosticCollector): Classification[] {
  const out: Classification[] = [];
  for (const file of classificationConfigsFor(rulesPaths)) out.push(...readClassificationConfig(file, collector));
  return out;
}

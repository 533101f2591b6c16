import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPORA } from '../corpora.js';
import { Scanner } from '../../src/match/scanner.js';
import { RULES_DIR, buildRuleset } from './helpers.js';

/**
 * The shipped rules over every public capture: every hit must be the one rules/README.md lists
 * and explains (sid, capture, count), so a rule change that adds a hit on the corpora fails here
 * until the hit is looked at and documented.
 */
function captures(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? captures(join(dir, e.name)) : /\.pcap(ng)?$/.test(e.name) ? [join(dir, e.name)] : []))
    .sort();
}

function documentedHits(): Record<string, number> {
  const readme = readFileSync(join(RULES_DIR, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Hits on the public corpora'));
  const out: Record<string, number> = {};
  for (const line of section.split('\n')) {
    const m = /^\| (3\d{6}) \| (\d+) \| `([^`]+)` \|/.exec(line);
    if (m !== null) out[`${m[1]} ${m[3]}`] = Number(m[2]);
  }
  return out;
}

describe('shipped rules on the public corpora', () => {
  it('hit exactly what rules/README.md documents', () => {
    const files = captures(CORPORA);
    expect(files.length).toBeGreaterThan(50);
    const ruleset = buildRuleset({});
    const hits: Record<string, number> = {};
    for (const file of files) {
      const name = relative(CORPORA, file);
      const scanner = new Scanner(ruleset, (alert) => {
        const key = `${alert.sid} ${name}`;
        hits[key] = (hits[key] ?? 0) + 1;
      });
      scanner.scanCaptureFile(file);
    }
    expect(hits).toEqual(documentedHits());
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../corpora.js';
import { SAMPLES_DIR, loadShippedRules, readManifest, sidOf } from './helpers.js';

const manifest = readManifest();
const entries = Object.entries(manifest.samples);
const sids = new Set(loadShippedRules().rules.map(sidOf));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('samples/manifest.json', () => {
  it('lists every sample file, and only files that exist', () => {
    const onDisk = walk(SAMPLES_DIR)
      .map((p) => relative(SAMPLES_DIR, p))
      .filter((p) => p !== 'manifest.json' && p !== 'README.md')
      .sort();
    expect(entries.map(([f]) => f).sort()).toEqual(onDisk);
  });

  it('names only shipped sids, and gives every rule a positive and a negative sample', () => {
    const positive = new Set<number>();
    const negative = new Set<number>();
    for (const [file, spec] of entries) {
      expect(file.startsWith(spec.kind === 'pcap' ? 'pcap/' : 'logs/'), file).toBe(true);
      for (const sid of spec.expect) {
        expect(sids.has(sid), `${file} expects unknown sid ${sid}`).toBe(true);
        positive.add(sid);
      }
      if (spec.expect.length === 0) {
        expect(spec.against?.length ?? 0, `${file} is a negative sample without "against"`).toBeGreaterThan(0);
        for (const sid of spec.against ?? []) {
          expect(sids.has(sid), `${file} names unknown sid ${sid}`).toBe(true);
          negative.add(sid);
        }
      } else {
        expect(spec.against, `${file}: positive samples carry no "against"`).toBeUndefined();
      }
    }
    expect([...sids].filter((s) => !positive.has(s)).sort(), 'rules without a positive sample').toEqual([]);
    expect([...sids].filter((s) => !negative.has(s)).sort(), 'rules without a negative sample').toEqual([]);
  });

  it('keeps samples/ well under 5 MB', () => {
    const total = walk(SAMPLES_DIR).reduce((n, p) => n + statSync(p).size, 0);
    expect(total).toBeLessThan(5 * 1024 * 1024);
  });
});

describe('scripts/make-samples.ts', () => {
  const out = mkdtempSync(join(tmpdir(), 'kanshi-samples-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('regenerates samples/ byte for byte (deterministic, and the committed files are current)', () => {
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'scripts', 'make-samples.ts'), out], { cwd: REPO_ROOT, stdio: 'pipe' });
    const fresh = walk(out).map((p) => relative(out, p)).sort();
    const committed = walk(SAMPLES_DIR).map((p) => relative(SAMPLES_DIR, p)).sort();
    expect(fresh).toEqual(committed);
    const differing = fresh.filter((f) => !readFileSync(join(out, f)).equals(readFileSync(join(SAMPLES_DIR, f))));
    expect(differing).toEqual([]);
  });
});

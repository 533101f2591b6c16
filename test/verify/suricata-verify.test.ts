/**
 * suricata-verify cases (../shared/corpora/suricata-verify, see CANDIDATES.tsv): every case
 * kanshi supports must pass; the others are listed here with the reason.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpus } from '../corpora.js';
import { findCases, runCase } from './suricata-verify.js';

const ROOT = corpus('suricata-verify', 'tests');

/** Cases kanshi does not (or deliberately does not) reproduce, and why. */
export const SKIPPED: Readonly<Record<string, string>> = {
  'detect-bytetest-02':
    'Suricata alerts twice on one match (once on the packet, once more on the reassembled stream at flow end); kanshi alerts once per match',
  'detect-engine-proto':
    'a header-only `alert http` rule: Suricata matches it on some packets of an HTTP flow depending on when its protocol detection completed; kanshi on every packet of the flow once HTTP is detected',
};

describe.skipIf(!existsSync(ROOT))('suricata-verify', () => {
  const cases = findCases(ROOT);

  it('finds the cases listed in CANDIDATES.tsv', () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
    for (const name of Object.keys(SKIPPED)) expect(cases.map((c) => c.name)).toContain(name);
  });

  for (const c of cases) {
    const reason = SKIPPED[c.name];
    if (reason !== undefined) {
      it.skip(`${c.name} — ${reason}`, () => undefined);
      continue;
    }
    it(c.name, () => {
      expect(c.checks.length, 'a case with no alert expectation checks nothing').toBeGreaterThan(0);
      const r = runCase(c);
      expect(r.failures, JSON.stringify(r.alerts.map((a) => (a.alert as { signature_id: number }).signature_id))).toEqual([]);
    });
  }
});

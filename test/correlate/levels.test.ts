import { describe, expect, it } from 'vitest';
import { classtypeLevels, Correlator, defaultLevel, type CorrelatedEvent } from '../../src/correlate/index.js';
import { standardClasstypes } from '../../src/correlate/classifications.js';
import { correlate, hit, policyOf } from './helpers.js';

const levelOf = (classtype: string | undefined, severity: number): string => {
  const { events } = correlate('', [hit({ classtype, severity })]);
  return events[0]!.level;
};

describe('default levels follow the SOC definitions', () => {
  it('Information: routine or likely harmless traffic (instant messaging, policy, misc activity)', () => {
    expect(levelOf('policy-violation', 1)).toBe('Information');
    expect(levelOf('misc-activity', 3)).toBe('Information');
    expect(levelOf('protocol-command-decode', 3)).toBe('Information');
    expect(levelOf('not-suspicious', 3)).toBe('Information');
  });

  it('Warning: port scans, probes, and attack attempts whose success is unknown', () => {
    expect(levelOf('network-scan', 3)).toBe('Warning');
    expect(levelOf('attempted-recon', 2)).toBe('Warning');
    expect(levelOf('successful-recon-limited', 2)).toBe('Warning');
    expect(levelOf('web-application-attack', 1)).toBe('Warning');
    expect(levelOf('attempted-admin', 1)).toBe('Warning');
    expect(levelOf('shellcode-detect', 1)).toBe('Warning');
  });

  it('Critical: an intrusion very likely succeeded, including worm or trojan infection', () => {
    expect(levelOf('successful-admin', 1)).toBe('Critical');
    expect(levelOf('successful-user', 1)).toBe('Critical');
    expect(levelOf('trojan-activity', 1)).toBe('Critical');
    expect(levelOf('command-and-control', 1)).toBe('Critical');
  });

  it('priority decides when the classtype is unknown: 1-2 Warning, 3 and above Information', () => {
    expect(levelOf(undefined, 1)).toBe('Warning');
    expect(levelOf('some-local-class', 2)).toBe('Warning');
    expect(levelOf(undefined, 3)).toBe('Information');
    expect(levelOf(undefined, 4)).toBe('Information');
    expect(defaultLevel(undefined, 1)).toEqual({ level: 'Warning', source: 'priority' });
  });

  it('maps every standard classtype, and none to Emergency (that takes evidence)', () => {
    const table = classtypeLevels();
    for (const c of standardClasstypes()) expect(table.has(c), c).toBe(true);
    expect([...table.values()]).not.toContain('Emergency');
  });
});

describe("a rule's own level", () => {
  it('is kept when the rule gives one, whatever the mapping says', () => {
    const out: CorrelatedEvent[] = [];
    const c = new Correlator(policyOf(''), { onEvent: (e) => out.push(e), ruleFacts: (_g, sid) => ({ levelExplicit: sid === 1 }) });
    c.push(hit({ sid: 1, level: 'Emergency', classtype: 'misc-activity' }));
    c.push(hit({ sid: 2, level: 'Emergency', classtype: 'misc-activity' }));
    c.push(hit({ sid: 3, level: 'Critical', classtype: 'misc-activity' }), { levelExplicit: true });
    expect(out.map((e) => e.level)).toEqual(['Emergency', 'Information', 'Critical']);
  });
});

describe('classify', () => {
  it('sets the base level of a classtype or a rule, most specific first', () => {
    const p = 'classify classtype misc-activity, level Warning\nclassify gen_id 1, sig_id 5, level Critical';
    const { events } = correlate(p, [
      hit({ sid: 4, classtype: 'misc-activity', severity: 3 }),
      hit({ sid: 5, classtype: 'misc-activity', severity: 3 }),
      hit({ sid: 6, classtype: 'attempted-admin' }),
    ]);
    expect(events.map((e) => e.level)).toEqual(['Warning', 'Critical', 'Warning']);
  });

  it("does not override a rule's explicit level", () => {
    const out: CorrelatedEvent[] = [];
    const c = new Correlator(policyOf('classify classtype misc-activity, level Critical'), { onEvent: (e) => out.push(e) });
    c.push(hit({ classtype: 'misc-activity', level: 'Information' }), { levelExplicit: true });
    expect(out[0]!.level).toBe('Information');
  });
});

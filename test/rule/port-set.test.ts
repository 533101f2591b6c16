import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parsePortText } from '../../src/rule/port-set.js';
import { VariableTable } from '../../src/rule/variables.js';
import { recordingSink } from './helpers.js';

function ports(text: string, vars = VariableTable.withDefaults()) {
  const sink = recordingSink();
  return { s: parsePortText(text, vars, sink), items: sink.items };
}

describe('parsePortText', () => {
  it('reads any, single ports, open and closed ranges, lists and negation', () => {
    expect(ports('any').s!.isAny).toBe(true);
    const r = ports('[80,443,8000:8100,!8050]').s!;
    for (const [p, want] of [[80, true], [81, false], [443, true], [8000, true], [8050, false], [8100, true], [8101, false]] as const) {
      expect(r.contains(p)).toBe(want);
    }
    expect(ports('1024:').s!.contains(65535)).toBe(true);
    expect(ports('1024:').s!.contains(1023)).toBe(false);
    expect(ports(':1023').s!.contains(0)).toBe(true);
    expect(ports(':1023').s!.contains(1024)).toBe(false);
    expect(ports('!80').s!.contains(80)).toBe(false);
    expect(ports('!80').s!.contains(79)).toBe(true);
    // How many ports a set holds.
    expect(ports('any').s!.size).toBe(65536);
    expect(r.size).toBe(1 + 1 + 101 - 1);
    expect(ports('!80').s!.size).toBe(65535);
    expect(ports('1434').s!.size).toBe(1);
  });

  it('expands the default port variables', () => {
    expect(ports('$HTTP_PORTS').s!.contains(80)).toBe(true);
    expect(ports('$SHELLCODE_PORTS').s!.contains(80)).toBe(false);
    expect(ports('$FILE_DATA_PORTS').s!.contains(143)).toBe(true);
    expect(ports('$ORACLE_PORTS').s!.contains(1521)).toBe(true);
  });

  it('reports problems with what to write instead, at their offset', () => {
    expect(ports('70000').items).toEqual([{ severity: 'error', message: 'port 70000 out of range: ports are 0 to 65535', offset: 0, length: 5 }]);
    expect(ports('[80,1:99999]').items).toEqual([{ severity: 'error', message: 'port 99999 out of range: ports are 0 to 65535', offset: 6, length: 5 }]);
    expect(ports('1024:80').items).toEqual([{ severity: 'error', message: 'port range 1024:80 is reversed: write 80:1024', offset: 0, length: 7 }]);
    expect(ports('http').items[0]!.message).toBe("'http' is not a port number: write a port (80), a range (1024:65535, 1024:, :1023), any, or a $VARIABLE");
    expect(ports('[80,]').items[0]!.message).toBe("empty element in port list: remove the extra ','");
    expect(ports('$HOME_NET').items[0]!.message).toBe('$HOME_NET is an address variable: it cannot stand for ports here');
  });
});

type PortSpec = { lo: number; hi: number; neg: boolean };

describe('PortSet.contains (property)', () => {
  it('agrees with the list semantics for random lists of ranges', () => {
    const range = fc
      .record({ a: fc.integer({ min: 0, max: 65535 }), b: fc.integer({ min: 0, max: 65535 }), neg: fc.boolean() })
      .map(({ a, b, neg }): PortSpec => ({ lo: Math.min(a, b), hi: Math.max(a, b), neg }));
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 20 }), (items, probes) => {
        const text = `[${items.map((i) => `${i.neg ? '!' : ''}${i.lo === i.hi ? i.lo : `${i.lo}:${i.hi}`}`).join(',')}]`;
        const holds = (p: number): boolean => {
          const plus = items.filter((i) => !i.neg);
          const inPlus = plus.length === 0 || plus.some((i) => p >= i.lo && p <= i.hi);
          return inPlus && !items.some((i) => i.neg && p >= i.lo && p <= i.hi);
        };
        const sink = recordingSink();
        const set = parsePortText(text, VariableTable.withDefaults(), sink);
        const all = [...probes, ...items.flatMap((i) => [i.lo, i.hi, Math.max(0, i.lo - 1), Math.min(65535, i.hi + 1)])];
        if (set === undefined) {
          for (const p of all) expect(holds(p)).toBe(false);
          return;
        }
        for (const p of all) expect(set.contains(p)).toBe(holds(p));
      }),
      { numRuns: 300 },
    );
  });
});

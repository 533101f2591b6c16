import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAddressText } from '../../src/rule/ip-set.js';
import { VariableTable } from '../../src/rule/variables.js';
import { ip4, ip6, recordingSink } from './helpers.js';

const vars = (): VariableTable => VariableTable.withDefaults();

function set(text: string, v = vars()) {
  const sink = recordingSink();
  const s = parseAddressText(text, v, sink);
  return { s, items: sink.items };
}

describe('parseAddressText', () => {
  it('reads any, single addresses and CIDR blocks of both families', () => {
    expect(set('any').s!.isAny).toBe(true);
    const one = set('192.0.2.7').s!;
    expect(one.isAny).toBe(false);
    expect(one.contains(ip4('192.0.2.7'))).toBe(true);
    expect(one.contains(ip4('192.0.2.8'))).toBe(false);
    const block = set('10.0.0.0/8').s!;
    expect(block.contains(ip4('10.255.255.255'))).toBe(true);
    expect(block.contains(ip4('11.0.0.0'))).toBe(false);
    expect(block.contains(ip6('::a00:1'))).toBe(false);
    const v6 = set('2001:db8::/32').s!;
    expect(v6.contains(ip6('2001:db8:ffff::1'))).toBe(true);
    expect(v6.contains(ip6('2001:db9::'))).toBe(false);
    expect(v6.contains(ip4('32.1.13.184'))).toBe(false);
  });

  it('masks host bits of a CIDR block and accepts a dotted netmask', () => {
    expect(set('192.168.1.77/24').s!.contains(ip4('192.168.1.1'))).toBe(true);
    expect(set('10.0.0.0/255.255.0.0').s!.contains(ip4('10.0.200.1'))).toBe(true);
    expect(set('10.0.0.0/255.255.0.0').s!.contains(ip4('10.1.0.1'))).toBe(false);
  });

  it('subtracts negated elements inside a list, and negates a bare element against everything', () => {
    const s = set('[10.0.0.0/8,!10.1.0.0/16, 192.0.2.1]').s!;
    expect(s.contains(ip4('10.2.0.1'))).toBe(true);
    expect(s.contains(ip4('10.1.2.3'))).toBe(false);
    expect(s.contains(ip4('192.0.2.1'))).toBe(true);
    const not = set('!192.0.2.1').s!;
    expect(not.contains(ip4('192.0.2.1'))).toBe(false);
    expect(not.contains(ip4('192.0.2.2'))).toBe(true);
    expect(not.contains(ip6('::1'))).toBe(true);
    const onlyNegations = set('[!10.0.0.0/8,!192.168.0.0/16]').s!;
    expect(onlyNegations.contains(ip4('8.8.8.8'))).toBe(true);
    expect(onlyNegations.contains(ip4('192.168.3.3'))).toBe(false);
    const nested = set('[10.0.0.0/8,![10.1.0.0/16,![10.1.1.0/24]]]').s!;
    expect(nested.contains(ip4('10.1.1.9'))).toBe(true);
    expect(nested.contains(ip4('10.1.2.9'))).toBe(false);
  });

  it('expands variables through other variables, and sees later changes', () => {
    const v = vars();
    v.set('HOME_NET', '[10.0.0.0/8,192.168.0.0/16]', 'ip');
    const s = set('$HTTP_SERVERS', v).s!;
    expect(s.contains(ip4('192.168.1.1'))).toBe(true);
    expect(s.contains(ip4('8.8.8.8'))).toBe(false);
    v.set('HOME_NET', '172.16.0.0/12', 'ip');
    expect(set('$HTTP_SERVERS', v).s!.contains(ip4('192.168.1.1'))).toBe(false);
  });

  it('reports problems with what to write instead, at their offset', () => {
    expect(set('10.0.0.0/33').items).toEqual([
      { severity: 'error', message: "bad CIDR '10.0.0.0/33': the prefix length of an IPv4 block is 0 to 32, as in 10.0.0.0/8", offset: 9, length: 2 },
    ]);
    expect(set('[1.2.3.4,$NOPE]').items).toEqual([
      { severity: 'error', message: 'undefined variable $NOPE: define it with --var NOPE=VALUE or an ipvar line', offset: 9, length: 5 },
    ]);
    expect(set('[1.2.3.4').items).toEqual([{ severity: 'error', message: "missing ']' to close the address list opened here", offset: 0, length: 1 }]);
    expect(set('1.2.3').items[0]!.message).toMatch(/^'1\.2\.3' is not an IP address: write an IPv4 address/);
    expect(set('!any').items[0]!.message).toBe("address '!any' matches nothing: it negates everything it lists");
    expect(set('$HTTP_PORTS').items[0]!.message).toBe('$HTTP_PORTS is a port variable: it cannot stand for addresses here');
  });

  it('reports a variable that refers to itself', () => {
    const v = vars();
    v.set('A', '[$B,1.2.3.4]', 'ip');
    v.set('B', '$A', 'ip');
    const r = set('$A', v);
    expect(r.s).toBeUndefined();
    expect(r.items[0]!.message).toContain('refers to itself ($A -> $B -> $A)');
  });

  it('expands each variable once per evaluation, however often the others repeat it', () => {
    const v = vars();
    v.set('A0', '10.0.0.1', 'ip');
    // 2^40 expansions if each use expanded again.
    for (let i = 1; i <= 40; i++) v.set(`A${i}`, `[$A${i - 1},$A${i - 1}]`, 'ip');
    const r = set('$A40', v);
    expect(r.items).toEqual([]);
    expect(r.s!.contains(ip4('10.0.0.1'))).toBe(true);
  });

  it('stops a chain of variables deeper than 64 with an error, not a stack overflow', () => {
    const v = vars();
    for (let i = 0; i < 3000; i++) v.set(`V${i}`, `$V${i + 1}`, 'ip');
    v.set('V3000', '10.0.0.1', 'ip');
    const r = set('$V0', v);
    expect(r.s).toBeUndefined();
    expect(r.items).toHaveLength(1);
    expect(r.items[0]!.message).toMatch(/variables defined through more than 64 other variables \(from \$V0\): define one of them with its value$/);
    v.set('V63', '10.0.0.1', 'ip'); // $V0 through $V63: 64 deep
    expect(set('$V0', v).items).toEqual([]);
  });

  it('names the broken definition of a variable rather than calling it undefined', () => {
    const v = vars();
    v.markInvalid('BAD_NET', 'local.rules:1');
    expect(set('$BAD_NET', v).items[0]!.message).toBe('$BAD_NET has no value: its definition at local.rules:1 has errors; fix it there');
  });

  it('warns, rather than fails, when only the current variables make a set empty', () => {
    const r = set('!$HOME_NET');
    expect(r.items).toHaveLength(1);
    expect(r.items[0]!.severity).toBe('warning');
    expect(r.s!.isEmpty).toBe(true);
  });
});

/** Reference semantics: a list holds an address when a plain element does and no negated one does. */
type Spec = { kind: 'cidr'; base: number; bits: number; neg: boolean } | { kind: 'list'; items: Spec[]; neg: boolean };

function specText(s: Spec): string {
  const body = s.kind === 'cidr' ? `${[24, 16, 8, 0].map((sh) => (s.base >>> sh) & 255).join('.')}/${s.bits}` : `[${s.items.map(specText).join(',')}]`;
  return (s.neg ? '!' : '') + body;
}

function holds(s: Spec, x: number): boolean {
  let inner: boolean;
  if (s.kind === 'cidr') {
    const size = 2 ** (32 - s.bits);
    inner = Math.floor(x / size) === Math.floor(s.base / size);
  } else {
    const plus = s.items.filter((i) => !i.neg);
    const minus = s.items.filter((i) => i.neg);
    inner = (plus.length === 0 || plus.some((i) => holds({ ...i, neg: false }, x))) && !minus.some((i) => holds({ ...i, neg: false }, x));
  }
  return s.neg ? !inner : inner;
}

const cidr = fc.record({ kind: fc.constant('cidr' as const), base: fc.integer({ min: 0, max: 0xffffffff }), bits: fc.integer({ min: 0, max: 32 }), neg: fc.boolean() });
const spec: fc.Arbitrary<Spec> = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    cidr,
    fc.record({ kind: fc.constant('list' as const), items: fc.array(tie('spec'), { minLength: 1, maxLength: 4 }), neg: fc.boolean() }),
  ),
})).spec;

describe('IpSet.contains (property)', () => {
  it('agrees with the list semantics for random nested specs and addresses', () => {
    fc.assert(
      fc.property(spec, fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 20 }), (s, addrs) => {
        const sink = recordingSink();
        const set = parseAddressText(specText(s), VariableTable.withDefaults(), sink);
        if (set === undefined) {
          // Only an empty result is refused; check that the reference agrees it is empty here.
          expect(sink.items[0]!.message).toContain('matches nothing');
          for (const a of addrs) expect(holds(s, a)).toBe(false);
          return;
        }
        // Probe the edges of every block too, where off-by-one errors live.
        const probes = [...addrs];
        const collect = (x: Spec): void => {
          if (x.kind === 'cidr') {
            const size = 2 ** (32 - x.bits);
            const start = Math.floor(x.base / size) * size;
            probes.push(start, start + size - 1, Math.max(0, start - 1), Math.min(0xffffffff, start + size));
          } else x.items.forEach(collect);
        };
        collect(s);
        for (const a of probes) {
          const bytes = Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);
          expect(set.contains(bytes)).toBe(holds(s, a));
        }
      }),
      { numRuns: 300 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ALL_RANGE_OPS, parseRange, printRange, type RangeSpec } from '../../../src/options/lib/range.js';
import { trimmed } from '../../../src/options/lib/text.js';
import { sink } from '../helpers.js';

const TTL: RangeSpec = { keyword: 'ttl', min: 0, max: 255, ops: ALL_RANGE_OPS };

function run(raw: string, spec: RangeSpec = TTL) {
  const { ctx, diags } = sink();
  return { value: parseRange(trimmed(raw), spec, ctx), diags };
}

describe('numeric range grammar', () => {
  it.each([
    ['5', { op: '=', a: 5 }],
    ['!5', { op: '!=', a: 5 }],
    ['<5', { op: '<', a: 5 }],
    ['>5', { op: '>', a: 5 }],
    ['<=5', { op: '<=', a: 5 }],
    ['>=5', { op: '>=', a: 5 }],
    ['=5', { op: '=', a: 5 }],
    ['5<>9', { op: '<>', a: 5, b: 9 }],
    ['5-9', { op: '-', a: 5, b: 9 }],
    [' > 100 ', { op: '>', a: 100 }],
    ['5 <> 9', { op: '<>', a: 5, b: 9 }],
  ])('parses %j', (raw, want) => {
    const r = run(raw);
    expect(r.diags).toEqual([]);
    expect(r.value).toEqual(want);
  });

  it('prints every form canonically', () => {
    for (const raw of ['5', '!5', '<5', '>5', '<=5', '>=5', '5<>9', '5-9']) expect(printRange(run(raw).value!)).toBe(raw);
    expect(printRange(run('=5').value!)).toBe('5');
  });

  it('reports a value out of range at the number', () => {
    expect(run('>300').diags).toEqual([{ severity: 'error', message: 'ttl value 300 is out of range: use 0 to 255', offset: 1, length: 3 }]);
    expect(run('5<>300').diags).toEqual([{ severity: 'error', message: 'ttl value 300 is out of range: use 0 to 255', offset: 3, length: 3 }]);
  });

  it('reports a missing number with the forms the keyword takes', () => {
    const spec: RangeSpec = { keyword: 'icmp_id', min: 0, max: 65535, ops: ['='] };
    expect(run('abc', spec).diags).toEqual([{ severity: 'error', message: 'icmp_id expects a number such as icmp_id:5, not "abc"', offset: 0, length: 3 }]);
  });

  it('rejects a form the keyword does not take', () => {
    const spec: RangeSpec = { keyword: 'tos', min: 0, max: 255, ops: ['=', '!='] };
    expect(run('<5', spec).diags).toEqual([{ severity: 'error', message: 'tos does not take the "<" form: write tos:5 or tos:!5', offset: 0, length: 2 }]);
  });

  it('rejects an empty range and says which way round to write it', () => {
    expect(run('9<>5').diags).toEqual([{ severity: 'error', message: 'range 9<>5 is empty: write the smaller number first, e.g. ttl:5<>9', offset: 0, length: 4 }]);
    expect(run('5-5').diags[0]!.message).toBe('range 5-5 is empty: write the smaller number first, e.g. ttl:5-6');
  });

  it('reports trailing text and a missing upper bound at their offsets', () => {
    expect(run('5x').diags).toEqual([
      { severity: 'error', message: 'unexpected "x" after the number: ttl takes ttl:5, ttl:!5, ttl:<5, ttl:>5, ttl:<=5, ttl:>=5, ttl:5<>9 or ttl:5-9', offset: 1, length: 1 },
    ]);
    expect(run('5<>').diags).toEqual([{ severity: 'error', message: 'ttl range needs an upper bound: write ttl:5<>6', offset: 3, length: 1 }]);
  });

  it('reads hex where the keyword allows it', () => {
    const spec: RangeSpec = { keyword: 'tos', min: 0, max: 255, ops: ['=', '!='], hex: true };
    expect(run('0x10', spec).value).toEqual({ op: '=', a: 16 });
    expect(run('!x10', spec).value).toEqual({ op: '!=', a: 16 });
    expect(run('0x1ff', spec).diags[0]!.message).toBe('tos value 511 is out of range: use 0 to 255');
  });
});

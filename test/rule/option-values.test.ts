import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseRules, type Rule } from '../../src/rule/index.js';
import { lookupKeyword } from '../../src/options/registry.js';
import { OptionValueCache } from '../../src/rule/option-values.js';
import { recordingSink } from './helpers.js';

const diags = (text: string): string[] => parseRules(text, { file: 't.rules' }).diagnostics.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`);
const option = (r: Rule, keyword: string) => r.options.find((o) => o.keyword === keyword)!;

describe('option values read once per text', () => {
  it('shares one value among the rules that write the same option text', () => {
    const r = parseRules(
      [
        'alert tcp any any -> any any (msg:"a"; flow:established,to_server; content:"|00 01|abc"; metadata:created_at 2024_01_01, tag x; sid:1;)',
        'alert tcp any any -> any any (msg:"b"; flow:established,to_server; content:"|00 01|abc"; metadata:created_at 2024_01_01, tag x; sid:2;)',
      ].join('\n'),
    ).rules;
    for (const k of ['flow', 'content', 'metadata']) expect(option(r[1]!, k).value).toBe(option(r[0]!, k).value);
    expect(r[1]!.body!.meta.metadata).toEqual([{ key: 'created_at', value: '2024_01_01' }, { key: 'tag', value: 'x' }]);
  });

  it('reports a repeated bad or doubtful value at every rule that writes it, each at its own place', () => {
    expect(
      diags(
        [
          'alert tcp any any -> any any (msg:"a"; flow:to_server,to_client; reference:foo,1; sid:1;)',
          'alert udp any any -> any any (msg:"bb"; flow:to_server,to_client; reference:foo,1; sid:2;)',
        ].join('\n'),
      ),
    ).toEqual([
      '1:55: error: conflicting flow options to_server and to_client: a flow cannot be both; keep one',
      '1:76: warning: unknown reference type "foo" (not in reference.config)',
      '2:56: error: conflicting flow options to_server and to_client: a flow cannot be both; keep one',
      '2:77: warning: unknown reference type "foo" (not in reference.config)',
    ]);
  });

  it('gives what the module gives, diagnostics included, on first and later reads (property)', () => {
    const keywords = ['flow', 'content', 'pcre', 'metadata', 'reference', 'byte_test', 'flowbits', 'threshold', 'isdataat', 'fast_pattern'];
    const text = fc.string({ unit: fc.constantFrom(...'ab,:;"|0 1!/\\$x_-'.split('')), maxLength: 16 });
    fc.assert(
      fc.property(fc.constantFrom(...keywords), fc.array(text, { minLength: 1, maxLength: 6 }), (keyword, raws) => {
        const module = lookupKeyword(keyword)!;
        const cache = new OptionValueCache();
        for (const raw of [...raws, ...raws]) {
          const direct = recordingSink();
          const cached = recordingSink();
          const expected = module.parse(raw, direct);
          expect(cache.read(module, raw, cached)).toEqual(expected);
          expect(cached.items).toEqual(direct.items);
        }
      }),
      { numRuns: 300 },
    );
  });
});

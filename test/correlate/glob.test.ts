import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CompiledGlob, globMatch } from '../../src/correlate/policy-values.js';

describe('URI globs', () => {
  it('a compiled glob answers as globMatch for every pattern and text', () => {
    const pattern = fc.stringMatching(/^[ab/*?]{0,8}$/);
    const text = fc.stringMatching(/^[ab/?*]{0,10}$/);
    fc.assert(
      fc.property(pattern, fc.array(text, { maxLength: 20 }), (p, texts) => {
        const g = new CompiledGlob(p);
        for (const t of texts) expect(g.matches(t), `${p} ${t}`).toBe(globMatch(p, t));
        expect(g.matches(p.replaceAll('*', '').replaceAll('?', 'a'))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('matches the usual shapes', () => {
    const health = new CompiledGlob('/healthcheck*');
    expect(health.matches('/healthcheck')).toBe(true);
    expect(health.matches('/healthcheck/live')).toBe(true);
    expect(health.matches('/index.php?id=1')).toBe(false);
    expect(health.matches('/Healthcheck')).toBe(false);
    expect(new CompiledGlob('/login').matches('/login')).toBe(true);
    expect(new CompiledGlob('/login').matches('/login/')).toBe(false);
    expect(new CompiledGlob('*').matches('')).toBe(true);
    expect(new CompiledGlob('*.php').matches('/a/b.php')).toBe(true);
    expect(new CompiledGlob('/a?c*').matches('/abcd')).toBe(true);
  });
});

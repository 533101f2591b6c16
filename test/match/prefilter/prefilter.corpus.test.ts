import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Prefilter, type PrefilterPattern } from '../../../src/match/prefilter/index.js';
import { corpus } from '../../corpora.js';
import { referenceIds, sorted } from './reference.js';

const ET_DIR = corpus('et-open-suricata5-20240421');

/** Every plain (non-negated) content of the active ET Open rules, decoded; nocase if one follows. */
function etContents(): PrefilterPattern[] {
  const patterns: PrefilterPattern[] = [];
  for (const file of readdirSync(ET_DIR).filter((f) => f.endsWith('.rules')).sort()) {
    for (const line of readFileSync(join(ET_DIR, file), 'latin1').split('\n')) {
      if (!line.startsWith('alert')) continue;
      const re = /content:"((?:[^"\\]|\\.)*)";([^]*?)(?=content:|$)/g;
      for (let m = re.exec(line); m; m = re.exec(line)) {
        const bytes = decode(m[1]!);
        if (bytes.length > 0) patterns.push({ id: patterns.length, bytes, nocase: /(^|;)\s*nocase;/.test(m[2]!) });
      }
    }
  }
  return patterns;
}

function decode(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '|') {
      const close = text.indexOf('|', i + 1);
      for (const h of text.slice(i + 1, close).trim().split(/\s+/)) if (h) out.push(parseInt(h, 16) & 0xff);
      i = close;
    } else if (text[i] === '\\') out.push(text.charCodeAt(++i) & 0xff);
    else out.push(text.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(out);
}

/** Deterministic pseudo-random numbers (xorshift32). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

describe('Prefilter on the ET Open contents', () => {
  it.skipIf(!existsSync(ET_DIR))('agrees with the reference on haystacks built from the rules themselves', () => {
    const patterns = etContents();
    expect(patterns.length).toBeGreaterThan(20_000);
    const m = Prefilter.build(patterns);
    const next = rng(0x5eed);
    const out = m.createCandidateSet();
    for (let round = 0; round < 4; round++) {
      // Pieces of real patterns (whole, cut, case-flipped) between random bytes.
      const parts: number[] = [];
      while (parts.length < 3000) {
        const p = patterns[Math.floor(next() * patterns.length)]!.bytes;
        const from = next() < 0.7 ? 0 : Math.floor(next() * p.length);
        for (let j = from; j < p.length; j++) parts.push(next() < 0.05 ? p[j]! ^ 0x20 : p[j]!);
        const gap = Math.floor(next() * 6);
        for (let j = 0; j < gap; j++) parts.push(Math.floor(next() * 256));
      }
      const haystack = Uint8Array.from(parts);
      out.clear();
      m.scan(haystack, out);
      expect(sorted(out.toArray())).toEqual(referenceIds(patterns, haystack));
    }
  });
});

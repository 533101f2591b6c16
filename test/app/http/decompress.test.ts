import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decompressBody, decompressLayerByBisection, ENC_DEFLATE, ENC_GZIP } from '../../../src/app/http/decompress.js';

describe('decompressBody', () => {
  it('stops a bomb at exactly the limit, in one pass', () => {
    const bomb = gzipSync(Buffer.alloc(20 << 20, 0x41));
    const d = decompressBody(bomb, ENC_GZIP, 1 << 20);
    expect(d).toMatchObject({ limited: true, failed: false });
    // The first `limit` bytes exactly (a search over input prefixes would stop short of it).
    expect(d.bytes.length).toBe(1 << 20);
    expect(d.bytes.every((b) => b === 0x41)).toBe(true);
  });

  it('reads every member of a multi-member gzip body', () => {
    const two = Buffer.concat([gzipSync(Buffer.from('first member, ')), gzipSync(Buffer.from('second member'))]);
    expect(Buffer.from(decompressBody(two, ENC_GZIP, 1 << 20).bytes).toString()).toBe('first member, second member');
    // The limit counts across members.
    expect(Buffer.from(decompressBody(two, ENC_GZIP, 20).bytes).toString()).toBe('first member, second');
  });

  it('keeps what a body cut short decodes to', () => {
    const big = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `line ${i * 7919 % 10007}\n`).join(''));
    const gz = gzipSync(big);
    const d = decompressBody(gz.subarray(0, gz.length >> 1), ENC_GZIP, 1 << 20);
    expect(d.failed).toBe(false);
    expect(d.bytes.length).toBeGreaterThan(big.length / 3);
    expect(Buffer.from(d.bytes).equals(big.subarray(0, d.bytes.length))).toBe(true);
  });

  it('decodes any body the compressors wrote, up to the limit (zlib-wrapped and raw deflate, gzip)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5_000 }), fc.integer({ min: 1, max: 6_000 }), fc.constantFrom('gzip', 'deflate', 'raw'), (data, limit, kind) => {
        const body = kind === 'gzip' ? gzipSync(data) : kind === 'deflate' ? deflateSync(data) : deflateRawSync(data);
        const d = decompressBody(body, kind === 'gzip' ? ENC_GZIP : ENC_DEFLATE, limit);
        expect(d.failed).toBe(false);
        expect(Buffer.from(d.bytes).equals(Buffer.from(data.subarray(0, limit)))).toBe(true);
        expect(d.limited).toBe(data.length >= limit);
      }),
      { numRuns: 300 },
    );
  });

  it('falls back, where zlib cannot be stepped, to a bounded search that keeps a prefix of what the body holds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3_000 }), fc.integer({ min: 1, max: 4_000 }), fc.boolean(), (data, limit, gzip) => {
        const body = gzip ? gzipSync(data) : deflateSync(data);
        const d = decompressLayerByBisection(body, gzip ? ENC_GZIP : ENC_DEFLATE, limit);
        expect(d.failed).toBe(false);
        expect(d.bytes.length).toBeLessThanOrEqual(limit);
        expect(Buffer.from(d.bytes).equals(Buffer.from(data.subarray(0, d.bytes.length)))).toBe(true);
        if (data.length < limit) expect(d.bytes.length).toBe(data.length);
      }),
      { numRuns: 100 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { constants, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decompressBody, decompressLayerByBisection, ENC_DEFLATE, ENC_GZIP, encodingLayers } from '../../../src/app/http/decompress.js';

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
        const d = decompressLayerByBisection(body, limit);
        expect(d.failed).toBe(false);
        expect(d.bytes.length).toBeLessThanOrEqual(limit);
        expect(Buffer.from(d.bytes).equals(Buffer.from(data.subarray(0, d.bytes.length)))).toBe(true);
        if (data.length < limit) expect(d.bytes.length).toBe(data.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('decompressBody as libhtp restarts its decompressor (htp_gzip_decompressor_restart)', () => {
  const str = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
  const compressors = { gzip: gzipSync, zlib: deflateSync, raw: deflateRawSync };

  it('decodes a body whatever its label says: gzip, zlib-wrapped or raw deflate, as "gzip" or "deflate"', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3_000 }), fc.constantFrom('gzip', 'zlib', 'raw'), fc.constantFrom(ENC_GZIP, ENC_DEFLATE), (data, kind, label) => {
        const d = decompressBody(compressors[kind as keyof typeof compressors](data), label, 1 << 20);
        expect(d.failed).toBe(false);
        expect(Buffer.from(d.bytes).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('undoes stacked codings listed in either order, each layer read whatever its label', () => {
    const x = Buffer.from('stacked EVIL payload '.repeat(30));
    const listed = encodingLayers([ENC_GZIP, ENC_DEFLATE]); // "gzip, deflate": deflate undone first
    expect(str(decompressBody(deflateSync(gzipSync(x)), listed, 1 << 20).bytes)).toBe(x.toString('latin1'));
    expect(str(decompressBody(gzipSync(deflateSync(x)), listed, 1 << 20).bytes)).toBe(x.toString('latin1'));
    expect(str(decompressBody(gzipSync(deflateRawSync(x)), listed, 1 << 20).bytes)).toBe(x.toString('latin1'));
  });

  it('passes a layer it cannot undo on as it came, with what the layers before it decoded', () => {
    const inner = Buffer.from('not compressed at all');
    const d = decompressBody(gzipSync(inner), encodingLayers([ENC_DEFLATE, ENC_GZIP]), 1 << 20);
    expect(d.failed).toBe(true);
    expect(str(d.bytes)).toBe('not compressed at all');
    const plain = decompressBody(Buffer.from('plain'), ENC_GZIP, 1 << 20);
    expect({ failed: plain.failed, bytes: str(plain.bytes) }).toEqual({ failed: true, bytes: 'plain' });
  });

  it('passes plain text labelled gzip on as sent, though raw deflate decodes a few bytes of it before failing', () => {
    const json = Buffer.from('{"sdk_version":11026,"app_package":"com.xcm.huasheng","app_version":"1.7.4","device_id":"350672920106648"}', 'latin1');
    for (const label of [ENC_GZIP, ENC_DEFLATE]) {
      const d = decompressBody(json, label, 1 << 20);
      expect(Buffer.from(d.bytes).equals(json)).toBe(true);
      expect(d.failed).toBe(true);
    }
  });

  it('keeps what decoded before the data went bad, to the byte, then the rest as sent', () => {
    const header = gzipSync(Buffer.from('x')).subarray(0, 10);
    const flushed = deflateRawSync(Buffer.from('benign prefix '.repeat(10)), { finishFlush: constants.Z_SYNC_FLUSH });
    const body = Buffer.concat([header, flushed, Buffer.from('\xff\xff hello EVILRESP world', 'latin1')]);
    const d = decompressBody(body, ENC_GZIP, 1 << 20);
    expect(d.failed).toBe(false);
    expect(str(d.bytes)).toBe('benign prefix '.repeat(10) + '\xff\xff hello EVILRESP world');
    // Far into a larger body too: the prefix comes out whole, though zlib fails a 16 KiB step.
    const big = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `line ${(i * 7919) % 10007}\n`).join(''));
    const bigFlushed = deflateRawSync(big, { finishFlush: constants.Z_SYNC_FLUSH });
    const tail = Buffer.from('\xffEVILTAIL', 'latin1');
    const d2 = decompressBody(Buffer.concat([deflateSync(Buffer.alloc(0)).subarray(0, 2), bigFlushed, tail]), ENC_DEFLATE, 1 << 20);
    expect(str(d2.bytes)).toBe(big.toString('latin1') + tail.toString('latin1'));
    // The output bound holds for what follows as sent as well.
    const d3 = decompressBody(body, ENC_GZIP, 150);
    expect(d3.limited).toBe(true);
    expect(str(d3.bytes)).toBe(('benign prefix '.repeat(10) + '\xff\xff hello EVILRESP world').slice(0, 150));
  });

  it('never throws on random bodies, stays within the limit, and leaves a body it cannot undo as sent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 500 }), fc.constantFrom(ENC_GZIP, ENC_DEFLATE), (data, limit, label) => {
        const d = decompressBody(data, label, limit);
        if (d.failed) expect(Buffer.from(d.bytes).equals(Buffer.from(data))).toBe(true);
        else expect(d.bytes.length).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 500 },
    );
  });

  it('stops a bomb whose data goes bad past the limit at the limit', () => {
    const bomb = Buffer.concat([gzipSync(Buffer.alloc(20 << 20, 0x41)).subarray(0, 15_000), Buffer.alloc(64, 0xff)]);
    const d = decompressBody(bomb, ENC_GZIP, 1 << 20);
    expect(d).toMatchObject({ limited: true, failed: false });
    expect(d.bytes.length).toBe(1 << 20);
  });
});

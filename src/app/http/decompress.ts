import { constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

export const ENC_NONE = 0;
export const ENC_GZIP = 1;
export const ENC_DEFLATE = 2;

export interface Decompressed {
  bytes: Uint8Array;
  /** Output hit the limit: what is returned is the first `limit` bytes (or fewer). */
  limited: boolean;
  failed: boolean;
}

/** Tolerates bodies cut short (gaps, inspection limits): emit what the prefix decodes to. */
const LENIENT = { finishFlush: constants.Z_SYNC_FLUSH };

/**
 * Decodes a gzip or deflate body to at most `limit` bytes. A compression bomb cannot expand
 * past the limit: when the whole input would, the longest input prefix whose output fits is
 * found by bisection (a few bounded passes).
 */
export function decompressBody(input: Uint8Array, encoding: number, limit: number): Decompressed {
  if (input.length === 0) return { bytes: input, limited: false, failed: false };
  const whole = tryDecode(input, encoding, limit);
  if (whole !== 'too-large' && whole !== null) return { bytes: whole, limited: false, failed: false };
  if (whole === null) return { bytes: new Uint8Array(0), limited: false, failed: true };
  let lo = 0;
  let hi = input.length;
  let best: Uint8Array = new Uint8Array(0);
  for (let round = 0; round < 14 && hi - lo > 1; round++) {
    const mid = (lo + hi) >>> 1;
    const r = tryDecode(input.subarray(0, mid), encoding, limit);
    if (r === 'too-large') hi = mid;
    else {
      lo = mid;
      if (r !== null && r.length > best.length) best = r;
    }
  }
  return { bytes: best, limited: true, failed: false };
}

function tryDecode(input: Uint8Array, encoding: number, limit: number): Uint8Array | 'too-large' | null {
  const opts = { ...LENIENT, maxOutputLength: Math.max(1, limit) };
  try {
    if (encoding === ENC_GZIP) return asBytes(gunzipSync(input, opts));
    // "deflate" is meant to be zlib-wrapped, but many servers send raw deflate.
    try {
      return asBytes(inflateSync(input, opts));
    } catch (e) {
      if (isTooLarge(e)) return 'too-large';
      return asBytes(inflateRawSync(input, opts));
    }
  } catch (e) {
    return isTooLarge(e) ? 'too-large' : null;
  }
}

function isTooLarge(e: unknown): boolean {
  return e instanceof RangeError || (typeof e === 'object' && e !== null && (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE');
}

function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

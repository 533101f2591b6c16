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

/** Content codings undone, as libhtp's response_decompression_layer_limit (2) allows. */
export const MAX_ENCODING_LAYERS = 2;

/**
 * Content codings in the order they are undone, two bits each (ENC_GZIP or ENC_DEFLATE), the
 * first to undo in the lowest bits: `Content-Encoding: gzip, deflate` (deflate applied last) is
 * ENC_DEFLATE | ENC_GZIP << 2. A single coding is just its constant.
 */
export function encodingLayers(codings: readonly number[]): number {
  let out = 0;
  for (let i = 0; i < codings.length; i++) out |= codings[codings.length - 1 - i]! << (2 * i);
  return out;
}

/**
 * Decodes a gzip or deflate body (each of its layers, see encodingLayers) to at most `limit`
 * bytes. A compression bomb cannot expand past the limit: when the whole input would, the
 * longest input prefix whose output fits is found by bisection (a few bounded passes).
 */
export function decompressBody(input: Uint8Array, encoding: number, limit: number): Decompressed {
  let bytes = input;
  let limited = false;
  for (let enc = encoding; enc !== 0; enc >>>= 2) {
    const d = decompressLayer(bytes, enc & 3, limit);
    if (d.failed) return d;
    bytes = d.bytes;
    limited ||= d.limited;
  }
  return { bytes, limited, failed: false };
}

function decompressLayer(input: Uint8Array, encoding: number, limit: number): Decompressed {
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
    if (encoding === ENC_GZIP) {
      try {
        return asBytes(gunzipSync(input, opts));
      } catch (e) {
        if (isTooLarge(e)) return 'too-large';
        // As libhtp: what the deflate data holds counts even when bytes follow the member or
        // its CRC is wrong (a server, or an attacker, appending one byte must not blind the rules).
        const start = gzipPayloadStart(input);
        if (start < 0) return null;
        return asBytes(inflateRawSync(input.subarray(start), opts));
      }
    }
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

/** Where a gzip member's deflate data starts (after its header and optional fields), or -1. */
function gzipPayloadStart(b: Uint8Array): number {
  if (b.length < 10 || b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8) return -1;
  const flags = b[3]!;
  let p = 10;
  if ((flags & 4) !== 0) {
    if (p + 2 > b.length) return -1;
    p += 2 + (b[p]! | (b[p + 1]! << 8));
  }
  for (const bit of [8, 16]) {
    if ((flags & bit) === 0) continue;
    while (p < b.length && b[p] !== 0) p++;
    p++;
  }
  if ((flags & 2) !== 0) p += 2;
  return p < b.length ? p : -1;
}

function isTooLarge(e: unknown): boolean {
  return e instanceof RangeError || (typeof e === 'object' && e !== null && (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE');
}

function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

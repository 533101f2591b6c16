import { constants, createInflate, createInflateRaw, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

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
 * bytes, in one pass that stops at the limit (as libhtp's streaming decompressor does): a
 * compression bomb costs no more than `limit` bytes of output, whatever it would expand to.
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
  const streamed = encoding === ENC_GZIP ? gunzipUpTo(input, limit) : inflateEitherUpTo(input, limit);
  if (streamed !== undefined) return streamed;
  return decompressLayerByBisection(input, encoding, limit);
}

/**
 * gzip as libhtp reads it: the deflate data after the member's header, inflated raw, so bytes
 * after the member or a wrong CRC never hide what the data decodes to; further members that
 * follow are read too. undefined: this Node's zlib cannot be driven in steps (see inflateUpTo).
 */
function gunzipUpTo(input: Uint8Array, limit: number): Decompressed | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  let start = 0;
  for (let member = 0; member < 16; member++) {
    const payload = gzipPayloadStart(input.subarray(start));
    if (payload < 0) break;
    const r = inflateUpTo(createInflateRaw(LENIENT), input.subarray(start + payload), limit - total);
    if (r === undefined) return undefined;
    parts.push(r.bytes);
    total += r.bytes.length;
    if (r.limited) return { bytes: joined(parts, total), limited: true, failed: false };
    // Another member may follow this one's 8-byte trailer (CRC and size).
    if (r.error || r.rest < 0) break;
    start += payload + r.consumed + 8;
    if (start + 10 > input.length || input[start] !== 0x1f || input[start + 1] !== 0x8b) break;
  }
  if (parts.length === 0) return { bytes: new Uint8Array(0), limited: false, failed: true };
  return { bytes: joined(parts, total), limited: false, failed: false };
}

/** "deflate" is meant to be zlib-wrapped, but many servers send raw deflate: either is read. */
function inflateEitherUpTo(input: Uint8Array, limit: number): Decompressed | undefined {
  const wrapped = inflateUpTo(createInflate(LENIENT), input, limit);
  if (wrapped === undefined) return undefined;
  if (!wrapped.error || wrapped.bytes.length > 0) return { bytes: wrapped.bytes, limited: wrapped.limited, failed: false };
  const raw = inflateUpTo(createInflateRaw(LENIENT), input, limit);
  if (raw === undefined) return undefined;
  if (raw.error && raw.bytes.length === 0) return { bytes: raw.bytes, limited: false, failed: true };
  return { bytes: raw.bytes, limited: raw.limited, failed: false };
}

/** Input fed to zlib per step: an error loses at most the output of one step. */
const STEP_INPUT = 16 * 1024;

interface Inflated {
  bytes: Uint8Array;
  limited: boolean;
  /** zlib reported an error (corrupt data): `bytes` is what came before it. */
  error: boolean;
  /** Input bytes the stream used. */
  consumed: number;
  /** Input left after the end of the deflate stream; -1 when the stream did not end. */
  rest: number;
}

interface ZlibInternals {
  _handle: { writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void } | null;
  _writeState: Uint32Array;
  close(): void;
  on(event: 'error', f: () => void): void;
}

/**
 * Inflates `input` until its end or until `limit` bytes came out, whichever is first. Node's
 * documented one-shot calls inflate all of the input (and throw away the output when it passes
 * maxOutputLength), so this steps the zlib handle itself, as Node's own synchronous path does,
 * and stops early. undefined when the handle or its write state is not there (another Node).
 */
function inflateUpTo(engine: object, input: Uint8Array, limit: number): Inflated | undefined {
  const z = engine as ZlibInternals;
  const handle = z._handle;
  const state = z._writeState;
  if (handle === null || typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array)) {
    z.close();
    return undefined;
  }
  let failed = false;
  // zlib reports errors by closing the handle and emitting 'error' later: listened to, never thrown.
  z.on('error', () => (failed = true));
  let out = new Uint8Array(Math.max(1, Math.min(limit, Math.max(64 * 1024, input.length * 4))));
  let outOff = 0;
  let inOff = 0;
  let ended = false;
  const flush = constants.Z_SYNC_FLUSH;
  while (outOff < limit) {
    if (outOff === out.length) {
      const bigger = new Uint8Array(Math.min(limit, out.length * 2));
      bigger.set(out);
      out = bigger;
    }
    const inLen = Math.min(STEP_INPUT, input.length - inOff);
    const outLen = out.length - outOff;
    try {
      handle.writeSync(flush, input, inOff, inLen, out, outOff, outLen);
    } catch {
      failed = true;
    }
    if (failed || z._handle === null) {
      failed = true;
      break;
    }
    const outLeft = state[0]!;
    const inLeft = state[1]!;
    outOff += outLen - outLeft;
    inOff += inLen - inLeft;
    if (outLeft === 0) continue; // the output buffer filled: more may come from this input
    if (inLeft > 0) {
      // Output room left and input unread: the deflate stream ended before the input did.
      ended = true;
      break;
    }
    if (inOff >= input.length) break;
  }
  if (z._handle !== null) z.close();
  return { bytes: out.subarray(0, outOff), limited: outOff >= limit, error: failed, consumed: inOff, rest: ended ? input.length - inOff : -1 };
}


function joined(parts: readonly Uint8Array[], total: number): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/** The fallback where zlib cannot be stepped: the longest input prefix whose output fits, by bisection. */
export function decompressLayerByBisection(input: Uint8Array, encoding: number, limit: number): Decompressed {
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

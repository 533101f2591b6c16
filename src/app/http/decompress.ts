import { constants, createInflate, createInflateRaw, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

export const ENC_NONE = 0;
export const ENC_GZIP = 1;
export const ENC_DEFLATE = 2;

export interface Decompressed {
  bytes: Uint8Array;
  /** Output hit the limit: what is returned is the first `limit` bytes (or fewer). */
  limited: boolean;
  /** A layer could not be undone (see decompressBody). */
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
 * bytes, in passes that stop at the limit (as libhtp's streaming decompressor does): a
 * compression bomb costs no more than `limit` bytes of output per pass (one, or three for a
 * layer whose data goes bad: see inflateUpTo), whatever it would expand to. A layer that cannot
 * be undone is passed on as it came, and the layers after it with it, as libhtp hands its input
 * straight to the body once its restarts have failed: `failed` then, and `bytes` is what the
 * layers before it decoded (the body as sent when the first one fails).
 */
export function decompressBody(input: Uint8Array, encoding: number, limit: number): Decompressed {
  let bytes = input;
  let limited = false;
  for (let enc = encoding; enc !== 0; enc >>>= 2) {
    const d = decompressLayer(bytes, limit);
    if (d.failed) return { bytes, limited, failed: true };
    bytes = d.bytes;
    limited ||= d.limited;
  }
  return { bytes, limited, failed: false };
}

/**
 * One content coding, whatever its label says, as libhtp ends up reading it: its gzip
 * decompressor opens zlib with window bits 15+32 (a gzip or a zlib header, told apart by their
 * first bytes), its deflate one raw, and on an error that came before any output it restarts,
 * three times at most (htp_gzip_decompressor_restart): the same method past a gzip header, then
 * the other, then the first again. So gzip sent as "deflate", zlib or raw deflate sent as "gzip",
 * and stacked codings listed in the wrong order (each layer has its own restarts) all decode. The wrapped reading is tried first for either label, as browsers read
 * "deflate". Data that goes bad after some output keeps that output (libhtp takes it as the
 * stream's end) and the bytes from the bad spot on follow as sent, as libhtp passes the later
 * data of a body through once its restarts fail there.
 */
function decompressLayer(input: Uint8Array, limit: number): Decompressed {
  if (input.length === 0) return { bytes: input, limited: false, failed: false };
  // Wrapped (gzip, whose deflate data gunzipUpTo reads raw after the header, or zlib), then raw.
  for (const raw of [false, true]) {
    let r: LayerRead | undefined;
    if (!raw && isGzipMagic(input, 0)) r = gunzipUpTo(input, limit);
    else if (refusedAtOnce(input, raw)) continue;
    else r = inflateUpTo(raw, input, limit);
    if (r === undefined) return decompressLayerByBisection(input, limit);
    if (!r.error) return { bytes: r.bytes, limited: r.limited, failed: false };
    // Raw deflate has no header to vouch for it: plain text labelled gzip (suricata-verify's
    // http-encoding-gzip-uncompressed) often decodes a few bytes of garbage before its first
    // error, which must not stand for the body; such a body is passed on as sent, as browsers
    // and Suricata keep it. What a gzip or zlib header announced keeps its decoded part.
    if (r.bytes.length > 0 && !raw) return withRestAsSent(r.bytes, input.subarray(r.errorAt), limit);
  }
  return { bytes: input, limited: false, failed: true };
}

/**
 * Whether zlib would refuse `b` at its first bytes, before any output: a zlib header that does
 * not check out (inflate's header, method, window size and preset dictionary checks), or, raw, a
 * first block of the reserved type or a stored block whose length does not match its complement.
 * A body that is not compressed at all is then passed on without setting up zlib several times.
 */
function refusedAtOnce(b: Uint8Array, raw: boolean): boolean {
  if (raw) {
    if (b.length === 0) return false;
    const type = (b[0]! >> 1) & 3;
    if (type === 3) return true;
    return type === 0 && b.length >= 5 && (b[1]! | (b[2]! << 8)) !== (~(b[3]! | (b[4]! << 8)) & 0xffff);
  }
  if (b.length < 2) return false;
  const cmf = b[0]!;
  const flg = b[1]!;
  return (cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0 || (flg & 0x20) !== 0;
}

/** What a layer decoded up to an error, then the rest of its input as sent, within the limit. */
function withRestAsSent(decoded: Uint8Array, rest: Uint8Array, limit: number): Decompressed {
  const room = Math.max(0, limit - decoded.length);
  const kept = rest.subarray(0, room);
  return { bytes: joined([decoded, kept], decoded.length + kept.length), limited: rest.length > room, failed: false };
}

/** What one reading of a layer gave: its output, and where in its input the data went bad. */
interface LayerRead {
  bytes: Uint8Array;
  limited: boolean;
  error: boolean;
  /** With `error`: the input offset where the data stopped decoding. */
  errorAt: number;
}

/**
 * gzip read as libhtp reads it, more leniently: the deflate data after the member's header,
 * inflated raw, so bytes after the member or a wrong CRC never hide what the data decodes to.
 * Members that follow are read too, where libhtp stops after the first (more is seen, never
 * less). undefined: this Node's zlib cannot be driven in steps (see inflateUpTo).
 */
function gunzipUpTo(input: Uint8Array, limit: number): LayerRead | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  let start = 0;
  for (let member = 0; member < 16; member++) {
    const payload = gzipPayloadStart(input.subarray(start));
    if (payload < 0) {
      if (member === 0) return { bytes: new Uint8Array(0), limited: false, error: true, errorAt: 0 };
      break;
    }
    const r = inflateUpTo(true, input.subarray(start + payload), limit - total);
    if (r === undefined) return undefined;
    parts.push(r.bytes);
    total += r.bytes.length;
    if (r.limited) return { bytes: joined(parts, total), limited: true, error: false, errorAt: 0 };
    if (r.error) return { bytes: joined(parts, total), limited: false, error: true, errorAt: start + payload + r.errorAt };
    if (r.rest < 0) break;
    // Another member may follow this one's 8-byte trailer (CRC and size).
    start += payload + r.consumed + 8;
    if (start + 10 > input.length || !isGzipMagic(input, start)) break;
  }
  return { bytes: joined(parts, total), limited: false, error: false, errorAt: 0 };
}

function isGzipMagic(b: Uint8Array, at: number): boolean {
  return b[at] === 0x1f && b[at + 1] === 0x8b;
}

/** Input fed to zlib per step. */
const STEP_INPUT = 16 * 1024;
/** The smaller steps a failed step is read again in, to find where its data went bad. */
const REFINE_STEPS = [128, 1];

interface Inflated extends LayerRead {
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
 * Inflates `input` (raw deflate, or zlib-wrapped) until its end or until `limit` bytes came
 * out, whichever is first. Node's documented one-shot calls inflate all of the input (and throw
 * away the output when it passes maxOutputLength), so this steps the zlib handle itself, as
 * Node's own synchronous path does, and stops early. zlib reports an error without the output of
 * the step it came in, so a failed step is read again in smaller steps, down to single bytes:
 * what came before the bad spot is kept, as libhtp keeps it, at the cost of two more passes over
 * a failing body (each bounded by `limit`). undefined when the handle or its write state is not
 * there (another Node).
 */
function inflateUpTo(raw: boolean, input: Uint8Array, limit: number): Inflated | undefined {
  let r = inflateSteps(raw, input, limit, 0, 0, STEP_INPUT);
  let span = STEP_INPUT;
  for (const step of REFINE_STEPS) {
    if (r === undefined || !r.error) break;
    r = inflateSteps(raw, input, limit, r.errorAt, r.errorAt + span, step);
    span = step;
  }
  return r;
}

/** One pass: steps of STEP_INPUT, but of `fineStep` over [fineFrom, fineTo); errorAt is where the failing step started. */
function inflateSteps(raw: boolean, input: Uint8Array, limit: number, fineFrom: number, fineTo: number, fineStep: number): Inflated | undefined {
  const z = (raw ? createInflateRaw(LENIENT) : createInflate(LENIENT)) as unknown as ZlibInternals;
  const handle = z._handle;
  const state = z._writeState;
  if (handle === null || typeof handle?.writeSync !== 'function' || !(state instanceof Uint32Array)) {
    z.close();
    return undefined;
  }
  let failed = false;
  // zlib reports errors by closing the handle and emitting 'error' later: listened to, never thrown.
  z.on('error', () => (failed = true));
  // Grown by doubling: most readings that fail do so in their first bytes, and are tried several times.
  let out = new Uint8Array(Math.max(1, Math.min(limit, 32 * 1024)));
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
    const step = inOff < fineFrom ? Math.min(STEP_INPUT, fineFrom - inOff) : inOff < fineTo ? fineStep : STEP_INPUT;
    const inLen = Math.min(step, input.length - inOff);
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
  return {
    bytes: out.subarray(0, outOff),
    limited: outOff >= limit,
    error: failed,
    errorAt: failed ? inOff : 0,
    consumed: inOff,
    rest: ended ? input.length - inOff : -1,
  };
}

function joined(parts: readonly Uint8Array[], total: number): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}

/** The fallback where zlib cannot be stepped: the longest input prefix whose output fits, by bisection. */
export function decompressLayerByBisection(input: Uint8Array, limit: number): Decompressed {
  const whole = tryDecode(input, limit);
  if (whole !== 'too-large' && whole !== null) return { bytes: whole, limited: false, failed: false };
  if (whole === null) return { bytes: new Uint8Array(0), limited: false, failed: true };
  let lo = 0;
  let hi = input.length;
  let best: Uint8Array = new Uint8Array(0);
  for (let round = 0; round < 14 && hi - lo > 1; round++) {
    const mid = (lo + hi) >>> 1;
    const r = tryDecode(input.subarray(0, mid), limit);
    if (r === 'too-large') hi = mid;
    else {
      lo = mid;
      if (r !== null && r.length > best.length) best = r;
    }
  }
  return { bytes: best, limited: true, failed: false };
}

/** The readings decompressLayer tries, one-shot: the first that decodes counts. */
function tryDecode(input: Uint8Array, limit: number): Uint8Array | 'too-large' | null {
  const opts = { ...LENIENT, maxOutputLength: Math.max(1, limit) };
  const start = isGzipMagic(input, 0) ? gzipPayloadStart(input) : -1;
  const readings: Array<() => Buffer> = [
    isGzipMagic(input, 0) ? () => gunzipSync(input, opts) : () => inflateSync(input, opts),
    // As libhtp: what the deflate data holds counts even when bytes follow the member or
    // its CRC is wrong (a server, or an attacker, appending one byte must not blind the rules).
    ...(start > 0 ? [() => inflateRawSync(input.subarray(start), opts)] : []),
    () => inflateRawSync(input, opts),
  ];
  for (const read of readings) {
    try {
      return asBytes(read());
    } catch (e) {
      if (isTooLarge(e)) return 'too-large';
    }
  }
  return null;
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

/**
 * The contract between a rule keyword and the detection engine: what a keyword compiles to.
 *
 * - Header and flow conditions (ttl, flags, itype, ...) compile to a `HeaderMatcher`: a test of
 *   `HeaderFacts`, the fields of the packet (or log record) under inspection, plus the set of
 *   fields it needs. A record that lacks a needed field is not evaluated at all (a web log line
 *   has no TTL, so a `ttl:` rule neither matches nor fails on it).
 * - Payload keywords (content, pcre, byte_test, ...) compile to a `PayloadMatcher`: one step of
 *   a buffer's inspection, given the buffer, the cursor (the end of the previous match, for
 *   relative keywords) and the byte_extract variables. The engine chains the steps with the
 *   Snort/Suricata retry semantics (see src/match/payload.ts).
 *
 * Each keyword module exposes its matcher through the `condition` or `payloadMatcher` hook of
 * its KeywordModule (keyword.ts); src/match/ compiles rules by calling them. Everything here is
 * plain data or reused objects: nothing is allocated per packet.
 */
import type { IpBytes } from '../types/packet.js';

/** A payload step did not match. */
export const NO_MATCH = -1;
/** A payload step did not match and no other path can match either: stop inspecting the buffer. */
export const ABORT = -2;

// Fields of HeaderFacts, as bits of `known` (a log record knows only some of them).
export const FACT_ADDRS = 1 << 0;
export const FACT_TTL = 1 << 1;
export const FACT_TOS = 1 << 2;
export const FACT_IP_ID = 1 << 3;
export const FACT_IP_PROTO = 1 << 4;
export const FACT_FRAG = 1 << 5;
export const FACT_IP_OPTS = 1 << 6;
export const FACT_TCP_FLAGS = 1 << 7;
export const FACT_TCP_SEQ = 1 << 8;
export const FACT_TCP_ACK = 1 << 9;
export const FACT_TCP_WINDOW = 1 << 10;
export const FACT_ICMP_TYPE = 1 << 11;
export const FACT_ICMP_CODE = 1 << 12;
export const FACT_ICMP_ECHO = 1 << 13;
export const FACT_DSIZE = 1 << 14;
export const FACT_APP_PROTO = 1 << 15;
/** The sizes of both sides of the packet's TCP session (stream_size). */
export const FACT_STREAM_SIZE = 1 << 16;
/** The TLS version of the side sending the data under inspection (tls.version). */
export const FACT_TLS_VERSION = 1 << 17;
/** The decoder events of the packet (decode-event); known for every packet, none for records. */
export const FACT_DECODE_EVENTS = 1 << 18;
/** The anomalies of the HTTP transaction under inspection (app-layer-event); transactions only. */
export const FACT_APP_EVENTS = 1 << 19;
/** The flow carries SSL/TLS: ssl_state (the packet's handshake messages) and ssl_version (versions seen). */
export const FACT_SSL = 1 << 20;
/** The inspection is a DCE/RPC request: dce_iface (its interface) and dce_opnum (its operation). */
export const FACT_DCE = 1 << 21;
/** The inspection is a SIP message: sip_method (its method, a response's CSeq method) and sip_stat_code. */
export const FACT_SIP = 1 << 22;
/** The inspection is a DNS request: dns.opcode reads its header's opcode. */
export const FACT_DNS = 1 << 23;
/** The packet is an ICMPv6 Packet Too Big message: icmpv6.mtu reads the MTU it reports. */
export const FACT_ICMPV6_MTU = 1 << 24;
/** Every field a decoded packet carries (transport fields only when the transport is there). */
export const FACT_IP_ALL = FACT_ADDRS | FACT_TTL | FACT_TOS | FACT_IP_ID | FACT_IP_PROTO | FACT_FRAG | FACT_IP_OPTS;

/** Fragment bits as fragbits names them. */
export const FRAGBIT_MORE = 1;
export const FRAGBIT_DONT = 2;
export const FRAGBIT_RESERVED = 4;

const NO_OPTIONS: readonly number[] = Object.freeze([]);
const NO_EVENTS: readonly string[] = Object.freeze([]);

/**
 * The header fields of the packet or record under inspection. One instance is reused for every
 * packet: fill it, run the conditions, move on.
 */
export class HeaderFacts {
  /** FACT_* bits of the fields below that hold real values. */
  known = 0;
  ipVersion = 0;
  src: IpBytes | null = null;
  dst: IpBytes | null = null;
  ttl = 0;
  tos = 0;
  ipId = 0;
  ipProto = 0;
  /** FRAGBIT_* */
  fragBits = 0;
  /** Fragment offset in 8-byte units, as the header field holds it. */
  fragOffset = 0;
  ipOptions: readonly number[] = NO_OPTIONS;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  window = 0;
  icmpType = 0;
  icmpCode = 0;
  icmpId = 0;
  icmpSeq = 0;
  icmpV6 = false;
  /** icmpv6.mtu: a Packet Too Big message's MTU (FACT_ICMPV6_MTU). */
  icmpv6Mtu = 0;
  /** Payload size of the packet. */
  dsize = 0;
  appProto: string | null = null;
  /** stream_size: sequence space the client and the server sides have used (FACT_STREAM_SIZE). */
  streamClient = 0;
  streamServer = 0;
  /** tls.version: the sender's TLS version (FACT_TLS_VERSION). */
  tlsVersion = 0;
  /** ssl_state: the SSL_* message flags of the data under inspection, in its direction (FACT_SSL). */
  sslState = 0;
  /** ssl_version: the SSLV_* flags of every version seen on the flow (FACT_SSL). */
  sslVersions = 0;
  /** dce_iface: the request's interface UUID (lower-case text; null when no bind named it) and major version (FACT_DCE). */
  dceIface: string | null = null;
  dceVersion = 0;
  /** dce_opnum: the request's operation number (FACT_DCE). */
  dceOpnum = 0;
  /** dns.opcode: the DNS request's opcode (FACT_DNS). */
  dnsOpcode = 0;
  /** sip_method: the message's upper-case method (a response's CSeq method), null when none (FACT_SIP). */
  sipMethod: string | null = null;
  /** sip_stat_code: a response's status code, 0 for a request (FACT_SIP). */
  sipStatus = 0;
  /** decode-event: the decoder events raised on the packet (FACT_DECODE_EVENTS). */
  decodeEvents: readonly string[] = NO_EVENTS;
  /** app-layer-event: the transaction's anomaly names (FACT_APP_EVENTS). */
  appAnomalies: readonly string[] = NO_EVENTS;

  clear(): void {
    this.known = 0;
    this.ipVersion = 0;
    this.src = null;
    this.dst = null;
    this.ipOptions = NO_OPTIONS;
    this.decodeEvents = NO_EVENTS;
    this.appAnomalies = NO_EVENTS;
    this.appProto = null;
    this.icmpV6 = false;
  }
}

/** ICMP types that carry an echo-style identifier and sequence number (v4 and v6). */
const ECHO_TYPES_V4 = new Set([0, 8, 13, 14, 15, 16, 17, 18]);
const ECHO_TYPES_V6 = new Set([128, 129]);

/** The ICMP message has an identifier and sequence number (echo, timestamp, information, mask). */
export function hasEchoFields(h: HeaderFacts): boolean {
  return h.icmpV6 ? ECHO_TYPES_V6.has(h.icmpType) : ECHO_TYPES_V4.has(h.icmpType);
}

/** Bit sets compared the way flags and fragbits compare them: exactly, at least (+), any (*), none (!). */
export function bitsHold(mode: 'exact' | 'all' | 'any' | 'not', want: number, have: number, ignore: number): boolean {
  switch (mode) {
    case 'exact':
      return (have & ~ignore) === (want & ~ignore);
    case 'all':
      return (have & want) === want;
    case 'any':
      return (have & want) !== 0;
    case 'not':
      return (have & want) === 0;
  }
}

export interface HeaderMatcher {
  /** FACT_* bits the test reads; the engine evaluates it only when all of them are known. */
  readonly needs: number;
  /**
   * Set when the test reads one field alone, the one of this FACT_* bit (ip_proto, flags, ttl,
   * dsize, itype, icode, ...): its outcome is then a function of that field's value, which lets
   * the engine tabulate it per value and skip rules a packet's header rules out before they are
   * evaluated (src/match/header-index.ts). Left unset when the test reads anything else.
   * FACT_DECODE_EVENTS is tabulated coarsely, by whether the packet raised any event: a test of
   * one event sets it because it fails on a packet that raised none (most packets).
   */
  readonly decidedBy?: number;
  test(h: HeaderFacts): boolean;
}

/**
 * The state of one buffer's inspection, reused across buffers and rules. The engine sets the
 * buffer; keywords read it, and derived views (Latin-1 text for pcre, a lower-cased copy for
 * nocase search) are built on first use and kept until the buffer changes.
 */
export class Inspection {
  buf: Uint8Array = EMPTY;
  /**
   * byte_extract / byte_math values, by the slot the compiler gave each variable name, exact in
   * 32-bit halves: Suricata keeps them as unsigned 64-bit numbers that wrap, and most uses keep
   * only the low 32 bits (offsets and distances read them as int32).
   */
  varLo: Uint32Array = new Uint32Array(8);
  varHi: Uint32Array = new Uint32Array(8);
  /** Where the occurrence found by the last searching step (content, pcre) began. */
  matchStart = 0;
  /** End of the bytes the last successful `readsAhead` step needed. */
  readEnd = 0;
  /** Steps taken in the current rule evaluation, and the bound (Suricata's inspection recursion limit). */
  steps = 0;
  stepLimit = 3000;
  /** Evaluations stopped by stepLimit, pcre matches cut short (input bound or backtracking bound). */
  stepLimitHits = 0;
  pcreLimitHits = 0;
  /**
   * What the last base64_decode step decoded (the base64_data buffer): a fresh view each time,
   * so a buffer's derived views are never taken for another's.
   */
  base64: Uint8Array = EMPTY;
  /**
   * The address the inspected data came from (IPv4 or IPv6 bytes; empty when unknown), for the
   * keywords that compare what the payload names with its sender (ftpbounce).
   */
  sender: IpBytes = EMPTY;
  /** byte_test, byte_jump, byte_extract and byte_math with `dce` read little-endian (a DCE/RPC request's data representation says so). */
  dceLittle = false;
  private base64Scratch: Uint8Array = EMPTY;

  private textCache: string | null = null;
  private lowerCache: Uint8Array | null = null;
  private lowerScratch: Uint8Array = new Uint8Array(1024);
  private lowerWords: Int32Array = new Int32Array(this.lowerScratch.buffer);

  private lowerSource: LowercaseSource | null = null;
  private lowerOffset = 0;

  /**
   * Sets the buffer to inspect. `lowered`, when given, already holds the buffer's bytes
   * lower-cased from `offset` on (a stream window keeps such a copy up to date as data arrives,
   * so nocase searches do not lower-case the whole window again on every inspection).
   */
  setBuffer(buf: Uint8Array, lowered: LowercaseSource | null = null, offset = 0): void {
    // Rules inspecting the same buffer one after the other share its derived views.
    if (buf === this.buf && lowered === this.lowerSource && offset === this.lowerOffset) return;
    this.buf = buf;
    this.textCache = null;
    this.lowerCache = null;
    this.lowerSource = lowered;
    this.lowerOffset = offset;
  }

  /** Room for `n` variables (the most any rule of the set uses). */
  sizeVars(n: number): void {
    this.varLo = new Uint32Array(n);
    this.varHi = new Uint32Array(n);
  }

  /** A variable's value as a number (exact below 2^53). */
  varValue(slot: number): number {
    return this.varHi[slot]! * 0x100000000 + this.varLo[slot]!;
  }

  /** Stores a variable's value, a whole number from 0 to 2^64 - 1. */
  setVar(slot: number, v: number): void {
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) {
      const hi = Math.floor(v / 0x100000000);
      this.varLo[slot] = v - hi * 0x100000000;
      this.varHi[slot] = hi;
    } else this.setVarExact(slot, BigInt(Math.trunc(v)));
  }

  /** Stores a variable's value, wrapped to 64 bits. */
  setVarExact(slot: number, v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.varLo[slot] = Number(u & 0xffffffffn);
    this.varHi[slot] = Number(u >> 32n);
  }

  /** A variable's exact value. */
  varExact(slot: number): bigint {
    return (BigInt(this.varHi[slot] ?? 0) << 32n) | BigInt(this.varLo[slot] ?? 0);
  }

  /** The buffer as a binary string (one character per byte), for regular expressions. */
  text(): string {
    if (this.textCache === null) {
      const b = this.buf;
      this.textCache = b.length === 0 ? '' : LATIN1_SLICE.call(b, 0, b.length);
    }
    return this.textCache;
  }

  /** Room for `n` decoded bytes, reused from one base64_decode to the next. */
  base64Room(n: number): Uint8Array {
    if (this.base64Scratch.length < n) this.base64Scratch = new Uint8Array(Math.max(n, 256, this.base64Scratch.length * 2));
    return this.base64Scratch;
  }

  /** The buffer with ASCII letters lower-cased (a reused scratch copy), for nocase search. */
  lower(): Uint8Array {
    if (this.lowerCache === null && this.lowerSource !== null) {
      this.lowerCache = this.lowerSource.lowered().subarray(this.lowerOffset, this.lowerOffset + this.buf.length);
    }
    if (this.lowerCache === null) {
      const b = this.buf;
      const n = b.length;
      if (this.lowerScratch.length < n) {
        this.lowerScratch = new Uint8Array((Math.max(n, this.lowerScratch.length * 2) + 3) & ~3);
        this.lowerWords = new Int32Array(this.lowerScratch.buffer);
      }
      const out = this.lowerScratch;
      // Copied natively, then folded four bytes at a time (bodies of tens of KB are searched nocase).
      out.set(b);
      const words = this.lowerWords;
      const full = n >>> 2;
      for (let w = 0; w < full; w++) words[w] = foldWord(words[w]!);
      for (let i = full << 2; i < n; i++) out[i] = LOWER[out[i]!]!;
      this.lowerCache = out.subarray(0, n);
    }
    return this.lowerCache;
  }

  /**
   * Where `needle` first occurs in the buffer (in its lower-cased bytes when `lowered`) starting
   * at lo..last, or -1: a native search, with no view made per buffer (a stream window's
   * lower-cased copy is searched in place).
   */
  indexOf(needle: Uint8Array, lo: number, last: number, lowered: boolean): number {
    let hay = this.buf;
    let base = 0;
    if (lowered) {
      if (this.lowerCache === null && this.lowerSource !== null) {
        hay = this.lowerSource.lowered();
        base = this.lowerOffset;
      } else hay = this.lower();
    }
    const at = INDEX_OF.call(hay, needle, base + lo);
    return at >= 0 && at - base <= last ? at - base : -1;
  }

}

const EMPTY = new Uint8Array(0);
/** Node's native substring search reads any Uint8Array too. */
const INDEX_OF = Buffer.prototype.indexOf as (this: Uint8Array, value: Uint8Array, byteOffset: number) => number;
/** Node's native Latin-1 decoder reads any Uint8Array: no Buffer view per call. */
const LATIN1_SLICE = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/**
 * ASCII lower-casing of the four bytes of a word at once: a byte b < 0x80 is upper case when
 * b + 0x3f reaches 0x80 (b >= 0x41) and b + 0x25 does not (b < 0x5b); no sum carries into the
 * next byte, so the byte order of the word does not matter.
 */
function foldWord(x: number): number {
  const low = x & 0x7f7f7f7f;
  return x | ((((low + 0x3f3f3f3f) & ~(low + 0x25252525) & ~x) & 0x80808080) >>> 2);
}

/** Keeps a lower-cased copy of some bytes (see Inspection.setBuffer). */
export interface LowercaseSource {
  lowered(): Uint8Array;
}

/** ASCII lower-casing table (PCRE and Snort fold ASCII letters only). */
export const LOWER: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
  return t;
})();

export interface PayloadMatcher {
  /** Reads the cursor (distance/within, `relative`, pcre R). */
  readonly relative: boolean;
  /** Finds occurrences and may be asked for a later one (positive content, positive pcre). */
  readonly searches: boolean;
  /**
   * Neither the cursor nor any variable affects the outcome, so when it fails no other path
   * through the earlier keywords can succeed.
   */
  readonly independent: boolean;
  /** Positions itself from the buffer start (offset/depth, absolute byte_test, `^`): see the stream anchors in src/match/README.md. */
  readonly absolute: boolean;
  /** A successful step moves the cursor to a match end (content, pcre, byte_jump, byte_extract). */
  readonly advances: boolean;
  /**
   * A step that leaves the cursor where it was but holds only when bytes past it exist (byte_test,
   * a positive isdataat): on success it sets `ins.readEnd` to the end of the bytes it needed, and
   * that end counts as the match's end on a stream, so a match completed by the segment that
   * brought those bytes is new data (see src/match/README.md). Its `reach` bounds that end as an
   * advancing step's bounds the cursor.
   */
  readonly readsAhead?: boolean;
  /**
   * For an advancing step, a bound on the cursor a match returns: counted from the buffer start,
   * or from the cursor when `relative` (content with depth, or with within). Undefined when
   * unbounded. The engine skips stream inspections no match could end in (src/match/payload.ts).
   */
  readonly reach?: number | undefined;
  /**
   * The outcome depends on more than the buffer's bytes and the variables (ftpbounce reads the
   * sender's address), so it may not be remembered per buffer value.
   */
  readonly readsSender?: boolean;
  /**
   * Runs the step: returns the new cursor (>= 0), NO_MATCH or ABORT. `from` is -1 on the first
   * call; searching steps are called again with `from` = the start of their previous occurrence
   * plus one to find the next occurrence, and set `ins.matchStart` on success.
   */
  match(ins: Inspection, cursor: number, from: number): number;
}

/** Slot of a byte_extract/byte_math variable; compilers call it for each name they read or write. */
export type VariableSlots = (name: string) => number;

/** Bounds on the cost of one pcre search (see lib/regex-runner.ts). */
export interface RegexLimits {
  /** Longest subject the slower tiers inspect (bytes). */
  maxSubject: number;
  /** Step budget of the backtracking tier per search. */
  backtrackSteps: number;
}

export const DEFAULT_REGEX_LIMITS: RegexLimits = { maxSubject: 1 << 20, backtrackSteps: 100_000 };

/** What a payload keyword's compiler gets besides its element. */
export interface MatcherContext {
  /** The slot of a variable (assigned on first use of a name). */
  slot: VariableSlots;
  regexLimits: RegexLimits;
}

/**
 * A payload keyword the engine cannot run after all (a pcre no bounded engine accepts): the
 * compiler throws this and the rule is skipped with the message.
 */
export class MatcherUnavailable extends Error {}

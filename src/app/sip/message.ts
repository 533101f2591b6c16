import type { BufferName } from '../../types/buffers.js';
import type { SipMessageView } from '../../types/app.js';
import { ByteAccumulator, type MemoryBudget } from '../accumulator.js';

/**
 * SIP messages (RFC 3261) as detection sees them: over UDP one per datagram, over TCP cut from
 * each direction's stream by the end of their headers and their Content-Length. A message is a
 * request line (`METHOD uri SIP/2.0`) or a status line (`SIP/2.0 code reason`), header fields,
 * a blank line and a body. Snort's sip_method, sip_stat_code, sip_header and sip_body, and
 * Suricata's sip.* buffers, read it. Bounds: MAX_SIP_HEADERS bytes of start line and headers,
 * MAX_SIP_BODY bytes of body (the rest is cut, counted). Over TCP, bytes that do not start a
 * SIP message end that direction's parsing (counted).
 */

export const MAX_SIP_HEADERS = 64 * 1024;
export const MAX_SIP_BODY = 256 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const VERSION = 'SIP/2.0';

export interface SipStats {
  requests: number;
  responses: number;
  /** Bodies cut at MAX_SIP_BODY, or headers over MAX_SIP_HEADERS. */
  cut: number;
  /** Datagrams or stream starts that were not SIP messages. */
  malformed: number;
}

export function newSipStats(): SipStats {
  return { requests: 0, responses: 0, cut: 0, malformed: 0 };
}

const latin1 = (b: Uint8Array, s = 0, e = b.length): string => Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1');

/** Where a message's start line and header section end: the index after the blank line, or -1 (not yet). */
function headersEnd(b: Uint8Array, from: number): number {
  for (let i = Math.max(from, 1); i < b.length; i++) {
    if (b[i] !== LF) continue;
    if (b[i - 1] === LF) return i + 1;
    if (b[i - 1] === CR && i >= 2 && b[i - 2] === LF) return i + 1;
  }
  return -1;
}

/** The first line's end (its LF's index), or -1. */
function lineEnd(b: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (b[i] === LF) return i;
  return -1;
}

/** The start line says SIP: a request line ending in SIP/2.0, or a status line. Needs the line's LF. */
export function isSipStartLine(b: Uint8Array, start: number, end: number): boolean {
  let e = end;
  if (e > start && b[e - 1] === CR) e--;
  const line = latin1(b, start, e);
  return /^[A-Za-z]+ \S+ SIP\/2\.0$/.test(line) || /^SIP\/2\.0 [1-9][0-9]{2}( |$)/.test(line);
}

/** One SIP message: its bytes, parsed lazily into the buffers rules read. */
export class SipMessage implements SipMessageView {
  readonly kind = 'sip';
  readonly anomalies: readonly string[] = [];
  readonly method: string | null;
  readonly status: number;
  /** For a response, the method its CSeq names (what Snort's sip_method reads on responses). */
  readonly cseqMethod: string | null;
  private readonly startEnd: number;
  private readonly bodyStart: number;
  private readonly fields = new Map<string, Uint8Array>();
  private readonly parts: { uri?: Uint8Array; protocol?: Uint8Array; code?: Uint8Array; reason?: Uint8Array; method?: Uint8Array } = {};

  constructor(
    readonly id: number,
    /** Sent towards the server (the side that did not open the flow). */
    readonly toServer: boolean,
    private readonly bytes: Uint8Array,
    /** Index after the header section's blank line (or the end when there is none). */
    headerEnd: number,
  ) {
    const b = bytes;
    let le = lineEnd(b, 0, headerEnd);
    if (le < 0) le = headerEnd;
    this.startEnd = le + 1;
    this.bodyStart = headerEnd;
    let e = le;
    if (e > 0 && b[e - 1] === CR) e--;
    const sp1 = b.indexOf(SP, 0);
    const sp2 = sp1 < 0 ? -1 : b.indexOf(SP, sp1 + 1);
    if (latin1(b, 0, Math.min(7, e)) === VERSION) {
      this.method = null;
      this.status = Number(latin1(b, 8, 11));
      this.parts.protocol = b.subarray(0, 7);
      this.parts.code = b.subarray(8, 11);
      this.parts.reason = b.subarray(Math.min(12, e), e);
    } else {
      this.status = 0;
      this.method = latin1(b, 0, sp1).toUpperCase();
      this.parts.method = b.subarray(0, sp1);
      this.parts.uri = b.subarray(sp1 + 1, sp2);
      this.parts.protocol = b.subarray(sp2 + 1, e);
    }
    this.readFields();
    const cseq = this.fields.get('cseq');
    const m = cseq === undefined ? null : /^\s*\d+\s+([A-Za-z]+)/.exec(latin1(cseq));
    this.cseqMethod = m === null ? null : m[1]!.toUpperCase();
  }

  /** Header fields by lower-case name (compact forms expanded), first occurrence, continuation lines joined. */
  private readFields(): void {
    const b = this.bytes;
    let i = this.startEnd;
    const end = this.bodyStart;
    while (i < end) {
      let le = lineEnd(b, i, end);
      if (le < 0) le = end;
      let e = le;
      if (e > i && b[e - 1] === CR) e--;
      if (e === i) break;
      const colon = b.indexOf(COLON, i);
      if (colon > i && colon < e) {
        const name = expandCompact(latin1(b, i, colon).trim().toLowerCase());
        let vs = colon + 1;
        while (vs < e && (b[vs] === SP || b[vs] === HT)) vs++;
        if (!this.fields.has(name)) this.fields.set(name, b.subarray(vs, e));
      }
      i = le + 1;
    }
  }

  buffer(name: BufferName): Uint8Array | undefined {
    const b = this.bytes;
    switch (name) {
      case 'pkt_data':
        return b;
      case 'sip_header':
        return b.subarray(this.startEnd, this.bodyStart);
      case 'sip_body':
        return b.subarray(this.bodyStart);
      case 'sip.method':
        return this.parts.method;
      case 'sip.uri':
        return this.parts.uri;
      case 'sip.protocol':
        return this.parts.protocol;
      case 'sip.stat_code':
        return this.parts.code;
      case 'sip.stat_msg':
        return this.parts.reason;
      case 'sip.request_line':
      case 'sip.response_line': {
        if ((name === 'sip.request_line') !== (this.method !== null)) return undefined;
        let e = this.startEnd - 1;
        if (e > 0 && b[e - 1] === CR) e--;
        return b.subarray(0, e);
      }
      case 'sip.from':
        return this.fields.get('from');
      case 'sip.to':
        return this.fields.get('to');
      case 'sip.via':
        return this.fields.get('via');
      case 'sip.user_agent':
        return this.fields.get('user-agent');
      default:
        return undefined;
    }
  }

  meta(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.method !== null) {
      out.method = this.method;
      out.uri = latin1(this.parts.uri ?? new Uint8Array(0));
      out.version = latin1(this.parts.protocol ?? new Uint8Array(0));
    } else {
      out.version = VERSION;
      out.code = String(this.status);
      out.reason = latin1(this.parts.reason ?? new Uint8Array(0));
    }
    return out;
  }
}

/** RFC 3261 compact header names. */
function expandCompact(name: string): string {
  switch (name) {
    case 'f':
      return 'from';
    case 't':
      return 'to';
    case 'v':
      return 'via';
    case 'l':
      return 'content-length';
    case 'i':
      return 'call-id';
    case 'm':
      return 'contact';
    case 'c':
      return 'content-type';
    default:
      return name;
  }
}

/** A datagram holding one SIP message, or null. */
export function parseSipDatagram(b: Uint8Array, id: number, toServer: boolean): SipMessage | null {
  const le = lineEnd(b, 0, Math.min(b.length, 8192));
  if (le < 0 || !isSipStartLine(b, 0, le)) return null;
  const he = headersEnd(b, le);
  return new SipMessage(id, toServer, b.slice(0, Math.min(b.length, (he < 0 ? b.length : he) + MAX_SIP_BODY)), he < 0 ? b.length : he);
}

export interface SipContext {
  stats: SipStats;
  budget: MemoryBudget;
  emit(message: SipMessage): void;
}

class Direction {
  head: ByteAccumulator | null = null;
  /** Body bytes still to come, and the message waiting for them. */
  bodyLeft = 0;
  body: ByteAccumulator | null = null;
  headerBytes: Uint8Array | null = null;
  stopped = false;
}

/** SIP over TCP: both directions of one connection. */
export class SipSession {
  private readonly dirs: [Direction, Direction] = [new Direction(), new Direction()];
  private txCount = 0;

  constructor(private readonly ctx: SipContext) {}

  data(toServer: boolean, chunk: Uint8Array): void {
    const d = this.dirs[toServer ? 0 : 1]!;
    let i = 0;
    while (i < chunk.length && !d.stopped) {
      if (d.headerBytes !== null) {
        const take = Math.min(d.bodyLeft, chunk.length - i);
        d.body!.append(chunk, i, i + take);
        d.bodyLeft -= take;
        i += take;
        if (d.bodyLeft === 0) this.finish(d, toServer);
        continue;
      }
      d.head ??= new ByteAccumulator(this.ctx.budget, MAX_SIP_HEADERS);
      const before = d.head.length;
      // Blank lines between messages are allowed (keep-alive CRLFs).
      if (before === 0) {
        while (i < chunk.length && (chunk[i] === CR || chunk[i] === LF)) i++;
        if (i >= chunk.length) return;
      }
      const kept = d.head.append(chunk, i, chunk.length);
      const view = d.head.view();
      const le = lineEnd(view, 0, view.length);
      if (le >= 0 && le >= before - 1 && !isSipStartLine(view, 0, le)) return this.stop(d);
      const he = headersEnd(view, Math.max(0, before - 3));
      if (he < 0) {
        if (kept < chunk.length - i || d.head.full) {
          this.ctx.stats.cut++;
          return this.stop(d);
        }
        return;
      }
      // The chunk's bytes after the header section are given back.
      i += he - before;
      const headers = view.slice(0, he);
      d.head.reset();
      d.headerBytes = headers;
      const length = contentLength(headers);
      d.bodyLeft = length;
      d.body = new ByteAccumulator(this.ctx.budget, MAX_SIP_BODY);
      if (length === 0) this.finish(d, toServer);
    }
  }

  gap(toServer: boolean): void {
    this.stop(this.dirs[toServer ? 0 : 1]!, false);
  }

  end(): void {
    for (const d of this.dirs) this.stop(d, false);
  }

  private stop(d: Direction, malformed = true): void {
    if (!d.stopped && malformed) this.ctx.stats.malformed++;
    d.stopped = true;
    d.head?.reset();
    d.body?.reset();
    d.head = null;
    d.body = null;
    d.headerBytes = null;
  }

  private finish(d: Direction, toServer: boolean): void {
    const headers = d.headerBytes!;
    if (d.body!.cut > 0) this.ctx.stats.cut++;
    const body = d.body!.take();
    d.headerBytes = null;
    d.body = null;
    const bytes = new Uint8Array(headers.length + body.length);
    bytes.set(headers);
    bytes.set(body, headers.length);
    const m = new SipMessage(this.txCount++, toServer, bytes, headers.length);
    if (m.method !== null) this.ctx.stats.requests++;
    else this.ctx.stats.responses++;
    this.ctx.emit(m);
  }
}

/** Content-Length (or `l`) of a header section; 0 when absent or not a number. */
function contentLength(headers: Uint8Array): number {
  const m = /(?:^|\n)(?:content-length|l)[ \t]*:[ \t]*([0-9]{1,9})/i.exec(latin1(headers));
  return m === null ? 0 : Number(m[1]);
}

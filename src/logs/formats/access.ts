import type { BufferName } from '../../types/buffers.js';
import { eveText, eveTextOfLatin1 } from '../../types/eve-text.js';
import { digits, hexVal, indexOfByte, isDigit, latin1, parseUint, sub } from '../bytes.js';
import { isInternalAddress, LastAddress, parseIp } from '../ip.js';
import type { IpBytes } from '../../types/packet.js';
import { KeptById } from '../kept-by-id.js';
import { BufferKeyIds, type HttpLogMeta, type LogFormatName } from '../record.js';
import { SpanKeyIds, SpanParts } from '../span-ids.js';
import { monthAt } from '../time.js';
import { Malformed, type LogFormatModule, type ParseContext, type ParseOutcome } from './context.js';
import { HttpLogRecord, HttpPart, normalizeHost, unescapeLogBytes } from './http-record.js';
import type { SyslogHeader } from './syslog-header.js';

/**
 * NCSA/Apache access logs: common (`host ident user [time] "request" status bytes`), combined
 * (plus `"referer" "user-agent"`) and vhost_combined (a leading `vhost[:port]`). One hand-written
 * scanner serves all three; trailing extra fields are kept, missing referer/agent are tolerated.
 * Offsets are stored, buffers are cut only when asked for.
 */
export class AccessRecord extends HttpLogRecord {
  // Set in the constructor (see BaseLogRecord).
  declare vhS: number;
  declare vhE: number;
  declare hostS: number;
  declare hostE: number;
  declare identS: number;
  declare identE: number;
  declare userS: number;
  declare userE: number;
  declare timeS: number;
  declare timeE: number;
  declare reqS: number;
  declare reqE: number;
  declare mS: number;
  declare mE: number;
  declare uS: number;
  declare uE: number;
  declare pS: number;
  declare pE: number;
  declare statS: number;
  declare statE: number;
  declare refS: number;
  declare refE: number;
  declare uaS: number;
  declare uaE: number;
  declare restS: number;
  /** A backslash was seen inside a quoted field: buffers must be unescaped. */
  declare escaped: boolean;

  constructor(line: Uint8Array, file: string, lineNo: number, format: LogFormatName) {
    super(line, file, lineNo, format);
    this.vhS = -1;
    this.vhE = -1;
    this.hostS = 0;
    this.hostE = 0;
    this.identS = -1;
    this.identE = -1;
    this.userS = -1;
    this.userE = -1;
    this.timeS = -1;
    this.timeE = -1;
    this.reqS = -1;
    this.reqE = -1;
    this.mS = -1;
    this.mE = -1;
    this.uS = -1;
    this.uE = -1;
    this.pS = -1;
    this.pE = -1;
    this.statS = -1;
    this.statE = -1;
    this.refS = -1;
    this.refE = -1;
    this.uaS = -1;
    this.uaE = -1;
    this.restS = -1;
    this.escaped = false;
  }

  private field(s: number, e: number): Uint8Array | undefined {
    if (s < 0) return undefined;
    if (this.escaped) {
      const i = this.line.indexOf(0x5c, s);
      if (i >= 0 && i < e) return unescapeLogBytes(this.line, s, e);
    }
    return sub(this.line, s, e);
  }

  /** Apache writes "-" for a missing referer/agent. */
  private optional(s: number, e: number): Uint8Array | undefined {
    if (s < 0 || this.dash(s, e)) return undefined;
    return this.field(s, e);
  }

  /** A logged "-" or nothing: the field is absent. */
  private dash(s: number, e: number): boolean {
    return (e - s === 1 && this.line[s] === 0x2d) || e === s;
  }

  /**
   * log.message is the line itself: handed out directly, so a record asked for nothing else (a
   * log.message rule group scans every line) gets no buffer cache.
   */
  override buffer(name: BufferName): Uint8Array | undefined {
    return name === 'log.message' ? this.line : super.buffer(name);
  }

  /**
   * The header block is rebuilt from fields that repeat from line to line (agent, referer,
   * host) even where the request does not: blocks are kept by their key id, which names the
   * same bytes for good (ids are never reused, see SpanKeyIds), so a repeated one is built once.
   */
  protected override makeBuffer(name: BufferName): Uint8Array | undefined {
    if (name !== 'http.header') return super.makeBuffer(name);
    const id = this.bufferKeyId('http.header');
    if (id <= 0) return super.makeBuffer(name);
    const kept = HEADER_BLOCKS.get(id);
    if (kept !== undefined) return kept;
    const block = super.makeBuffer(name);
    if (block !== undefined) HEADER_BLOCKS.set(id, block);
    return block;
  }

  protected part(p: HttpPart): Uint8Array | undefined {
    switch (p) {
      case HttpPart.Method:
        return this.mS >= 0 ? sub(this.line, this.mS, this.mE) : undefined;
      case HttpPart.UriRaw:
        return this.uS >= 0 && this.uE > this.uS ? this.field(this.uS, this.uE) : undefined;
      case HttpPart.Protocol:
        // Anything may follow "http/" (as on the wire): unescaped like the target.
        return this.pS >= 0 ? this.field(this.pS, this.pE) : undefined;
      case HttpPart.HostRaw:
        return this.vhS >= 0 ? sub(this.line, this.vhS, this.vhE) : undefined;
      case HttpPart.UserAgent:
        return this.optional(this.uaS, this.uaE);
      case HttpPart.Referer:
        return this.optional(this.refS, this.refE);
      case HttpPart.Cookie:
        return undefined;
      case HttpPart.Status:
        return this.statusCode >= 0 ? sub(this.line, this.statS, this.statE) : undefined;
      default:
        return undefined;
    }
  }

  protected override keptMeta(): KeptById<HttpLogMeta> {
    return ACCESS_META;
  }

  declare readonly bufferKeyDomain: string;
  /** Ids already found for this record (0: not yet): the engine asks once per memo. */
  private idMethod = 0;
  private idUri = 0;
  private idProtocol = 0;
  private idStatus = 0;
  private idAgent = 0;
  private idReferer = 0;
  private idRequest = 0;
  /** The request span's id (0: not looked up yet; -1: none, see requestIds). */
  private requestSpan = 0;
  private idHeader = 0;
  private idHost = 0;
  private idNames = 0;
  private idStart = 0;
  private kHeader: string | undefined = undefined;

  bufferKeyId(name: BufferName): number {
    switch (name) {
      // Method, URI and protocol come together from the request span (see requestIds), as do
      // referer and agent from the header span (see headerPartIds).
      case 'http.method':
        if (this.idMethod === 0 && this.mS >= 0 && !this.requestIds()) this.idMethod = METHOD_IDS.id(this.line, this.mS, this.mE);
        return this.idMethod;
      case 'http.uri':
      case 'http.uri.raw':
        if (this.idUri === 0 && this.uS >= 0 && this.uE > this.uS && !this.requestIds()) this.idUri = URI_IDS.id(this.line, this.uS, this.uE);
        return this.idUri;
      case 'http.protocol':
        if (this.idProtocol === 0 && this.pS >= 0 && !this.requestIds()) this.idProtocol = PROTOCOL_IDS.id(this.line, this.pS, this.pE);
        return this.idProtocol;
      case 'http.stat_code':
        if (this.idStatus !== 0) return this.idStatus;
        return (this.idStatus = this.statusCode < 0 ? 0 : statusId(this.statusCode));
      case 'http.user_agent':
        if (this.idAgent === 0 && this.uaS >= 0 && !this.headerPartIds()) this.idAgent = AGENT_IDS.id(this.line, this.uaS, this.uaE);
        return this.idAgent;
      case 'http.referer':
        if (this.idReferer === 0 && this.refS >= 0 && !this.headerPartIds()) this.idReferer = REFERER_IDS.id(this.line, this.refS, this.refE);
        return this.idReferer;
      case 'http.request_line':
        return this.idRequest !== 0 ? this.idRequest : (this.idRequest = this.requestId());
      case 'http.header':
      case 'http.header.raw':
        return this.idHeader !== 0 ? this.idHeader : (this.idHeader = this.headerId());
      case 'http.host':
      case 'http.host.raw':
        if (this.idHost !== 0) return this.idHost;
        return (this.idHost = this.vhS < 0 ? 0 : HOST_IDS.id(this.line, this.vhS, this.vhE));
      case 'http.header_names': {
        if (this.idNames !== 0) return this.idNames;
        // One of a few shared layouts (see bufferKey), each with its own id for good.
        const layout = (this.vhS >= 0 ? 1 : 0) | (this.refS >= 0 && !this.dash(this.refS, this.refE) ? 2 : 0) | (this.uaS >= 0 && !this.dash(this.uaS, this.uaE) ? 4 : 0);
        return (this.idNames = HEADER_NAMES_IDS[layout] ??= ACCESS_KEY_IDS.fresh());
      }
      case 'http.start': {
        if (this.idStart !== 0) return this.idStart;
        // Request line then header block, as the key text has them.
        const req = this.bufferKeyId('http.request_line');
        return (this.idStart = req === 0 ? 0 : ACCESS_KEY_IDS.pair(req, this.bufferKeyId('http.header')));
      }
      case 'log.message':
        return -1;
      default:
        // Everything else (cookies, bodies, mail, packet buffers) is never in an access log.
        return 0;
    }
  }

  bufferKeyDomainHas(name: BufferName): boolean {
    return ACCESS_BUFFERS.has(name);
  }

  /**
   * The request line and header block (http.start) with the status name every keyed buffer of
   * an access record: the others (method, URI, protocol, host, referer, agent, header names)
   * are cut from those spans. log.message, the whole line, has no key.
   */
  contentKeyId(): number {
    // Without an id for the request span (its table rests while requests do not repeat) the
    // record's content is not worth naming: no part lookups are made for it.
    if (this.reqS < 0 || this.requestSpanId() < 0) return -1;
    const start = this.bufferKeyId('http.start');
    return (this.contentId = start <= 0 ? -1 : ACCESS_KEY_IDS.pair(start, this.bufferKeyId('http.stat_code')));
  }

  /**
   * The header block: one span id when referer and agent are adjacent, else named by the ids of
   * its raw parts (host, referer, agent; 0 when absent): no text of the whole block is hashed.
   */
  private headerId(): number {
    // `ref" "ua` (the common combined line): the span determines both, as in headerKey().
    if (this.vhS < 0 && this.refS >= 0 && this.uaS >= 0) return HEADER_IDS.id(this.line, this.refS, this.uaE);
    const host = this.bufferKeyId('http.host.raw');
    const ref = this.bufferKeyId('http.referer');
    const ua = this.bufferKeyId('http.user_agent');
    return ACCESS_KEY_IDS.pair(host, ACCESS_KEY_IDS.pair(ref, ua));
  }

  /**
   * Referer and agent ids from the header span's id (the http.header id) where they are
   * adjacent (`ref" "ua`, no vhost): the span names both, so a repeated span gives them from
   * HEADER_PARTS, one span lookup instead of three. False when the span has no id (vhost lines,
   * a missing agent, a resting table): each part is then looked up on its own, when asked.
   */
  private headerPartIds(): boolean {
    if (this.vhS >= 0 || this.refS < 0 || this.uaS < 0) return false;
    const b = this.line;
    if (this.idHeader === 0) this.idHeader = HEADER_IDS.id(b, this.refS, this.uaE);
    const span = this.idHeader;
    if (span < 0) return false;
    const w = HEADER_PARTS.find(span);
    if (w >= 0) {
      this.idReferer = HEADER_PARTS.part(w, 0);
      this.idAgent = HEADER_PARTS.part(w, 1);
      return true;
    }
    const ref = REFERER_IDS.id(b, this.refS, this.refE);
    const ua = AGENT_IDS.id(b, this.uaS, this.uaE);
    this.idReferer = ref;
    this.idAgent = ua;
    // Parts without an id are not kept: their tables rest only while asked (see SpanKeyIds),
    // and a kept -1 would stop asking them, so they would never give ids again.
    if (ref > 0 && ua > 0) HEADER_PARTS.remember(span, ref, ua, 0);
    return true;
  }

  /**
   * Method, URI and protocol ids of a split request, from the request span's id: the split is a
   * function of the span, so its id names all three, and a repeated request gives them from
   * REQUEST_PARTS (its span id is the http.request_line id too): one span lookup instead
   * of three. False when the span has no id (the table rests while requests do not repeat):
   * each part is then looked up on its own, when asked.
   */
  private requestIds(): boolean {
    const span = this.requestSpanId();
    if (span < 0) return false;
    const w = REQUEST_PARTS.find(span);
    if (w >= 0) {
      this.idMethod = REQUEST_PARTS.part(w, 0);
      this.idUri = REQUEST_PARTS.part(w, 1);
      this.idProtocol = REQUEST_PARTS.part(w, 2);
      return true;
    }
    const b = this.line;
    const m = METHOD_IDS.id(b, this.mS, this.mE);
    const u = this.uE > this.uS ? URI_IDS.id(b, this.uS, this.uE) : 0;
    const p = this.pS >= 0 ? PROTOCOL_IDS.id(b, this.pS, this.pE) : 0;
    this.idMethod = m;
    this.idUri = u;
    this.idProtocol = p;
    // As in headerPartIds: parts without an id are asked again next time, not kept as -1.
    if (m > 0 && u >= 0 && p >= 0) REQUEST_PARTS.remember(span, m, u, p);
    return true;
  }

  /** The request span's id, looked up once per record (the field must exist: reqS >= 0). */
  private requestSpanId(): number {
    if (this.requestSpan === 0) this.requestSpan = REQUEST_IDS.id(this.line, this.reqS, this.reqE);
    return this.requestSpan;
  }

  /**
   * The request line: the request span's id, or (a span without one, e.g. while the span table
   * rests) the ids of the split request's parts.
   */
  private requestId(): number {
    if (this.reqS < 0) return 0;
    if (this.mS < 0) return REQUEST_IDS.id(this.line, this.reqS, this.reqE);
    if (this.requestSpanId() > 0) return this.requestSpan;
    const method = this.bufferKeyId('http.method');
    const uri = this.bufferKeyId('http.uri.raw');
    const protocol = this.bufferKeyId('http.protocol');
    return ACCESS_KEY_IDS.pair(method, ACCESS_KEY_IDS.pair(uri, protocol));
  }

  /**
   * Keys are the raw spans a buffer is derived from (unescaping and URI normalisation depend on
   * those bytes alone). Lines never hold '\n', so it separates the parts of composite keys.
   */
  bufferKey(name: BufferName): string | undefined | null {
    const b = this.line;
    switch (name) {
      case 'http.method':
        if (this.mS < 0) return undefined;
        return LATIN1_SLICE.call(b, this.mS, this.mE);
      case 'http.uri':
      case 'http.uri.raw':
        if (this.uS < 0 || this.uE <= this.uS) return undefined;
        return LATIN1_SLICE.call(b, this.uS, this.uE);
      case 'http.protocol':
        return this.pS >= 0 ? LATIN1_SLICE.call(b, this.pS, this.pE) : undefined;
      case 'http.stat_code':
        if (this.statusCode < 0) return undefined;
        return LATIN1_SLICE.call(b, this.statS, this.statE);
      case 'http.user_agent':
        return this.uaS >= 0 ? LATIN1_SLICE.call(b, this.uaS, this.uaE) : undefined;
      case 'http.referer':
        return this.refS >= 0 ? LATIN1_SLICE.call(b, this.refS, this.refE) : undefined;
      case 'http.request_line':
        return this.reqS >= 0 ? LATIN1_SLICE.call(b, this.reqS, this.reqE) : undefined;
      case 'http.header':
      case 'http.header.raw':
        // No Cookie in access logs: both blocks are Host, User-Agent and Referer.
        return (this.kHeader ??= this.headerKey());
      case 'http.host':
      case 'http.host.raw':
        return this.vhS >= 0 ? LATIN1_SLICE.call(b, this.vhS, this.vhE) : undefined;
      case 'http.header_names':
        // One of sixteen shared layouts, by which headers the line has.
        return (this.vhS >= 0 ? 'h' : '') + (this.refS >= 0 && !this.dash(this.refS, this.refE) ? 'r' : '') + (this.uaS >= 0 && !this.dash(this.uaS, this.uaE) ? 'u' : '');
      case 'http.start':
        // The request line, then the header block (neither holds '\n').
        if (this.reqS < 0) return undefined;
        return LATIN1_SLICE.call(b, this.reqS, this.reqE) + '\n' + (this.kHeader ??= this.headerKey());
      case 'log.message':
        return null;
      default:
        // Everything else (cookies, bodies, mail, packet buffers) is never in an access log.
        return undefined;
    }
  }

  private headerKey(): string {
    const b = this.line;
    if (this.vhS < 0 && this.refS >= 0 && this.uaS >= 0) {
      // `ref" "ua`: the referer ends at the first unescaped quote, so the span determines both.
      return LATIN1_SLICE.call(b, this.refS, this.uaE);
    }
    return (
      (this.vhS >= 0 ? 'h' + latin1(b, this.vhS, this.vhE) : '') +
      '\n' +
      (this.refS >= 0 ? latin1(b, this.refS, this.refE) : '') +
      '\n' +
      (this.uaS >= 0 ? latin1(b, this.uaS, this.uaE) : '')
    );
  }

  /** As HttpLogRecord's, read straight from the spans (no view per field) unless a field needs unescaping. */
  protected override contentMeta(): HttpLogMeta {
    if (this.escaped) return super.contentMeta();
    const b = this.line;
    const m: HttpLogMeta = {};
    if (this.vhS >= 0) m.hostname = eveText(normalizeHost(sub(b, this.vhS, this.vhE)));
    // Texts come from the id tables by the spans' ids (shared strings). The ids are asked for
    // here because a record whose detection was replayed by content (one id for all buffers)
    // has not looked its parts up; a repeated request or header span gives them without a hash.
    if (this.uS >= 0 && this.uE > this.uS) m.url = eveTextOfLatin1(URI_IDS.text(this.bufferKeyId('http.uri.raw'), b, this.uS, this.uE));
    if (this.uaS >= 0 && !this.dash(this.uaS, this.uaE)) m.http_user_agent = eveTextOfLatin1(AGENT_IDS.text(this.bufferKeyId('http.user_agent'), b, this.uaS, this.uaE));
    if (this.mS >= 0) m.http_method = METHOD_IDS.text(this.bufferKeyId('http.method'), b, this.mS, this.mE);
    if (this.pS >= 0) m.protocol = PROTOCOL_IDS.text(this.bufferKeyId('http.protocol'), b, this.pS, this.pE);
    if (this.refS >= 0 && !this.dash(this.refS, this.refE)) m.http_refer = eveTextOfLatin1(REFERER_IDS.text(this.bufferKeyId('http.referer'), b, this.refS, this.refE));
    if (this.statusCode >= 0) m.status = this.statusCode;
    return m;
  }

  protected override requestLine(): Uint8Array | undefined {
    if (this.reqS < 0 || (this.reqE - this.reqS === 1 && this.line[this.reqS] === 0x2d)) return undefined;
    return this.field(this.reqS, this.reqE);
  }

  protected collectFields(out: Record<string, string>): void {
    this.collectCommon(out);
    const t = (s: number, e: number): string => latin1(this.line, s, e);
    if (this.vhS >= 0) out.vhost = t(this.vhS, this.vhE);
    out.client = t(this.hostS, this.hostE);
    if (this.identS >= 0) out.ident = t(this.identS, this.identE);
    if (this.userS >= 0) out.user = t(this.userS, this.userE);
    if (this.timeS >= 0) out.time = t(this.timeS, this.timeE);
    if (this.reqS >= 0) out.request = t(this.reqS, this.reqE);
    if (this.mS >= 0) out.method = t(this.mS, this.mE);
    if (this.uS >= 0) out.uri = t(this.uS, this.uE);
    if (this.pS >= 0) out.protocol = t(this.pS, this.pE);
    if (this.statS >= 0) out.status = t(this.statS, this.statE);
    if (this.bodyLength >= 0) out.bytes = String(this.bodyLength);
    if (this.refS >= 0) out.referer = t(this.refS, this.refE);
    if (this.uaS >= 0) out.user_agent = t(this.uaS, this.uaE);
    if (this.restS >= 0) out.extra = t(this.restS, this.line.length);
  }
}

// One domain for every access record, kept on the prototype.
(AccessRecord.prototype as { bufferKeyDomain: string }).bufferKeyDomain = 'access';

/**
 * An access line carried by an envelope: a syslog message (nginx `access_log syslog:`, Apache
 * piped to logger) or a container runtime's JSON line (Docker's `log` field). The HTTP fields
 * are the access line's; log.message is the message (not the syslog header), log.hostname and
 * log.program the syslog header's. A class of its own (and key domain) so that the records of
 * plain access logs, one per line, keep their shape.
 */
export class WrappedAccessRecord extends AccessRecord {
  declare pri: number;
  declare sysHostS: number;
  declare sysHostE: number;
  declare progS: number;
  declare progE: number;
  declare pidS: number;
  declare pidE: number;
  /** Where the access line starts (the syslog message). */
  declare msgS: number;

  constructor(line: Uint8Array, file: string, lineNo: number, format: LogFormatName, h: SyslogHeader | undefined) {
    super(line, file, lineNo, format);
    this.pri = h ? h.pri : -1;
    this.sysHostS = h ? h.hostStart : -1;
    this.sysHostE = h ? h.hostEnd : -1;
    this.progS = h ? h.progStart : -1;
    this.progE = h ? h.progEnd : -1;
    this.pidS = h ? h.pidStart : -1;
    this.pidE = h ? h.pidEnd : -1;
    this.msgS = h ? h.msgStart : 0;
  }

  override buffer(name: BufferName): Uint8Array | undefined {
    if (name === 'log.message') return this.msgS === 0 ? this.line : this.line.subarray(this.msgS);
    return super.buffer(name);
  }

  protected override makeBuffer(name: BufferName): Uint8Array | undefined {
    if (name === 'log.program') return this.progS >= 0 ? sub(this.line, this.progS, this.progE) : undefined;
    if (name === 'log.hostname') return this.sysHostS >= 0 ? sub(this.line, this.sysHostS, this.sysHostE) : undefined;
    return super.makeBuffer(name);
  }

  override bufferKeyId(name: BufferName): number {
    // Built when asked (no key), as log.message is.
    if (name === 'log.program') return this.progS >= 0 ? -1 : 0;
    if (name === 'log.hostname') return this.sysHostS >= 0 ? -1 : 0;
    return super.bufferKeyId(name);
  }

  override bufferKeyDomainHas(name: BufferName): boolean {
    return name === 'log.program' || name === 'log.hostname' || super.bufferKeyDomainHas(name);
  }

  protected override collectFields(out: Record<string, string>): void {
    super.collectFields(out);
    if (this.pri >= 0) out.pri = String(this.pri);
    if (this.sysHostS >= 0) out.hostname = latin1(this.line, this.sysHostS, this.sysHostE);
    if (this.progS >= 0) out.program = latin1(this.line, this.progS, this.progE);
    if (this.pidS >= 0) out.pid = latin1(this.line, this.pidS, this.pidE);
    if (this.msgS > 0) out.message = latin1(this.line, this.msgS, this.line.length);
  }
}

(WrappedAccessRecord.prototype as { bufferKeyDomain: string }).bufferKeyDomain = 'access-wrapped';

/** Node's native Latin-1 decoder reads any Uint8Array (no Buffer view per call). */
const LATIN1_SLICE = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/** Every buffer bufferKeyId may give an access record a non-zero id for. */
const ACCESS_BUFFERS: ReadonlySet<BufferName> = new Set<BufferName>([
  'http.method', 'http.uri', 'http.uri.raw', 'http.protocol', 'http.stat_code', 'http.user_agent', 'http.referer',
  'http.request_line', 'http.header', 'http.header.raw', 'http.host', 'http.host.raw', 'http.header_names', 'http.start',
  'log.message',
]);

/** The client column of the last line (see LastAddress). */
const LAST_CLIENT = new LastAddress();

/** Ids of access-log buffer keys (domain 'access'), shared by every access record. */
const ACCESS_KEY_IDS = new BufferKeyIds();
/** Span ids per field: each adapts to how often its own values repeat. */
const METHOD_IDS = new SpanKeyIds(ACCESS_KEY_IDS, 256, 16384);
const URI_IDS = new SpanKeyIds(ACCESS_KEY_IDS);
const PROTOCOL_IDS = new SpanKeyIds(ACCESS_KEY_IDS, 256, 16384);
const AGENT_IDS = new SpanKeyIds(ACCESS_KEY_IDS);
const REFERER_IDS = new SpanKeyIds(ACCESS_KEY_IDS);
const REQUEST_IDS = new SpanKeyIds(ACCESS_KEY_IDS);
const HOST_IDS = new SpanKeyIds(ACCESS_KEY_IDS, 1024, 65536);
const HEADER_IDS = new SpanKeyIds(ACCESS_KEY_IDS);
/** Part ids by request span id (method, URI, protocol) and by header span id (referer, agent). */
const REQUEST_PARTS = new SpanParts();
const HEADER_PARTS = new SpanParts();
/**
 * Status ids by code: a status field is three digits whenever statusCode is set, so the code
 * names its bytes and needs no span lookup.
 */
const STATUS_CODE_IDS = new Int32Array(1000);

function statusId(code: number): number {
  return STATUS_CODE_IDS[code] || (STATUS_CODE_IDS[code] = ACCESS_KEY_IDS.fresh());
}
/** Header blocks by key id, direct-mapped (see AccessRecord.makeBuffer). */
const HEADER_BLOCKS = new KeptById<Uint8Array>(256);
/** The http fields (but the length) of recent content ids (see HttpLogRecord.http). */
const ACCESS_META = new KeptById<HttpLogMeta>(16384);
/** The id of each http.header_names layout (host, referer, agent present), given once. */
const HEADER_NAMES_IDS: (number | undefined)[] = [];

const M_NO_HOST = new Malformed('no-client');
const M_NO_TIME = new Malformed('no-time');
const M_BAD_TIME = new Malformed('bad-time');
const M_NO_REQUEST = new Malformed('no-request');
const M_UNTERMINATED = new Malformed('unterminated-request');
const M_BAD_STATUS = new Malformed('bad-status');
const M_BAD_BYTES = new Malformed('bad-bytes');
const M_NO_VHOST = new Malformed('no-vhost');

function hasSpace(b: Uint8Array, s: number, e: number): boolean {
  const i = b.indexOf(0x20, s);
  return i >= 0 && i < e;
}

/**
 * Closing quote of a quoted field starting after `open`, honouring `\"` escapes; -1 when none.
 * `plain`: the line holds no backslash, so the first quote closes (found by the native search).
 */
function closeQuote(b: Uint8Array, i: number, end: number, rec: AccessRecord, plain: boolean): number {
  if (plain) return i < end ? indexOfByte(b, 0x22, i) : -1;
  while (i < end) {
    const c = b[i]!;
    if (c === 0x22) return i;
    if (c === 0x5c) {
      rec.escaped = true;
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

/** Whether `" NNN ` (or `" - `) follows at q: the end of the request field and a status. */
function statusFollows(b: Uint8Array, q: number, end: number): boolean {
  if (b[q + 1] !== 0x20) return false;
  const s = q + 2;
  if (s + 3 <= end && isDigit(b[s]!) && isDigit(b[s + 1]!) && isDigit(b[s + 2]!) && (s + 3 === end || b[s + 3] === 0x20))
    return true;
  return b[s] === 0x2d && (s + 1 === end || b[s + 1] === 0x20);
}

function isTokenByte(c: number): boolean {
  // RFC 7230 tchar, as a method must be.
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d || c === 0x5f || c === 0x2e || c === 0x21 || c === 0x23 || c === 0x24 || c === 0x25 ||
    c === 0x26 || c === 0x27 || c === 0x2a || c === 0x2b || c === 0x5e || c === 0x60 || c === 0x7c || c === 0x7e
  );
}

/** End of the first entry of the list forwardedList found. */
let forwardedFirst = -1;

/**
 * The end (the space after it) of a comma-separated address list opening at i (`a, b, c` or
 * `a,b`; the entries hold no space or comma), -1 when the column is not one; sets forwardedFirst.
 */
function forwardedList(b: Uint8Array, i: number, end: number): number {
  let p = i;
  while (p < end && b[p] !== 0x2c && b[p] !== 0x20) p++;
  if (p === i || b[p] !== 0x2c) return -1;
  forwardedFirst = p;
  while (p < end && b[p] === 0x2c) {
    p++;
    while (p < end && b[p] === 0x20) p++;
    const s = p;
    while (p < end && b[p] !== 0x2c && b[p] !== 0x20) p++;
    if (p === s || (p - s === 1 && b[s] === 0x2d)) return -1;
  }
  return p < end ? p : -1;
}

/**
 * The client of the list b[i..listEnd) forwardedList read: its rightmost address outside the
 * internal ranges, else its first entry's address (undefined when that is a name).
 */
function forwardedClient(b: Uint8Array, i: number, listEnd: number): IpBytes | undefined {
  let first: IpBytes | undefined;
  let found: IpBytes | undefined;
  for (let p = i, k = 0; p < listEnd; k++) {
    while (p < listEnd && (b[p] === 0x2c || b[p] === 0x20)) p++;
    const s = p;
    while (p < listEnd && b[p] !== 0x2c && b[p] !== 0x20) p++;
    if (p === s) break;
    const ip = parseIp(b, s, p);
    if (k === 0) first = ip;
    if (ip && !isInternalAddress(ip)) found = ip;
  }
  return found ?? first;
}

function isBlankByte(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** SP, HT, CR or LF: what the packet parser trims off the end of a request line. */
function isEndWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** The parts splitCore found, as offsets into the bytes it was given. */
let splitMS = -1;
let splitME = -1;
let splitUS = -1;
let splitUE = -1;
let splitPS = -1;
/** End of the line splitCore split, trailing blanks cut (the protocol's end). */
let splitEnd = -1;

/**
 * The request line d[s..e) split as the packet parser splits one (HttpRequest.parseLine in
 * app/http/message.ts): blanks are SP and HT, leading ones are skipped, the method runs to the
 * first blank and the target starts after the blanks that follow it; trailing SP/HT/CR/LF are
 * cut, and the part after the last blank is the protocol when it starts with `http/` in any
 * case, the blanks before it ending the target. The protocol runs to e; splitPS is -1 without
 * one. False when there is no method token followed by a blank (nothing is split then).
 */
function splitCore(d: Uint8Array, s: number, e: number): boolean {
  while (s < e && isBlankByte(d[s]!)) s++;
  let me = s;
  while (me < e && !isBlankByte(d[me]!)) me++;
  if (me === s || me >= e) return false;
  for (let k = s; k < me; k++) if (!isTokenByte(d[k]!)) return false;
  let ts = me + 1;
  while (ts < e && isBlankByte(d[ts]!)) ts++;
  while (e > ts && isEndWs(d[e - 1]!)) e--;
  let sp = e - 1;
  while (sp >= ts && !isBlankByte(d[sp]!)) sp--;
  splitMS = s;
  splitME = me;
  splitUS = ts;
  if (
    sp >= ts && e - sp > 5 &&
    (d[sp + 1]! | 0x20) === 0x68 && (d[sp + 2]! | 0x20) === 0x74 && (d[sp + 3]! | 0x20) === 0x74 && (d[sp + 4]! | 0x20) === 0x70 && d[sp + 5] === 0x2f
  ) {
    splitPS = sp + 1;
    let te = sp;
    while (te > ts && isEndWs(d[te - 1]!)) te--;
    splitUE = te;
  } else {
    splitPS = -1;
    splitUE = e;
  }
  splitEnd = e;
  return true;
}

/**
 * Splits the request field into method, target and protocol as the packet parser would split
 * the request line the server received: on the bytes as logged or, when the field holds
 * escapes (Apache writes a tab as `\t`, nginx as `\x09`), on the bytes they stand for, each part
 * then ending on an escape's boundary.
 */
function splitRequest(b: Uint8Array, rec: AccessRecord): void {
  const s = rec.reqS;
  const e = rec.reqE;
  if (rec.escaped) {
    const bs = b.indexOf(0x5c, s);
    if (bs >= 0 && bs < e) {
      splitEscaped(b, rec, s, e);
      return;
    }
  }
  if (!splitCore(b, s, e)) return;
  rec.mS = splitMS;
  rec.mE = splitME;
  rec.uS = splitUS;
  rec.uE = splitUE;
  if (splitPS >= 0) {
    rec.pS = splitPS;
    rec.pE = splitEnd;
  }
}

/** splitRequest of a field with escapes: split the decoded bytes, map the parts back (see unescapeLogBytes). */
function splitEscaped(b: Uint8Array, rec: AccessRecord, s: number, e: number): void {
  const n = e - s;
  const d = new Uint8Array(n);
  /** Offset in b of each decoded byte, and of the field's end after the last. */
  const at = new Int32Array(n + 1);
  let o = 0;
  for (let i = s; i < e; ) {
    const c = b[i]!;
    at[o] = i;
    let len = 1;
    let v = c;
    if (c === 0x5c && i + 1 < e) {
      const x = b[i + 1]!;
      const mapped = escapeValue(x);
      if (mapped >= 0) {
        v = mapped;
        len = 2;
      } else if (x === 0x78 && i + 3 < e) {
        const h = hexVal(b[i + 2]!);
        const l = hexVal(b[i + 3]!);
        if (h >= 0 && l >= 0) {
          v = (h << 4) | l;
          len = 4;
        }
      }
    }
    d[o++] = v;
    i += len;
  }
  at[o] = e;
  if (!splitCore(d, 0, o)) return;
  rec.mS = at[splitMS]!;
  rec.mE = at[splitME]!;
  rec.uS = at[splitUS]!;
  rec.uE = at[splitUE]!;
  if (splitPS >= 0) {
    rec.pS = at[splitPS]!;
    rec.pE = at[splitEnd]!;
  }
}

/** The byte a two-character escape `\x` stands for (as unescapeLogBytes reads it), -1 for others. */
function escapeValue(x: number): number {
  switch (x) {
    case 0x5c:
    case 0x22:
      return x;
    case 0x6e:
      return 0x0a;
    case 0x72:
      return 0x0d;
    case 0x74:
      return 0x09;
    case 0x62:
      return 0x08;
    case 0x76:
      return 0x0b;
    case 0x66:
      return 0x0c;
    default:
      return -1;
  }
}


/** `[10/Oct/2000:13:55:36 -0700]` (day may have one digit, seconds a fraction, the zone may be absent). */
function parseAccessTime(b: Uint8Array, i: number, end: number, ctx: ParseContext, rec: AccessRecord): number {
  let d = 0;
  let j = i;
  while (j < end && j - i < 2 && isDigit(b[j]!)) d = d * 10 + (b[j++]! - 0x30);
  if (j === i || b[j] !== 0x2f) return -1;
  const mo = monthAt(b, j + 1);
  if (mo === 0 || b[j + 4] !== 0x2f) return -1;
  const y = digits(b, j + 5, 4);
  j += 9;
  if (y < 0 || b[j] !== 0x3a) return -1;
  const h = digits(b, j + 1, 2);
  const mi = digits(b, j + 4, 2);
  const s = digits(b, j + 7, 2);
  if (h < 0 || mi < 0 || s < 0 || b[j + 3] !== 0x3a || b[j + 6] !== 0x3a) return -1;
  j += 9;
  let us = 0;
  if (b[j] === 0x2e) {
    let n = 0;
    j++;
    while (j < end && isDigit(b[j]!)) {
      if (n < 6) {
        us = us * 10 + (b[j]! - 0x30);
        n++;
      }
      j++;
    }
    while (n < 6) {
      us *= 10;
      n++;
    }
  }
  let ts: number;
  if (b[j] === 0x20 && (b[j + 1] === 0x2b || b[j + 1] === 0x2d)) {
    const zh = digits(b, j + 2, 2);
    const zm = digits(b, j + 4, 2);
    if (zh < 0 || zm < 0) return -1;
    const off = (b[j + 1] === 0x2d ? -1 : 1) * (zh * 60 + zm);
    ts = ctx.withOffset(y, mo, d, h, mi, s, us, off);
    j += 6;
  } else {
    ts = ctx.local(y, mo, d, h, mi, s, us);
  }
  if (b[j] !== 0x5d || Number.isNaN(ts)) return -1;
  rec.tsUs = ts;
  return j;
}

/**
 * The time field of the last line parsed and its value: busy servers write many lines per
 * second, so a line mostly repeats the previous line's stamp byte for byte. Kept with the stream
 * (its context) it was read in, as zone-less stamps are read in the stream's zone.
 */
const MAX_STAMP = 48;
const stampBytes = new Uint8Array(MAX_STAMP);
let stampLength = -1;
let stampUs = 0;
let stampContext: ParseContext | null = null;

/** Whether b[i..] holds the remembered stamp up to its `]`; if so, sets rec.tsUs as parseAccessTime would. */
function sameStamp(b: Uint8Array, i: number, end: number, ctx: ParseContext, rec: AccessRecord): boolean {
  const n = stampLength;
  if (ctx !== stampContext || n < 0 || i + n >= end || b[i + n] !== 0x5d) return false;
  for (let k = 0; k < n; k++) if (b[i + k] !== stampBytes[k]) return false;
  rec.tsUs = stampUs;
  return true;
}

function rememberStamp(b: Uint8Array, start: number, end: number, ctx: ParseContext, tsUs: number): void {
  if (end - start > MAX_STAMP) {
    stampLength = -1;
    return;
  }
  // Copied byte by byte: a stamp is a few dozen bytes, and a subarray per new second is an allocation.
  for (let k = start; k < end; k++) stampBytes[k - start] = b[k]!;
  stampLength = end - start;
  stampUs = tsUs;
  stampContext = ctx;
}

/** An envelope around an access line: where the line starts, and the syslog header around it (if any). */
interface Wrap {
  from: number;
  head: SyslogHeader | undefined;
}

function parseAccess(line: Uint8Array, ctx: ParseContext, format: LogFormatName, vhost: boolean, wrap?: Wrap): ParseOutcome {
  const b = line;
  const end = b.length;
  const rec = wrap === undefined ? new AccessRecord(line, ctx.file, ctx.lineNo, format) : new WrappedAccessRecord(line, ctx.file, ctx.lineNo, format, wrap.head);
  // Most lines hold no escape at all: their quoted fields end at the next quote.
  const plain = indexOfByte(b, 0x5c, 0) < 0;
  rec.appProto = 'http';
  rec.proto = 6;
  let i = wrap === undefined ? 0 : wrap.from;
  if (vhost) {
    let e = i;
    while (e < end && b[e] !== 0x20) e++;
    if (e === i || e >= end) return M_NO_VHOST;
    // "a, b - - [...": an X-Forwarded-For client list, not a virtual host (no comma in a host name).
    // Read as a plain line, which takes the list as its client column (and so is not re-read here).
    // (One look for a comma, then one read of the list: the column is the client's to fill.)
    const comma = indexOfByte(b, 0x2c, i);
    if (comma >= 0 && comma < e && forwardedList(b, i, end) > 0) return parseAccess(line, ctx, 'combined', false, wrap);
    // vhost_combined writes "%v:%p"; a bare name is accepted too.
    let colon = -1;
    for (let k = e - 1; k > i; k--) {
      if (b[k] === 0x3a) {
        colon = k;
        break;
      }
      if (!isDigit(b[k]!)) break;
    }
    rec.vhS = i;
    rec.vhE = e;
    // An IPv6 vhost carries its port after the brackets ("[2001:db8::1]:8080"); a bare IPv6
    // address ("2001:db8::1") has none, however its last group reads.
    let portOk = colon > i;
    if (portOk && b[i] === 0x5b) portOk = b[colon - 1] === 0x5d;
    else if (portOk) for (let k = i; k < colon; k++) if (b[k] === 0x3a) portOk = false;
    if (portOk) {
      const port = parseUint(b, colon + 1, e);
      if (port >= 0 && port <= 65535) {
        rec.dstPort = port;
        rec.vhE = colon;
      }
    }
    i = e + 1;
  }
  // client
  let e = i;
  while (e < end && b[e] !== 0x20) e++;
  if (e === i || e >= end) return M_NO_HOST;
  rec.hostS = i;
  rec.hostE = e;
  let ip = LAST_CLIENT.parse(b, i, e);
  let listed = false;
  if (ip) rec.src = ip;
  else {
    // `LogFormat "%{X-Forwarded-For}i ..."`, nginx $proxy_add_x_forwarded_for: "client, proxy, ..."
    // (or "client,proxy"), the column running to the last hop. Each proxy appends the address it
    // was reached from, and everything left of that is what the client sent: the client is the
    // rightmost address outside the site's own (internal) ranges, as nginx's realip module finds
    // it with its internal proxies trusted, so an attacker cannot pick the source by sending a
    // forged X-Forwarded-For. All internal: the leftmost.
    const listEnd = forwardedList(b, i, end);
    if (listEnd > 0) {
      ip = forwardedClient(b, i, listEnd);
      if (ip) rec.src = ip;
      else rec.srcHost = latin1(b, i, forwardedFirst);
      e = listEnd;
      rec.hostE = e;
      listed = true;
    } else rec.srcHost = latin1(b, i, e);
  }
  // ident, then user up to the '[' (user names may contain spaces)
  i = e + 1;
  e = i;
  while (e < end && b[e] !== 0x20) e++;
  if (e >= end) return M_NO_TIME;
  rec.identS = i;
  rec.identE = e;
  const lb = indexOfByte(b, 0x5b, e);
  if (lb < 0) return M_NO_TIME;
  rec.userS = e + 1;
  rec.userE = lb - 1 >= e + 1 ? lb - 1 : e + 1;
  // A vhost-prefixed line inside a plain log ("www.example.com 192.0.2.1 - - [..."): the client
  // lands in ident and "ident user" in user. Re-read it with the vhost column.
  if (!vhost && !ip && !listed && hasSpace(b, rec.userS, rec.userE) && parseIp(b, rec.identS, rec.identE)) {
    return parseAccess(line, ctx, 'vhost_combined', true, wrap);
  }
  // time
  let rb: number;
  if (sameStamp(b, lb + 1, end, ctx, rec)) rb = lb + 1 + stampLength;
  else {
    rb = parseAccessTime(b, lb + 1, end, ctx, rec);
    if (rb < 0) return M_BAD_TIME;
    rememberStamp(b, lb + 1, rb, ctx, rec.tsUs);
  }
  rec.timeS = lb + 1;
  rec.timeE = rb;
  // "request"
  i = rb + 1;
  if (b[i] !== 0x20 || b[i + 1] !== 0x22) return M_NO_REQUEST;
  const rs = i + 2;
  let q = closeQuote(b, rs, end, rec, plain);
  if (q < 0) return M_UNTERMINATED;
  if (!statusFollows(b, q, end)) {
    // Servers before Apache 2.0.46 did not escape quotes inside the request: look for the real end.
    const first = q;
    let k = q + 1;
    q = -1;
    while (k < end) {
      const n = b.indexOf(0x22, k);
      if (n < 0) break;
      if (statusFollows(b, n, end)) {
        q = n;
        break;
      }
      k = n + 1;
    }
    if (q < 0) return b[first + 1] === 0x20 ? M_BAD_STATUS : M_UNTERMINATED;
    rec.escaped = rec.escaped || b.subarray(rs, q).includes(0x5c);
  }
  rec.reqS = rs;
  rec.reqE = q;
  splitRequest(b, rec);
  // status
  i = q + 2;
  e = i;
  while (e < end && b[e] !== 0x20) e++;
  if (e - i === 3) {
    const st = digits(b, i, 3);
    if (st < 0) return M_BAD_STATUS;
    rec.statusCode = st;
    rec.statS = i;
    rec.statE = e;
  } else if (!(e - i === 1 && b[i] === 0x2d)) return M_BAD_STATUS;
  // bytes
  i = e + 1;
  if (i > end) return M_BAD_BYTES;
  e = i;
  while (e < end && b[e] !== 0x20) e++;
  if (e === i) return M_BAD_BYTES;
  if (!(e - i === 1 && b[i] === 0x2d)) {
    const n = parseUint(b, i, e);
    if (n < 0) return M_BAD_BYTES;
    rec.bodyLength = n;
  } else rec.bodyLength = 0;
  // optional "referer" "user-agent"
  i = e;
  if (i + 1 < end && b[i + 1] === 0x22) {
    const rq = closeQuote(b, i + 2, end, rec, plain);
    if (rq < 0) return rec;
    rec.refS = i + 2;
    rec.refE = rq;
    i = rq + 1;
    if (i + 1 < end && b[i] === 0x20 && b[i + 1] === 0x22) {
      const uq = closeQuote(b, i + 2, end, rec, plain);
      if (uq >= 0) {
        rec.uaS = i + 2;
        rec.uaE = uq;
        i = uq + 1;
      }
    }
  }
  while (i < end && b[i] === 0x20) i++;
  if (i < end) rec.restS = i;
  return rec;
}

/**
 * The access line at line[from..] inside an envelope (a syslog message: `head` is its header),
 * or undefined when it is none. Its time is the envelope's when the envelope has one, so the
 * records of a syslog stream keep one clock (the access line's own stamp stays in fields.time).
 */
export function parseWrappedAccess(line: Uint8Array, ctx: ParseContext, from: number, head: SyslogHeader | undefined): AccessRecord | undefined {
  const out = parseAccess(line, ctx, 'combined', false, { from, head });
  if (!(out instanceof AccessRecord)) return undefined;
  if (head !== undefined && !Number.isNaN(head.tsUs)) out.tsUs = head.tsUs;
  return out;
}

/** Detection score: 1 for a line of exactly this variant, lower for a sibling the parser also accepts. */
function probeAccess(line: Uint8Array, ctx: ParseContext, want: 'common' | 'combined' | 'vhost'): number {
  const out = parseAccess(line, ctx, 'combined', want === 'vhost');
  if (!(out instanceof AccessRecord)) return 0;
  const userHasSpace = hasSpace(line, out.userS, out.userE);
  if (want === 'vhost') {
    // A plain line read as vhost leaves the user field empty ("1.2.3.4 - - [" -> vhost, client "-", ident "-").
    const clientDash = out.hostE - out.hostS === 1 && line[out.hostS] === 0x2d;
    return out.vhS >= 0 && out.userE > out.userS && !clientDash && !userHasSpace ? 1 : 0;
  }
  // A vhost line read as plain puts "ident user" into the user field.
  if (userHasSpace) return 0.3;
  const hasAgent = out.uaS >= 0;
  if (want === 'combined') return hasAgent ? 1 : 0.5;
  return hasAgent ? 0.9 : 1;
}

export const commonFormat: LogFormatModule = {
  name: 'common',
  probe: (line, ctx) => probeAccess(line, ctx, 'common'),
  parse: (line, ctx) => parseAccess(line, ctx, 'common', false),
};

export const combinedFormat: LogFormatModule = {
  name: 'combined',
  probe: (line, ctx) => probeAccess(line, ctx, 'combined'),
  parse: (line, ctx) => parseAccess(line, ctx, 'combined', false),
};

export const vhostCombinedFormat: LogFormatModule = {
  name: 'vhost_combined',
  probe: (line, ctx) => probeAccess(line, ctx, 'vhost'),
  parse: (line, ctx) => parseAccess(line, ctx, 'vhost_combined', true),
};

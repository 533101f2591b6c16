import type { BufferName } from '../../types/buffers.js';
import { digits, latin1, parseUint, replaceByte, startsWithAscii, sub } from '../bytes.js';
import { LastAddress } from '../ip.js';
import { KeptById } from '../kept-by-id.js';
import { BufferKeyIds, type HttpLogMeta } from '../record.js';
import { SpanKeyIds } from '../span-ids.js';
import { Malformed, type LogFormatModule, type ParseContext, type ParseOutcome } from './context.js';
import { HttpLogRecord, HttpPart } from './http-record.js';

/**
 * W3C extended log format as IIS writes it: `#Fields:` names the space-separated columns and may
 * change mid-file; times are UTC. Files without a header (a fragment, a rotated tail) are read with
 * the IIS default column sets, picked by the position of the method column.
 */

/** Column positions the parser needs, resolved once per `#Fields:` line. */
export interface IisLayout {
  names: readonly string[];
  date: number;
  time: number;
  /** date and time are the server's local time (Advanced Logging's date-local, time-local). */
  local: boolean;
  cIp: number;
  cPort: number;
  sIp: number;
  sPort: number;
  method: number;
  stem: number;
  query: number;
  uri: number;
  user: number;
  version: number;
  ua: number;
  cookie: number;
  referer: number;
  host: number;
  status: number;
  scBytes: number;
  /** Columns whose text may contain spaces when a non-IIS writer produced the file. */
  free: readonly boolean[];
  guessed: boolean;
}

export function makeLayout(names: readonly string[], guessed = false): IisLayout {
  const lower = names.map((n) => n.toLowerCase());
  const at = (n: string): number => lower.indexOf(n);
  const local = at('time') < 0 && at('time-local') >= 0;
  return {
    names,
    date: local ? at('date-local') : at('date'),
    time: local ? at('time-local') : at('time'),
    local,
    cIp: at('c-ip'),
    cPort: at('c-port'),
    sIp: at('s-ip'),
    sPort: at('s-port'),
    method: at('cs-method'),
    stem: at('cs-uri-stem'),
    query: at('cs-uri-query'),
    uri: at('cs-uri'),
    user: at('cs-username'),
    version: at('cs-version'),
    ua: at('cs(user-agent)'),
    cookie: at('cs(cookie)'),
    referer: at('cs(referer)'),
    host: at('cs-host'),
    status: at('sc-status'),
    scBytes: at('sc-bytes'),
    free: lower.map((n) => n === 'cs(user-agent)' || n === 'cs(referer)' || n === 'cs(cookie)'),
    guessed,
  };
}

const IIS7 = 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken';
const IIS85 = 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken';
const IIS6 = 'date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status';
const IIS6_ALL = 'date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken';
const DEFAULTS = [IIS7, IIS85, IIS6, IIS6_ALL].map((s) => makeLayout(s.split(' '), true));

const METHODS = new Set([
  'GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'PROPFIND', 'PROPPATCH',
  'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'RPC_IN_DATA', 'RPC_OUT_DATA', 'SUBSCRIBE', 'BITS_POST',
]);

export class IisRecord extends HttpLogRecord {
  constructor(
    line: Uint8Array,
    file: string,
    lineNo: number,
    readonly layout: IisLayout,
    /**
     * [start, end] per layout column; -1 when the column is absent or '-'. A plain array of
     * small integers: cheaper to make per line than a typed array.
     */
    readonly offs: readonly number[],
    format: 'iis' | 'iis_native' = 'iis',
  ) {
    super(line, file, lineNo, format);
  }

  private col(i: number): Uint8Array | undefined {
    if (i < 0) return undefined;
    const s = this.offs[i * 2]!;
    if (s < 0) return undefined;
    return sub(this.line, s, this.offs[i * 2 + 1]!);
  }

  protected part(p: HttpPart): Uint8Array | undefined {
    const L = this.layout;
    switch (p) {
      case HttpPart.Method:
        return this.col(L.method);
      case HttpPart.UriRaw: {
        const stem = this.col(L.stem);
        if (!stem) return this.col(L.uri);
        const q = this.col(L.query);
        if (!q) return stem;
        const out = new Uint8Array(stem.length + 1 + q.length);
        out.set(stem, 0);
        out[stem.length] = 0x3f;
        out.set(q, stem.length + 1);
        return out;
      }
      case HttpPart.Protocol:
        return this.col(L.version);
      case HttpPart.HostRaw:
        return this.col(L.host);
      case HttpPart.UserAgent: {
        // IIS writes spaces in these headers as '+'.
        const v = this.col(L.ua);
        return v ? replaceByte(v, 0x2b, 0x20) : undefined;
      }
      case HttpPart.Referer:
        return this.col(L.referer);
      case HttpPart.Cookie: {
        const v = this.col(L.cookie);
        return v ? replaceByte(v, 0x2b, 0x20) : undefined;
      }
      case HttpPart.Status:
        return this.col(L.status);
      default:
        return undefined;
    }
  }

  declare readonly bufferKeyDomain: string;
  /** Ids already found for this record (0: not yet). */
  private idMethod = 0;
  private idUri = 0;
  private idProtocol = 0;
  private idAgent = 0;
  private idReferer = 0;
  private idCookie = 0;
  private idHost = 0;
  private idStatus = 0;
  private idHeader = 0;
  private idRequest = 0;
  private idStart = 0;

  /**
   * Every buffer of an IIS line is cut from its columns (the URI from stem and query, the header
   * block from host, agent, referer and cookie): a buffer's id is its column's span id, or a pair
   * of the ids of the columns it is made of. 0: the record has no such buffer; -1: no id.
   */
  bufferKeyId(name: BufferName): number {
    const L = this.layout;
    switch (name) {
      case 'http.method':
        return this.idMethod !== 0 ? this.idMethod : (this.idMethod = this.colId(IIS_METHOD_IDS, L.method));
      case 'http.uri':
      case 'http.uri.raw':
        return this.idUri !== 0 ? this.idUri : (this.idUri = this.uriId());
      case 'http.protocol':
        return this.idProtocol !== 0 ? this.idProtocol : (this.idProtocol = this.colId(IIS_PROTOCOL_IDS, L.version));
      case 'http.user_agent':
        return this.idAgent !== 0 ? this.idAgent : (this.idAgent = this.colId(IIS_AGENT_IDS, L.ua));
      case 'http.referer':
        return this.idReferer !== 0 ? this.idReferer : (this.idReferer = this.colId(IIS_REFERER_IDS, L.referer));
      case 'http.cookie':
        return this.idCookie !== 0 ? this.idCookie : (this.idCookie = this.colId(IIS_COOKIE_IDS, L.cookie));
      case 'http.host':
      case 'http.host.raw':
        return this.idHost !== 0 ? this.idHost : (this.idHost = this.colId(IIS_HOST_IDS, L.host));
      case 'http.stat_code':
        return this.idStatus !== 0 ? this.idStatus : (this.idStatus = this.colId(IIS_STATUS_IDS, L.status));
      case 'http.header': {
        if (this.idHeader !== 0) return this.idHeader;
        const host = this.bufferKeyId('http.host.raw');
        const ua = this.bufferKeyId('http.user_agent');
        const ref = this.bufferKeyId('http.referer');
        // No logged header: no block at all.
        return (this.idHeader = host === 0 && ua === 0 && ref === 0 ? 0 : IIS_KEY_IDS.pair(host, IIS_KEY_IDS.pair(ua, ref)));
      }
      case 'http.header.raw': {
        // Without a cookie the raw block is the same bytes as http.header.
        const cookie = this.bufferKeyId('http.cookie');
        const header = this.bufferKeyId('http.header');
        return cookie === 0 ? header : IIS_KEY_IDS.pair(header, cookie);
      }
      case 'http.header_names': {
        const o = this.offs;
        const mask = (present(o, L.host) ? 1 : 0) | (present(o, L.ua) ? 2 : 0) | (present(o, L.referer) ? 4 : 0) | (present(o, L.cookie) ? 8 : 0);
        return mask === 0 ? 0 : (IIS_HEADER_NAMES_IDS[mask] ??= IIS_KEY_IDS.fresh());
      }
      case 'http.request_line': {
        if (this.idRequest !== 0) return this.idRequest;
        const method = this.bufferKeyId('http.method');
        const uri = this.bufferKeyId('http.uri.raw');
        // Rebuilt from method and URI (and the protocol when logged): none without both.
        return (this.idRequest = method === 0 || uri === 0 ? 0 : IIS_KEY_IDS.pair(method, IIS_KEY_IDS.pair(uri, this.bufferKeyId('http.protocol'))));
      }
      case 'http.start': {
        if (this.idStart !== 0) return this.idStart;
        const request = this.bufferKeyId('http.request_line');
        return (this.idStart = request === 0 ? 0 : IIS_KEY_IDS.pair(request, this.bufferKeyId('http.header.raw')));
      }
      case 'log.message':
        return -1;
      default:
        // Bodies, mail and packet buffers are never in a web server's log.
        return 0;
    }
  }

  bufferKeyDomainHas(name: BufferName): boolean {
    return IIS_BUFFERS.has(name);
  }

  /** http.start (request line and header block with the cookie) and the status name every keyed buffer. */
  contentKeyId(): number {
    const start = this.bufferKeyId('http.start');
    return (this.contentId = start <= 0 ? -1 : IIS_KEY_IDS.pair(start, this.bufferKeyId('http.stat_code')));
  }

  protected override keptMeta(): KeptById<HttpLogMeta> {
    return IIS_META;
  }

  /** The span id of column i, 0 when the layout lacks it or the line has '-' there. */
  private colId(table: SpanKeyIds, i: number): number {
    if (i < 0) return 0;
    const s = this.offs[i * 2]!;
    return s < 0 ? 0 : table.id(this.line, s, this.offs[i * 2 + 1]!);
  }

  /** As part(UriRaw): stem and query (`stem?query`), else the cs-uri column. */
  private uriId(): number {
    const L = this.layout;
    const stem = this.colId(IIS_STEM_IDS, L.stem);
    if (stem === 0) return this.colId(IIS_URI_IDS, L.uri);
    const query = this.colId(IIS_QUERY_IDS, L.query);
    return IIS_KEY_IDS.pair(stem, query);
  }

  protected collectFields(out: Record<string, string>): void {
    this.collectCommon(out);
    const names = this.layout.names;
    for (let i = 0; i < names.length; i++) {
      const s = this.offs[i * 2]!;
      out[names[i]!] = s < 0 ? '-' : latin1(this.line, s, this.offs[i * 2 + 1]!);
    }
  }
}

// One domain for every IIS record, kept on the prototype.
(IisRecord.prototype as { bufferKeyDomain: string }).bufferKeyDomain = 'iis';

/** Ids of IIS buffer keys (domain 'iis'): one counter for every column's table and their pairs. */
const IIS_KEY_IDS = new BufferKeyIds();
const IIS_METHOD_IDS = new SpanKeyIds(IIS_KEY_IDS, 256, 16384);
const IIS_PROTOCOL_IDS = new SpanKeyIds(IIS_KEY_IDS, 256, 16384);
const IIS_STATUS_IDS = new SpanKeyIds(IIS_KEY_IDS, 1024, 16384);
const IIS_STEM_IDS = new SpanKeyIds(IIS_KEY_IDS);
const IIS_QUERY_IDS = new SpanKeyIds(IIS_KEY_IDS);
const IIS_URI_IDS = new SpanKeyIds(IIS_KEY_IDS);
const IIS_AGENT_IDS = new SpanKeyIds(IIS_KEY_IDS);
const IIS_REFERER_IDS = new SpanKeyIds(IIS_KEY_IDS);
const IIS_COOKIE_IDS = new SpanKeyIds(IIS_KEY_IDS);
const IIS_HOST_IDS = new SpanKeyIds(IIS_KEY_IDS, 1024, 65536);
/** The http fields (but the length) of recent content ids (see HttpLogRecord.http). */
const IIS_META = new KeptById<HttpLogMeta>(16384);
/** The id of each http.header_names layout (host, agent, referer, cookie present), given once. */
const IIS_HEADER_NAMES_IDS: (number | undefined)[] = [];

/** Every buffer bufferKeyId may give an IIS record a non-zero id for. */
const IIS_BUFFERS: ReadonlySet<BufferName> = new Set<BufferName>([
  'http.method', 'http.uri', 'http.uri.raw', 'http.protocol', 'http.stat_code', 'http.user_agent', 'http.referer',
  'http.cookie', 'http.request_line', 'http.header', 'http.header.raw', 'http.host', 'http.host.raw',
  'http.header_names', 'http.start', 'log.message',
]);

const M_NO_LAYOUT = new Malformed('no-fields-header');
const M_FIELD_COUNT = new Malformed('field-count');
const M_BAD_TIME = new Malformed('bad-time');

const MAX_COLS = 128;

function directive(line: Uint8Array, ctx: ParseContext): null {
  if (startsWithAscii(line, 0, '#Fields:')) {
    const names = latin1(line, 8, line.length).trim().split(/\s+/).filter((n) => n.length > 0).slice(0, MAX_COLS);
    ctx.iis.fields = names.length ? makeLayout(names) : undefined;
  } else if (startsWithAscii(line, 0, '#Software:')) {
    ctx.iis.quoted = latin1(line, 10, Math.min(line.length, 128)).includes('Advanced Logging');
  } else if (startsWithAscii(line, 0, '#Date:')) {
    const m = /(\d{4})-(\d{2})-(\d{2})/.exec(latin1(line, 6, Math.min(line.length, 64)));
    if (m) ctx.iis.date = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  return null;
}

/** The separated tokens of a line: start and end of each, up to MAX_COLS. */
class Tokens {
  readonly spans = new Int32Array(MAX_COLS * 2);
  count = 0;
}

/** A field separator: SP (IIS) or HT (Amazon CloudFront and other W3C writers). */
function isSep(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Start/end of each token separated by spaces or tabs, up to MAX_COLS (the rest joins the last).
 * With `quoted`, a token opening with `"` runs to the `"` before a separator or the line's end,
 * and its span leaves the quotes out.
 */
function tokenize(b: Uint8Array, out: Tokens, quoted = false): void {
  const spans = out.spans;
  const end = b.length;
  let n = 0;
  let i = 0;
  // Once no quote closes a value from some point on, none closes one from any later point:
  // not searching again keeps a line of unclosed quotes linear.
  let quotesClose = quoted;
  while (i < end) {
    while (i < end && isSep(b[i]!)) i++;
    if (i >= end) break;
    let s = i;
    let e = i;
    // The last column takes the rest of the line, quoted or not: the spans hold MAX_COLS columns.
    const close = quotesClose && n < MAX_COLS - 1 && b[i] === 0x22 ? closingQuote(b, i + 1, end) : -1;
    if (quotesClose && close < 0 && b[i] === 0x22 && n < MAX_COLS - 1) quotesClose = false;
    if (close >= 0) {
      s = i + 1;
      e = close;
      i = close + 1;
    } else {
      if (n === MAX_COLS - 1) e = end;
      else while (e < end && !isSep(b[e]!)) e++;
      i = e;
    }
    spans[n * 2] = s;
    spans[n * 2 + 1] = e;
    n++;
  }
  out.count = n;
}

/** The `"` at or after `from` that ends a quoted value (followed by a separator or the end), or -1. */
function closingQuote(b: Uint8Array, from: number, end: number): number {
  for (let q = b.indexOf(0x22, from); q >= 0 && q < end; q = b.indexOf(0x22, q + 1)) {
    if (q + 1 >= end || isSep(b[q + 1]!)) return q;
  }
  return -1;
}

function guessLayout(b: Uint8Array, toks: Tokens): IisLayout | undefined {
  const n = toks.count;
  const t = toks.spans;
  let m = -1;
  for (let k = 2; k < Math.min(n, 8); k++) {
    if (METHODS.has(latin1(b, t[k * 2]!, t[k * 2 + 1]!))) {
      m = k;
      break;
    }
  }
  if (m < 0) return undefined;
  let fallback: IisLayout | undefined;
  for (const L of DEFAULTS) {
    if (L.method !== m) continue;
    if (L.names.length === n) return L;
    if (!fallback || (L.names.length <= n && L.names.length > fallback.names.length)) fallback = L;
  }
  return fallback;
}

const toks = new Tokens();
/** The address columns of the last line (see LastAddress). */
const LAST_CLIENT = new LastAddress();
const LAST_SERVER = new LastAddress();

/**
 * Column spans for a layout. Extra tokens (a writer that left spaces in a header value) go to
 * the first free-text column; columns before and after it stay aligned from either end.
 */
function align(L: IisLayout, b: Uint8Array, toks: Tokens): number[] | undefined {
  const n = L.names.length;
  const nt = toks.count;
  const t = toks.spans;
  if (nt < n) return undefined;
  const offs: number[] = [];
  const firstFree = nt > n ? L.free.indexOf(true) : -1;
  if (nt > n && firstFree < 0) return undefined;
  const extra = nt - n;
  for (let i = 0; i < n; i++) {
    let s: number;
    let e: number;
    if (firstFree < 0 || i < firstFree) {
      s = t[i * 2]!;
      e = t[i * 2 + 1]!;
    } else if (i === firstFree) {
      s = t[i * 2]!;
      e = t[(i + extra) * 2 + 1]!;
    } else {
      s = t[(i + extra) * 2]!;
      e = t[(i + extra) * 2 + 1]!;
    }
    if (e - s === 1 && b[s] === 0x2d) offs.push(-1, -1);
    else offs.push(s, e);
  }
  return offs;
}

function parseIis(line: Uint8Array, ctx: ParseContext): ParseOutcome {
  if (line[0] === 0x23) return directive(line, ctx);
  tokenize(line, toks, ctx.iis.quoted);
  let L = ctx.iis.fields;
  if (!L || (L.guessed && L.names.length !== toks.count)) {
    L = guessLayout(line, toks);
    if (!L) return M_NO_LAYOUT;
    ctx.iis.fields = L;
  }
  const offs = align(L, line, toks);
  if (!offs) return M_FIELD_COUNT;
  const rec = new IisRecord(line, ctx.file, ctx.lineNo, L, offs);
  rec.appProto = 'http';
  rec.proto = 6;
  const b = line;
  // Time: "date time" columns (UTC), or "#Date:" plus a time column.
  let ts = NaN;
  const tS = L.time >= 0 ? offs[L.time * 2]! : -1;
  if (tS >= 0) {
    const h = digits(b, tS, 2);
    const mi = digits(b, tS + 3, 2);
    const s = digits(b, tS + 6, 2);
    let y = -1;
    let mo = -1;
    let d = -1;
    const dS = L.date >= 0 ? offs[L.date * 2]! : -1;
    if (dS >= 0 && offs[L.date * 2 + 1]! - dS === 10) {
      y = digits(b, dS, 4);
      mo = digits(b, dS + 5, 2);
      d = digits(b, dS + 8, 2);
    } else if (ctx.iis.date) [y, mo, d] = ctx.iis.date;
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return M_BAD_TIME;
    let us = 0;
    if (b[tS + 8] === 0x2e) {
      const frac = parseUint(b, tS + 9, Math.min(offs[L.time * 2 + 1]!, tS + 15));
      const nd = Math.min(offs[L.time * 2 + 1]!, tS + 15) - (tS + 9);
      if (frac >= 0) us = frac * 10 ** (6 - nd);
    }
    ts = L.local ? ctx.local(y, mo, d, h, mi, s, us) : ctx.withOffset(y, mo, d, h, mi, s, us, 0);
    if (Number.isNaN(ts)) return M_BAD_TIME;
    rec.tsUs = ts;
  } else rec.timeKnown = false;
  return fillColumns(rec, b, L, offs);
}

/** Addresses, ports, status and size from the line's columns (the layout says which are there). */
function fillColumns(rec: IisRecord, b: Uint8Array, L: IisLayout, offs: readonly number[]): IisRecord {
  if (present(offs, L.cIp)) {
    const s = offs[L.cIp * 2]!;
    const e = offs[L.cIp * 2 + 1]!;
    const ip = LAST_CLIENT.parse(b, s, e);
    if (ip) rec.src = ip;
    else rec.srcHost = latin1(b, s, e);
  }
  if (present(offs, L.sIp)) rec.dst = LAST_SERVER.parse(b, offs[L.sIp * 2]!, offs[L.sIp * 2 + 1]!);
  if (present(offs, L.sPort)) {
    const p = parseUint(b, offs[L.sPort * 2]!, offs[L.sPort * 2 + 1]!);
    if (p >= 0 && p <= 65535) rec.dstPort = p;
  }
  if (present(offs, L.cPort)) {
    const p = parseUint(b, offs[L.cPort * 2]!, offs[L.cPort * 2 + 1]!);
    if (p >= 0 && p <= 65535) rec.srcPort = p;
  }
  if (present(offs, L.status)) rec.statusCode = parseUint(b, offs[L.status * 2]!, offs[L.status * 2 + 1]!);
  if (present(offs, L.scBytes)) rec.bodyLength = parseUint(b, offs[L.scBytes * 2]!, offs[L.scBytes * 2 + 1]!);
  return rec;
}

/** Whether column i is in the layout and not '-' on this line. */
function present(offs: readonly number[], i: number): boolean {
  return i >= 0 && offs[i * 2]! >= 0;
}

function probeIis(line: Uint8Array): number {
  if (line[0] === 0x23) {
    if (startsWithAscii(line, 0, '#Software: Microsoft')) return 1;
    if (startsWithAscii(line, 0, '#Fields:') && latin1(line, 0, Math.min(line.length, 400)).includes('cs-')) return 1;
    return startsWithAscii(line, 0, '#Version:') || startsWithAscii(line, 0, '#Date:') ? 0.8 : 0;
  }
  // Headerless data line: "YYYY-MM-DD HH:MM:SS ..." (or tab-separated) with a method column.
  if (line.length < 20 || line[4] !== 0x2d || !isSep(line[10]!) || line[13] !== 0x3a) return 0;
  const t = new Tokens();
  tokenize(line, t);
  return guessLayout(line, t) ? 0.8 : 0;
}

export const iisFormat: LogFormatModule = {
  name: 'iis',
  probe: probeIis,
  parse: parseIis,
};

/**
 * The IIS log file format (IIS's own, the default before W3C extended): one line per request,
 * fifteen fields each followed by a comma and a space,
 * `client IP, user, MM/DD/YY, H:MM:SS, service, server, server IP, time taken, bytes received,
 * bytes sent, status, Windows status, method, URI stem, parameters,`; times are the server's local
 * time (give --tz). The stem and parameters go to the same HTTP buffers as a W3C line's.
 */
const NATIVE_LAYOUT = makeLayout([
  'c-ip', 'cs-username', 'date', 'time', 's-sitename', 's-computername', 's-ip', 'time-taken',
  'cs-bytes', 'sc-bytes', 'sc-status', 'sc-win32-status', 'cs-method', 'cs-uri-stem', 'cs-uri-query',
]);
const NATIVE_FIELDS = 15;
const M_NATIVE_FIELDS = new Malformed('field_count');
const M_NATIVE_TIME = new Malformed('bad_time');

/** [start, end) of each ", "-separated field; the parameters field (the last) runs to the final comma. */
function nativeFields(b: Uint8Array): number[] | undefined {
  const offs: number[] = [];
  let s = 0;
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x20 || b[end - 1] === 0x0d)) end--;
  if (end > 0 && b[end - 1] === 0x2c) end--;
  for (let f = 0; f < NATIVE_FIELDS - 1; f++) {
    const comma = b.indexOf(0x2c, s);
    if (comma < 0 || comma >= end) return undefined;
    offs.push(s, comma);
    s = comma + 1;
    if (b[s] === 0x20) s++;
  }
  offs.push(s, end);
  for (let i = 0; i < offs.length; i += 2) if (offs[i + 1]! - offs[i]! === 1 && b[offs[i]!] === 0x2d) offs[i] = offs[i + 1] = -1;
  return offs;
}

function parseIisNative(line: Uint8Array, ctx: ParseContext): ParseOutcome {
  const offs = nativeFields(line);
  if (!offs) return M_NATIVE_FIELDS;
  const L = NATIVE_LAYOUT;
  const b = line;
  const rec = new IisRecord(line, ctx.file, ctx.lineNo, L, offs, 'iis_native');
  rec.appProto = 'http';
  rec.proto = 6;
  const date = nativeDate(b, offs[L.date * 2]!, offs[L.date * 2 + 1]!);
  const time = nativeTime(b, offs[L.time * 2]!, offs[L.time * 2 + 1]!);
  if (date === undefined || time === undefined) return M_NATIVE_TIME;
  const ts = ctx.local(date[0], date[1], date[2], time[0], time[1], time[2], 0);
  if (Number.isNaN(ts)) return M_NATIVE_TIME;
  rec.tsUs = ts;
  return fillColumns(rec, b, L, offs);
}

/** M/D/YY or MM/DD/YYYY: two-digit years are 1970-2069, as IIS wrote them from 1997 on. */
function nativeDate(b: Uint8Array, s: number, e: number): [number, number, number] | undefined {
  if (s < 0) return undefined;
  const parts = latin1(b, s, e).split('/');
  if (parts.length !== 3 || !parts.every((p) => /^\d{1,4}$/.test(p))) return undefined;
  const [mo, d, y] = parts.map(Number) as [number, number, number];
  const year = parts[2]!.length <= 2 ? (y < 70 ? 2000 + y : 1900 + y) : y;
  return [year, mo, d];
}

function nativeTime(b: Uint8Array, s: number, e: number): [number, number, number] | undefined {
  if (s < 0) return undefined;
  const m = /^(\d{1,2}):(\d{2}):(\d{2})$/.exec(latin1(b, s, e));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

const NATIVE_PROBE = /^[^,\s]+, [^,]*, \d{1,2}\/\d{1,2}\/\d{2,4}, \d{1,2}:\d{2}:\d{2}, /;

export const iisNativeFormat: LogFormatModule = {
  name: 'iis_native',
  probe: (line) => (line.length > 20 && line.length < 65536 && NATIVE_PROBE.test(latin1(line, 0, Math.min(line.length, 200))) ? 1 : 0),
  parse: parseIisNative,
};

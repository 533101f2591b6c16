import type { BufferName, BufferSource } from '../../types/buffers.js';
import type { HttpSide, HttpTxView } from '../../types/app.js';
import { AnomalyList, type HttpAnomaly } from '../anomalies.js';
import { COLON, CR, LF, SP, allocBytes, ascii, latin1, lowerAscii } from '../bytes.js';
import { decompressBody, ENC_NONE } from './decompress.js';
import { eveText } from '../../types/eve-text.js';
import {
  H_ACCEPT,
  H_ACCEPT_ENCODING,
  H_ACCEPT_LANGUAGE,
  H_CONNECTION,
  H_CONTENT_DISPOSITION,
  H_CONTENT_LENGTH,
  H_CONTENT_TYPE,
  H_COOKIE,
  H_HOST,
  H_LOCATION,
  H_REFERER,
  H_SERVER,
  H_SET_COOKIE,
  H_USER_AGENT,
  headerValue,
  mergedFields,
  type NamedField,
} from './headers.js';
import type { HttpMessage, HttpRequest, HttpResponse } from './message.js';
import { normalizeUri, urlDecodeOnce, type NormalizedUri } from './normalize-uri.js';
import { extractAttachments, type MimeFile } from '../smtp/mime.js';

const CRLF = ascii('\r\n');

/** Per-side lazily built buffers. */
interface SideCache {
  header?: Uint8Array;
  headerNames?: Uint8Array;
  start?: Uint8Array;
  /** Header fields merged by name, shared by the buffers built from them, and the fields they came from. */
  merged?: NamedField[];
  mergedOf?: readonly unknown[];
  /** `Name: value` per merged field: the instances of http.request_header / http.response_header. */
  headerLines?: Uint8Array[];
  headerLinesOf?: NamedField[];
}

/** One side's buffers of a transaction, as a BufferSource (one object per side, no closure). */
class SideView implements BufferSource {
  constructor(
    private readonly tx: HttpTransaction,
    private readonly side: HttpSide,
  ) {}

  buffer(name: BufferName): Uint8Array | undefined {
    return this.tx.bufferFor(name, this.side);
  }

  instances(name: BufferName): readonly Uint8Array[] | undefined {
    return this.tx.instancesFor(name, this.side);
  }
}

/** The request side with one of the request's files as its `file.data` and `file.name`. */
class RequestFileView implements BufferSource {
  constructor(
    private readonly tx: HttpTransaction,
    private readonly index: number,
  ) {}

  buffer(name: BufferName): Uint8Array | undefined {
    if (name === 'file.data' || name === 'file.name') {
      const f = this.tx.requestFiles()[this.index];
      if (f === undefined) return undefined;
      return name === 'file.data' ? nonEmpty(f.data) : nonEmpty(f.name);
    }
    return this.tx.bufferFor(name, 'request');
  }

  instances(name: BufferName): readonly Uint8Array[] | undefined {
    return this.tx.instancesFor(name, 'request');
  }
}

/**
 * A request/response pair and the buffers rules inspect. Everything beyond the raw slices is
 * built on first use and cached: most transactions never have their normalized headers or
 * decoded body asked for.
 */
export class HttpTransaction implements HttpTxView {
  readonly kind = 'http' as const;
  request: HttpRequest | null = null;
  response: HttpResponse | null = null;
  side: HttpSide = 'request';
  readonly anomalyList: AnomalyList<HttpAnomaly>;

  /** The phase was handed to the sink. */
  requestEmitted = false;
  responseEmitted = false;
  /** The message is finished for inspection (complete, or its body reached the limit). */
  requestReady = false;
  responseReady = false;
  /** Bytes charged to the memory budget while the request waits for its response. */
  retained = 0;
  /** Interim (1xx) responses to hand over before the final one (see interimView), oldest first. */
  interims: HttpResponse[] | null = null;

  private uri: NormalizedUri | undefined;
  private host: Uint8Array | null | undefined;
  /** The bodies with their content codings undone, once asked for. */
  private decodedBody: Uint8Array | undefined;
  private decodedRequestBody: Uint8Array | undefined;
  private files: readonly MimeFile[] | undefined;
  private requestCache: SideCache | undefined;
  private responseCache: SideCache | undefined;
  private requestView: BufferSource | undefined;
  private responseView: BufferSource | undefined;

  /** `shared`: the anomaly list of the transaction this one is a view of (interimView). */
  constructor(
    readonly id: number,
    private readonly decompressLimit: number,
    anomalyCounts?: Record<string, number>,
    shared?: AnomalyList<HttpAnomaly>,
  ) {
    this.anomalyList = shared ?? new AnomalyList<HttpAnomaly>(anomalyCounts);
  }

  /**
   * This transaction as an interim (1xx) response showed it, for inspection before the final
   * response replaces it: the request, and a response that is that status line alone (libhtp
   * drops an interim response's headers, and Suricata's inspection reaches no further than the
   * response line before the final one comes). Same id and anomalies; its own buffers.
   */
  interimView(res: HttpResponse): HttpTransaction {
    const v = new HttpTransaction(this.id, this.decompressLimit, undefined, this.anomalyList);
    v.request = this.request;
    v.response = res;
    v.side = 'response';
    v.uri = this.uri;
    v.host = this.host;
    return v;
  }

  get status(): number | null {
    const r = this.response;
    return r !== null && r.status >= 0 ? r.status : null;
  }

  get hasRequest(): boolean {
    return this.request !== null;
  }

  get hasResponse(): boolean {
    return this.response !== null;
  }

  get anomalies(): readonly string[] {
    this.normalizedUri(); // URI evasions are part of the record even if no rule asked for http.uri
    return this.anomalyList.items;
  }

  buffer(name: BufferName): Uint8Array | undefined {
    return this.bufferFor(name, this.side);
  }

  instances(name: BufferName): readonly Uint8Array[] | undefined {
    return this.instancesFor(name, this.side);
  }

  /**
   * The instances of a multi-instance buffer (see MULTI_INSTANCE_BUFFERS): for
   * http.request_header / http.response_header, `Name: value` of each header of that side's
   * message, repeated names merged as libhtp merges them (Suricata's HTTP/1 form).
   */
  instancesFor(name: BufferName, side: HttpSide): readonly Uint8Array[] | undefined {
    if (name !== (side === 'request' ? 'http.request_header' : 'http.response_header')) return undefined;
    const msg: HttpMessage | null = side === 'request' ? this.request : this.response;
    if (msg === null || !msg.headParsed) return undefined;
    const cache = this.cache(side);
    const merged = this.merged(msg, cache);
    if (cache.headerLines === undefined || cache.headerLinesOf !== merged) {
      cache.headerLinesOf = merged;
      cache.headerLines = merged.map((f) => {
        const out = allocBytes(f.name.length + 2 + f.value.length);
        writeField(f, out, 0);
        return out;
      });
    }
    return cache.headerLines;
  }

  view(side: HttpSide): BufferSource {
    if (side === 'request') return (this.requestView ??= new SideView(this, 'request'));
    return (this.responseView ??= new SideView(this, 'response'));
  }

  private cache(side: HttpSide): SideCache {
    return side === 'request' ? (this.requestCache ??= {}) : (this.responseCache ??= {});
  }

  private merged(msg: HttpMessage, cache: SideCache): NamedField[] {
    if (cache.merged === undefined || cache.mergedOf !== msg.fields) {
      cache.merged = mergedFields(msg.head, msg.fields);
      cache.mergedOf = msg.fields;
    }
    return cache.merged;
  }

  bufferFor(name: BufferName, side: HttpSide): Uint8Array | undefined {
    const req = this.request;
    const res = this.response;
    const msg: HttpMessage | null = side === 'request' ? req : res;
    switch (name) {
      case 'http.method':
        return req?.method;
      case 'http.uri.raw':
        return req !== null && req.target.length > 0 ? req.target : undefined;
      case 'http.uri':
        return this.normalizedUri()?.bytes;
      case 'http.protocol': {
        const p = side === 'request' ? req?.protocol : res?.protocol;
        return p !== null && p !== undefined && p.length > 0 ? p : undefined;
      }
      case 'http.request_line':
        return req?.startLine();
      case 'http.response_line':
        // None for a response without a status line (HTTP/0.9, or lines read as body).
        return nonEmpty(res?.startLine());
      case 'http.stat_code':
        return res !== null && res.statusCode.length > 0 ? res.statusCode : undefined;
      case 'http.stat_msg':
        return res !== null && res.statusMsg.length > 0 ? res.statusMsg : undefined;
      case 'http.header':
        return this.normalizedHeader(msg, side);
      case 'http.header.raw':
        return msg !== null && msg.headParsed && msg.head.length > msg.headersStart ? msg.rawHeaders() : undefined;
      case 'http.header_names':
        return this.headerNames(msg, side);
      case 'http.start':
        return this.startBuffer(msg, side);
      // Every instance in one block, for the prefilter (see MULTI_INSTANCE_BUFFERS).
      case 'http.request_header':
        return side === 'request' ? this.startBuffer(msg, side) : undefined;
      case 'http.response_header':
        return side === 'response' ? this.startBuffer(msg, side) : undefined;
      case 'http.cookie':
        return msg === null ? undefined : headerValue(msg.head, msg.fields, side === 'request' ? H_COOKIE : H_SET_COOKIE);
      case 'http.host':
        return this.normalizedHost() ?? undefined;
      case 'http.host.raw':
        return this.rawHost();
      case 'http.user_agent':
        return req === null ? undefined : headerValue(req.head, req.fields, H_USER_AGENT);
      case 'http.referer':
        return req === null ? undefined : headerValue(req.head, req.fields, H_REFERER);
      case 'http.accept':
        return req === null ? undefined : headerValue(req.head, req.fields, H_ACCEPT);
      case 'http.accept_enc':
        return req === null ? undefined : headerValue(req.head, req.fields, H_ACCEPT_ENCODING);
      case 'http.accept_lang':
        return req === null ? undefined : headerValue(req.head, req.fields, H_ACCEPT_LANGUAGE);
      case 'http.server':
        return res === null ? undefined : headerValue(res.head, res.fields, H_SERVER);
      case 'http.location':
        return res === null ? undefined : headerValue(res.head, res.fields, H_LOCATION);
      case 'http.content_type':
        return msg === null ? undefined : headerValue(msg.head, msg.fields, H_CONTENT_TYPE);
      case 'http.content_len':
        return msg === null ? undefined : headerValue(msg.head, msg.fields, H_CONTENT_LENGTH);
      case 'http.connection':
        return msg === null ? undefined : headerValue(msg.head, msg.fields, H_CONNECTION);
      case 'http.request_body':
        return this.requestBody();
      case 'http.response_body':
        return this.responseBody();
      case 'file.data':
        return side === 'request' ? nonEmpty(this.requestFiles()[0]?.data) : this.responseBody();
      case 'file.name':
        return this.fileName(side);
      default:
        return undefined;
    }
  }

  normalizedUri(): NormalizedUri | undefined {
    if (this.uri === undefined) {
      const req = this.request;
      if (req === null || req.target.length === 0) return undefined;
      this.uri = normalizeUri(req.target);
      for (const e of this.uri.evasions) this.anomalyList.add(e);
    }
    return this.uri;
  }

  /**
   * Host from an absolute-form target (URL-decoded, as libhtp decodes parsed_uri->hostname),
   * else from Host: lower-case, no port, no trailing dot.
   */
  normalizedHost(): Uint8Array | null {
    if (this.host !== undefined) return this.host;
    const uriHost = this.uriAuthorityHost();
    const raw = uriHost !== undefined ? urlDecodeOnce(uriHost) : this.headerHost();
    this.host = raw === undefined ? null : normalizeHostBytes(raw);
    if (this.host !== null && this.host.length === 0) this.host = null;
    return this.host;
  }

  /**
   * Suricata's http.host.raw (detect-http-host.c GetRawData) reads libhtp's parsed_uri->hostname
   * when the target is absolute-form, and that is the normalised hostname (what http.host
   * holds): the Host header as sent only when the target names no host. So an absolute URI's
   * host wins over a Host header that says something else, as the server would see it.
   */
  private rawHost(): Uint8Array | undefined {
    if (this.uriAuthorityHost() !== undefined) return this.normalizedHost() ?? undefined;
    return this.headerHost();
  }

  private headerHost(): Uint8Array | undefined {
    const req = this.request;
    return req === null ? undefined : headerValue(req.head, req.fields, H_HOST);
  }

  /** The authority of an absolute-form target ("http://user@host:port/..."), user part dropped. */
  uriAuthorityHost(): Uint8Array | undefined {
    const t = this.request?.target;
    if (t === undefined) return undefined;
    const sep = indexOfSeq(t, SCHEME_SEP, 16);
    if (sep < 0) return undefined;
    let s = sep + 3;
    let e = s;
    while (e < t.length && t[e] !== 0x2f && t[e] !== 0x3f && t[e] !== 0x23) e++;
    const at = t.subarray(s, e).lastIndexOf(0x40);
    if (at >= 0) s += at + 1;
    return e > s ? t.subarray(s, e) : undefined;
  }

  /**
   * The files a request carries, as Suricata's HTTP file handling finds them
   * (HTPCallbackRequestBodyData): a POST whose Content-Type has a `boundary` parameter, whatever
   * the type, is a multipart upload, and each part that names a file (an upload form's
   * `filename=`) is one, its content as sent; any other POST body, and any PUT body (multipart or
   * not), is one file named by the normalised URI path. Other methods carry no file in Suricata;
   * here a multipart body sent with one (frameworks read uploads on PATCH, some on any method)
   * still has its parts read. Multipart bodies with form fields only carry none.
   */
  requestFiles(): readonly MimeFile[] {
    if (this.files !== undefined) return this.files;
    const req = this.request;
    const body = this.requestBody();
    if (req === null || body === undefined) return (this.files = []);
    const type = headerValue(req.head, req.fields, H_CONTENT_TYPE);
    const boundary = type === undefined ? undefined : boundaryParameter(type);
    const method = latin1(req.method);
    if (method === 'PUT' || (method === 'POST' && boundary === undefined)) {
      return (this.files = [{ name: this.uriPath() ?? new Uint8Array(0), data: body }]);
    }
    if (boundary !== undefined && (method === 'POST' || isMultipart(type!))) {
      return (this.files = extractAttachments(uploadHeader(boundary), body).files);
    }
    return (this.files = []);
  }

  requestFileCount(): number {
    return this.requestFiles().length;
  }

  /** The request side with file i as its `file.data` and `file.name`. */
  requestFile(i: number): BufferSource {
    return new RequestFileView(this, i);
  }

  /**
   * The name of the file a message carries, as Suricata names HTTP files: a response's body is a
   * file named by its Content-Disposition `filename=` parameter, else by the request's (normalised)
   * URI path; a request's files are named as requestFiles() finds them.
   */
  private fileName(side: HttpSide): Uint8Array | undefined {
    if (side === 'request') return nonEmpty(this.requestFiles()[0]?.name);
    const res = this.response;
    if (res === null || res.body === null || res.body.length === 0) return undefined;
    const disposition = headerValue(res.head, res.fields, H_CONTENT_DISPOSITION);
    return (disposition === undefined ? undefined : dispositionFileName(disposition)) ?? this.uriPath();
  }

  /**
   * The normalised URI path: without query or fragment (libhtp's parsed_uri->path, which
   * Suricata names files by). A decoded '?' or '#' (%3f, %23) stays in the path.
   */
  private uriPath(): Uint8Array | undefined {
    const uri = this.normalizedUri();
    if (uri === undefined) return undefined;
    const b = uri.bytes;
    return nonEmpty(b.subarray(0, uri.pathEnd >= 0 ? uri.pathEnd : rawPathEnd(b)));
  }

  /** The request's body, its Content-Encoding undone (Suricata decompresses requests too). */
  private requestBody(): Uint8Array | undefined {
    const req = this.request;
    if (req === null || req.body === null || req.body.length === 0) return undefined;
    if (req.encoding === ENC_NONE) return req.body;
    return nonEmpty((this.decodedRequestBody ??= this.decoded(req.body, req.encoding)));
  }

  private responseBody(): Uint8Array | undefined {
    const res = this.response;
    if (res === null || res.body === null || res.body.length === 0) return undefined;
    if (res.encoding === ENC_NONE) return res.body;
    return nonEmpty((this.decodedBody ??= this.decoded(res.body, res.encoding)));
  }

  /**
   * A body with its content codings undone within the limit; a coding that cannot be undone is
   * left as sent (rather than nothing), the codings before it undone.
   */
  private decoded(body: Uint8Array, encoding: number): Uint8Array {
    const d = decompressBody(body, encoding, this.decompressLimit);
    if (d.failed) this.anomalyList.add('http.decompression_failed');
    if (d.limited) this.anomalyList.add('http.decompression_limit');
    return d.bytes;
  }

  private normalizedHeader(msg: HttpMessage | null, side: HttpSide): Uint8Array | undefined {
    if (msg === null || !msg.headParsed) return undefined;
    const cache = this.cache(side);
    if (cache.header === undefined) {
      const skip = side === 'request' ? H_COOKIE : H_SET_COOKIE;
      const fields = this.merged(msg, cache);
      const out = allocBytes(serializedLength(fields, skip));
      serializeFields(fields, skip, out, 0);
      cache.header = out;
    }
    return nonEmpty(cache.header);
  }

  private headerNames(msg: HttpMessage | null, side: HttpSide): Uint8Array | undefined {
    if (msg === null || !msg.headParsed || msg.fields.length === 0) return undefined;
    const cache = this.cache(side);
    if (cache.headerNames === undefined) {
      const merged = this.merged(msg, cache);
      let total = 4;
      for (const f of merged) total += f.name.length + 2;
      const out = allocBytes(total);
      out.set(CRLF, 0);
      let o = 2;
      for (const f of merged) {
        out.set(f.name, o);
        o += f.name.length;
        out.set(CRLF, o);
        o += 2;
      }
      out.set(CRLF, o);
      cache.headerNames = out;
    }
    return cache.headerNames;
  }

  private startBuffer(msg: HttpMessage | null, side: HttpSide): Uint8Array | undefined {
    if (msg === null || !msg.headParsed) return undefined;
    const cache = this.cache(side);
    if (cache.start === undefined) {
      const line = msg.startLine();
      const fields = this.merged(msg, cache);
      const out = allocBytes(line.length + 2 + serializedLength(fields, -1) + 2);
      out.set(line, 0);
      out[line.length] = CR;
      out[line.length + 1] = LF;
      const o = serializeFields(fields, -1, out, line.length + 2);
      out[o] = CR;
      out[o + 1] = LF;
      cache.start = out;
    }
    return cache.start;
  }

  meta(): Record<string, unknown> {
    const m: Record<string, unknown> = {};
    const req = this.request;
    const res = this.response;
    const host = this.normalizedHost();
    if (host !== null) m['hostname'] = eveText(host);
    const port = this.hostPort();
    if (port !== null) m['http_port'] = port;
    if (req !== null) {
      if (req.target.length > 0) m['url'] = eveText(req.target);
      const ua = headerValue(req.head, req.fields, H_USER_AGENT);
      if (ua !== undefined) m['http_user_agent'] = eveText(ua);
      const ref = headerValue(req.head, req.fields, H_REFERER);
      if (ref !== undefined) m['http_refer'] = eveText(ref);
      if (req.method.length > 0) m['http_method'] = eveText(req.method);
      if (req.protocol !== null) m['protocol'] = eveText(req.protocol);
    }
    if (res !== null) {
      const ct = headerValue(res.head, res.fields, H_CONTENT_TYPE);
      if (ct !== undefined) m['http_content_type'] = eveText(ct);
      if (res.status >= 0) m['status'] = res.status;
      if (m['protocol'] === undefined && res.protocol.length > 0) m['protocol'] = eveText(res.protocol);
      const loc = headerValue(res.head, res.fields, H_LOCATION);
      if (loc !== undefined) m['redirect'] = eveText(loc);
    }
    // The response body's length so far, 0 before any: Suricata writes it on every http object.
    m['length'] = res !== null ? res.bodyLength : 0;
    return m;
  }

  private hostPort(): number | null {
    const raw = this.uriAuthorityHost() ?? this.headerHost();
    if (raw === undefined) return null;
    let i = raw[0] === 0x5b ? raw.indexOf(0x5d) : 0;
    if (i < 0) return null;
    i = raw.indexOf(COLON, i);
    if (i < 0) return null;
    let v = 0;
    for (let k = i + 1; k < raw.length; k++) {
      const d = raw[k]! - 0x30;
      if (d < 0 || d > 9) return null;
      v = v * 10 + d;
      if (v > 65535) return null;
    }
    return i + 1 < raw.length ? v : null;
  }
}

const SCHEME_SEP = ascii('://');

/** End of the path of a URI that needed no normalising: its first '?' or '#'. */
function rawPathEnd(uri: Uint8Array): number {
  let i = 0;
  while (i < uri.length && uri[i] !== 0x3f && uri[i] !== 0x23) i++;
  return i;
}

function indexOfSeq(buf: Uint8Array, seq: Uint8Array, within: number): number {
  const limit = Math.min(buf.length - seq.length, within);
  outer: for (let i = 0; i <= limit; i++) {
    for (let k = 0; k < seq.length; k++) if (buf[i + k] !== seq[k]) continue outer;
    return i;
  }
  return -1;
}

/** Lower-case, port and trailing dots dropped; an IPv6 literal keeps its brackets. */
export function normalizeHostBytes(raw: Uint8Array): Uint8Array {
  let end = raw.length;
  if (raw[0] === 0x5b) {
    const close = raw.indexOf(0x5d);
    if (close >= 0) end = close + 1;
  } else {
    const colon = raw.indexOf(COLON);
    if (colon >= 0) end = colon;
  }
  while (end > 0 && raw[end - 1] === 0x2e) end--;
  const out = new Uint8Array(end);
  for (let i = 0; i < end; i++) out[i] = lowerAscii(raw[i]!);
  return out;
}

/** A Content-Type of a multipart body (`multipart/form-data; boundary=...`, any case). */
function isMultipart(type: Uint8Array): boolean {
  let i = 0;
  while (i < type.length && (type[i] === SP || type[i] === 0x09)) i++;
  return latin1(type.subarray(i, i + 10)).toLowerCase() === 'multipart/';
}

/**
 * The `boundary=` parameter of a Content-Type, as Suricata's HtpRequestBodySetupMultipart finds
 * it (see headerParameter); undefined without one, or when it is empty.
 */
function boundaryParameter(type: Uint8Array): Uint8Array | undefined {
  return headerParameter(type, BOUNDARY_EQ);
}

/**
 * The header block the MIME walker reads for an upload: the boundary found here, quoted, so that
 * the walker splits at that boundary and no other.
 */
function uploadHeader(boundary: Uint8Array): Uint8Array {
  const quote = boundary.indexOf(0x22) < 0;
  const head = ascii(quote ? 'Content-Type: multipart/form-data; boundary="' : 'Content-Type: multipart/form-data; boundary=');
  const out = allocBytes(head.length + boundary.length + (quote ? 3 : 2));
  out.set(head, 0);
  out.set(boundary, head.length);
  let o = head.length + boundary.length;
  if (quote) out[o++] = 0x22;
  out[o++] = CR;
  out[o] = LF;
  return out;
}

/**
 * The `filename=` parameter of a Content-Disposition value, quotes removed; undefined without
 * one. Read as Suricata's HTTPParseContentDispositionHeader reads it (see headerParameter), so the
 * RFC 5987 `filename*=` form is not read.
 */
export function dispositionFileName(value: Uint8Array): Uint8Array | undefined {
  return headerParameter(value, FILENAME_EQ);
}

/**
 * A `name=` parameter (`nameEq` in lower case) of a header value, as Suricata's
 * HTTPParseContentDispositionHeader and HTTPParseContentTypeHeader find one: the value is split
 * at each `;` that is neither escaped (`\;`) nor inside double quotes, blanks after it skipped;
 * the first piece that starts with the name, in any case (`FILENAME=`, `Filename=`), and holds
 * more than it gives its value, a leading and a trailing quote dropped (`"a;evil.exe"` is
 * `a;evil.exe`). Blanks at the piece's end are dropped too (Suricata keeps them).
 */
function headerParameter(value: Uint8Array, nameEq: Uint8Array): Uint8Array | undefined {
  let s = 0;
  while (s < value.length && isBlank(value[s]!)) s++;
  let quotes = 0;
  let start = s;
  for (let x = s; x <= value.length; x++) {
    const c = value[x];
    if (x < value.length) {
      const escaped = x > s && value[x - 1] === 0x5c;
      if (c === 0x22 && !escaped) quotes++;
      if (c !== 0x3b || escaped || quotes % 2 !== 0) continue;
    }
    const found = parameterValue(value, start, x, nameEq);
    if (found !== null) return found;
    start = x + 1;
    while (start < value.length && isBlank(value[start]!)) start++;
    x = start - 1;
  }
  return undefined;
}

/** The value of piece [s, e) when it is `nameEq` followed by something; null when it is not that parameter. */
function parameterValue(value: Uint8Array, s: number, e: number, nameEq: Uint8Array): Uint8Array | undefined | null {
  if (e - s <= nameEq.length) return null;
  for (let k = 0; k < nameEq.length; k++) if (lowerAscii(value[s + k]!) !== nameEq[k]) return null;
  let a = s + nameEq.length;
  let z = e;
  while (z > a && isBlank(value[z - 1]!)) z--;
  if (z > a && value[a] === 0x22) a++;
  if (z > a && value[z - 1] === 0x22) z--;
  return z > a ? value.subarray(a, z) : undefined;
}

function isBlank(c: number): boolean {
  return c === SP || c === 0x09 || c === CR || c === LF || c === 0x0b || c === 0x0c;
}

const BOUNDARY_EQ = ascii('boundary=');
const FILENAME_EQ = ascii('filename=');

/** Bytes of the fields as serializeFields writes them. */
function serializedLength(fields: readonly NamedField[], skipId: number): number {
  let total = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.id !== skipId) total += f.name.length + f.value.length + 4;
  }
  return total;
}

/** Writes "name: value\r\n" for each field but those with id skipId into out at o; returns the end. */
function serializeFields(fields: readonly NamedField[], skipId: number, out: Uint8Array, o: number): number {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.id === skipId) continue;
    o = writeField(f, out, o);
    out[o++] = CR;
    out[o++] = LF;
  }
  return o;
}

/** Writes "name: value" into out at o; returns the end. */
function writeField(f: NamedField, out: Uint8Array, o: number): number {
  o = copyBytes(f.name, out, o);
  out[o++] = COLON;
  out[o++] = SP;
  return copyBytes(f.value, out, o);
}

/** Header names and values are short: a loop beats a TypedArray.set call. */
function copyBytes(src: Uint8Array, out: Uint8Array, o: number): number {
  const n = src.length;
  if (n > 64) {
    out.set(src, o);
    return o + n;
  }
  for (let i = 0; i < n; i++) out[o + i] = src[i]!;
  return o + n;
}

function nonEmpty(b: Uint8Array | null | undefined): Uint8Array | undefined {
  return b !== null && b !== undefined && b.length > 0 ? b : undefined;
}

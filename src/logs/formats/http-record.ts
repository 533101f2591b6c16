import type { BufferName } from '../../types/buffers.js';
import { eveText } from '../../types/eve-text.js';
import { allocBytes, asciiLower, hexVal } from '../bytes.js';
import type { KeptById } from '../kept-by-id.js';
import { BaseLogRecord, type HttpLogMeta, type LogFormatName } from '../record.js';
import { normalizedUri } from '../uri.js';

/** The request/response parts a web log can hold. */
export const HttpPart = {
  Method: 0,
  UriRaw: 1,
  Protocol: 2,
  HostRaw: 3,
  UserAgent: 4,
  Referer: 5,
  Cookie: 6,
  Status: 7,
} as const;
export type HttpPart = (typeof HttpPart)[keyof typeof HttpPart];

/**
 * A web-server log line as an HTTP transaction: the buffers packet rules use (http.method,
 * http.uri, http.uri.raw, http.user_agent, ...) built lazily from whatever the log recorded.
 * Header buffers are rebuilt from the logged headers only (Host, User-Agent, Referer, Cookie),
 * in the same `Name: value\r\n` layout app/ produces for live traffic.
 */
export abstract class HttpLogRecord extends BaseLogRecord {
  // Set in the constructor (see BaseLogRecord).
  /** Response body size, -1 when not logged. */
  declare bodyLength: number;
  declare statusCode: number;
  declare private uriEvasions: readonly string[] | undefined;
  /** The content id once the format's contentKeyId gave one (0: not asked, -1: none). */
  declare protected contentId: number;

  constructor(line: Uint8Array, file: string, lineNo: number, format: LogFormatName) {
    super(line, file, lineNo, format);
    this.bodyLength = -1;
    this.statusCode = -1;
    this.uriEvasions = undefined;
    this.contentId = 0;
  }

  protected abstract part(p: HttpPart): Uint8Array | undefined;

  /** The request line as logged; by default rebuilt from method, URI and protocol. */
  protected requestLine(): Uint8Array | undefined {
    const m = this.part(HttpPart.Method);
    const u = this.part(HttpPart.UriRaw);
    if (!m || !u) return undefined;
    const p = this.part(HttpPart.Protocol);
    const out = allocBytes(m.length + 1 + u.length + (p ? 1 + p.length : 0));
    out.set(m, 0);
    let o = m.length;
    out[o++] = 0x20;
    out.set(u, o);
    o += u.length;
    if (p) {
      out[o++] = 0x20;
      out.set(p, o);
    }
    return out;
  }

  /** URI evasions the normaliser found (e.g. double encoding), for alert metadata. */
  get anomalies(): readonly string[] {
    if (this.uriEvasions === undefined) this.buffer('http.uri');
    return this.uriEvasions ?? [];
  }

  protected makeBuffer(name: BufferName): Uint8Array | undefined {
    switch (name) {
      case 'http.method':
        return this.part(HttpPart.Method);
      case 'http.uri.raw':
        return this.part(HttpPart.UriRaw);
      case 'http.uri': {
        const raw = this.part(HttpPart.UriRaw);
        if (!raw) return undefined;
        const n = normalizedUri(raw);
        this.uriEvasions = n.evasions;
        return n.bytes;
      }
      case 'http.protocol':
        return this.part(HttpPart.Protocol);
      case 'http.request_line':
        return this.requestLine();
      case 'http.stat_code':
        return this.part(HttpPart.Status);
      case 'http.user_agent':
        return this.part(HttpPart.UserAgent);
      case 'http.referer':
        return this.part(HttpPart.Referer);
      case 'http.cookie':
        return this.part(HttpPart.Cookie);
      case 'http.host.raw':
        return this.part(HttpPart.HostRaw);
      case 'http.host': {
        const raw = this.part(HttpPart.HostRaw);
        return raw ? normalizeHost(raw) : undefined;
      }
      case 'http.header':
        return this.headerBlock(false);
      case 'http.header.raw':
        return this.headerBlock(true);
      case 'http.header_names':
        return this.headerNames();
      case 'http.start': {
        const rl = this.buffer('http.request_line');
        const hb = this.buffer('http.header.raw');
        if (!rl) return undefined;
        return startBuffer(rl, hb);
      }
      case 'log.message':
        return this.line;
      default:
        return undefined;
    }
  }

  /**
   * `Name: value\r\n` for each logged header (Host, User-Agent, Referer, then Cookie when asked),
   * built in one allocation.
   */
  private headerBlock(withCookie: boolean): Uint8Array | undefined {
    const cookie = withCookie ? this.buffer('http.cookie') : undefined;
    // Without a Cookie the raw block equals the normalised one: share it.
    if (!cookie && withCookie) return this.buffer('http.header');
    // The header buffers themselves (cut once per record, and often asked for already).
    const host = this.buffer('http.host.raw');
    const ua = this.buffer('http.user_agent');
    const ref = this.buffer('http.referer');
    let n = 0;
    if (host) n += HOST_PREFIX.length + host.length + 2;
    if (ua) n += UA_PREFIX.length + ua.length + 2;
    if (ref) n += REF_PREFIX.length + ref.length + 2;
    if (cookie) n += COOKIE_PREFIX.length + cookie.length + 2;
    if (n === 0) return undefined;
    const out = allocBytes(n);
    let o = 0;
    if (host) o = putHeader(out, o, HOST_PREFIX, host);
    if (ua) o = putHeader(out, o, UA_PREFIX, ua);
    if (ref) o = putHeader(out, o, REF_PREFIX, ref);
    if (cookie) putHeader(out, o, COOKIE_PREFIX, cookie);
    return out;
  }

  /** `\r\nName\r\n...\r\n` of the logged headers (Suricata's http.header_names layout). */
  private headerNames(): Uint8Array | undefined {
    const host = this.part(HttpPart.HostRaw) !== undefined ? 1 : 0;
    const ua = this.part(HttpPart.UserAgent) !== undefined ? 2 : 0;
    const ref = this.part(HttpPart.Referer) !== undefined ? 4 : 0;
    const cookie = this.part(HttpPart.Cookie) !== undefined ? 8 : 0;
    const mask = host | ua | ref | cookie;
    if (mask === 0) return undefined;
    // Sixteen possible layouts: built once each and shared (rules only read buffers).
    return (HEADER_NAMES[mask] ??= buildHeaderNames(mask));
  }

  /**
   * A fresh object per read (the engine's alerts of one record share it). Everything but the
   * length is a function of the record's content id (contentKeyId): alerts of a repeated content
   * copy the fields kept for it instead of cutting and decoding each field again.
   */
  override get http(): HttpLogMeta | undefined {
    const key = this.contentId;
    const kept = key > 0 ? this.keptMeta() : undefined;
    let m: HttpLogMeta;
    if (kept !== undefined) {
      let c = kept.get(key);
      if (c === undefined) kept.set(key, (c = allFields(this.contentMeta())));
      m = allFields(c);
    } else m = this.contentMeta();
    if (this.bodyLength >= 0) m.length = this.bodyLength;
    return m;
  }

  /** The http fields other than the length, from the parts. */
  protected contentMeta(): HttpLogMeta {
    const m: HttpLogMeta = {};
    const host = this.part(HttpPart.HostRaw);
    if (host) m.hostname = eveText(normalizeHost(host));
    const uri = this.part(HttpPart.UriRaw);
    if (uri) m.url = eveText(uri);
    const ua = this.part(HttpPart.UserAgent);
    if (ua) m.http_user_agent = eveText(ua);
    const method = this.part(HttpPart.Method);
    if (method) m.http_method = eveText(method);
    const proto = this.part(HttpPart.Protocol);
    if (proto) m.protocol = eveText(proto);
    const ref = this.part(HttpPart.Referer);
    if (ref) m.http_refer = eveText(ref);
    if (this.statusCode >= 0) m.status = this.statusCode;
    return m;
  }

  /** The table the format keeps http fields in by content id (ids are per key domain), if any. */
  protected keptMeta(): KeptById<HttpLogMeta> | undefined {
    return undefined;
  }
}

/**
 * The fields of `m` in contentMeta's order, every one present (an absent one undefined: JSON
 * leaves it out, as it does a missing one). Made at one site, so every such object has one
 * shape: copying a kept one reads its fields without a lookup by shape (contentMeta's own
 * objects have one shape per combination of logged fields).
 */
function allFields(m: HttpLogMeta): HttpLogMeta {
  return { hostname: m.hostname, url: m.url, http_user_agent: m.http_user_agent, http_method: m.http_method, protocol: m.protocol, http_refer: m.http_refer, status: m.status, length: undefined };
}

/** Host as app/ normalises it: lower case, no port, no trailing dot. */
export function normalizeHost(raw: Uint8Array): Uint8Array {
  let end = raw.length;
  if (raw[0] === 0x5b) {
    const close = raw.indexOf(0x5d);
    if (close >= 0) end = close + 1;
  } else {
    const colon = raw.indexOf(0x3a);
    if (colon >= 0) end = colon;
  }
  while (end > 0 && raw[end - 1] === 0x2e) end--;
  return asciiLower(raw.subarray(0, end));
}

const HOST_PREFIX = asciiBytes('Host: ');
const UA_PREFIX = asciiBytes('User-Agent: ');
const REF_PREFIX = asciiBytes('Referer: ');
const COOKIE_PREFIX = asciiBytes('Cookie: ');

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
const HEADER_NAMES: (Uint8Array | undefined)[] = [];

function putHeader(out: Uint8Array, o: number, prefix: Uint8Array, value: Uint8Array): number {
  out.set(prefix, o);
  o += prefix.length;
  out.set(value, o);
  o += value.length;
  out[o++] = 0x0d;
  out[o++] = 0x0a;
  return o;
}

function buildHeaderNames(mask: number): Uint8Array {
  let text = '\r\n';
  if (mask & 1) text += 'Host\r\n';
  if (mask & 2) text += 'User-Agent\r\n';
  if (mask & 4) text += 'Referer\r\n';
  if (mask & 8) text += 'Cookie\r\n';
  text += '\r\n';
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** `request line CRLF header block CRLF` (the header block may be absent), in one piece. */
function startBuffer(rl: Uint8Array, hb: Uint8Array | undefined): Uint8Array {
  const out = allocBytes(rl.length + (hb ? hb.length : 0) + 4);
  out.set(rl, 0);
  let o = rl.length;
  out[o++] = 0x0d;
  out[o++] = 0x0a;
  if (hb) {
    out.set(hb, o);
    o += hb.length;
  }
  out[o++] = 0x0d;
  out[o] = 0x0a;
  return out;
}

/**
 * Apache/nginx escape request lines, referers and user agents in the access log (`\"`, `\\`,
 * `\xHH`, `\n`...). Undone here so the buffers hold the bytes the client sent.
 */
export function unescapeLogBytes(b: Uint8Array, start: number, end: number): Uint8Array {
  const out = allocBytes(end - start);
  let o = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c !== 0x5c || i + 1 >= end) {
      out[o++] = c;
      continue;
    }
    const n = b[i + 1]!;
    switch (n) {
      case 0x5c: // \\
      case 0x22: // \"
        out[o++] = n;
        i++;
        continue;
      case 0x6e:
        out[o++] = 0x0a;
        i++;
        continue;
      case 0x72:
        out[o++] = 0x0d;
        i++;
        continue;
      case 0x74:
        out[o++] = 0x09;
        i++;
        continue;
      case 0x62:
        out[o++] = 0x08;
        i++;
        continue;
      case 0x76:
        out[o++] = 0x0b;
        i++;
        continue;
      case 0x66:
        out[o++] = 0x0c;
        i++;
        continue;
      case 0x78: {
        if (i + 3 < end) {
          const h = hexVal(b[i + 2]!);
          const l = hexVal(b[i + 3]!);
          if (h >= 0 && l >= 0) {
            out[o++] = (h << 4) | l;
            i += 3;
            continue;
          }
        }
        out[o++] = c;
        continue;
      }
      default:
        out[o++] = c;
        continue;
    }
  }
  return out.subarray(0, o);
}

import type { BufferName } from '../../types/buffers.js';
import { asciiLower, hexVal, latin1 } from '../bytes.js';
import { BaseLogRecord, type HttpLogMeta } from '../record.js';
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

const CRLF = [0x0d, 0x0a];

/**
 * A web-server log line as an HTTP transaction: the buffers packet rules use (http.method,
 * http.uri, http.uri.raw, http.user_agent, ...) built lazily from whatever the log recorded.
 * Header buffers are rebuilt from the logged headers only (Host, User-Agent, Referer, Cookie),
 * in the same `Name: value\r\n` layout app/ produces for live traffic.
 */
export abstract class HttpLogRecord extends BaseLogRecord {
  /** Response body size, -1 when not logged. */
  bodyLength = -1;
  statusCode = -1;
  private uriEvasions: readonly string[] | undefined = undefined;

  protected abstract part(p: HttpPart): Uint8Array | undefined;

  /** The request line as logged; by default rebuilt from method, URI and protocol. */
  protected requestLine(): Uint8Array | undefined {
    const m = this.part(HttpPart.Method);
    const u = this.part(HttpPart.UriRaw);
    if (!m || !u) return undefined;
    const p = this.part(HttpPart.Protocol);
    const parts = p ? [m, [0x20], u, [0x20], p] : [m, [0x20], u];
    return join(parts);
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
        const rl = this.requestLine();
        const hb = this.headerBlock(true);
        if (!rl) return undefined;
        return join(hb ? [rl, CRLF, hb, CRLF] : [rl, CRLF, CRLF]);
      }
      case 'log.message':
        return this.line;
      default:
        return undefined;
    }
  }

  private headers(withCookie: boolean): [string, Uint8Array][] {
    const out: [string, Uint8Array][] = [];
    const host = this.part(HttpPart.HostRaw);
    if (host) out.push(['Host', host]);
    const ua = this.part(HttpPart.UserAgent);
    if (ua) out.push(['User-Agent', ua]);
    const ref = this.part(HttpPart.Referer);
    if (ref) out.push(['Referer', ref]);
    if (withCookie) {
      const c = this.part(HttpPart.Cookie);
      if (c) out.push(['Cookie', c]);
    }
    return out;
  }

  /** Normalised http.header leaves Cookie to http.cookie, as app/ does for live traffic. */
  private headerBlock(withCookie: boolean): Uint8Array | undefined {
    const hs = this.headers(withCookie);
    if (hs.length === 0) return undefined;
    const parts: ArrayLike<number>[] = [];
    for (const [n, v] of hs) parts.push(Buffer.from(`${n}: `, 'latin1'), v, CRLF);
    return join(parts);
  }

  private headerNames(): Uint8Array | undefined {
    const hs = this.headers(true);
    if (hs.length === 0) return undefined;
    const parts: ArrayLike<number>[] = [CRLF];
    for (const [n] of hs) parts.push(Buffer.from(n, 'latin1'), CRLF);
    parts.push(CRLF);
    return join(parts);
  }

  override get http(): HttpLogMeta | undefined {
    const m: HttpLogMeta = {};
    const host = this.part(HttpPart.HostRaw);
    if (host) m.hostname = latin1(normalizeHost(host));
    const uri = this.part(HttpPart.UriRaw);
    if (uri) m.url = latin1(uri);
    const ua = this.part(HttpPart.UserAgent);
    if (ua) m.http_user_agent = latin1(ua);
    const method = this.part(HttpPart.Method);
    if (method) m.http_method = latin1(method);
    const proto = this.part(HttpPart.Protocol);
    if (proto) m.protocol = latin1(proto);
    const ref = this.part(HttpPart.Referer);
    if (ref) m.http_refer = latin1(ref);
    if (this.statusCode >= 0) m.status = this.statusCode;
    if (this.bodyLength >= 0) m.length = this.bodyLength;
    return m;
  }
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

function join(parts: readonly ArrayLike<number>[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Apache/nginx escape request lines, referers and user agents in the access log (`\"`, `\\`,
 * `\xHH`, `\n`...). Undone here so the buffers hold the bytes the client sent.
 */
export function unescapeLogBytes(b: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
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

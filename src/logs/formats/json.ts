import type { BufferName } from '../../types/buffers.js';
import { isValidUtf8, latin1 } from '../bytes.js';
import { parseIpText } from '../ip.js';
import { protoNumber, type HttpLogMeta, type SmtpLogMeta } from '../record.js';
import { scanIso } from './time-scan.js';
import { newHeader } from './syslog-header.js';
import { parseSyslogMessage } from './syslog.js';
import { Malformed, type LogFormatModule, type ParseContext, type ParseOutcome } from './context.js';
import { HttpLogRecord, HttpPart } from './http-record.js';
import { parseWrappedAccess } from './access.js';

/**
 * JSON lines: Suricata/kanshi EVE records first of all (src_ip, dest_ip, ports, proto, http,
 * smtp), plus the common shapes of other JSON logs (ECS `source.ip`, Zeek `id.orig_h`). Field
 * values become buffers in the encoding they were read with: UTF-8 normally, latin1 (byte per
 * char) when the line is not valid UTF-8, so no byte is ever lost.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export class JsonRecord extends HttpLogRecord {
  constructor(
    line: Uint8Array,
    file: string,
    lineNo: number,
    readonly obj: JsonObject,
    private readonly latin1Decoded: boolean,
  ) {
    super(line, file, lineNo, 'json');
  }

  /** A string or number field by dotted path (literal dotted keys as in Zeek win over nesting). */
  get(path: string): string | undefined {
    const v = lookup(this.obj, path);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return undefined;
  }

  private first(paths: readonly string[]): string | undefined {
    for (const p of paths) {
      const v = this.get(p);
      if (v !== undefined && v !== '' && v !== '-') return v;
    }
    return undefined;
  }

  private bytes(s: string | undefined): Uint8Array | undefined {
    if (s === undefined) return undefined;
    return Buffer.from(s, this.latin1Decoded ? 'latin1' : 'utf8');
  }

  protected part(p: HttpPart): Uint8Array | undefined {
    switch (p) {
      case HttpPart.Method:
        return this.bytes(this.first(['http.http_method', 'http.request.method', 'method']));
      case HttpPart.UriRaw:
        return this.bytes(this.first(['http.url', 'url.original', 'uri']));
      case HttpPart.Protocol:
        return this.bytes(this.first(['http.protocol']));
      case HttpPart.HostRaw:
        return this.bytes(this.first(['http.hostname', 'url.domain', 'host']));
      case HttpPart.UserAgent:
        return this.bytes(this.first(['http.http_user_agent', 'user_agent.original', 'user_agent']));
      case HttpPart.Referer:
        return this.bytes(this.first(['http.http_refer', 'http.request.referrer', 'referrer']));
      case HttpPart.Cookie:
        return this.bytes(this.requestHeader('cookie'));
      case HttpPart.Status:
        return this.bytes(this.first(['http.status', 'http.response.status_code', 'status_code']));
      default:
        return undefined;
    }
  }

  /** EVE with `dump-all-headers`: http.request_headers is [{name, value}]. */
  private requestHeader(name: string): string | undefined {
    const hs = lookup(this.obj, 'http.request_headers');
    if (!Array.isArray(hs)) return undefined;
    for (const h of hs) {
      if (h && typeof h === 'object' && !Array.isArray(h) && typeof h.name === 'string' && h.name.toLowerCase() === name)
        return typeof h.value === 'string' ? h.value : undefined;
    }
    return undefined;
  }

  protected override makeBuffer(name: BufferName): Uint8Array | undefined {
    switch (name) {
      case 'log.message': {
        const m = this.first(['message', 'msg', 'MESSAGE', 'log']);
        return m !== undefined ? this.bytes(m) : this.line;
      }
      case 'log.hostname':
        return this.bytes(this.first(['host.name', 'hostname', 'host', '_HOSTNAME']));
      case 'log.program':
        return this.bytes(this.first(['process.name', 'program', 'appname', 'SYSLOG_IDENTIFIER']));
      case 'pkt_data': {
        // EVE alerts logged with `payload: yes` carry the packet payload (base64): rules can run on it again.
        const p = lookup(this.obj, 'payload');
        return typeof p === 'string' && p.length > 0 ? Buffer.from(p, 'base64') : undefined;
      }
      case 'dns.query':
        return this.bytes(this.dnsQuery());
      case 'tls.sni':
        return this.tlsField(['tls.sni', 'tls.client.server_name', 'server_name']);
      case 'ja3.hash':
        return this.tlsField(['tls.ja3.hash', 'tls.client.ja3', 'ja3']);
      case 'ja3.string':
        return this.tlsField(['tls.ja3.string']);
      case 'ja3s.hash':
        return this.tlsField(['tls.ja3s.hash', 'tls.server.ja3s', 'ja3s']);
      case 'ja3s.string':
        return this.tlsField(['tls.ja3s.string']);
      case 'smtp.helo':
        return this.bytes(this.first(['smtp.helo']));
      case 'smtp.mail_from':
        return this.bytes(this.first(['smtp.mail_from']));
      case 'smtp.rcpt_to': {
        const r = lookup(this.obj, 'smtp.rcpt_to');
        if (Array.isArray(r)) return this.bytes(r.filter((x) => typeof x === 'string').join(','));
        return this.bytes(this.first(['smtp.rcpt_to']));
      }
      default:
        if (name.startsWith('http.') && !this.hasHttp()) return undefined;
        return super.makeBuffer(name);
    }
  }

  /**
   * The query name of a logged DNS request: Suricata EVE (v2 `dns.rrname` with type query, v3
   * `dns.queries[0].rrname` with type request), Zeek dns.log (`query`), ECS (`dns.question.name`
   * with type query). A logged answer has none: `dns.query` is a request buffer.
   */
  private dnsQuery(): string | undefined {
    if (this.appProto !== 'dns') return undefined;
    const type = this.get('dns.type');
    if (type === 'query' || type === 'request') {
      const queries = lookup(this.obj, 'dns.queries');
      if (Array.isArray(queries)) {
        const q = queries[0];
        return q && typeof q === 'object' && !Array.isArray(q) && typeof q.rrname === 'string' ? q.rrname : undefined;
      }
      return this.first(['dns.rrname', 'dns.question.name']);
    }
    // Zeek logs requests and answers in one line, the question under `query`.
    return type === undefined ? this.first(['query']) : undefined;
  }

  /** A TLS field of a logged handshake: Suricata EVE `tls`, ECS `tls.client`/`tls.server`, Zeek ssl.log. */
  private tlsField(paths: readonly string[]): Uint8Array | undefined {
    return this.appProto === 'tls' ? this.bytes(this.first(paths)) : undefined;
  }

  private hasHttp(): boolean {
    return this.appProto === 'http';
  }

  override get http(): HttpLogMeta | undefined {
    return this.hasHttp() ? super.http : undefined;
  }

  override get smtp(): SmtpLogMeta | undefined {
    const s = lookup(this.obj, 'smtp');
    if (!s || typeof s !== 'object' || Array.isArray(s)) return undefined;
    const meta: SmtpLogMeta = {};
    if (typeof s.helo === 'string') meta.helo = s.helo;
    if (typeof s.mail_from === 'string') meta.mail_from = s.mail_from;
    if (Array.isArray(s.rcpt_to)) meta.rcpt_to = s.rcpt_to.filter((x): x is string => typeof x === 'string');
    return meta;
  }

  protected collectFields(out: Record<string, string>): void {
    this.collectCommon(out);
    flatten(this.obj, '', out, 0);
  }
}

function lookup(obj: JsonObject, path: string): Json | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, path)) return obj[path];
  let cur: Json | undefined = obj;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur) || !Object.prototype.hasOwnProperty.call(cur, part))
      return undefined;
    cur = cur[part];
  }
  return cur;
}

function flatten(v: Json, prefix: string, out: Record<string, string>, depth: number): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < 8) {
    for (const k of Object.keys(v)) flatten(v[k]!, prefix ? `${prefix}.${k}` : k, out, depth + 1);
    return;
  }
  if (prefix === '') return;
  out[prefix] = typeof v === 'string' ? v : JSON.stringify(v);
}

/** A `\u` escape pair (surrogates), a `\u` escape, or any other escape (kept whole, so `\\u` is no escape). */
const ESCAPE = /\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\[^]/g;

/**
 * The text of a line that is not valid UTF-8, read as latin1 (one char per byte: a string's
 * bytes, valid or not, are handed out as they were written) with each `\uXXXX` escape of a
 * character past ASCII rewritten as the `\u00HH` escapes of its UTF-8 bytes: an escape gives
 * the bytes it gives on a valid line (`\u012e` is C4 AE, not 2E), whatever else is on the line.
 * A lone surrogate gives EF BF BD, as Buffer.from(text, 'utf8') makes of it on a valid line.
 */
function escapesAsBytes(text: string): string {
  if (!text.includes('\\u')) return text;
  return text.replace(ESCAPE, (m: string, hi: string | undefined, lo: string | undefined, one: string | undefined) => {
    let cp: number;
    if (hi !== undefined) cp = 0x10000 + ((parseInt(hi, 16) - 0xd800) << 10) + (parseInt(lo!, 16) - 0xdc00);
    else if (one !== undefined) {
      cp = parseInt(one, 16);
      if (cp < 0x80) return m;
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    } else return m;
    let out = '';
    for (const byte of Buffer.from(String.fromCodePoint(cp), 'utf8')) out += '\\u00' + (byte < 16 ? '0' : '') + byte.toString(16);
    return out;
  });
}

const M_NOT_JSON = new Malformed('not-json');
const M_NOT_OBJECT = new Malformed('not-object');

const SRC_KEYS = ['src_ip', 'source.ip', 'id.orig_h', 'client_ip', 'src', 'remote_addr', 'clientip'];
const SRC_PORT_KEYS = ['src_port', 'source.port', 'id.orig_p', 'client_port', 'spt'];
const DST_KEYS = ['dest_ip', 'dst_ip', 'destination.ip', 'id.resp_h', 'server_ip', 'dst'];
const DST_PORT_KEYS = ['dest_port', 'dst_port', 'destination.port', 'id.resp_p', 'server_port', 'dpt'];
const TIME_KEYS = ['timestamp', '@timestamp', 'time', 'ts', 'date', '__REALTIME_TIMESTAMP'];

function parseJson(line: Uint8Array, ctx: ParseContext): ParseOutcome {
  const utf8 = isValidUtf8(line);
  const text = utf8 ? Buffer.from(line.buffer, line.byteOffset, line.length).toString('utf8') : escapesAsBytes(latin1(line));
  let obj: Json;
  try {
    obj = JSON.parse(text) as Json;
  } catch {
    return M_NOT_JSON;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return M_NOT_OBJECT;
  const journal = parseJournal(obj, ctx, !utf8);
  if (journal) return journal;
  const docker = parseDockerAccess(obj, ctx, !utf8);
  if (docker) return docker;
  const rec = new JsonRecord(line, ctx.file, ctx.lineNo, obj, !utf8);
  rec.timeKnown = false;
  for (const k of TIME_KEYS) {
    const v = lookup(obj, k);
    const ts = jsonTime(v, ctx, k);
    if (!Number.isNaN(ts)) {
      rec.tsUs = ts;
      rec.timeKnown = true;
      break;
    }
  }
  const pick = (keys: readonly string[]): string | undefined => {
    for (const k of keys) {
      const v = lookup(obj as JsonObject, k);
      if (typeof v === 'string' || typeof v === 'number') return String(v);
    }
    return undefined;
  };
  const src = pick(SRC_KEYS);
  if (src !== undefined) rec.src = parseIpText(src);
  const dst = pick(DST_KEYS);
  if (dst !== undefined) rec.dst = parseIpText(dst);
  const sp = Number(pick(SRC_PORT_KEYS));
  if (Number.isInteger(sp) && sp >= 0 && sp <= 65535) rec.srcPort = sp;
  const dp = Number(pick(DST_PORT_KEYS));
  if (Number.isInteger(dp) && dp >= 0 && dp <= 65535) rec.dstPort = dp;
  const proto = pick(['proto', 'network.transport', 'transport', 'protocol']);
  if (proto !== undefined) {
    const n = protoNumber(proto);
    if (n >= 0) rec.proto = n;
  }
  const http = lookup(obj, 'http');
  const zeekHttp = lookup(obj, 'uri') !== undefined && lookup(obj, 'method') !== undefined;
  const ecsHttp = lookup(obj, 'url.original') !== undefined;
  if ((http && typeof http === 'object' && !Array.isArray(http)) || zeekHttp || ecsHttp) rec.appProto = 'http';
  else if (lookup(obj, 'smtp') !== undefined) rec.appProto = 'smtp';
  else if (isDnsRecord(obj)) rec.appProto = 'dns';
  else if (isTlsRecord(obj)) rec.appProto = 'tls';
  const app = lookup(obj, 'app_proto');
  if (rec.appProto === undefined && typeof app === 'string' && app !== 'failed') rec.appProto = app;
  const status = Number(pick(['http.status', 'http.response.status_code', 'status_code']));
  if (Number.isInteger(status) && status >= 0) rec.statusCode = status;
  const length = Number(pick(['http.length', 'http.response.body.bytes', 'response_body_len']));
  if (Number.isInteger(length) && length >= 0) rec.bodyLength = length;
  if (rec.proto === 1 || rec.proto === 58) fillIcmp(rec, obj);
  const action = pick(['alert.action', 'event.outcome', 'action']);
  if (action !== undefined) {
    const a = action.toLowerCase();
    if (a === 'blocked' || a === 'drop' || a === 'deny' || a === 'reject' || a === 'denied') rec.action = 'deny';
    else if (a === 'allowed' || a === 'allow' || a === 'accept' || a === 'pass' || a === 'permit') rec.action = 'allow';
  }
  return rec;
}

/**
 * ICMP has a type and a code, no ports: EVE names them; Zeek's conn.log writes them in the port
 * columns (id.orig_p the type, id.resp_p the code).
 */
function fillIcmp(rec: JsonRecord, obj: JsonObject): void {
  const zeek = lookup(obj, 'icmp_type') === undefined && lookup(obj, 'id.orig_p') !== undefined;
  const type = byteValue(lookup(obj, zeek ? 'id.orig_p' : 'icmp_type'));
  const code = byteValue(lookup(obj, zeek ? 'id.resp_p' : 'icmp_code'));
  if (type !== undefined) rec.icmpType = type;
  if (code !== undefined) rec.icmpCode = code;
  if (zeek) rec.srcPort = rec.dstPort = undefined;
}

function byteValue(v: Json | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,3}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
}

/**
 * journald (`journalctl -o json`) keeps the syslog tag, host and time in fields of their own and
 * the message in MESSAGE. Put back together as the syslog line they stand for, the message goes
 * through the syslog family's parsers: a kernel firewall line or an sshd failure from the journal
 * gets the same addresses and ports as from /var/log/messages. Undefined when not a journal entry.
 */
function parseJournal(obj: JsonObject, ctx: ParseContext, latin1Decoded: boolean): ParseOutcome | undefined {
  if (lookup(obj, '__REALTIME_TIMESTAMP') === undefined && lookup(obj, 'SYSLOG_IDENTIFIER') === undefined) return undefined;
  const msg = journalBytes(obj.MESSAGE, latin1Decoded);
  if (!msg) return undefined;
  const host = journalBytes(obj._HOSTNAME, latin1Decoded);
  const tag = journalBytes(obj.SYSLOG_IDENTIFIER, latin1Decoded);
  const pid = journalBytes(obj.SYSLOG_PID ?? obj._PID, latin1Decoded);
  const h = newHeader();
  const parts: Uint8Array[] = [];
  let at = 0;
  const put = (b: Uint8Array): number => {
    parts.push(b);
    at += b.length;
    return at;
  };
  if (host && host.length) {
    h.hostStart = at;
    h.hostEnd = put(host);
    put(SPACE);
  }
  if (tag && tag.length) {
    h.progStart = at;
    h.progEnd = put(tag);
    if (pid && pid.length) {
      h.pidStart = put(OPEN_BRACKET);
      h.pidEnd = put(pid);
      put(CLOSE_BRACKET);
    }
    put(COLON_SPACE);
  }
  h.msgStart = at;
  put(msg);
  h.tsUs = jsonTime(lookup(obj, '__REALTIME_TIMESTAMP'), ctx, '__REALTIME_TIMESTAMP');
  return parseSyslogMessage(Buffer.concat(parts), ctx, h);
}

/**
 * Docker's json-file driver: `{"log":"<line>\n","stream":"stdout","time":"..."}`. A `log` that
 * is an access log line (nginx and httpd images log requests to stdout) becomes an access
 * record of those bytes, at the envelope's time. Undefined for anything else.
 */
function parseDockerAccess(obj: JsonObject, ctx: ParseContext, latin1Decoded: boolean): ParseOutcome | undefined {
  const log = obj.log;
  if (typeof log !== 'string' || (obj.stream !== 'stdout' && obj.stream !== 'stderr')) return undefined;
  let bytes: Uint8Array = Buffer.from(log, latin1Decoded ? 'latin1' : 'utf8');
  let e = bytes.length;
  if (e > 0 && bytes[e - 1] === 0x0a) e--;
  if (e > 0 && bytes[e - 1] === 0x0d) e--;
  bytes = bytes.subarray(0, e);
  const rec = parseWrappedAccess(bytes, ctx, 0, undefined);
  if (rec === undefined) return undefined;
  const ts = jsonTime(obj.time, ctx, 'time');
  if (!Number.isNaN(ts)) rec.tsUs = ts;
  return rec;
}

const SPACE = Buffer.from(' ');
const OPEN_BRACKET = Buffer.from('[');
const CLOSE_BRACKET = Buffer.from(']');
const COLON_SPACE = Buffer.from(': ');

/** A journal field's bytes: text, or an array of byte values (journald's form for text that is not UTF-8). */
function journalBytes(v: Json | undefined, latin1Decoded: boolean): Uint8Array | undefined {
  if (typeof v === 'string') return Buffer.from(v, latin1Decoded ? 'latin1' : 'utf8');
  if (typeof v === 'number') return Buffer.from(String(v));
  if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255)) {
    return Uint8Array.from(v as number[]);
  }
  return undefined;
}

/** EVE tls events, ECS TLS events, Zeek ssl.log lines (server_name or ja3 plus the cipher). */
function isTlsRecord(obj: JsonObject): boolean {
  const tls = lookup(obj, 'tls');
  if (tls && typeof tls === 'object' && !Array.isArray(tls)) return true;
  return typeof lookup(obj, 'cipher') === 'string' && (typeof lookup(obj, 'server_name') === 'string' || typeof lookup(obj, 'ja3') === 'string');
}

/** EVE dns events, ECS DNS events, Zeek dns.log lines (query plus qtype_name). */
function isDnsRecord(obj: JsonObject): boolean {
  const dns = lookup(obj, 'dns');
  if (dns && typeof dns === 'object' && !Array.isArray(dns)) return true;
  return typeof lookup(obj, 'query') === 'string' && lookup(obj, 'qtype_name') !== undefined;
}

/**
 * A time field: ISO 8601 text, or an epoch stamp (number or digit string) read by its
 * magnitude: seconds (Zeek `ts`, possibly with a fraction), milliseconds (JavaScript, Java),
 * microseconds (journald) or nanoseconds (Go, Docker). A stamp that is none of these (before
 * 1973 or past 5138 in each unit: a duration, a counter) is no time.
 */
function jsonTime(v: Json | undefined, ctx: ParseContext, key: string): number {
  if (typeof v === 'number') {
    // journald's field is microseconds by definition.
    if (key === '__REALTIME_TIMESTAMP') return epochUs(v, EPOCH_US);
    return epochUs(v, unitOf(v));
  }
  if (typeof v !== 'string') return NaN;
  if (EPOCH_TEXT.test(v)) {
    const n = Number(v);
    const unit = key === '__REALTIME_TIMESTAMP' ? EPOCH_US : unitOf(n);
    // Nanoseconds go past 2^53: divided exactly from the digits.
    if (unit === EPOCH_NS && !v.includes('.')) return Number((BigInt(v) + 500n) / 1000n);
    if (unit !== 0) return epochUs(n, unit);
  }
  const b = Buffer.from(v, 'latin1');
  return scanIso(b, 0, b.length, ctx);
}

const EPOCH_TEXT = /^\d{1,20}(\.\d+)?$/;
/** Microseconds per unit of an epoch stamp; 0: not a stamp. */
const EPOCH_S = 1_000_000;
const EPOCH_MS = 1000;
const EPOCH_US = 1;
const EPOCH_NS = 0.001;

/**
 * The unit of an epoch stamp by its magnitude: each unit covers 1973-03-03 up to 5138, and the
 * ranges do not overlap (1e8 s = 1e11 ms = 1e14 us = 1e17 ns).
 */
function unitOf(v: number): number {
  if (!(v >= 1e8) || v >= 1e20) return 0;
  if (v < 1e11) return EPOCH_S;
  if (v < 1e14) return EPOCH_MS;
  if (v < 1e17) return EPOCH_US;
  return EPOCH_NS;
}

function epochUs(v: number, unit: number): number {
  if (unit === 0 || !Number.isFinite(v)) return NaN;
  const us = Math.round(v * unit);
  return us >= 1e14 && us < 1e17 ? us : NaN;
}

function probeJson(line: Uint8Array): number {
  let i = 0;
  while (i < line.length && (line[i] === 0x20 || line[i] === 0x09)) i++;
  let e = line.length;
  while (e > i && (line[e - 1] === 0x20 || line[e - 1] === 0x09)) e--;
  if (line[i] !== 0x7b || line[e - 1] !== 0x7d) return 0;
  try {
    const v = JSON.parse(latin1(line, i, e)) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? 1 : 0;
  } catch {
    return 0;
  }
}

export const jsonFormat: LogFormatModule = {
  name: 'json',
  probe: probeJson,
  parse: parseJson,
};

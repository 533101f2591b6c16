import { BUFFER_NAMES, type BufferName, type BufferSource } from '../types/buffers.js';
import type { IpBytes } from '../types/packet.js';
import { latin1, sub } from './bytes.js';
import { ipToText } from './ip.js';

/** Format names a record or a file can carry (see formats/registry.ts). */
export type LogFormatName =
  | 'common'
  | 'combined'
  | 'vhost_combined'
  | 'apache_error'
  | 'iis'
  | 'iis_native'
  | 'netfilter'
  | 'asa'
  | 'sendmail'
  | 'postfix'
  | 'portsentry'
  | 'scanlogd'
  | 'syslog'
  | 'json'
  | 'raw';

/** Where a record came from; EVE output writes it as `log: {file, line, format}`. */
export interface LogOrigin {
  file: string;
  line: number;
  format: LogFormatName;
}

/** HTTP metadata in Suricata's EVE `http` field names (strings are latin1: one char per byte). */
export interface HttpLogMeta {
  hostname?: string;
  url?: string;
  http_user_agent?: string;
  http_method?: string;
  protocol?: string;
  status?: number;
  length?: number;
  http_refer?: string;
}

/** SMTP metadata in Suricata's EVE `smtp` field names. */
export interface SmtpLogMeta {
  helo?: string;
  mail_from?: string;
  rcpt_to?: string[];
}

/**
 * One log line as the rest of the engine sees it: a source of the same named buffers packets
 * carry, plus header-like fields where the format has them. Absent fields mean "not in this log",
 * so rules that need them are not evaluated against the record.
 */
export interface LogRecord extends BufferSource {
  readonly kind: 'log';
  /** Microseconds since the epoch (UTC). Lines without a time of their own inherit the previous line's. */
  readonly tsUs: number;
  /** False when the line carried no time and tsUs was inherited. */
  readonly timeKnown: boolean;
  /** The line's bytes exactly as read (after truncation of over-long lines, without the line break). */
  readonly line: Uint8Array;
  readonly log: LogOrigin;
  readonly format: LogFormatName;

  readonly src?: IpBytes;
  readonly dst?: IpBytes;
  /** Canonical text of src/dst (dotted quad, RFC 5952 IPv6). */
  readonly srcText?: string;
  readonly dstText?: string;
  /** A peer logged by name instead of address (Apache HostnameLookups, sendmail relay without IP). */
  readonly srcHost?: string;
  readonly srcPort?: number;
  readonly dstPort?: number;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...). */
  readonly proto?: number;
  /** Application protocol the line describes ('http', 'smtp'). */
  readonly appProto?: string;

  /** Firewall verdict normalised to 'allow' or 'deny' (raw word in fields.action). */
  readonly action?: 'allow' | 'deny';
  /** The line reports a connection's end (a firewall's teardown), not a packet that opened it. */
  readonly teardown?: boolean;
  readonly ttl?: number;
  readonly tos?: number;
  readonly ipId?: number;
  readonly ipLength?: number;
  readonly dontFragment?: boolean;
  /** TCP flag bits as in the header (TCP_* in types/packet.ts). */
  readonly tcpFlags?: number;
  readonly tcpWindow?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;

  readonly http?: HttpLogMeta;
  readonly smtp?: SmtpLogMeta;
  /** Every field the format parsed, by the format's own names (text is latin1). */
  readonly fields: Readonly<Record<string, string>>;

  /**
   * Records of one format that can name a buffer's content without building it: two records
   * with the same `bufferKeyDomain` and equal keys for a buffer hold equal bytes in it. Lets
   * remembered prefilter scans be looked up before (usually instead of) building the buffer.
   */
  readonly bufferKeyDomain?: string;
  /** The key of a buffer's content; undefined: no such buffer; null: no cheap key, build it. */
  bufferKey?(name: BufferName): string | undefined | null;
  /**
   * The key as a small number (see BufferKeyIds): equal ids within a domain mean equal bytes.
   * 0: no such buffer; -1: no key (build the buffer).
   */
  bufferKeyId?(name: BufferName): number;
  /**
   * Whether records of this key domain can have the buffer at all: false means bufferKeyId is 0
   * for every one of them, so the engine drops the buffer's prefilters once per domain.
   */
  bufferKeyDomainHas?(name: BufferName): boolean;
  /**
   * One id for the bytes of every buffer the record has a key for (every buffer whose
   * bufferKeyId is not -1): two records of a domain with the same content id hold the same
   * bytes in all of them. -1 when there is none.
   */
  contentKeyId?(): number;
}

/**
 * Numbers for buffer keys, so that the engine's memos index arrays instead of hashing strings.
 * An id is never given to another key (a key forgotten when the table fills gets a new id), so
 * an id names one content for the life of the process. Bounded: emptied when full.
 */
/** Ids combined by BufferKeyIds.pair stay below this (a * PAIR_LIMIT + b is an exact double). */
const PAIR_LIMIT = 2 ** 26;
/**
 * Ids stay below this, so they are small integers: a record caches the ids of its buffers in
 * its own fields, which hold small integers unboxed (a larger number would be a heap-allocated
 * box per field and record). Past it, keys get no id (-1: the buffer is built and scanned).
 */
const ID_LIMIT = 2 ** 31 - 1;

export class BufferKeyIds {
  private readonly ids = new Map<string, number>();
  /**
   * Pairs by open addressing over numbers (no boxed keys), per slot side by side (one cache line
   * serves a probe): the key a * PAIR_LIMIT + b + 1 (0: empty), then the pair's id.
   */
  private readonly pairs: Float64Array;
  private readonly pairMask: number;
  private pairCount = 0;

  constructor(
    private readonly maxEntries = 16384,
    /** Longer keys get no id: hashing them would cost more than building and scanning the buffer. */
    private readonly maxKeyLength = 512,
    /** The first id given (ids count up from it). */
    private next = 1,
  ) {
    // At most half full, so a probe always ends on an empty slot.
    let slots = 2;
    while (slots < maxEntries * 2) slots *= 2;
    this.pairs = new Float64Array(slots * 2);
    this.pairMask = slots - 1;
  }

  get size(): number {
    return this.ids.size;
  }

  /**
   * The id of the pair (a, b) of ids (0 may stand for "absent"), for keys made of parts: a
   * composite buffer is named without hashing its text. -1 when an id is -1 or too large.
   */
  pair(a: number, b: number): number {
    if (a < 0 || b < 0 || a >= PAIR_LIMIT || b >= PAIR_LIMIT) return -1;
    const k = a * PAIR_LIMIT + b + 1;
    const pairs = this.pairs;
    const mask = this.pairMask;
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x632be5ab, 0x85ebca6b);
    h ^= h >>> 15;
    const home = h & mask;
    let slot = home;
    for (;;) {
      const s = pairs[slot * 2]!;
      // Ids stay below 2^31: a small integer, kept unboxed by the records that cache it.
      if (s === k) return pairs[slot * 2 + 1]! | 0;
      if (s === 0) break;
      slot = (slot + 1) & mask;
    }
    const id = this.fresh();
    if (id < 0) return -1;
    if (this.pairCount >= this.maxEntries) {
      pairs.fill(0);
      this.pairCount = 0;
      slot = home;
    }
    pairs[slot * 2] = k;
    pairs[slot * 2 + 1] = id;
    this.pairCount++;
    return id;
  }

  /** A new id, never given before (for keys kept elsewhere, see SpanKeyIds), or -1 once ids run out. */
  fresh(): number {
    return this.next < ID_LIMIT ? this.next++ : -1;
  }

  /** The id of `key` (>= 1), or -1 for a key too long to keep. */
  id(key: string): number {
    if (key.length > this.maxKeyLength) return -1;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.fresh();
      if (id < 0) return -1;
      if (this.ids.size >= this.maxEntries) this.ids.clear();
      this.ids.set(key, id);
    }
    return id;
  }
}

const BUFFER_INDEX = new Map<string, number>(BUFFER_NAMES.map((n, i) => [n, i]));

/**
 * Shared machinery of the per-format record classes: lazy, cached buffers (a buffer is cut or
 * built only when a rule asks for it) and lazily built `fields`.
 */
export abstract class BaseLogRecord implements LogRecord {
  declare readonly kind: 'log';
  // Fields are declared here and set in the constructor, not initialised as class fields: V8
  // sizes an object by the assignments its constructors make, so a record (one per log line) is
  // made in one allocation with room for them all, where class fields grow a separate store.
  declare tsUs: number;
  declare timeKnown: boolean;
  declare src: IpBytes | undefined;
  declare dst: IpBytes | undefined;
  declare srcHost: string | undefined;
  declare srcPort: number | undefined;
  declare dstPort: number | undefined;
  declare proto: number | undefined;
  declare appProto: string | undefined;
  // Firewall details exist only on the formats that log them (undefined, i.e. absent, on the
  // rest): not instance fields, so a web log record does not carry ten empty slots.
  declare action: 'allow' | 'deny' | undefined;
  declare teardown: boolean | undefined;
  declare ttl: number | undefined;
  declare tos: number | undefined;
  declare ipId: number | undefined;
  declare ipLength: number | undefined;
  declare dontFragment: boolean | undefined;
  declare tcpFlags: number | undefined;
  declare tcpWindow: number | undefined;
  declare icmpType: number | undefined;
  declare icmpCode: number | undefined;

  declare private bufCache: (Uint8Array | null | undefined)[] | undefined;
  declare private fieldCache: Record<string, string> | undefined;
  declare readonly line: Uint8Array;
  declare readonly file: string;
  declare readonly lineNo: number;
  declare readonly format: LogFormatName;

  constructor(line: Uint8Array, file: string, lineNo: number, format: LogFormatName) {
    this.line = line;
    this.file = file;
    this.lineNo = lineNo;
    this.format = format;
    this.tsUs = 0;
    this.timeKnown = true;
    this.src = undefined;
    this.dst = undefined;
    this.srcHost = undefined;
    this.srcPort = undefined;
    this.dstPort = undefined;
    this.proto = undefined;
    this.appProto = undefined;
    this.bufCache = undefined;
    this.fieldCache = undefined;
  }

  get log(): LogOrigin {
    return { file: this.file, line: this.lineNo, format: this.format };
  }

  get srcText(): string | undefined {
    return this.src ? ipToText(this.src) : undefined;
  }

  get dstText(): string | undefined {
    return this.dst ? ipToText(this.dst) : undefined;
  }

  get http(): HttpLogMeta | undefined {
    return undefined;
  }

  get smtp(): SmtpLogMeta | undefined {
    return undefined;
  }

  buffer(name: BufferName): Uint8Array | undefined {
    const idx = BUFFER_INDEX.get(name);
    if (idx === undefined) return undefined;
    // Sized once: filled at scattered indexes, an empty array would grow (and copy) repeatedly.
    const cache = (this.bufCache ??= new Array<Uint8Array | null | undefined>(BUFFER_NAMES.length));
    const hit = cache[idx];
    if (hit !== undefined) return hit ?? undefined;
    const made = this.makeBuffer(name);
    cache[idx] = made ?? null;
    return made;
  }

  get fields(): Readonly<Record<string, string>> {
    if (!this.fieldCache) {
      // No prototype: field names come from the log (a line may say `__proto__=`).
      const out = Object.create(null) as Record<string, string>;
      this.collectFields(out);
      this.fieldCache = out;
    }
    return this.fieldCache;
  }

  /** Builds one buffer on first request; undefined when the record has no such buffer. */
  protected abstract makeBuffer(name: BufferName): Uint8Array | undefined;

  protected abstract collectFields(out: Record<string, string>): void;

  /** Latin1 text of a span, for fields and EVE metadata. */
  protected text(start: number, end: number): string {
    return latin1(this.line, start, end);
  }

  protected span(start: number, end: number): Uint8Array | undefined {
    return start >= 0 && end >= start ? sub(this.line, start, end) : undefined;
  }

  /** Header-like fields shared by all formats, for `fields`. */
  protected collectCommon(out: Record<string, string>): void {
    if (this.src) out.src_ip = ipToText(this.src);
    else if (this.srcHost !== undefined) out.src_host = this.srcHost;
    if (this.srcPort !== undefined) out.src_port = String(this.srcPort);
    if (this.dst) out.dest_ip = ipToText(this.dst);
    if (this.dstPort !== undefined) out.dest_port = String(this.dstPort);
    if (this.proto !== undefined) out.proto = String(this.proto);
  }
}

// Shared by every record, on the prototype rather than in each instance.
(BaseLogRecord.prototype as { kind: 'log' }).kind = 'log';

/** IP protocol number of a protocol name as logs write it (TCP, udp, ICMP, 47, ...); -1 if unknown. */
export function protoNumber(name: string): number {
  const n = Number(name);
  if (name !== '' && Number.isInteger(n) && n >= 0 && n <= 255) return n;
  switch (name.toLowerCase()) {
    case 'tcp':
      return 6;
    case 'udp':
      return 17;
    case 'icmp':
      return 1;
    case 'icmpv6':
    case 'ipv6-icmp':
    case 'icmp6':
      return 58;
    case 'gre':
      return 47;
    case 'esp':
    case 'ipsec-esp': // Suricata 6 and older named protocols from /etc/protocols
      return 50;
    case 'ah':
    case 'ipsec-ah':
      return 51;
    case 'ospf':
    case 'ospfigp':
      return 89;
    case 'ip-in-ip':
    case 'ip-encap':
    case 'ipencap':
      return 4;
    case 'ipv6':
      return 41;
    case 'ipv6-frag':
      return 44;
    case 'pim':
      return 103;
    case 'vrrp':
      return 112;
    case 'sctp':
      return 132;
    case 'igmp':
      return 2;
    default:
      return -1;
  }
}

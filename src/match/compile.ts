/**
 * Rule compilation: a loaded rule (src/rule) becomes a CompiledRule: header sets, protocol and
 * flow requirements as numbers, header conditions and payload programs built from each
 * keyword's matcher, the fast pattern for the prefilter, and where the rule is inspected.
 */
import { defaultLevel } from '../correlate/levels.js';
import { lookupClassification } from '../options/lib/classifications.js';
import { DEFAULT_REGEX_LIMITS, FACT_APP_EVENTS, FACT_DCE, FACT_DNS, FACT_SIP, FACT_TLS_VERSION, MatcherUnavailable, type HeaderMatcher, type MatcherContext, type PayloadMatcher, type RegexLimits } from '../options/matcher.js';
import type { ContentMatch, PayloadElement, RuleDetection } from '../options/rule-body.js';
import type { FlowbitsValue } from '../options/non-payload/flowbits.js';
import type { XbitsValue } from '../options/non-payload/xbits.js';
import { flowintModifies, type FlowintValue } from '../options/non-payload/flowint.js';
import type { DetectionFilterValue } from '../options/post/detection-filter.js';
import type { ThresholdValue } from '../options/post/threshold.js';
import type { Rule, RuleOption } from '../rule/ast.js';
import type { IpSet } from '../rule/ip-set.js';
import type { PortSet } from '../rule/port-set.js';
import { MULTI_INSTANCE_BUFFERS } from '../types/buffers.js';
import type { Level } from '../types/level.js';
import { BufferProgram } from './payload.js';
import { requiredPcreLiterals, screensBetter, type PcreLiteral } from './pcre-literal.js';
import { readsUriQueryAsSent, uriBufferOf, uriQueryAsSent, URI_QUERY_AS_SENT, URI_QUERY_AS_SENT_BASE } from './uri-query-as-sent.js';

// Transport classes a rule applies to (bits).
export const P_TCP = 1;
export const P_UDP = 2;
export const P_ICMP4 = 4;
export const P_ICMP6 = 8;
export const P_OTHER = 16;
export const P_ANY = P_TCP | P_UDP | P_ICMP4 | P_ICMP6 | P_OTHER;

export const DIR_ANY = 0;
export const DIR_TO_SERVER = 1;
export const DIR_TO_CLIENT = 2;

export const STATE_ANY = 0;
export const STATE_ESTABLISHED = 1;
export const STATE_NOT_ESTABLISHED = 2;
export const STATE_STATELESS = 3;

/** Where a rule is inspected (see README.md). */
export type RuleKind =
  /** Header and flow conditions only: every packet (and log records with the fields). */
  | 'header'
  /** Payload in pkt_data: TCP streams, other packets' payloads. */
  | 'payload'
  /** HTTP buffers: each transaction. */
  | 'http'
  /** SMTP buffers: each command or message. */
  | 'smtp'
  /** DNS buffers: each question of a DNS request. */
  | 'dns'
  /** TLS hello buffers: each ClientHello (tls.sni, ja3.*), or each ServerHello (ja3s.*). */
  | 'tls'
  /** SSH identification lines (ssh.proto, ssh.software): each side's, once. */
  | 'ssh'
  /** DCE/RPC requests (dce_iface, dce_opnum, dce_stub_data): each one, its fragments joined. */
  | 'dcerpc'
  /** SIP messages (sip_method, sip_stat_code, sip_header, sip_body, sip.*): each one. */
  | 'sip'
  /** log.* buffers: log records only. */
  | 'log';

export type HttpPhases = 'request' | 'response' | 'both';

export interface FastPattern {
  buffer: string;
  bytes: Uint8Array;
  nocase: boolean;
  /**
   * Further literals, any one of which may stand for the pattern (a pcre's alternatives, see
   * pcre-literal.ts): the rule is a candidate when any of them occurs.
   */
  alternatives?: readonly { bytes: Uint8Array; nocase: boolean }[];
}

/** Adds the prefilter patterns of rule `id`'s fast pattern to `list`. */
export function pushFastPattern(list: { id: number; bytes: Uint8Array; nocase: boolean }[], id: number, fp: FastPattern): void {
  list.push({ id, bytes: fp.bytes, nocase: fp.nocase });
  if (fp.alternatives !== undefined) for (const a of fp.alternatives) list.push({ id, bytes: a.bytes, nocase: a.nocase });
}

export interface CompiledRule {
  /** Dense id, in evaluation order (candidate ids sort into it). */
  index: number;
  rule: Rule;
  gid: number;
  sid: number;
  rev: number;
  msg: string;
  classtype: string | undefined;
  category: string;
  severity: number;
  level: Level;
  levelExplicit: boolean;
  action: string;
  /** Suricata's EVE `alert.metadata` (key -> values), built on the rule's first alert. */
  metadata(): Record<string, string[]> | undefined;

  protoMask: number;
  /** The one IP protocol the rule is for when its class (protoMask) holds several (sctp: 132), else -1. */
  exactProto: number;
  /** 0 (either), 4 or 6. */
  ipVersion: number;
  /** Application protocol the header names (`alert http ...`), or null. */
  appProto: string | null;
  src: IpSet;
  srcPort: PortSet;
  dst: IpSet;
  dstPort: PortSet;
  bidirectional: boolean;

  flowDir: number;
  /**
   * A to_client HTTP rule that reads only request buffers and the response status (no buffer
   * whose side a to_client rule takes from the response, no body, no pkt_data): a web log line,
   * which records the request and the status of one transaction, is inspected by it.
   */
  answersWebLog: boolean;
  flowState: number;
  /** flow:only_stream / tcp-stream. */
  streamOnly: boolean;
  /** dsize, flow:no_stream or tcp-pkt: the packet's own payload is inspected, never the stream. */
  requiresPacket: boolean;
  /** At least the largest payload size the rule's dsize accepts (MAX_DSIZE without a bound). */
  maxDsize: number;
  /** 0 either, 1 only_frag, 2 no_frag. */
  frag: number;

  conditions: HeaderMatcher[];
  /** FACT_* bits every condition together needs. */
  needs: number;
  flowbitChecks: FlowbitsValue[];
  flowbitActions: FlowbitsValue[];
  /** xbits isset/isnotset, and set/unset/toggle (applied when the rule matches). */
  xbitChecks: XbitsValue[];
  xbitActions: XbitsValue[];
  /** flowint conditions, and changes (applied when the rule matches). */
  flowintChecks: FlowintValue[];
  flowintActions: FlowintValue[];
  /**
   * Suricata's IP-only rule: addresses (and `any` ports for tcp/udp), nothing else that reads
   * the packet, no flow keyword, flowbits only set. On a flow it is evaluated on the first
   * packet of each direction only (see the engine), as Suricata's IP-only engine does.
   */
  ipOnly: boolean;
  noalert: boolean;
  /** Never `backoff`: the rule body marks a rule with one skipped. */
  threshold: (ThresholdValue & { type: 'limit' | 'threshold' | 'both' }) | undefined;
  detectionFilter: DetectionFilterValue | undefined;

  kind: RuleKind;
  programs: BufferProgram[];
  /** The pkt_data program, if any. */
  pktProgram: BufferProgram | null;
  httpPhases: HttpPhases;
  /** SMTP: inspected on messages (header/body buffers) rather than commands. */
  smtpMessage: boolean;
  /** TLS: inspected on the ServerHello (a ja3s buffer) rather than the ClientHello. */
  tlsServer: boolean;
  /** Buffers the rule inspects through transforms (see inspectedBuffer); empty for most rules. */
  derivedBuffers: readonly DerivedBuffer[];
  /** Number of byte_extract/byte_math variables. */
  variableCount: number;
  fastPattern: FastPattern | null;
}

/** The largest payload size (no dsize bound at or above it is kept). */
export const MAX_DSIZE = 65535;

/**
 * An upper bound on the sizes a dsize value accepts (not always the least one: only what lets
 * a prefilter leave the rule out for larger packets); MAX_DSIZE when it sets none.
 */
function dsizeUpperBound(value: unknown): number {
  const r = value as { op?: unknown; a?: unknown; b?: unknown } | null;
  if (r === null || typeof r !== 'object' || typeof r.a !== 'number') return MAX_DSIZE;
  switch (r.op) {
    case '=':
    case '<':
    case '<=':
      return Math.max(0, Math.min(MAX_DSIZE, r.a));
    case '<>':
    case '-':
      return Math.max(0, Math.min(MAX_DSIZE, typeof r.b === 'number' ? Math.max(r.a, r.b) : r.a));
    default:
      return MAX_DSIZE;
  }
}

export interface SkippedRule {
  rule: Rule;
  reason: string;
}

export interface CompileOptions {
  regexLimits?: RegexLimits;
}

export interface CompileResult {
  rules: CompiledRule[];
  /** Loaded rules the engine cannot evaluate after all (each with why). */
  skipped: SkippedRule[];
}

const HTTP_REQUEST_BUFFERS = new Set([
  'http.method',
  'http.request_header',
  'http.uri',
  'http.uri.raw',
  'http.request_line',
  'http.user_agent',
  'http.host',
  'http.host.raw',
  'http.referer',
  'http.request_body',
  'http.accept',
  'http.accept_enc',
  'http.accept_lang',
]);
const HTTP_RESPONSE_BUFFERS = new Set(['http.stat_code', 'http.stat_msg', 'http.response_line', 'http.response_body', 'http.server', 'http.location', 'http.response_header']);
/** Buffers that exist on both sides; the rule's phase decides which side is inspected. */
const HTTP_EITHER_BUFFERS = new Set([
  'http.header',
  'http.header.raw',
  'http.cookie',
  'http.header_names',
  'http.start',
  'http.content_type',
  'http.content_len',
  'http.connection',
  'http.protocol',
]);
const SMTP_COMMAND_BUFFERS = new Set(['smtp.command', 'smtp.helo', 'smtp.mail_from', 'smtp.rcpt_to']);
const SMTP_MESSAGE_BUFFERS = new Set(['smtp.header', 'smtp.body']);
const LOG_BUFFERS = new Set(['log.message', 'log.program', 'log.hostname']);

/** HTTP buffers that only the request carries (read from the request side at the response phase). */
export function isHttpRequestOnly(name: string): boolean {
  return HTTP_REQUEST_BUFFERS.has(name);
}

/**
 * Header protocols: the transports they cover (`mask`), and for rules inspecting pkt_data only
 * (`payloadMask`, default `mask`).
 */
const PROTOCOLS: ReadonlyMap<string, { mask: number; payloadMask?: number; version: number; app: string | null; packetOnly?: boolean; streamOnly?: boolean; exact?: number }> = new Map([
  ['ip', { mask: P_ANY, version: 0, app: null }],
  ['ipv4', { mask: P_ANY, version: 4, app: null }],
  ['ip4', { mask: P_ANY, version: 4, app: null }],
  ['ipv6', { mask: P_ANY, version: 6, app: null }],
  ['ip6', { mask: P_ANY, version: 6, app: null }],
  ['tcp', { mask: P_TCP, version: 0, app: null }],
  ['tcp-pkt', { mask: P_TCP, version: 0, app: null, packetOnly: true }],
  // Every packet, including those whose IP layer failed to decode (decoder-events.rules).
  ['pkthdr', { mask: P_ANY, version: 0, app: null, packetOnly: true }],
  ['tcp-stream', { mask: P_TCP, version: 0, app: null, streamOnly: true }],
  ['udp', { mask: P_UDP, version: 0, app: null }],
  // One of the other protocols, told apart by its number.
  ['sctp', { mask: P_OTHER, version: 0, app: null, exact: 132 }],
  // Suricata's icmp covers ICMPv4 and ICMPv6.
  ['icmp', { mask: P_ICMP4 | P_ICMP6, version: 0, app: null }],
  ['icmpv4', { mask: P_ICMP4, version: 0, app: null }],
  ['icmpv6', { mask: P_ICMP6, version: 0, app: null }],
  ['http', { mask: P_TCP, version: 0, app: 'http' }],
  ['http1', { mask: P_TCP, version: 0, app: 'http' }],
  ['smtp', { mask: P_TCP, version: 0, app: 'smtp' }],
  // alert dns rules on pkt_data are inspected on UDP datagrams only: in the TCP stream groups
  // their patterns would cost every TCP stream a prefilter pass (DNS over TCP is rare).
  ['dns', { mask: P_UDP | P_TCP, payloadMask: P_UDP, version: 0, app: 'dns' }],
  ['tls', { mask: P_TCP, version: 0, app: 'tls' }],
  // Recognised by their first bytes, not parsed (app/detect.ts): their rules read the stream.
  ['ftp', { mask: P_TCP, version: 0, app: 'ftp' }],
  ['smb', { mask: P_TCP, version: 0, app: 'smb' }],
  ['ssh', { mask: P_TCP, version: 0, app: 'ssh' }],
  // Also DCE/RPC carried over SMB: an alert dcerpc rule applies to SMB flows (Suricata's AppProtoEquals).
  ['dcerpc', { mask: P_TCP, version: 0, app: 'dcerpc' }],
  ['sip', { mask: P_UDP | P_TCP, version: 0, app: 'sip' }],
  // The data connections FTP control connections announce (PORT/EPRT, PASV/EPSV replies).
  ['ftp-data', { mask: P_TCP, version: 0, app: 'ftp-data' }],
  ['ssl', { mask: P_TCP, version: 0, app: 'tls' }],
]);

const ACTION_RANK: Readonly<Record<string, number>> = { pass: 0, drop: 1, sdrop: 1, reject: 2, rejectsrc: 2, rejectdst: 2, rejectboth: 2, alert: 3, log: 4 };

class CompileError extends Error {}

/**
 * Kinds whose rules read application buffers (transactions, messages, hellos, requests, log
 * lines) rather than a packet or a stream: their fast pattern is taken from those buffers, and on
 * a log record they apply whatever address or client port the record lacks (a missing server
 * port is the application's well-known one, see wellKnownPort).
 */
export function readsAppBuffers(kind: RuleKind): boolean {
  return kind !== 'header' && kind !== 'payload';
}

/** Server ports of the application protocols log records name (IANA's well-known ports). */
const WELL_KNOWN_PORTS: ReadonlyMap<string, number> = new Map([
  ['http', 80],
  ['smtp', 25],
  ['dns', 53],
  ['tls', 443],
  ['ssh', 22],
  ['ftp', 21],
]);

/**
 * The port a log record of application `app` that does not log its server port is matched as:
 * the protocol's well-known port, or -1 (none: the port stays unknown). A combined access log
 * line is a request to a web server on port 80 as far as a rule's destination port goes, as the
 * same request in an IIS log (which logs s-port) would be: `$HTTP_PORTS` and `any` rules apply,
 * a rule for port 443 or 8080 does not.
 */
export function wellKnownPort(app: string | null): number {
  return app === null ? -1 : (WELL_KNOWN_PORTS.get(app) ?? -1);
}

/**
 * Whether the rule reads a log record of application `app` from the response's side: a web log
 * line met by a to_client rule that reads no more of the response than its status
 * (answersWebLog). The rule's header then names the server as source and the client as
 * destination, where the record names the request's sides.
 */
export function readsRecordReversed(r: CompiledRule, app: string | null | undefined): boolean {
  return r.answersWebLog && app === 'http';
}

/** Whether a flow or record of application protocol `app` is one a rule for `ruleApp` applies to. */
export function appProtoApplies(ruleApp: string, app: string | null): boolean {
  return app === ruleApp || (ruleApp === 'dcerpc' && app === 'smb');
}

/** Compiles every loaded rule; rules the engine cannot evaluate are reported, not dropped silently. */
export function compileRules(rules: readonly Rule[], options: CompileOptions = {}): CompileResult {
  const out: CompiledRule[] = [];
  const skipped: SkippedRule[] = [];
  const limits = options.regexLimits ?? DEFAULT_REGEX_LIMITS;
  const scratch = new CompileScratch(limits);
  // Indexed loops here and below: this code runs once per rule, mostly before the JIT
  // optimizes it, when each for-of step allocates an iterator result.
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (rule.status !== 'loaded' || rule.body === undefined || rule.header === undefined) continue;
    try {
      out.push(compileRule(rule, limits, scratch));
    } catch (e) {
      if (!(e instanceof CompileError)) throw e;
      skipped.push({ rule, reason: e.message });
    }
  }
  // Evaluation (and alert) order, as Suricata's detect-engine-sigorder.c sorts: pass before drop
  // before alert; then, for flowbits, flowints, hostbits and ip-pair bits in turn, rules that only
  // set before those that set and read, before those that only read; then priority (lower first)
  // and sid. A rule set thus gives the same results whatever order its files are loaded in.
  // The roles are packed in one number per rule (2 bits each), computed once.
  const roles = new Float64Array(out.length);
  const order = new Array<number>(out.length);
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    roles[i] =
      (ACTION_RANK[c.action] ?? 3) * 256 +
      role(c.flowbitActions.length > 0, c.flowbitChecks.length > 0) * 64 +
      role(c.flowintActions.length > 0, c.flowintChecks.length > 0) * 16 +
      xbitRole(c, false) * 4 +
      xbitRole(c, true);
    order[i] = i;
  }
  order.sort((a, b) => roles[a]! - roles[b]! || out[a]!.severity - out[b]!.severity || out[a]!.sid - out[b]!.sid || a - b);
  const sorted: CompiledRule[] = new Array<CompiledRule>(out.length);
  for (let i = 0; i < order.length; i++) {
    const c = out[order[i]!]!;
    c.index = i;
    sorted[i] = c;
  }
  return { rules: sorted, skipped };
}

/** Setters only first, then setters that also read, then readers, then rules without the kind. */
function role(sets: boolean, reads: boolean): number {
  return sets && !reads ? 0 : sets ? 1 : reads ? 2 : 3;
}

/** role() over the rule's xbits of one kind: tracked by ip_pair (Suricata's ippairbits) or by host. */
function xbitRole(c: CompiledRule, pair: boolean): number {
  return role(hasTrack(c.xbitActions, pair), hasTrack(c.xbitChecks, pair));
}

function hasTrack(xbits: readonly XbitsValue[], pair: boolean): boolean {
  for (let i = 0; i < xbits.length; i++) if ((xbits[i]!.track === 'ip_pair') === pair) return true;
  return false;
}

/**
 * Per-run compile state shared by every rule of a set: one variable-slot table, reset for each
 * rule, so compiling a rule creates no closures or maps of its own (rule sets hold tens of
 * thousands of rules, and the objects made here mostly end up retained).
 */
export class CompileScratch {
  private readonly slots = new Map<string, number>();
  readonly ctx: MatcherContext;
  /** The rule's buffers in order of first appearance, and the steps of each (see addStep). */
  readonly bufferNames: string[] = [];
  readonly bufferSteps: PayloadMatcher[][] = [];
  readonly bufferSections: number[] = [];

  constructor(limits: RegexLimits) {
    const slots = this.slots;
    this.ctx = {
      slot: (name: string): number => {
        let s = slots.get(name);
        if (s === undefined) {
          s = slots.size;
          slots.set(name, s);
        }
        return s;
      },
      regexLimits: limits,
    };
  }

  reset(): void {
    if (this.slots.size > 0) this.slots.clear();
  }

  get slotCount(): number {
    return this.slots.size;
  }
}

/** Shared by rules that have none (never mutated). */
const NO_CONDITIONS: HeaderMatcher[] = [];
const NO_FLOWBITS: FlowbitsValue[] = [];
const NO_XBITS: XbitsValue[] = [];
const NO_FLOWINTS: FlowintValue[] = [];
/** The buffer base64_decode fills (see base64-decode.ts); never prefiltered. */
export const BASE64_DATA = 'base64_data';

/**
 * fragbits reads the IPv4 header's flags: as Suricata's DetectFragBitsMatch, it never matches an
 * IPv6 packet (its fragment header has no such flags; `fragbits:!D` would otherwise hold on all
 * IPv6 traffic).
 */
function ipv4Only(m: HeaderMatcher): HeaderMatcher {
  return { needs: m.needs, test: (h) => h.ipVersion === 4 && m.test(h) };
}

// What the buffers of a rule's programs say about where it is inspected (bits).
const B_LOG = 1;
const B_HTTP = 2;
const B_HTTP_RESPONSE = 4;
const B_HTTP_REQUEST = 8;
const B_FILE_DATA = 16;
const B_SMTP = 32;
const B_SMTP_MESSAGE = 64;
const B_PKT = 128;
const B_UNKNOWN = 256;
const B_DNS = 512;
const B_TLS = 1024;
const B_TLS_SERVER = 2048;
const B_SSH = 4096;
const B_DCE = 8192;
const B_SIP = 16384;
/** A TLS buffer of the ClientHello alone (B_TLS_SERVER: of the server's side alone; neither: either hello's). */
const B_TLS_CLIENT = 32768;
const TLS_EITHER_BUFFERS = new Set(['tls.random', 'tls.random_time', 'tls.random_bytes']);
const TLS_CLIENT_BUFFERS = new Set(['tls.sni', 'ja3.hash', 'ja3.string', 'ja4.hash', 'tls.alpn']);
const TLS_SERVER_BUFFERS = new Set(['ja3s.hash', 'ja3s.string', 'tls.certs', 'tls.cert_subject', 'tls.cert_issuer', 'tls.cert_serial', 'tls.cert_fingerprint']);

function bufferBits(n: string): number {
  if (n === 'pkt_data') return B_PKT;
  // Decoded by the rule itself from its other buffers: says nothing of where it is inspected.
  if (n === BASE64_DATA) return 0;
  if (n === 'file.data' || n === 'file.name') return B_FILE_DATA;
  if (HTTP_REQUEST_BUFFERS.has(n)) return B_HTTP | B_HTTP_REQUEST;
  if (HTTP_RESPONSE_BUFFERS.has(n)) return B_HTTP | B_HTTP_RESPONSE;
  if (HTTP_EITHER_BUFFERS.has(n)) return B_HTTP;
  if (SMTP_MESSAGE_BUFFERS.has(n)) return B_SMTP | B_SMTP_MESSAGE;
  if (SMTP_COMMAND_BUFFERS.has(n)) return B_SMTP;
  if (LOG_BUFFERS.has(n)) return B_LOG;
  if (n === 'dns.query') return B_DNS;
  if (TLS_CLIENT_BUFFERS.has(n)) return B_TLS | B_TLS_CLIENT;
  if (TLS_SERVER_BUFFERS.has(n)) return B_TLS | B_TLS_SERVER;
  if (TLS_EITHER_BUFFERS.has(n)) return B_TLS;
  if (n === 'ssh.proto' || n === 'ssh.software' || n.startsWith('ssh.hassh')) return B_SSH;
  if (n === 'dce_stub_data') return B_DCE;
  if (n === 'sip_header' || n === 'sip_body' || n.startsWith('sip.')) return B_SIP;
  return B_UNKNOWN;
}

export function compileRule(rule: Rule, limits: RegexLimits = DEFAULT_REGEX_LIMITS, scratch: CompileScratch = new CompileScratch(limits)): CompiledRule {
  const body = rule.body!;
  const header = rule.header!;
  const meta = body.meta;
  const det = body.detection;
  const proto = PROTOCOLS.get(rule.protocol);
  if (proto === undefined) throw new CompileError(`protocol ${rule.protocol} is not evaluated`);

  scratch.reset();
  const ctx = scratch.ctx;
  for (let i = 0; i < det.variables.length; i++) ctx.slot(det.variables[i]!);

  // Payload programs, one per buffer, in order of first appearance (rules name few buffers:
  // a linear search beats a map).
  const bufferNames = scratch.bufferNames;
  const bufferSteps = scratch.bufferSteps;
  const bufferSections = scratch.bufferSections;
  bufferNames.length = 0;
  bufferSteps.length = 0;
  bufferSections.length = 0;
  const payload = det.payload;
  const uriAsSent = readsUriQueryAsSent(det);
  let derivedBuffers: DerivedBuffer[] | null = null;
  for (let i = 0; i < payload.length; i++) {
    const el = payload[i]!;
    const name = inspectedBuffer(el, uriAsSent);
    if (name !== el.buffer && !(derivedBuffers ?? []).some((d) => d.name === name)) (derivedBuffers ??= []).push(derivedBuffer(el, name, uriAsSent));
    const section = MULTI_INSTANCE_BUFFERS.has(el.buffer) ? stickySection(rule, el) : 0;
    addStep(bufferNames, bufferSteps, bufferSections, name, section, payloadMatcher(el, ctx));
  }

  let conditions = NO_CONDITIONS;
  let needs = 0;
  let hasDsize = false;
  let maxDsize = MAX_DSIZE;
  const detConditions = det.conditions;
  for (let i = 0; i < detConditions.length; i++) {
    const c = detConditions[i]!;
    const module = c.option.module;
    if (module.bufferCondition !== undefined) {
      const b = module.bufferCondition(c.value);
      // urilen measures the URI the rule's contents read.
      const name = uriBufferOf(b.buffer, uriAsSent);
      if (name === URI_QUERY_AS_SENT && !(derivedBuffers ?? []).some((d) => d.name === name)) (derivedBuffers ??= []).push(URI_QUERY_AS_SENT_BUFFER);
      addStep(bufferNames, bufferSteps, bufferSections, name, 0, b.matcher);
      continue;
    }
    if (module.condition === undefined) throw new CompileError(`${c.keyword} has no matcher`);
    const m = c.keyword === 'fragbits' ? ipv4Only(module.condition(c.value)) : module.condition(c.value);
    if (conditions === NO_CONDITIONS) conditions = [];
    conditions.push(m);
    needs |= m.needs;
    if (c.keyword === 'dsize') {
      hasDsize = true;
      maxDsize = Math.min(maxDsize, dsizeUpperBound(c.value));
    }
  }

  const programs: BufferProgram[] = new Array<BufferProgram>(bufferNames.length);
  let pktProgram: BufferProgram | null = null;
  let bits = 0;
  let unknown: string | undefined;
  for (let i = 0; i < bufferNames.length; i++) {
    const name = bufferNames[i]!;
    const p = new BufferProgram(name, bufferSteps[i]!, MULTI_INSTANCE_BUFFERS.has(baseBuffer(name)));
    programs[i] = p;
    if (pktProgram === null && name === 'pkt_data') pktProgram = p;
    const b = bufferBits(baseBuffer(name));
    if (b === B_UNKNOWN && unknown === undefined) unknown = name;
    bits |= b;
  }
  sshUnitsMixed(bufferNames);

  const flow = det.flow;
  const flowDir = flow?.direction === 'to_server' ? DIR_TO_SERVER : flow?.direction === 'to_client' ? DIR_TO_CLIENT : DIR_ANY;
  const flowState =
    flow?.state === 'established' ? STATE_ESTABLISHED
    : flow?.state === 'not_established' ? STATE_NOT_ESTABLISHED
    : flow?.state === 'stateless' ? STATE_STATELESS
    : STATE_ANY;

  let kind: RuleKind;
  let httpPhases: HttpPhases = 'both';
  let smtpMessage = false;
  let tlsServer = false;
  if (bits & B_LOG) kind = 'log';
  else if (bits & B_HTTP || (bits & B_FILE_DATA && proto.app !== 'smtp')) {
    kind = 'http';
    if (bits & B_HTTP_RESPONSE) httpPhases = 'response';
    else if (bits & B_HTTP_REQUEST) httpPhases = 'request';
    else if (bits & B_FILE_DATA) httpPhases = flowDir === DIR_TO_SERVER ? 'request' : 'response';
    else httpPhases = flowDir === DIR_TO_SERVER ? 'request' : flowDir === DIR_TO_CLIENT ? 'response' : 'both';
  } else if (bits & B_DNS || (needs & FACT_DNS) !== 0) kind = 'dns';
  else if (bits & B_TLS) {
    kind = 'tls';
    // A buffer both hellos have is read on the server's side when the rule looks towards the client.
    tlsServer = (bits & B_TLS_SERVER) !== 0 || ((bits & B_TLS_CLIENT) === 0 && flowDir === DIR_TO_CLIENT);
  } else if (bits & B_SSH) kind = 'ssh';
  // dce_iface and dce_opnum read the request: the rule is inspected on DCE/RPC requests.
  else if (bits & B_DCE || (needs & FACT_DCE) !== 0) kind = 'dcerpc';
  // So do sip_method and sip_stat_code: the rule is inspected on SIP messages.
  else if (bits & B_SIP || (needs & FACT_SIP) !== 0) kind = 'sip';
  else if (bits & (B_SMTP | B_FILE_DATA)) {
    kind = 'smtp';
    smtpMessage = (bits & (B_SMTP_MESSAGE | B_FILE_DATA)) !== 0;
  } else if ((needs & FACT_APP_EVENTS) !== 0 && proto.app === 'smtp') {
    // app-layer-event on smtp reads a message's (MIME) anomalies.
    kind = 'smtp';
    smtpMessage = true;
  } else if ((needs & FACT_APP_EVENTS) !== 0) {
    // app-layer-event reads an HTTP transaction: the rule is inspected on transactions.
    kind = 'http';
    httpPhases = flowDir === DIR_TO_SERVER ? 'request' : flowDir === DIR_TO_CLIENT ? 'response' : 'both';
  } else if ((needs & FACT_TLS_VERSION) !== 0 && pktProgram === null && bufferNames.length === 0) {
    // tls.version alone (with header conditions) is a transaction match in Suricata: inspected on
    // the hellos, once each, rather than on every packet of the flow, ACKs included.
    kind = 'tls';
    tlsServer = flowDir === DIR_TO_CLIENT;
  } else if (pktProgram !== null) kind = 'payload';
  else kind = 'header';
  if (unknown !== undefined) throw new CompileError(`buffer ${unknown} is not evaluated`);
  const answersWebLog =
    kind === 'http' && flowDir === DIR_TO_CLIENT && (bits & (B_FILE_DATA | B_PKT)) === 0 && !bufferNames.some((n) => HTTP_EITHER_BUFFERS.has(baseBuffer(n)));

  const classification = meta.classtype === undefined ? undefined : lookupClassification(meta.classtype);
  const severity = meta.priority ?? classification?.priority ?? 3;
  const levelExplicit = meta.level !== undefined;
  const level = meta.level ?? defaultLevel(meta.classtype, severity).level;

  let flowbitChecks = NO_FLOWBITS;
  let flowbitActions = NO_FLOWBITS;
  for (let i = 0; i < det.flowbits.length; i++) {
    const f = det.flowbits[i]!;
    if (f.cmd === 'isset' || f.cmd === 'isnotset') (flowbitChecks === NO_FLOWBITS ? (flowbitChecks = []) : flowbitChecks).push(f);
    else if (f.cmd !== 'noalert') (flowbitActions === NO_FLOWBITS ? (flowbitActions = []) : flowbitActions).push(f);
  }

  const ipOnly =
    kind === 'header' &&
    proto.app === null &&
    proto.packetOnly !== true &&
    proto.streamOnly !== true &&
    conditions.length === 0 &&
    flow === undefined &&
    flowbitChecks.length === 0 &&
    det.xbits.length === 0 &&
    det.flowints.length === 0 &&
    flowbitActions.every((f) => f.cmd === 'set') &&
    // Ports only make a tcp or udp rule a port rule; Suricata ignores them for `ip`.
    (proto.mask === P_ANY || (header.srcPort.isAny && header.dstPort.isAny));

  return {
    index: 0,
    rule,
    gid: meta.gid,
    sid: meta.sid ?? 0,
    rev: meta.rev,
    msg: meta.msg ?? '',
    classtype: meta.classtype,
    category: classification?.description ?? meta.classtype ?? '',
    severity,
    level,
    levelExplicit,
    action: rule.action,
    metadata: ruleMetadata,
    protoMask: kind === 'payload' ? (proto.payloadMask ?? proto.mask) : proto.mask,
    exactProto: proto.exact ?? -1,
    ipVersion: proto.version,
    appProto: proto.app,
    src: header.src,
    srcPort: header.srcPort,
    dst: header.dst,
    dstPort: header.dstPort,
    bidirectional: header.bidirectional,
    flowDir,
    answersWebLog,
    flowState,
    streamOnly: flow?.stream === 'only' || proto.streamOnly === true,
    requiresPacket: hasDsize || flow?.stream === 'no' || proto.packetOnly === true,
    maxDsize,
    frag: flow?.frag === 'only' ? 1 : flow?.frag === 'no' ? 2 : 0,
    conditions,
    needs,
    flowbitChecks,
    flowbitActions,
    xbitChecks: det.xbits.length === 0 ? NO_XBITS : det.xbits.filter((x) => x.cmd === 'isset' || x.cmd === 'isnotset'),
    xbitActions: det.xbits.length === 0 ? NO_XBITS : det.xbits.filter((x) => x.cmd !== 'isset' && x.cmd !== 'isnotset'),
    flowintChecks: det.flowints.length === 0 ? NO_FLOWINTS : det.flowints.filter((f) => !flowintModifies(f)),
    flowintActions: det.flowints.length === 0 ? NO_FLOWINTS : det.flowints.filter((f) => flowintModifies(f)),
    ipOnly,
    noalert: det.noalert,
    threshold: det.threshold as CompiledRule['threshold'],
    detectionFilter: det.detectionFilter,
    kind,
    programs,
    pktProgram,
    httpPhases,
    smtpMessage,
    tlsServer,
    derivedBuffers: derivedBuffers ?? NO_DERIVED,
    variableCount: scratch.slotCount,
    fastPattern: chooseFastPattern(det, readsAppBuffers(kind), uriAsSent),
  };
}

/** A buffer inspected through transforms: its base buffer and the rewrite the transforms make of it. */
export interface DerivedBuffer {
  /** `base|transform|transform...`, e.g. `dns.query|dotprefix` (`|xor:"0d0a"` with a value). */
  name: string;
  base: string;
  apply(buf: Uint8Array): Uint8Array;
}

const NO_DERIVED: readonly DerivedBuffer[] = Object.freeze([]);

/**
 * The buffer a payload element inspects: its sticky buffer, or, after transforms, a derived
 * buffer named `base|t1|t2` (the prefilter and the programs treat it as a buffer of its own, so
 * a fast pattern after `dotprefix` is looked for in the dot-prefixed bytes). `uriAsSent`: the
 * rule reads http.uri with its query as sent (see uri-query-as-sent.ts), whatever transforms
 * then make of it.
 */
export function inspectedBuffer(el: { buffer: string; transforms: readonly { keyword: string; option: { raw: string | null } }[] }, uriAsSent = false): string {
  const buffer = uriBufferOf(el.buffer, uriAsSent);
  if (el.transforms.length === 0) return buffer;
  let name = buffer;
  for (let i = 0; i < el.transforms.length; i++) {
    const t = el.transforms[i]!;
    // A transform with a value (xor's key) rewrites differently per value: the value names it too.
    name += '|' + t.keyword + (t.option.raw === null ? '' : ':' + t.option.raw.trim());
  }
  return name;
}

/** The base buffer of a (possibly derived) buffer name. */
export function baseBuffer(name: string): string {
  const bar = name.indexOf('|');
  return bar < 0 ? name : name.slice(0, bar);
}

/** http.uri with its query as sent, rebuilt from the raw URI. */
const URI_QUERY_AS_SENT_BUFFER: DerivedBuffer = Object.freeze({ name: URI_QUERY_AS_SENT, base: URI_QUERY_AS_SENT_BASE, apply: uriQueryAsSent });

function derivedBuffer(el: PayloadElement, name: string, uriAsSent: boolean): DerivedBuffer {
  // pkt_data is supplied by the engine per packet, stream window or message, not by a source.
  if (el.buffer === 'pkt_data') throw new CompileError(`transform ${el.transforms[0]!.keyword} on pkt_data is not evaluated: name a sticky buffer before it`);
  const asSent = uriAsSent && el.buffer === 'http.uri';
  if (asSent && el.transforms.length === 0) return URI_QUERY_AS_SENT_BUFFER;
  const steps = el.transforms.map((t) => {
    const make = t.option.module.transform;
    if (make === undefined) throw new CompileError(`buffer transform ${t.keyword} is not evaluated`);
    return make(t.value);
  });
  if (asSent) steps.unshift(uriQueryAsSent);
  return {
    name,
    base: asSent ? URI_QUERY_AS_SENT_BASE : el.buffer,
    apply(buf: Uint8Array): Uint8Array {
      let out = buf;
      for (let i = 0; i < steps.length; i++) out = steps[i]!(out);
      return out;
    },
  };
}

/**
 * Adds a step to the program of its buffer: one program per buffer, and for a multi-instance
 * buffer one per sticky section (`section`), as each section may match a different instance.
 */
function addStep(names: string[], steps: PayloadMatcher[][], sections: number[], buffer: string, section: number, m: PayloadMatcher): void {
  for (let i = 0; i < names.length; i++) {
    if (names[i] === buffer && sections[i] === section) {
      steps[i]!.push(m);
      return;
    }
  }
  names.push(buffer);
  steps.push([m]);
  sections.push(section);
}

/** Which sticky section of its (multi-instance) buffer the element is in: the sticky keywords naming that buffer before it. */
function stickySection(rule: Rule, el: PayloadElement): number {
  const options = rule.options;
  let section = 0;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    if ((o as unknown) === el.option) return section;
    const m = o.module;
    if (m !== undefined && m.category === 'sticky-buffer' && (m.buffer ?? m.keyword) === el.buffer) section++;
  }
  return section;
}

/**
 * An SSH side's identification line and its KEXINIT are inspected as two units (the banner when
 * its line ends, the HASSH when the key exchange opens), so no one unit has both: a rule reading
 * both kinds of buffer could never match, and is skipped with the reason rather than kept silent.
 */
function sshUnitsMixed(names: readonly string[]): void {
  let banner = false;
  let hassh = false;
  for (const n of names) {
    const base = baseBuffer(n);
    if (base === 'ssh.proto' || base === 'ssh.software') banner = true;
    else if (base.startsWith('ssh.hassh')) hassh = true;
  }
  if (banner && hassh) throw new CompileError('ssh.proto/ssh.software and ssh.hassh* together are not evaluated: kanshi reads the banner and the key exchange as separate units; keep one kind');
}

/** The element's keyword module compiles it (see src/options/matcher.ts). */
function payloadMatcher(el: PayloadElement, ctx: MatcherContext): PayloadMatcher {
  const module = el.option.module;
  if (module.payloadMatcher === undefined) throw new CompileError(`${el.option.keyword} is not evaluated`);
  try {
    return module.payloadMatcher(el, ctx);
  } catch (e) {
    if (e instanceof MatcherUnavailable) throw new CompileError(e.message);
    throw e;
  }
}

/**
 * The prefilter pattern: the content marked fast_pattern (its chopped slice if so), else the
 * longest positive content (the first among equals). Negated contents never qualify: their
 * absence is what matches. A rule inspected on application buffers prefers a content in one of
 * them over a pkt_data one (as Suricata's buffer priorities do): the prefilter then scans the
 * small URI or header buffers rather than the whole raw message; a content in http.method comes
 * last (Suricata 7 ranks that buffer below the raw payload). A content of under four bytes
 * gives way to a pcre whose literals are all longer (see pcreFastPattern). `uriAsSent`: as
 * for inspectedBuffer, the rule's own by default.
 */
export function chooseFastPattern(det: RuleDetection, preferAppBuffers = false, uriAsSent = readsUriQueryAsSent(det)): FastPattern | null {
  const fp = det.fastPattern;
  if (fp !== undefined && !fp.negated && fp.bytes.length > 0 && inspectedBuffer(fp, uriAsSent) !== BASE64_DATA) {
    const chop = fp.fastPattern?.kind === 'chop' ? fp.fastPattern : undefined;
    const bytes = chop ? fp.bytes.subarray(chop.offset, chop.offset + chop.length) : fp.bytes;
    if (bytes.length > 0) return { buffer: inspectedBuffer(fp, uriAsSent), bytes, nocase: fp.nocase };
  }
  // Buffer priority, as Suricata ranks them: application buffers over the raw payload for rules
  // inspected on application buffers, and http.method below everything (its few values are in
  // every request). Then the longest content, the first among equals. A content of one or two
  // bytes screens no better than a method: it ranks with the method, so that
  // `http.method; content:"SEARCH"; http.uri; content:"/";` keeps the method.
  let hasMethod = false;
  for (const el of det.payload) if (el.kind === 'content' && !el.negated && el.bytes.length > 0 && inspectedBuffer(el, uriAsSent) === 'http.method') hasMethod = true;
  const rank = (el: ContentMatch): number => {
    const buffer = inspectedBuffer(el, uriAsSent);
    if (buffer === 'http.method' || (hasMethod && el.bytes.length < 3)) return 0;
    return preferAppBuffers && buffer === 'pkt_data' ? 1 : 2;
  };
  let best: ContentMatch | undefined;
  let bestRank = -1;
  for (let i = 0; i < det.payload.length; i++) {
    const el = det.payload[i]!;
    if (el.kind !== 'content' || el.negated || el.bytes.length === 0) continue;
    if (inspectedBuffer(el, uriAsSent) === BASE64_DATA) continue;
    const r = rank(el);
    if (best === undefined || r > bestRank || (r === bestRank && el.bytes.length > best.bytes.length)) {
      best = el;
      bestRank = r;
    }
  }
  if (best === undefined) return pcreFastPattern(det, uriAsSent);
  const content: FastPattern = { buffer: inspectedBuffer(best, uriAsSent), bytes: best.bytes, nocase: best.nocase };
  // A content of a few bytes (`content:"200"; http.stat_code;`, `content:"%";`) screens little:
  // a pcre whose literals are all longer screens better, and which one is scanned changes no verdict.
  if (best.bytes.length >= SHORT_CONTENT) return content;
  const pcre = pcreFastPattern(det, uriAsSent);
  if (pcre === null || shortestLiteral(pcre) <= best.bytes.length) return content;
  // Never from an application buffer back to the raw payload (see preferAppBuffers).
  if (pcre.buffer === 'pkt_data' && content.buffer !== 'pkt_data') return content;
  return pcre;
}

/** Contents shorter than this give way to longer pcre literals as the fast pattern. */
const SHORT_CONTENT = 4;

function shortestLiteral(fp: FastPattern): number {
  let m = fp.bytes.length;
  for (const a of fp.alternatives ?? []) m = Math.min(m, a.bytes.length);
  return m;
}

/**
 * A rule without a positive content: the literals one of which each match of one of its pcres
 * requires (see pcre-literal.ts), so the prefilter still screens it. Every pcre must match, so
 * any one's literals serve: the set that screens best is taken.
 */
function pcreFastPattern(det: RuleDetection, uriAsSent: boolean): FastPattern | null {
  let best: { buffer: string; literals: PcreLiteral[] } | null = null;
  for (let i = 0; i < det.payload.length; i++) {
    const el = det.payload[i]!;
    if (el.kind !== 'pcre' || el.value.negated || el.value.compiled === null || inspectedBuffer(el, uriAsSent) === BASE64_DATA) continue;
    const literals = requiredPcreLiterals(el.value.pattern, el.value.flags);
    if (literals !== null && (best === null || screensBetter(literals, best.literals))) best = { buffer: inspectedBuffer(el, uriAsSent), literals };
  }
  if (best === null) return null;
  const [first, ...rest] = best.literals;
  return { buffer: best.buffer, bytes: first!.bytes, nocase: first!.nocase, alternatives: rest.length > 0 ? rest : undefined };
}

/** Built on a rule's first alert, once per rule (keyed by the rule's metadata entries). */
const builtMetadata = new WeakMap<readonly { key: string; value: string }[], Record<string, string[]>>();

/** CompiledRule.metadata, shared by every rule rather than a closure per rule. */
function ruleMetadata(this: CompiledRule): Record<string, string[]> | undefined {
  const entries = this.rule.body?.meta.metadata;
  if (entries === undefined || entries.length === 0) return undefined;
  let built = builtMetadata.get(entries);
  if (built === undefined) {
    built = metadataOf(entries)!;
    builtMetadata.set(entries, built);
  }
  return built;
}

function metadataOf(entries: readonly { key: string; value: string }[]): Record<string, string[]> | undefined {
  if (entries.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const e of entries) (out[e.key] ??= []).push(e.value);
  return out;
}

/** The application protocol a buffer belongs to, for the checks below (undefined: any). */
function bufferApp(bits: number): string | undefined {
  if (bits & B_HTTP) return 'http';
  if (bits & B_SMTP) return 'smtp';
  if (bits & B_DNS) return 'dns';
  if (bits & B_TLS) return 'tls';
  if (bits & B_SSH) return 'ssh';
  if (bits & B_SIP) return 'sip';
  return undefined;
}

/** Applications kanshi reads over TCP only. */
const TCP_ONLY_APPS: ReadonlySet<string> = new Set(['http', 'smtp', 'tls', 'ssh']);

/**
 * What a contradiction points at: a word of an option's value (flow's direction), or the
 * header's protocol.
 */
export type ContradictionSite = { option: RuleOption; word: string } | 'protocol';

export interface Contradiction {
  message: string;
  at: ContradictionSite;
}

/**
 * Why a rule can never match, when its parts contradict each other in a way Suricata refuses at
 * load ("mixes keywords with conflicting directions", "can't set rule app proto"): a response
 * buffer with flow:to_server, a request buffer with flow:to_client (unless the rule also reads the
 * response: kanshi reads such a pair from one transaction, as a web log line holds both), a buffer
 * of another application than the header's, a TCP application's buffer under a udp or icmp header.
 * undefined when none of these holds. For `kanshi check`'s warnings; matching is unchanged.
 */
export function ruleContradiction(rule: Rule): Contradiction | undefined {
  const det = rule.body?.detection;
  if (det === undefined) return undefined;
  const names: string[] = [];
  for (const el of det.payload) if (!names.includes(el.buffer)) names.push(el.buffer);
  for (const c of det.conditions) {
    const b = c.option.module.bufferCondition?.(c.value).buffer;
    if (b !== undefined && !names.includes(b)) names.push(b);
  }
  const dir = det.flow?.direction;
  const readsResponse = names.some((n) => (bufferBits(baseBuffer(n)) & B_HTTP_RESPONSE) !== 0);
  for (const n of names) {
    const bits = bufferBits(baseBuffer(n));
    if (dir === 'to_server' && (bits & B_HTTP_RESPONSE) !== 0) {
      return directionConflict(rule, `${n} is in the response, but flow:to_server inspects requests only: the rule can never match; use flow:to_client, or a request buffer`);
    }
    if (dir === 'to_client' && (bits & B_HTTP_REQUEST) !== 0 && !readsResponse) {
      return directionConflict(rule, `${n} is in the request, but flow:to_client inspects responses only: Suricata refuses the rule (its keywords have conflicting directions); use flow:to_server, or a response buffer`);
    }
    const why = protocolConflict(rule.protocol, n, bufferApp(bits));
    if (why !== undefined) return { message: why, at: 'protocol' };
  }
  return undefined;
}

/** The flow option's direction word (to_server, from_client, ...) as written, for the caret. */
function directionConflict(rule: Rule, message: string): Contradiction | undefined {
  const flow = rule.options.find((o) => o.keyword === 'flow');
  if (flow === undefined) return undefined;
  const word = /(?:to|from)_(?:server|client)/i.exec(flow.raw ?? '')?.[0] ?? '';
  return { message, at: { option: flow, word } };
}

function protocolConflict(protocol: string, buffer: string, app: string | undefined): string | undefined {
  if (app === undefined) return undefined;
  const proto = PROTOCOLS.get(protocol);
  if (proto !== undefined && proto.app !== null && proto.app !== app) {
    return `${buffer} is a buffer of ${app}, but the rule is alert ${protocol}: the rule can never match; write alert ${app} (or tcp)`;
  }
  if ((protocol === 'udp' || protocol.startsWith('icmp')) && TCP_ONLY_APPS.has(app)) {
    return `${buffer} is a buffer of ${app}, which runs over TCP, but the rule is alert ${protocol}: the rule can never match; write alert ${app} or alert tcp`;
  }
  return undefined;
}

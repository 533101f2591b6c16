/**
 * The detection engine: inspects packets, reassembled TCP data, HTTP transactions, SMTP units
 * and log records against a Ruleset and hands each hit to a sink as an Alert.
 *
 * Driving it (src/match/scanner.ts does this):
 *   beginPacket(pkt); stream.process(pkt, sink) -> onStreamData / onPacket / onFlowEnd,
 *   app layer -> onHttp / onSmtp; endPacket().
 * Work queued during a packet (stream data, transactions) is inspected at endPacket, after the
 * packet's own rules, in that order (as Suricata: packet and stream rules, then transactions);
 * work of a flow that ends is inspected at onFlowEnd. See README.md for the alert policy.
 */
import type { DceRequestView, DnsQueryView, HttpSide, HttpTxView, SipMessageView, SmtpPhase, SmtpUnitView, SshBannerView, TlsHelloView } from '../types/app.js';
import type { Alert } from '../types/alert.js';
import type { BufferName, BufferSource } from '../types/buffers.js';
import type { FlowView } from '../types/flow.js';
import { TCP_SYN, type DecodedPacket, type TunnelOrigin } from '../types/packet.js';
import type { LogRecord } from '../logs/record.js';
import {
  appProtoApplies,
  BASE64_DATA,
  readsAppBuffers,
  readsRecordReversed,
  wellKnownPort,
  DIR_TO_CLIENT,
  DIR_TO_SERVER,
  STATE_ESTABLISHED,
  STATE_NOT_ESTABLISHED,
  isHttpRequestOnly,
  type CompiledRule,
} from './compile.js';
import { Candidates, sortIdsInto, type GroupSet, type RuleGroup } from './groups.js';
import { ipText, protoName } from './ip-text.js';
import {
  FACT_ADDRS,
  FACT_APP_PROTO,
  FACT_DSIZE,
  FACT_ICMP_CODE,
  FACT_ICMP_TYPE,
  FACT_DCE,
  FACT_DNS,
  FACT_SIP,
  FACT_DECODE_EVENTS,
  FACT_APP_EVENTS,
  FACT_TCP_FLAGS,
  FACT_TCP_WINDOW,
  FACT_IP_ID,
  FACT_IP_PROTO,
  FACT_TOS,
  FACT_TTL,
  HeaderFacts,
  Inspection,
} from '../options/matcher.js';
import { lastMatchEnd, runProgram, type BufferProgram } from './payload.js';
import { CLASS_ICMP4, CLASS_ICMP6, CLASS_OTHER, CLASS_TCP, CLASS_UDP, type Ruleset } from './ruleset.js';
import { CandidateSet } from './prefilter/index.js';
import { OUTCOME_EVALUATE, OUTCOME_MATCHED, OUTCOME_PAYLOAD, outcomeCode, RecordOutcomes } from './record-outcomes.js';
import { ProgramOutcomes, ScanMemo } from './scan-memo.js';
import { VERDICT_HEADER_FREE, VERDICT_NEVER, buildRecordPlan, protocolFits, type RecordFilter, type RecordPlan, type RecordShape } from './record-plan.js';
import { StreamWindow } from './stream-window.js';
import { ThresholdTable, type ThresholdKeyParts } from './threshold.js';
import { XbitsStore } from './xbits.js';
import { OldestFirst } from '../types/oldest-first.js';
import { fillPacketFacts, flowFacts } from './packet-facts.js';
import { applyFlowbit, flowbitCheckHolds } from './flowbit-state.js';
import { applyFlowint, flowintHolds } from '../options/non-payload/flowint.js';

/** What the policy reads of a hit to decide whether it suppresses it. */
export interface SuppressedHit {
  gid: number;
  sid: number;
  classtype: string | undefined;
  severity: number;
  srcIp: string;
  destIp: string;
  http: Record<string, unknown> | undefined;
}

export interface EngineOptions {
  /** Bytes of already inspected stream data kept per direction, for matches that span chunks. */
  streamWindow?: number;
  /** Steps a rule's evaluation may take (Suricata's inspection recursion limit). */
  stepLimit?: number;
  /** Threshold tracking keys kept. */
  maxThresholdKeys?: number;
  /** Hosts and address pairs with xbits kept (default 65,536). */
  maxXbitsKeys?: number;
  /** Flows with detection state kept (a safety net: the stream stage bounds flows itself). */
  maxFlows?: number;
  /** Memory for the inspected tails of stream windows, all flows together (default 64 MiB). */
  maxWindowBytes?: number;
  /**
   * Whether the stream stage picks up TCP sessions whose handshake was not captured (its
   * tcp.midstream, default true). When it does not, their data is inspected per packet.
   */
  midstream?: boolean;
  /**
   * Rules whose own threshold:/detection_filter: a threshold.config statement replaces (as in
   * Snort and Suricata, a sig-specific event_filter wins): their hits all go to the correlator.
   */
  thresholdOverridden?: (gid: number, sid: number) => boolean;
  /**
   * Whether the policy hides a hit (suppress, except): asked before a rule's own threshold
   * counts the hit, as Suricata handles suppressions first, so suppressed traffic never uses
   * up a rule's threshold. The hit still goes to the sink, which drops and counts it.
   */
  suppressedByPolicy?: (hit: SuppressedHit) => boolean;
  /**
   * Whether log records are inspected through per-shape plans (record-plan.ts: rules that
   * cannot apply to a record's shape left out, header tests the shape settles skipped) and
   * replay the outcome of an earlier record of the same content (record-outcomes.ts). Default
   * true; false evaluates every candidate in full (the reference the plans are tested against).
   */
  recordPlans?: boolean;
  /**
   * Whether packets, stream data and transactions evaluate only the rules without a fast
   * pattern whose header tests (ip_proto, flags, dsize, ttl, itype, icode) their header can
   * pass (header-index.ts). Default true; false evaluates all of them (the tests' reference).
   */
  headerIndex?: boolean;
  /**
   * Called with what each inspection gives the rules (its kind and its named buffers), before
   * they are evaluated: for explaining a rule's verdict (`kanshi test`), not for scanning. The
   * source is valid during the call only.
   */
  onInspect?: (unit: InspectedUnit) => void;
}

/** What one inspection gave the rules (see EngineOptions.onInspect). */
export interface InspectedUnit {
  kind: InspectedKind;
  /** Data toward the server (a request, client stream data), as the rules' flow options read it. */
  toServer: boolean;
  /** The buffers by name; pkt_data is the packet's payload or the stream data inspected. */
  source: BufferSource;
  /** Addresses (empty when unknown) and ports (-1 when unknown) in the inspection's direction. */
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  /** Whether the flow counted as established for this inspection (as flow:established reads it). */
  established: boolean;
}

export type InspectedKind = 'packet' | 'stream' | 'http request' | 'http response' | 'smtp' | 'dns' | 'tls' | 'ssh' | 'dcerpc' | 'sip' | 'record';

/** A source holding pkt_data alone: what a packet or a stream window gives. */
function pktDataOnly(bytes: Uint8Array): BufferSource {
  return { buffer: (name) => (name === 'pkt_data' ? bytes : undefined) };
}

/** Receives each alert, with the rule that raised it. */
export type AlertSink = (alert: Alert, rule: CompiledRule) => void;

export interface DetectCounters {
  alerts: number;
  /** Rules fully evaluated (candidates that passed the group and prefilter). */
  evaluated: number;
  inspections: { packet: number; stream: number; http: number; smtp: number; dns: number; tls: number; ssh: number; dcerpc: number; sip: number; record: number };
  pcreLimit: number;
  stepLimit: number;
  /** Alerts withheld by rule thresholds. */
  thresholded: number;
  thresholdEvictions: number;
  /** Hosts and address pairs whose xbits were dropped for room. */
  xbitsEvictions: number;
  noalert: number;
  /** Flows whose later traffic was not inspected because a pass rule matched. */
  flowsPassed: number;
  /** Detection state dropped for flows beyond maxFlows. */
  flowStatesEvicted: number;
  /** Stream windows opened without an inspected tail because of the memory budget. */
  windowsWithoutTail: number;
}

const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMP = 1;
const PROTO_ICMPV6 = 58;

/** The application units other than HTTP and SMTP: one inspection each, EVE metadata under their kind. */
type AppUnit = DnsQueryView | TlsHelloView | SshBannerView | DceRequestView | SipMessageView;

/** HTTP transaction, SMTP unit or another application unit: queued until their packet's rules ran. */
interface AppEvent {
  http: HttpTxView | null;
  httpPhase: HttpSide;
  smtp: SmtpUnitView | null;
  unit: AppUnit | null;
  /** The server's reply to this SMTP unit arrived: its held alerts go out (nothing is inspected). */
  reply: boolean;
}

/**
 * Alerts on a request the server has not answered yet (an HTTP request without its response,
 * an SMTP command or message without its reply): they wait for the answer, so that they carry
 * its status (`http.status`, `smtp.reply_code`) as Suricata's transaction logging does once a
 * transaction is complete; the correlator lowers an attempt the target refused by it. They go
 * out when the answer is inspected, when the flow ends, or when too many wait.
 */
class HeldAlerts {
  readonly alerts: Alert[] = [];
  readonly rules: CompiledRule[] = [];
  constructor(
    readonly kind: 'http' | 'smtp',
    readonly id: number,
    readonly tx: HttpTxView | SmtpUnitView,
  ) {}
}
/** Alerts held at once in all flows; past this, alerts go out without waiting. */
const MAX_HELD_ALERTS = 10_000;
/** Unanswered transactions of one flow holding alerts; past this, the oldest one's go out. */
const MAX_HELD_PER_FLOW = 32;

const NO_NAMES: readonly string[] = [];

/** Unanswered HTTP transactions a flow keeps for its stream alerts (streamHttpTx); past this, the oldest is dropped. */
const MAX_UNANSWERED_HTTP = 32;
/**
 * Stream alerts that carry one HTTP transaction at most: Suricata's detect.stream-tx-log-limit
 * (default 4); later stream alerts on it go out without it, as Suricata's do.
 */
const STREAM_TX_LOG_LIMIT = 4;

/** What detection keeps per flow. */
class FlowState {
  known = false;
  clientIp: Uint8Array = EMPTY;
  serverIp: Uint8Array = EMPTY;
  clientPort = 0;
  serverPort = 0;
  proto = 0;
  ipVersion = 0;
  toServer: StreamWindow | null = null;
  toClient: StreamWindow | null = null;
  pending: AppEvent[] = [];
  dirty = false;
  passed = false;
  lastPcapCnt = 0;
  lastTsUs = 0;
  synSeen = false;
  /** Memory charged for this flow's stream windows. */
  windowBytes = 0;
  /** The direction whose stream data came last (1 to the server, 2 to the client, 0 none yet). */
  lastStreamDir = 0;
  /** flow.established as it was after the previous packet of the flow. */
  establishedBefore = false;
  vlans: readonly number[] = NO_VLANS;
  /** The tunnel the flow's packets came through (every packet of a flow shares it: it is in the flow key). */
  tunnel: TunnelOrigin | undefined = undefined;
  tunnelDepth = 0;
  /** Made again for a late packet of a flow whose end was already inspected. */
  revived = false;
  /** Alerts waiting for the server's answer to their transaction (HeldAlerts). */
  held: HeldAlerts[] | null = null;
  /** The HTTP transaction inspected last (either side): a stream alert's fallback (streamHttpTx). */
  httpLast: HttpTxView | null = null;
  /** HTTP transactions whose request was inspected and whose response was not yet, oldest first. */
  httpUnanswered: HttpTxView[] | null = null;
  /** IPONLY_TO_SERVER/IPONLY_TO_CLIENT: directions whose first packet met the IP-only rules. */
  ipOnlyDone = 0;

  constructor(readonly flow: FlowView) {}
}

/**
 * Flags of a flow that survive its end (stream/ ends a TCP flow at its close but keeps it a few
 * seconds for late packets): a late packet must still see the pass verdict, that the handshake
 * was seen (so a retransmission is not taken for midstream data) and the established state.
 */
const ENDED_PASSED = 1;
const ENDED_SYN_SEEN = 2;
const ENDED_ESTABLISHED = 4;
const ENDED_IPONLY_SHIFT = 3;
const IPONLY_TO_SERVER = 1;
const IPONLY_TO_CLIENT = 2;
/**
 * Transports Suricata keeps flows for (TCP, UDP, ICMP, ICMPv6, SCTP, ESP): only there are IP-only
 * rules evaluated once per direction; other packets (GRE carriers, IGMP, ...) meet them each time.
 */
function ipOnlyFlowProto(p: number): boolean {
  return p === 6 || p === 17 || p === 1 || p === 58 || p === 132 || p === 50;
}
/** Ended flows remembered at most (oldest forgotten first): a few bytes each. */
const MAX_ENDED_FLOWS = 65_536;

const EMPTY = new Uint8Array(0);

/** A record plan with the engine's state for it: its scan memos, made on first use. */
interface EngineRecordPlan {
  readonly group: RuleGroup;
  readonly plan: RecordPlan;
  readonly domain: string;
  /** Records of the plan name their buffers by key id (bufferKeyDomain and bufferKeyId). */
  readonly keyed: boolean;
  readonly memos: (ScanMemo | undefined)[];
  /** Per filter: its buffer is derived (read through transforms), known once rather than looked up per record. */
  readonly derived: Uint8Array;
  /** Outcomes by record content (see record-outcomes.ts); null for records without buffer keys. */
  readonly outcomes: RecordOutcomes | null;
}
const NO_VLANS: readonly number[] = Object.freeze([]);
const NONE = new Int32Array(0);
const MODE_BUFFER = 0;
const MODE_STREAM = 1;
const LAZY_NONE = 0;
const LAZY_REQUEST = 1;
const LAZY_RESPONSE = 2;

/** Request-side buffers stay readable at the response phase, through this view. */
class ResponsePhaseSource implements BufferSource {
  tx: HttpTxView | null = null;
  buffer(name: BufferName): Uint8Array | undefined {
    const tx = this.tx!;
    return isHttpRequestOnly(name) ? tx.view('request').buffer(name) : tx.view('response').buffer(name);
  }
  instances(name: BufferName): readonly Uint8Array[] | undefined {
    const view = this.tx!.view(isHttpRequestOnly(name) ? 'request' : 'response');
    return view.instances === undefined ? undefined : view.instances(name);
  }
}

export class DetectionEngine {
  readonly counters: DetectCounters = {
    alerts: 0,
    evaluated: 0,
    inspections: { packet: 0, stream: 0, http: 0, smtp: 0, dns: 0, tls: 0, ssh: 0, dcerpc: 0, sip: 0, record: 0 },
    pcreLimit: 0,
    stepLimit: 0,
    thresholded: 0,
    thresholdEvictions: 0,
    xbitsEvictions: 0,
    noalert: 0,
    flowsPassed: 0,
    flowStatesEvicted: 0,
    windowsWithoutTail: 0,
  };
  private readonly thresholds: ThresholdTable;
  private readonly xbits: XbitsStore;
  private readonly flows = new Map<number, FlowState>();
  private readonly oldestFlow = new OldestFirst(this.flows);
  /** Flags of ended flows by flow id, for their late packets (bounded: MAX_ENDED_FLOWS). */
  private readonly endedFlows = new Map<number, number>();
  private readonly oldestEnded = new OldestFirst(this.endedFlows);
  private readonly dirty: FlowState[] = [];
  private readonly windowSize: number;
  private readonly maxWindowBytes: number;
  private windowBytes = 0;
  private readonly maxFlows: number;
  private readonly cand: Candidates;
  private readonly candPkt: Candidates;
  private readonly candTs: Candidates;
  private readonly candTc: Candidates;
  private readonly midstream: boolean;
  private readonly onInspect: ((unit: InspectedUnit) => void) | undefined;
  /** Some rule inspects TCP payload on the stream (else stream data is not kept at all). */
  private readonly hasStreamRules: boolean;
  /** Rules (by index) whose stream program waits for the stream's end (BufferProgram.endSensitive). */
  private readonly endSensitive: Uint8Array;
  private readonly hasEndSensitive: boolean;
  /** The stream inspection decides the rules waiting for their direction's data to be complete (decideStream). */
  private streamFinal = false;
  /** The rule whose programs payloadMatches runs (streamProgram reads its last alert's end). */
  private streamRule = -1;
  /** The stream offset where the current rule's stream match ends (-1: none), kept by onMatch. */
  private streamMatchEnd = -1;
  /** Index in the window where the buffer of the last stream program run began. */
  private streamMatchBase = 0;
  /** The rule ids of a final stream inspection (endSensitive ones only). */
  private readonly finalIds: Int32Array;
  /** Rules whose own threshold:/detection_filter: applies. */
  private readonly ownThreshold: Uint8Array;
  private readonly suppressedByPolicy: ((hit: SuppressedHit) => boolean) | undefined;
  /** Rules with a program on file.data or file.name (1), by rule index. */
  private readonly readsFile: Uint8Array;
  private packetPending: DecodedPacket | null = null;
  private packetFlow: FlowView | null = null;
  private packetState: FlowState | null = null;
  /** The pending packet's direction of its flow already met the IP-only rules. */
  private packetIpOnlySeen = false;
  private readonly groups: RuleGroup[] = [null!, null!, null!];
  private readonly ins = new Inspection();
  private readonly facts = new HeaderFacts();
  private readonly responseSource = new ResponsePhaseSource();
  private scratch = new Uint8Array(4096);
  private recordSorted = new Int32Array(64);

  private current: DecodedPacket | null = null;
  // The inspection in progress (fields rather than a context object: nothing allocated per packet).
  private flow: FlowView | null = null;
  private state: FlowState | null = null;
  private toServer = true;
  /** The flow counts as established for this inspection (see setPacketContext). */
  private established = false;
  private srcIp: Uint8Array = EMPTY;
  private dstIp: Uint8Array = EMPTY;
  private srcPort = 0;
  private dstPort = 0;
  /** For a log record without a server port: its application's well-known port (-1: none; see wellKnownPort). */
  private recordServerPort = -1;
  private proto = 0;
  private tsUs = 0;
  private pcapCnt = 0;
  private fragment = false;
  private reassembled = false;
  private pktMode = MODE_BUFFER;
  private pktBuf: Uint8Array | undefined = undefined;
  /** pkt_data of an HTTP transaction (its raw message) is built only when a rule asks for it. */
  private pktLazy = LAZY_NONE;
  private window: StreamWindow | null = null;
  private source: BufferSource | null = null;
  private http: HttpTxView | null = null;
  /** Stream alerts that carried each HTTP transaction so far (STREAM_TX_LOG_LIMIT). */
  private readonly streamTxLogged = new WeakMap<HttpTxView, number>();
  private smtp: SmtpUnitView | null = null;
  /** The DNS, TLS, SSH, DCE/RPC or SIP unit under inspection (its tx id, facts and EVE object). */
  private unit: AppUnit | null = null;
  private record: LogRecord | null = null;
  private stopped = false;
  /** IP-only rules are passed over in this inspection (a later packet of a flow direction). */
  private ipOnlySkip = false;
  private vlans: readonly number[] = NO_VLANS;
  /** The outermost packet of the tunnel the inspected data came through, and how deep it was. */
  private tunnel: TunnelOrigin | null = null;
  private tunnelDepth = 0;
  // What alerts of the current inspection context share (see resetAlertCaches).
  private srcTextCache: string | null = null;
  private dstTextCache: string | null = null;
  private httpMeta: Record<string, unknown> | null = null;
  private smtpMeta: Record<string, unknown> | null = null;
  /** The message's EVE `email` object, made once per inspection (undefined: a command). */
  private emailMeta: Record<string, unknown> | undefined | null = null;
  /**
   * While one transaction is inspected in several parts (a message's attachments, a request's DNS
   * questions): the rules that fired on it, so each alerts once. `firedTx` names the transaction.
   */
  private firedOnUnit: Set<number> | null = null;
  private readonly firedInTx = new Set<number>();
  /** The transaction firedInTx belongs to: flow id, kind, transaction id (no key text per inspection). */
  private firedFlow = -1;
  private firedKind = '';
  private firedId = -1;
  /** Alerts held in all flows (HeldAlerts). */
  private heldCount = 0;
  private unitMeta: Record<string, unknown> | null = null;
  /** null: not built yet; undefined: the record has none. */
  private recordHttp: Record<string, unknown> | undefined | null = null;
  private recordSmtp: Record<string, unknown> | undefined | null = null;
  private recordLog: LogRecord['log'] | null = null;
  private readonly thresholdParts: ThresholdKeyParts = { src: '', dst: '', flowId: undefined, srcV4: -1, dstV4: -1 };
  /** Scratch set for the record scan memos (see scan-memo.ts), made on the first record. */
  private memoScratch: CandidateSet | null = null;
  /** The record being inspected is named by its content key so far: its outcome may be kept. */
  private recordKeyed = false;
  /** The last payloadMatches read every buffer through its key (its outcome may be kept). */
  private payloadKeyed = false;
  /** Outcome codes of the record being inspected (see record-outcomes.ts). */
  private outcomeCodes = new Int32Array(64);
  /** Record plans by key domain ('' for records without one) and shape (see record-plan.ts). */
  private readonly recordPlans = new Map<string, Map<number, EngineRecordPlan>>();
  private readonly usePlans: boolean;
  private readonly useHeaderIndex: boolean;
  private recordPlanCount = 0;
  private lastPlanDomain = '';
  private lastPlanShape = -1;
  private lastPlan: EngineRecordPlan | null = null;
  /** Record filters shared by plans, and their scan memos by domain. */
  private readonly recordFilters = new Map<string, RecordFilter>();
  private readonly planMemos = new Map<string, Map<RecordFilter, ScanMemo>>();
  /** Payload program outcomes by program number and buffer key id (records only), per key domain. */
  private readonly programMemos = new Map<string, ProgramOutcomes>();
  private lastProgramDomain = '';
  private lastProgramMemos: ProgramOutcomes | null = null;
  /** Number of each rule's first payload program (programs are numbered in rule order), for ProgramOutcomes. */
  private readonly programBase: Int32Array;
  /** Buffer of each program, by program number. */
  private readonly programBuffers: BufferName[];
  /** By rule index: 1 when the outcomes of its programs depend on their buffers alone (no byte_extract variables). */
  private readonly programsKeyable: Uint8Array;
  /** Whether any rule inspects a buffer through transforms (see bufferOf). */
  private readonly hasDerived: boolean;
  /** Facts some rule reads (Ruleset.neededFacts): the flow-lent ones are gathered only then. */
  private readonly neededFacts: number;
  private lastRecordApp: string | null | undefined = undefined;
  private lastRecordAppCode = 0;
  private readonly appCodes = new Map<string | null, number>();
  /** `{metadata}` of each rule, built on its first alert. */
  private readonly extraByRule: (Record<string, unknown> | undefined)[];

  constructor(
    readonly ruleset: Ruleset,
    private readonly sink: AlertSink,
    options: EngineOptions = {},
  ) {
    this.windowSize = Math.max(0, options.streamWindow ?? 2048);
    this.maxWindowBytes = Math.max(0, options.maxWindowBytes ?? 64 * 1024 * 1024);
    this.maxFlows = Math.max(1, options.maxFlows ?? 262_144);
    this.thresholds = new ThresholdTable(options.maxThresholdKeys ?? 65_536);
    this.xbits = new XbitsStore(options.maxXbitsKeys ?? 65_536);
    this.ins.stepLimit = options.stepLimit ?? 3000;
    this.ins.sizeVars(Math.max(1, ruleset.maxVariables));
    this.cand = new Candidates(ruleset.rules.length);
    this.candPkt = new Candidates(ruleset.rules.length);
    this.candTs = new Candidates(ruleset.rules.length);
    this.candTc = new Candidates(ruleset.rules.length);
    this.midstream = options.midstream ?? true;
    this.onInspect = options.onInspect;
    this.usePlans = options.recordPlans ?? true;
    this.useHeaderIndex = options.headerIndex ?? true;
    this.hasStreamRules = ruleset.stream[0].size + ruleset.stream[1].size > 0;
    this.endSensitive = new Uint8Array(ruleset.rules.length);
    for (const r of ruleset.rules) if (r.programs.some((p) => p.buffer === 'pkt_data' && p.endSensitive)) this.endSensitive[r.index] = 1;
    this.hasEndSensitive = this.hasStreamRules && this.endSensitive.includes(1);
    this.finalIds = new Int32Array(this.hasEndSensitive ? ruleset.rules.length : 0);
    this.ownThreshold = new Uint8Array(ruleset.rules.length);
    this.suppressedByPolicy = options.suppressedByPolicy;
    this.readsFile = new Uint8Array(ruleset.rules.length);
    for (const r of ruleset.rules) if (r.programs.some((p) => p.buffer === 'file.data' || p.buffer === 'file.name')) this.readsFile[r.index] = 1;
    this.extraByRule = packedSlots(ruleset.rules.length);
    // One past the last rule: the number of programs.
    this.programBase = new Int32Array(ruleset.rules.length + 1);
    for (let i = 0; i < ruleset.rules.length; i++) this.programBase[i + 1] = this.programBase[i]! + ruleset.rules[i]!.programs.length;
    this.programBuffers = [];
    this.programsKeyable = new Uint8Array(ruleset.rules.length);
    this.hasDerived = ruleset.derived.size > 0;
    this.neededFacts = ruleset.neededFacts;
    for (const r of ruleset.rules) {
      for (const p of r.programs) this.programBuffers.push(p.buffer as BufferName);
      // Outcomes are keyed by the record's buffer ids: a derived buffer has none of its own, and
      // base64_data holds what another program of the rule decoded.
      if (r.variableCount === 0 && r.derivedBuffers.length === 0 && !r.programs.some((p) => p.buffer === BASE64_DATA || p.steps.some((m) => m.readsSender === true))) this.programsKeyable[r.index] = 1;
    }
    for (const r of ruleset.rules) {
      const has = r.threshold !== undefined || r.detectionFilter !== undefined;
      if (has && !(options.thresholdOverridden?.(r.gid, r.sid) ?? false)) this.ownThreshold[r.index] = 1;
    }
  }

  /** Flows with detection state (tests and memory checks). */
  get flowStates(): number {
    return this.flows.size;
  }

  // ---------------------------------------------------------------------------------------
  // Pipeline hooks

  beginPacket(pkt: DecodedPacket): void {
    this.current = pkt;
  }

  /** Inspects the work the packet queued (stream data, transactions). */
  endPacket(): void {
    const list = this.dirty;
    const own = this.packetState;
    if (own !== null && this.packetPending !== null) {
      // The packet's rules and its flow's new stream data are evaluated together in rule
      // order, so flowbits set by one are seen by the next as Suricata orders them.
      own.dirty = false;
      this.evaluatePacketAndStreams(own);
      this.drainApps(own);
      // A late packet after the flow's end holds nothing more: its flags go back to the small
      // ended-flow memory rather than a full state kept until the flow cap pushes it out.
      if (own.revived && own.toServer === null && own.toClient === null && own.pending.length === 0) {
        this.rememberEnded(own);
        this.forget(own);
      }
    }
    for (let i = 0; i < list.length; i++) {
      const st = list[i]!;
      if (st.dirty) this.drain(st);
      // ssl_state describes the data of one packet: what it carried has now been inspected.
      if (st.flow.sslState) st.flow.sslState = 0;
    }
    list.length = 0;
    const pf = this.packetFlow;
    if (pf !== null && pf.sslState) pf.sslState = 0;
    this.packetPending = null;
    this.packetFlow = null;
    this.packetState = null;
    this.current = null;
  }

  onStreamData(flow: FlowView, toServer: boolean, chunk: Uint8Array, streamOffset: number, gapBefore: boolean): void {
    if (!this.hasStreamRules) return;
    const st = this.stateOf(flow);
    if (st.passed) return;
    let w = toServer ? st.toServer : st.toClient;
    if (w === null) {
      // Past the memory budget, new windows keep no inspected tail (matches then cannot span
      // chunks on those flows): counted, so a flood shows in the stats.
      let keep = this.windowSize;
      if (this.windowBytes >= this.maxWindowBytes) {
        keep = 0;
        this.counters.windowsWithoutTail++;
      }
      w = new StreamWindow(keep);
      this.windowBytes += keep * 2 + 256;
      st.windowBytes += keep * 2 + 256;
      if (toServer) st.toServer = w;
      else st.toClient = w;
    }
    if (w.hasNew && !w.continues(streamOffset, gapBefore)) {
      // Data before a hole is inspected on its own: a match must not span the hole.
      this.inspectWindow(st, toServer, w);
    }
    // Data after the other side spoke starts a turn (a new request, a new SMB command): its start
    // stays an anchor however many small segments follow (see StreamWindow.append).
    const dir = toServer ? 1 : 2;
    this.decideAtTurn(st, dir);
    w.append(chunk, streamOffset, gapBefore, st.lastStreamDir !== dir);
    st.lastStreamDir = dir;
    this.markDirty(st);
  }

  onHttp(flow: FlowView, tx: HttpTxView, phase: HttpSide): void {
    this.queue(flow, { http: tx, httpPhase: phase, smtp: null, unit: null, reply: false });
  }

  onSmtp(flow: FlowView, unit: SmtpUnitView, phase: SmtpPhase): void {
    // A reply adds no buffer a rule could inspect; it releases the alerts waiting for it.
    if (phase === 'reply') {
      const st = this.flows.get(flow.id);
      if (st !== undefined && st.held !== null) this.queue(flow, { http: null, httpPhase: 'request', smtp: unit, unit: null, reply: true });
      return;
    }
    this.queue(flow, { http: null, httpPhase: 'request', smtp: unit, unit: null, reply: false });
  }

  onDns(flow: FlowView, query: DnsQueryView): void {
    this.queueUnit(flow, query);
  }

  onTls(flow: FlowView, hello: TlsHelloView): void {
    this.queueUnit(flow, hello);
  }

  onSsh(flow: FlowView, banner: SshBannerView): void {
    this.queueUnit(flow, banner);
  }

  onDce(flow: FlowView, request: DceRequestView): void {
    this.queueUnit(flow, request);
  }

  onSip(flow: FlowView, message: SipMessageView): void {
    this.queueUnit(flow, message);
  }

  private queueUnit(flow: FlowView, unit: AppUnit): void {
    this.queue(flow, { http: null, httpPhase: 'request', smtp: null, unit, reply: false });
  }

  private queue(flow: FlowView, e: AppEvent): void {
    const st = this.stateOf(flow);
    if (st.passed) return;
    st.pending.push(e);
    this.markDirty(st);
  }

  onFlowEnd(flow: FlowView): void {
    const st = this.flows.get(flow.id);
    if (st === undefined) return;
    this.drain(st);
    this.inspectStreamEnds(st);
    this.rememberEnded(st);
    this.forget(st);
  }

  private rememberEnded(st: FlowState): void {
    const ended = this.endedFlows;
    const old = this.oldestEnded.fullAt(MAX_ENDED_FLOWS);
    if (old !== undefined) ended.delete(old);
    ended.set(st.flow.id, (st.passed ? ENDED_PASSED : 0) | (st.synSeen ? ENDED_SYN_SEEN : 0) | (st.establishedBefore ? ENDED_ESTABLISHED : 0) | (st.ipOnlyDone << ENDED_IPONLY_SHIFT));
  }

  private forget(st: FlowState): void {
    this.releaseAllHeld(st);
    this.windowBytes -= st.windowBytes;
    this.flows.delete(st.flow.id);
  }

  /** Drops every flow's state (between inputs), inspecting what is still queued. */
  endInput(): void {
    this.endPacket();
    for (const st of this.flows.values()) {
      this.drain(st);
      this.inspectStreamEnds(st);
      this.releaseAllHeld(st);
    }
    this.flows.clear();
    this.endedFlows.clear();
    this.windowBytes = 0;
  }

  onPacket(pkt: DecodedPacket, flow: FlowView | null): void {
    const ip = pkt.ip;
    if (ip === undefined) {
      if (pkt.events !== undefined && this.ruleset.decodeEventRules.length > 0) this.inspectWithoutIp(pkt);
      return;
    }
    // A datagram rebuilt from fragments is the packet that delivers its data (its header fields:
    // ttl, tos, ... of the first fragment), not the fragment whose arrival completed it.
    if (ip.reassembled) this.current = pkt;
    let st: FlowState | null = null;
    if (flow !== null) {
      st = this.stateOf(flow);
      if (!st.known) this.learnEndpoints(st, pkt, flow);
      st.lastPcapCnt = pkt.num;
      st.lastTsUs = pkt.tsUs;
      const tcp = pkt.tcp;
      if (tcp !== undefined && (tcp.flags & TCP_SYN) !== 0) st.synSeen = true;
      if (st.passed) {
        st.establishedBefore = flow.established;
        return;
      }
    }
    this.counters.inspections.packet++;
    // IP-only rules meet the first packet of each direction of a flow (fragments have no flow in
    // Suricata: each one meets them).
    let ipOnlySeen = false;
    if (st !== null && ipOnlyFlowProto(ip.protocol) && (ip.reassembled || (!ip.moreFragments && ip.fragOffset === 0))) {
      const bit = flow!.toServer ? IPONLY_TO_SERVER : IPONLY_TO_CLIENT;
      ipOnlySeen = (st.ipOnlyDone & bit) !== 0;
      st.ipOnlyDone |= bit;
    }
    this.packetIpOnlySeen = ipOnlySeen;
    this.setPacketContext(pkt, flow, st);
    const cls = transportClass(pkt);
    const dir = flow === null || flow.toServer ? 0 : 1;
    const cand = this.candPkt;
    cand.clear();
    const payload = this.fragment ? EMPTY : pkt.payload;
    if (this.onInspect !== undefined && payload.length > 0) this.inspected('packet', dir === 0, pktDataOnly(payload));
    this.collect(cand, this.ruleset.packet[cls]![dir], payload);
    // TCP data that reassembly does not take (no flow, a session picked up midstream while
    // midstream pickup is off, a segment the stream refused: a wrong checksum, PAWS, data on a
    // SYN) is inspected as the packet's own payload; so is one that did not begin a stream chunk
    // (out of order, a retransmission with other bytes, past a FIN), by the rules anchored at a
    // buffer start only, as Suricata inspects a segment it added to its stream.
    if (cls === CLASS_TCP && !this.fragment && payload.length > 0) {
      if (flow === null || (!this.midstream && !st!.synSeen) || pkt.streamRefused === true) this.collect(cand, this.ruleset.stream[dir], payload);
      else if (pkt.streamDisplaced === true) this.collect(cand, this.ruleset.streamAnchored[dir], payload);
    }
    this.packetPending = pkt;
    this.packetFlow = flow;
    this.packetState = st;
    if (st !== null) this.markDirty(st);
    else this.evaluatePacketAndStreams(null);
  }

  /** Inspects one log record: rules whose header fields the record has. */
  onRecord(rec: LogRecord): void {
    this.counters.inspections.record++;
    const f = this.facts;
    f.clear();
    let known = FACT_APP_PROTO;
    if (rec.src !== undefined && rec.dst !== undefined) {
      known |= FACT_ADDRS;
      f.src = rec.src;
      f.dst = rec.dst;
      f.ipVersion = rec.src.length === 16 ? 6 : 4;
    }
    if (rec.proto !== undefined) {
      known |= FACT_IP_PROTO;
      f.ipProto = rec.proto;
    }
    if (rec.ttl !== undefined) {
      known |= FACT_TTL;
      f.ttl = rec.ttl;
    }
    if (rec.tos !== undefined) {
      known |= FACT_TOS;
      f.tos = rec.tos;
    }
    if (rec.ipId !== undefined) {
      known |= FACT_IP_ID;
      f.ipId = rec.ipId;
    }
    if (rec.tcpFlags !== undefined) {
      known |= FACT_TCP_FLAGS;
      f.tcpFlags = rec.tcpFlags;
    }
    if (rec.tcpWindow !== undefined) {
      known |= FACT_TCP_WINDOW;
      f.window = rec.tcpWindow;
    }
    if (rec.icmpType !== undefined) {
      known |= FACT_ICMP_TYPE;
      f.icmpType = rec.icmpType;
      f.icmpV6 = rec.proto === PROTO_ICMPV6;
    }
    if (rec.icmpCode !== undefined) {
      known |= FACT_ICMP_CODE;
      f.icmpCode = rec.icmpCode;
    }
    f.appProto = rec.appProto ?? null;
    f.known = known;
    this.resetAlertCaches();
    this.flow = null;
    this.state = null;
    this.toServer = true;
    this.established = false;
    this.vlans = NO_VLANS;
    this.srcIp = rec.src ?? EMPTY;
    this.dstIp = rec.dst ?? EMPTY;
    this.srcPort = rec.srcPort ?? -1;
    this.dstPort = rec.dstPort ?? -1;
    this.recordServerPort = rec.dstPort === undefined ? wellKnownPort(rec.appProto ?? null) : -1;
    this.proto = rec.proto ?? (rec.appProto === 'http' || rec.appProto === 'smtp' ? PROTO_TCP : -1);
    this.tsUs = rec.tsUs;
    this.pcapCnt = 0;
    this.fragment = false;
    this.reassembled = false;
    this.record = rec;
    this.ipOnlySkip = false;
    this.http = null;
    this.smtp = null;
    this.source = rec;
    this.pktMode = MODE_BUFFER;
    this.pktLazy = LAZY_NONE;
    // A record that says it has no pkt_data (id 0) is not asked to build it.
    this.pktBuf = rec.bufferKeyId !== undefined && rec.bufferKeyId('pkt_data') === 0 ? undefined : rec.buffer('pkt_data');
    if (this.onInspect !== undefined) this.inspected('record', true, rec);
    const plan = this.recordPlanOf(this.ruleset.record.generic, rec);
    const outcomes = plan.outcomes;
    const key = outcomes !== null && rec.contentKeyId !== undefined && outcomes.active() ? rec.contentKeyId() : -1;
    if (key > 0 && outcomes!.get(key)) this.replayRecord(outcomes!.codes, outcomes!.first, outcomes!.end);
    else {
      this.cand.clear();
      this.recordKeyed = key > 0;
      this.collectRecord(plan, rec);
      // Codes are written only while the outcome may still be kept (no scan by bytes the id does not name).
      const n = this.evaluateRecordList(this.recordOrdered(), this.cand.set.count, plan.plan.verdicts, this.recordKeyed);
      if (this.recordKeyed) outcomes!.remember(key, this.outcomeCodes, n);
    }
    this.record = null;
    this.source = null;
  }

  /** Hands an inspection to onInspect, with the context's endpoints (set before each call). */
  private inspected(kind: InspectedKind, toServer: boolean, source: BufferSource): void {
    this.onInspect!({ kind, toServer, source, src: this.srcIp, dst: this.dstIp, srcPort: this.srcPort, dstPort: this.dstPort, established: this.established });
  }

  /** Raises what a record of the same content raised (see record-outcomes.ts), re-running only what reads the record itself. */
  private replayRecord(codes: Int32Array, first: number, end: number): void {
    const rules = this.ruleset.rules;
    this.counters.evaluated += codes[first]!;
    this.stopped = false;
    for (let i = first + 1; i < end; i++) {
      const c = codes[i]!;
      const id = c >>> 2;
      const kind = c & 3;
      const r = rules[id]!;
      const ok = kind === OUTCOME_MATCHED || (kind === OUTCOME_PAYLOAD ? this.payloadMatches(r, id) : this.evaluate(r));
      if (ok) {
        this.onMatch(r);
        if (this.stopped) break;
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // Inspection points

  private drain(st: FlowState): void {
    st.dirty = false;
    if (st.passed) {
      st.pending.length = 0;
      return;
    }
    if (st.toServer !== null && st.toServer.hasNew) this.inspectWindow(st, true, st.toServer);
    if (st.toClient !== null && st.toClient.hasNew) this.inspectWindow(st, false, st.toClient);
    this.drainApps(st);
  }

  private drainApps(st: FlowState): void {
    if (st.passed) {
      st.pending.length = 0;
      return;
    }
    if (st.pending.length > 0) {
      const events = st.pending;
      st.pending = [];
      for (const e of events) {
        if (st.passed) break;
        if (e.http !== null) {
          this.inspectHttp(st, e.http, e.httpPhase);
          if (this.hasEndSensitive) this.decideAtMessageEnd(st, e.httpPhase === 'request');
        } else if (e.reply) this.releaseHeld(st, 'smtp', e.smtp!.id);
        else if (e.smtp !== null) this.inspectSmtp(st, e.smtp);
        else if (e.unit !== null) this.inspectAppUnit(st, e.unit);
      }
    }
  }

  /**
   * The flow ended: no more data follows in either direction. Rules waiting for that
   * (endSensitive: a negated isdataat) are decided on what each window holds and was not decided
   * at a turn, as Suricata decides them on its inspection at the stream's end.
   */
  private inspectStreamEnds(st: FlowState): void {
    if (!this.hasEndSensitive || st.passed) return;
    if (st.toServer !== null) this.decideStream(st, true, st.toServer);
    if (st.toClient !== null) this.decideStream(st, false, st.toClient);
  }

  /**
   * The other side sends data: the direction that spoke before is complete for now (a request
   * waiting for its answer, a beacon waiting for its reply), so the rules waiting for the end of
   * its data are decided on it, reported at the packet bringing the other side's data. Data that
   * goes on in the same direction (a chunked body) is no turn and decides nothing.
   */
  private decideAtTurn(st: FlowState, dir: number): void {
    if (!this.hasEndSensitive || st.lastStreamDir === 0 || st.lastStreamDir === dir) return;
    this.decideAtMessageEnd(st, st.lastStreamDir === 1);
  }

  /**
   * A direction's data is complete for now: at a turn, or when an HTTP request or response is
   * complete (Suricata inspects the raw stream when the parser completes a message, so a request
   * pipelined right behind this one must not count as bytes following it).
   */
  private decideAtMessageEnd(st: FlowState, toServer: boolean): void {
    const w = toServer ? st.toServer : st.toClient;
    if (w === null || st.passed) return;
    // Its data not inspected yet (handed on with this packet) is inspected first, in order.
    if (w.hasNew) this.inspectWindow(st, toServer, w);
    this.decideStream(st, toServer, w);
  }

  /** Decides the endSensitive rules of one direction on its data not decided before (streamProgram). */
  private decideStream(st: FlowState, toServer: boolean, w: StreamWindow): void {
    if (w.decidedUntil >= w.end) return;
    const cand = toServer ? this.candTs : this.candTc;
    cand.clear();
    this.setFlowContext(st, toServer);
    const set = this.ruleset.stream[toServer ? 0 : 1];
    const n = set.lookup(toServer ? st.clientPort : st.serverPort, toServer ? st.serverPort : st.clientPort, this.groups);
    for (let g = 0; g < n; g++) this.addAlways(cand, this.groups[g]!);
    w.addCarriedTo(cand);
    const all = cand.ordered();
    const ids = this.finalIds;
    let k = 0;
    for (let i = 0; i < all.length; i++) if (this.endSensitive[all[i]!] === 1) ids[k++] = all[i]!;
    if (k > 0) {
      this.useWindow(st, toServer, w);
      this.streamFinal = true;
      this.evaluateList(ids, k);
      this.streamFinal = false;
      this.window = null;
    }
    w.decidedUntil = w.end;
  }

  private inspectWindow(st: FlowState, toServer: boolean, w: StreamWindow): void {
    const cand = toServer ? this.candTs : this.candTc;
    this.collectWindow(st, toServer, w, cand);
    this.useWindow(st, toServer, w);
    this.evaluateList(cand.ordered());
    this.finishWindow(w, cand);
  }

  /** Stream candidates of one direction's new data (and candidates carried from earlier data). */
  private collectWindow(st: FlowState, toServer: boolean, w: StreamWindow, cand: Candidates): void {
    this.counters.inspections.stream++;
    cand.clear();
    // The window's header (the always-candidates' index reads it); set again when evaluated.
    this.setFlowContext(st, toServer);
    const set = this.ruleset.stream[toServer ? 0 : 1];
    const n = set.lookup(toServer ? st.clientPort : st.serverPort, toServer ? st.serverPort : st.clientPort, this.groups);
    const buf = w.bytes();
    if (this.onInspect !== undefined) this.inspected('stream', toServer, pktDataOnly(buf));
    for (let g = 0; g < n; g++) {
      const group = this.groups[g]!;
      for (const f of group.prefilters()) if (f.buffer === 'pkt_data') f.prefilter.scanWithContext(buf, 0, w.newStart, buf.length, cand.set);
    }
    // Only rules this data gave evidence for are carried to later chunks.
    cand.freshCount = cand.set.count;
    for (let g = 0; g < n; g++) this.addAlways(cand, this.groups[g]!);
    w.addCarriedTo(cand);
  }

  private useWindow(st: FlowState, toServer: boolean, w: StreamWindow): void {
    this.setFlowContext(st, toServer);
    this.window = w;
    this.pktMode = MODE_STREAM;
    this.pktBuf = w.bytes();
  }

  private finishWindow(w: StreamWindow, cand: Candidates): void {
    // Candidates whose fast pattern this data held may complete with a later chunk (their
    // remaining contents arrive later): evaluate them again while their data is in the window.
    w.carry(cand.set.ids, cand.freshCount);
    w.consumed();
    this.window = null;
  }

  /**
   * The current packet's candidates and those of its flow's new stream data, evaluated in one
   * pass in rule order, each in its own context (packet payload, or stream window).
   */
  private evaluatePacketAndStreams(st: FlowState | null): void {
    const pkt = this.packetPending;
    if (pkt === null) return;
    const a = this.candPkt.ordered();
    let b: Int32Array = NONE;
    let c: Int32Array = NONE;
    const ws = st !== null && !st.passed && st.toServer !== null && st.toServer.hasNew ? st.toServer : null;
    const wc = st !== null && !st.passed && st.toClient !== null && st.toClient.hasNew ? st.toClient : null;
    if (ws !== null) {
      this.collectWindow(st!, true, ws, this.candTs);
      b = this.candTs.ordered();
    }
    if (wc !== null) {
      this.collectWindow(st!, false, wc, this.candTc);
      c = this.candTc.ordered();
    }
    const rules = this.ruleset.rules;
    let i = 0;
    let j = 0;
    let k = 0;
    let ctx = -1;
    let firedId = -1;
    this.stopped = false;
    while (!this.stopped && (i < a.length || j < b.length || k < c.length)) {
      const x = i < a.length ? a[i]! : 0x7fffffff;
      const y = j < b.length ? b[j]! : 0x7fffffff;
      const z = k < c.length ? c[k]! : 0x7fffffff;
      let id: number;
      let want: number;
      if (x <= y && x <= z) {
        id = x;
        want = 0;
        i++;
      } else if (y <= z) {
        id = y;
        want = 1;
        j++;
      } else {
        id = z;
        want = 2;
        k++;
      }
      // A rule run on both the packet and the stream (a displaced segment's anchored rules)
      // alerts once per packet, as in Suricata; the merged lists bring its two runs together.
      if (id === firedId) continue;
      if (want !== ctx) {
        if (want === 0) this.usePacket(pkt);
        else this.useWindow(st!, want === 1, want === 1 ? ws! : wc!);
        ctx = want;
      }
      const r = rules[id]!;
      if (this.evaluate(r)) {
        if (want === 0) firedId = id;
        this.onMatch(r);
      }
    }
    if (ws !== null) this.finishWindow(ws, this.candTs);
    if (wc !== null) this.finishWindow(wc, this.candTc);
    if (st !== null) st.establishedBefore = st.flow.established;
    this.packetPending = null;
  }

  /**
   * A packet whose IP layer failed to decode: no addresses, ports or flow, only its decoder
   * events, which the decode-event rules with `any` addresses and ports can match.
   */
  private inspectWithoutIp(pkt: DecodedPacket): void {
    this.counters.inspections.packet++;
    this.beginContext(null, null, true, pkt.vlans, pkt.tunnel, pkt.tunnelLayer);
    this.established = false;
    this.srcIp = EMPTY;
    this.dstIp = EMPTY;
    this.srcPort = -1;
    this.dstPort = -1;
    this.proto = -1;
    this.tsUs = pkt.tsUs;
    this.pcapCnt = pkt.num;
    this.fragment = false;
    this.reassembled = false;
    this.window = null;
    this.pktMode = MODE_BUFFER;
    this.pktBuf = EMPTY;
    const f = this.facts;
    f.clear();
    f.decodeEvents = pkt.events!;
    f.known = FACT_DECODE_EVENTS;
    const rules = this.ruleset.decodeEventRules;
    this.stopped = false;
    for (let i = 0; i < rules.length && !this.stopped; i++) {
      const r = rules[i]!;
      if (this.evaluate(r)) this.onMatch(r);
    }
  }

  private inspectHttp(st: FlowState, tx: HttpTxView, phase: HttpSide): void {
    this.counters.inspections.http++;
    const request = phase === 'request';
    // The request's alerts went before its response's, now with the status.
    if (!request && st.held !== null) this.releaseHeld(st, 'http', tx.id);
    this.trackHttpTx(st, tx, request);
    this.setFlowContext(st, request);
    // app-layer-event rules read the transaction's anomalies.
    this.facts.appAnomalies = tx.anomalies;
    this.facts.known |= FACT_APP_EVENTS;
    this.http = tx;
    let source: BufferSource;
    if (request) source = tx.view('request');
    else {
      this.responseSource.tx = tx;
      source = this.responseSource;
    }
    this.source = source;
    if (this.onInspect !== undefined) this.inspected(request ? 'http request' : 'http response', request, source);
    this.pktMode = MODE_BUFFER;
    this.pktBuf = undefined;
    this.pktLazy = request ? LAZY_REQUEST : LAZY_RESPONSE;
    const set = request ? this.ruleset.httpRequest : this.ruleset.httpResponse;
    const files = request ? tx.requestFileCount() : 0;
    if (files <= 1) {
      this.cand.clear();
      this.collectSet(set, source);
      this.evaluateCandidates();
    } else {
      // An upload of several files: each is the request's file.data in turn, and a rule alerts
      // once on the transaction, as Suricata's transaction-based detection does.
      // Only rules reading file.data or file.name can decide differently on a later file: the
      // other buffers are scanned once, and a file costs what its own bytes cost to scan.
      let carried: Int32Array | undefined;
      this.firedOnUnit = this.firedIn(st, 'http', tx.id);
      for (let i = 0; i < files && !this.stopped; i++) {
        const view = tx.requestFile(i);
        this.source = view;
        this.cand.clear();
        if (carried === undefined) {
          this.collectSet(set, view);
          carried = this.fileReadingCandidates();
        } else {
          this.cand.addAll(carried);
          this.collectFileBuffers(set, view);
        }
        this.evaluateCandidates();
      }
      this.firedOnUnit = null;
    }
    this.http = null;
    this.source = null;
    this.pktLazy = LAZY_NONE;
  }

  /**
   * Keeps what streamHttpTx chooses from: the transactions still waiting for their response and
   * the latest one. Responses come in request order, so one answered answers every older one.
   */
  private trackHttpTx(st: FlowState, tx: HttpTxView, request: boolean): void {
    if (!this.hasStreamRules) return;
    if (st.httpLast === null || tx.id >= st.httpLast.id) st.httpLast = tx;
    if (request) {
      const open = (st.httpUnanswered ??= []);
      if (open.length >= MAX_UNANSWERED_HTTP) open.shift();
      open.push(tx);
      return;
    }
    const open = st.httpUnanswered;
    if (open === null) return;
    let n = 0;
    while (n < open.length && open[n]!.id <= tx.id) n++;
    if (n === open.length) st.httpUnanswered = null;
    else if (n > 0) open.splice(0, n);
  }

  /**
   * The HTTP transaction a stream rule's alert on this flow carries, as Suricata 7 chooses it for
   * a stream match: the one its parser inspects in the data's direction (the oldest not yet
   * complete that way), else the latest. The app layer parses a packet before its rules run, so a
   * transaction handed over with this packet (still queued in st.pending) counts as not yet
   * complete in the direction it was handed over for. A request still partly received has no
   * transaction here yet: the previous one stands in (Suricata would name the new one).
   */
  private streamHttpTx(st: FlowState, toServer: boolean): HttpTxView | null {
    if (st.flow.appProto !== 'http') return null;
    let latest = st.httpLast;
    const pending = st.pending;
    if (!toServer && st.httpUnanswered !== null) return st.httpUnanswered[0]!;
    for (let i = 0; i < pending.length; i++) {
      const tx = pending[i]!.http;
      if (tx === null) continue;
      // To the server: a request of this packet; to the client: any transaction of this packet
      // (none older waits for its response, or it was returned above).
      if (!toServer || pending[i]!.httpPhase === 'request') return tx;
      if (latest === null || tx.id > latest.id) latest = tx;
    }
    return latest;
  }

  /** A DNS question, a TLS hello, an SSH banner, a DCE/RPC request or a SIP message, with its kind's rules. */
  private inspectAppUnit(st: FlowState, unit: AppUnit): void {
    const rs = this.ruleset;
    this.unit = unit;
    switch (unit.kind) {
      case 'dns': {
        this.counters.inspections.dns++;
        // The questions of one request are one transaction (dns.query is a multi-buffer in
        // Suricata): a rule alerts once on it, on the first question that matches.
        this.firedOnUnit = this.firedIn(st, 'dns', unit.id);
        this.inspectUnit(st, true, unit, rs.dns, unit.buffer('pkt_data'));
        this.firedOnUnit = null;
        break;
      }
      case 'tls': {
        this.counters.inspections.tls++;
        const client = unit.side === 'client';
        this.inspectUnit(st, client, unit, client ? rs.tlsClient : rs.tlsServer, undefined);
        break;
      }
      case 'ssh':
        this.counters.inspections.ssh++;
        this.inspectUnit(st, unit.side === 'client', unit, rs.ssh, undefined);
        break;
      case 'sip':
        this.counters.inspections.sip++;
        this.inspectUnit(st, unit.toServer, unit, rs.sip, unit.buffer('pkt_data'));
        break;
      case 'dcerpc':
        // From the client; `dce` reads its byte order (its interface and opnum: addUnitFacts).
        this.counters.inspections.dcerpc++;
        this.ins.dceLittle = unit.little;
        this.inspectUnit(st, true, unit, rs.dcerpc, unit.buffer('pkt_data'));
        this.ins.dceLittle = false;
        break;
    }
    this.unit = null;
  }

  /** What an application unit tells its rules' header conditions (dns.opcode, dce_iface, dce_opnum, sip_method, sip_stat_code). */
  private addUnitFacts(u: AppUnit): void {
    const f = this.facts;
    switch (u.kind) {
      case 'dns':
        f.dnsOpcode = u.opcode;
        f.known |= FACT_DNS;
        break;
      case 'dcerpc':
        f.dceIface = u.iface?.uuid ?? null;
        f.dceVersion = u.iface?.major ?? 0;
        f.dceOpnum = u.opnum;
        f.known |= FACT_DCE;
        break;
      case 'sip':
        // A response's method is the one its CSeq names, as Snort's sip_method reads it.
        f.sipMethod = u.method ?? u.cseqMethod;
        f.sipStatus = u.status;
        f.known |= FACT_SIP;
        break;
      default:
        break;
    }
  }

  /**
   * An SMTP command, or a message: a message with attachments is inspected once per attachment
   * (each its `file.data` and `file.name`), and a rule alerts at most once on the message, as
   * Suricata's transaction-based detection does.
   */
  private inspectSmtp(st: FlowState, unit: SmtpUnitView): void {
    this.counters.inspections.smtp++;
    const set = unit.type === 'message' ? this.ruleset.smtpMessage : this.ruleset.smtpCommand;
    const files = unit.files.length;
    if (files === 0) this.inspectUnit(st, true, unit, set, undefined, unit);
    else {
      this.firedOnUnit = this.firedIn(st, 'smtp', unit.id);
      for (let i = 0; i < files; i++) {
        const view = unit.withFile(i);
        this.inspectUnit(st, true, view, set, undefined, view);
      }
      this.firedOnUnit = null;
    }
    this.smtp = null;
  }

  /** The rules that fired on a transaction inspected in parts; emptied when another transaction starts. */
  private firedIn(st: FlowState, kind: string, id: number): Set<number> {
    if (st.flow.id !== this.firedFlow || kind !== this.firedKind || id !== this.firedId) {
      this.firedInTx.clear();
      this.firedFlow = st.flow.id;
      this.firedKind = kind;
      this.firedId = id;
    }
    return this.firedInTx;
  }

  /** One application unit (SMTP command or message, TLS hello, DNS question) against its rule set. */
  private inspectUnit(st: FlowState, toServer: boolean, unit: BufferSource, set: GroupSet, pkt: Uint8Array | undefined, smtp: SmtpUnitView | null = null): void {
    this.setFlowContext(st, toServer);
    // After the context is set (it starts with no transaction): the alerts carry the SMTP unit's metadata and tx_id.
    this.smtp = smtp;
    if (smtp !== null) {
      // app-layer-event rules read the unit's anomalies (a message's MIME ones among them).
      this.facts.appAnomalies = smtp.anomalies;
      this.facts.known |= FACT_APP_EVENTS;
    }
    if (this.unit !== null) this.addUnitFacts(this.unit);
    this.source = unit;
    if (this.onInspect !== undefined) this.inspected(this.unit !== null ? this.unit.kind : 'smtp', toServer, unit);
    this.pktMode = MODE_BUFFER;
    this.pktBuf = pkt;
    this.cand.clear();
    this.collectSet(set, unit);
    this.evaluateCandidates();
    this.source = null;
  }

  // ---------------------------------------------------------------------------------------
  // Candidates

  /** Candidates of a packet-channel group set over one buffer (pkt_data). */
  private collect(cand: Candidates, set: GroupSet, payload: Uint8Array): void {
    const n = set.lookup(this.srcPort, this.dstPort, this.groups);
    for (let g = 0; g < n; g++) {
      const group = this.groups[g]!;
      if (payload.length > 0) {
        // Patterns of rules whose dsize rules this payload size out are not looked for.
        const pf = group.packetPrefilter(payload.length);
        if (pf !== null) pf.scan(payload, cand.set);
      }
      this.addAlways(cand, group);
    }
  }

  /**
   * The group's always-candidates (rules without a fast pattern) that the inspection's header
   * can let through (header-index.ts); all of them with headerIndex off. this.facts must hold
   * the inspection's header.
   */
  private addAlways(cand: Candidates, group: RuleGroup): void {
    if (this.useHeaderIndex) group.headerIndex().addTo(cand.set, this.facts);
    else cand.addAll(group.alwaysCandidates());
  }

  private collectSet(set: GroupSet, source: BufferSource): void {
    const n = set.lookup(this.srcPort, this.dstPort, this.groups);
    for (let g = 0; g < n; g++) this.collectFrom(this.groups[g]!, source);
  }

  /** The candidates found so far that read a file buffer (see inspectHttp). */
  private fileReadingCandidates(): Int32Array {
    const set = this.cand.set;
    const out: number[] = [];
    for (let k = 0; k < set.count; k++) {
      const id = set.ids[k]!;
      if (this.readsFile[id] === 1) out.push(id);
    }
    return Int32Array.from(out);
  }

  /** Candidates from the file buffers alone (file.data, file.name) of the groups of a set. */
  private collectFileBuffers(set: GroupSet, source: BufferSource): void {
    const n = set.lookup(this.srcPort, this.dstPort, this.groups);
    for (let g = 0; g < n; g++) {
      for (const f of this.groups[g]!.prefilters()) {
        if (f.buffer !== 'file.data' && f.buffer !== 'file.name') continue;
        const buf = source.buffer(f.buffer);
        if (buf !== undefined && buf.length > 0) f.prefilter.scan(buf, this.cand.set);
      }
    }
  }

  private collectFrom(group: RuleGroup, source: BufferSource): void {
    const cand = this.cand;
    // The request phase reads its own view; the response phase reads through responseSource.
    const request = source !== this.responseSource;
    const combined = this.http !== null ? group.combinedBodyScan(request) : null;
    let combinedDone = false;
    if (combined !== null) {
      // The raw message is start + body, and file.data is the body buffer: scan the body once
      // for all their pattern sets, and the start (with the body's first bytes) for the pkt_data
      // patterns. Only when each body buffer is the very same bytes (else each is scanned alone).
      const body = source.buffer(request ? 'http.request_body' : 'http.response_body');
      let same = body !== undefined;
      for (let k = 0; same && k < combined.bodyBuffers.length; k++) same = source.buffer(combined.bodyBuffers[k] as BufferName) === body;
      const start = same && combined.head !== null ? source.buffer('http.start') : undefined;
      if (same && (combined.head === null || start !== undefined)) {
        combined.body.scan(body!, cand.set);
        if (combined.head !== null) {
          const seam = Math.min(body!.length, Math.max(0, combined.head.maxPatternLength - 1));
          combined.head.scan(this.joint(start!, body!.subarray(0, seam)), cand.set);
        }
        combinedDone = true;
      }
    }
    for (const f of group.prefilters()) {
      if (combinedDone && (f.buffer === 'pkt_data' || combined!.bodyBuffers.includes(f.buffer))) continue;
      const buf = f.buffer === 'pkt_data' ? this.pktData() : this.hasDerived ? this.bufferOf(source, f.buffer) : source.buffer(f.buffer as BufferName);
      if (buf !== undefined && buf.length > 0) f.prefilter.scan(buf, cand.set);
    }
    this.addAlways(cand, group);
  }

  /**
   * Adds the record's candidates: values of log buffers repeat from line to line, so scans are
   * remembered. Clears recordKeyed when a scan read bytes the record's content id does not name.
   */
  private collectRecord(plan: EngineRecordPlan, rec: LogRecord): void {
    const cand = this.cand;
    const filters = plan.plan.filters;
    let scratch = this.memoScratch;
    if (scratch === null) scratch = this.memoScratch = new CandidateSet(Math.max(1, this.ruleset.rules.length));
    const keyed = plan.keyed;
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i]!;
      const name = f.buffer as BufferName;
      // A derived buffer has no key id of its own: its scans are remembered by their bytes.
      const derived = plan.derived[i] === 1;
      if (keyed && name !== 'pkt_data' && !derived) {
        const id = rec.bufferKeyId!(name);
        if (id === 0) continue;
        if (id > 0) {
          this.planMemo(plan, i).scanKeyed(id, rec, name, cand.set, scratch);
          continue;
        }
      }
      const buf = name === 'pkt_data' ? this.pktData() : derived ? this.bufferOf(rec, name) : rec.buffer(name);
      // A scan by bytes keeps the record's outcome only if its content key names those bytes: a
      // derived buffer's come from a keyed base buffer, and an absent buffer has none.
      if (buf !== undefined && (!derived || !keyed || rec.bufferKeyId!(this.ruleset.derived.get(name)!.base as BufferName) < 0)) this.recordKeyed = false;
      if (buf !== undefined && buf.length > 0) this.planMemo(plan, i).scan(buf, cand.set, scratch);
    }
    cand.addAll(plan.plan.always);
  }

  private planMemo(plan: EngineRecordPlan, i: number): ScanMemo {
    let m = plan.memos[i];
    if (m === undefined) {
      const f = plan.plan.filters[i]!;
      let byFilter = this.planMemos.get(plan.domain);
      if (byFilter === undefined) this.planMemos.set(plan.domain, (byFilter = new Map()));
      m = byFilter.get(f);
      if (m === undefined) byFilter.set(f, (m = new ScanMemo(f.scanner)));
      plan.memos[i] = m;
    }
    return m;
  }

  /**
   * The plan of the group for the record's key domain and shape (the header fields it has, its
   * protocol and application): consecutive records mostly share both, so usually no lookup.
   */
  private recordPlanOf(group: RuleGroup, rec: LogRecord): EngineRecordPlan {
    const f = this.facts;
    const hasSrc = this.srcIp.length > 0;
    const hasDst = this.dstIp.length > 0;
    const hasSp = this.srcPort >= 0;
    const hasDp = this.dstPort >= 0;
    const app = rec.appProto ?? null;
    let appCode = app === this.lastRecordApp ? this.lastRecordAppCode : this.appCodes.get(app);
    if (appCode === undefined) this.appCodes.set(app, (appCode = this.appCodes.size));
    this.lastRecordApp = app;
    this.lastRecordAppCode = appCode;
    // A web or mail log's server port is the same on nearly every line (an IIS log's s-port): it
    // is part of the shape, so rules for other ports drop out of the plan (their patterns are not
    // scanned for, and a scan of unkeyed bytes they asked for cannot stop outcomes being kept).
    // Keys with a port are negative: apart from the others, and exact (appCode < 8 leaves room).
    const serverPort = hasDp && appCode < 8 && (app === 'http' || app === 'smtp') ? this.dstPort : -1;
    const base =
      f.known +
      ((hasSrc ? 1 : 0) | (hasDst ? 2 : 0) | (hasSp ? 4 : 0) | (hasDp ? 8 : 0)) * 0x10000 +
      f.ipVersion * 0x100000 +
      (this.proto + 1) * 0x1000000 +
      appCode * 0x200000000;
    const shape = serverPort < 0 ? base : -(base + (serverPort + 1) * 0x1000000000);
    const keyed = rec.bufferKeyDomain !== undefined && rec.bufferKeyId !== undefined;
    const domain = keyed ? rec.bufferKeyDomain! : '';
    const last = this.lastPlan;
    if (last !== null && shape === this.lastPlanShape && domain === this.lastPlanDomain && last.group === group) return last;
    let byShape = this.recordPlans.get(domain);
    if (byShape === undefined) this.recordPlans.set(domain, (byShape = new Map()));
    let plan = byShape.get(shape);
    if (plan === undefined || plan.group !== group) {
      // Shapes are few (one or two per log format); the bound only guards odd inputs.
      if (this.recordPlanCount >= 256) {
        this.recordPlans.clear();
        this.recordFilters.clear();
        this.planMemos.clear();
        this.recordPlanCount = 0;
        this.recordPlans.set(domain, (byShape = new Map()));
      }
      const recordShape: RecordShape = { known: f.known, ipVersion: f.ipVersion, proto: this.proto, app, hasSrc, hasDst, hasSp, hasDp, serverPort };
      // Buffers no record of the key domain has are left out (bufferKeyDomainHas).
      const has = keyed && rec.bufferKeyDomainHas !== undefined ? (name: BufferName) => rec.bufferKeyDomainHas!(name) : undefined;
      const built = buildRecordPlan(group, this.ruleset.rules.length, recordShape, has, this.recordFilters, this.usePlans);
      const derived = Uint8Array.from(built.filters, (f) => (this.hasDerived && this.ruleset.derived.has(f.buffer) ? 1 : 0));
      const outcomes = keyed && this.usePlans ? new RecordOutcomes() : null;
      plan = { group, plan: built, domain, keyed, memos: new Array<ScanMemo | undefined>(built.filters.length), derived, outcomes };
      byShape.set(shape, plan);
      this.recordPlanCount++;
    }
    this.lastPlan = plan;
    this.lastPlanShape = shape;
    this.lastPlanDomain = domain;
    return plan;
  }

  /** a ++ b in a reused scratch buffer (valid until the next call). */
  private joint(a: Uint8Array, b: Uint8Array): Uint8Array {
    const n = a.length + b.length;
    if (this.scratch.length < n) this.scratch = new Uint8Array(Math.max(n, this.scratch.length * 2));
    this.scratch.set(a, 0);
    this.scratch.set(b, a.length);
    return this.scratch.subarray(0, n);
  }

  /** Evaluates the candidates in rule order; returns how many matched. */
  private evaluateCandidates(): number {
    return this.evaluateList(this.cand.ordered());
  }

  /**
   * The record's candidates in rule order, in a reused array (valid until the next record). A
   * record has a handful: insertion sort beats a typed-array sort call and its view.
   */
  private recordOrdered(): Int32Array {
    const set = this.cand.set;
    const n = set.count;
    if (this.recordSorted.length < n) this.recordSorted = new Int32Array(Math.max(n, this.recordSorted.length * 2));
    const out = this.recordSorted;
    // The view is made only for the rare long list (the native sort needs it).
    if (n > 48) sortIdsInto(set.ids, n, out, out.subarray(0, n), 48);
    else sortIdsInto(set.ids, n, out, out, 48);
    return out;
  }

  /** Evaluates the first `n` ids (all by default) in order; returns how many matched. */
  private evaluateList(ids: Int32Array, n = ids.length): number {
    const rules = this.ruleset.rules;
    let matched = 0;
    this.stopped = false;
    for (let i = 0; i < n; i++) {
      const r = rules[ids[i]!]!;
      if (this.evaluate(r)) {
        matched++;
        this.onMatch(r);
        if (this.stopped) break;
      }
    }
    return matched;
  }

  /**
   * As evaluateList for a record, skipping the header tests its plan settled for the shape:
   * NEVER rules are ones evaluate() would reject, HEADER_FREE rules ones whose header tests all
   * pass (so only the payload is left, counted as evaluate() counts it). With `record`, writes
   * the record's outcome codes to outcomeCodes (see record-outcomes.ts) and returns how many
   * there are (the count of header-free candidates first).
   */
  private evaluateRecordList(ids: Int32Array, n: number, verdicts: Uint8Array, record: boolean): number {
    const rules = this.ruleset.rules;
    this.stopped = false;
    let codes = this.outcomeCodes;
    if (record && codes.length < n + 1) codes = this.outcomeCodes = new Int32Array(Math.max(n + 1, codes.length * 2));
    let headerFree = 0;
    let k = 1;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      const v = verdicts[id]!;
      if (v === VERDICT_NEVER) continue;
      const r = rules[id]!;
      // A pass rule that may stop the inspection at one record and not at the next leaves the
      // rules after it evaluated on one and not the other: such outcomes are not kept.
      if (record && r.action === 'pass') this.recordKeyed = false;
      let ok: boolean;
      if (v === VERDICT_HEADER_FREE) {
        this.counters.evaluated++;
        headerFree++;
        this.payloadKeyed = true;
        // Rule fields are read only when needed (see payloadMatches).
        ok = this.programBase[id + 1] === this.programBase[id] || this.payloadMatches(r, id);
        if (record) {
          if (!this.payloadKeyed) codes[k++] = outcomeCode(id, OUTCOME_PAYLOAD);
          else if (ok) codes[k++] = outcomeCode(id, OUTCOME_MATCHED);
        }
      } else {
        ok = this.evaluate(r);
        if (record) codes[k++] = outcomeCode(id, OUTCOME_EVALUATE);
      }
      if (ok) {
        this.onMatch(r);
        if (this.stopped) break;
      }
    }
    if (record) codes[0] = headerFree;
    return k;
  }

  // ---------------------------------------------------------------------------------------
  // Evaluation

  private evaluate(r: CompiledRule): boolean {
    if (r.ipOnly && this.ipOnlySkip) return false;
    // Protocol and addresses.
    if (!protocolFits(r, this.proto, this.record !== null)) return false;
    if (r.ipVersion !== 0 && this.facts.ipVersion !== 0 && r.ipVersion !== this.facts.ipVersion) return false;
    if (!this.addressesMatch(r)) return false;
    // Flow.
    const flow = this.flow;
    const flowless = flow === null && this.record === null;
    if (r.flowDir !== 0) {
      // A packet without a flow (an IP fragment) counts as going to the server, as Suricata
      // inspects it with its to-server rules: the direction alone asks for no flow.
      if (flowless) {
        if (r.flowDir === DIR_TO_CLIENT) return false;
      } else if (r.flowDir === DIR_TO_SERVER ? !this.toServer : this.toServer && !this.respondsToRecord(r)) return false;
    }
    // Any other flow option needs a flow (Suricata's SIG_MASK_REQUIRE_FLOW).
    if (flowless && (r.flowState === STATE_ESTABLISHED || r.flowState === STATE_NOT_ESTABLISHED || r.frag !== 0)) return false;
    if (r.flowState === STATE_ESTABLISHED) {
      if (flow === null ? !this.recordIsSession() : !this.established) return false;
    } else if (r.flowState === STATE_NOT_ESTABLISHED) {
      if (flow === null ? this.record !== null : this.established) return false;
    }
    if (r.appProto !== null) {
      const app = flow !== null ? flow.appProto : this.record !== null ? (this.record.appProto ?? null) : null;
      if (!appProtoApplies(r.appProto, app)) return false;
    }
    if (r.frag !== 0) {
      const isFrag = this.fragment || this.reassembled;
      if (r.frag === 1 ? !isFrag : isFrag) return false;
    }
    // Header conditions.
    const f = this.facts;
    if ((r.needs & f.known) !== r.needs) return false;
    const conds = r.conditions;
    for (let i = 0; i < conds.length; i++) if (!conds[i]!.test(f)) return false;
    // Flowbits and xbits.
    if (r.flowbitChecks.length > 0 && !this.flowbitsHold(r)) return false;
    if (r.xbitChecks.length > 0) {
      const rev = this.respondsToRecord(r);
      if (!this.xbits.checksHold(r.xbitChecks, rev ? this.dstIp : this.srcIp, rev ? this.srcIp : this.dstIp, this.tsUs)) return false;
    }
    if (r.flowintChecks.length > 0 && !this.flowintsHold(r)) return false;
    // Payload.
    this.counters.evaluated++;
    if (r.programs.length > 0 && !this.payloadMatches(r)) return false;
    return true;
  }

  private addressesMatch(r: CompiledRule): boolean {
    // A rule that looks at a logged transaction's response reads it from the server to the client.
    const rev = this.respondsToRecord(r);
    const src = rev ? this.dstIp : this.srcIp;
    const dst = rev ? this.srcIp : this.dstIp;
    const sp = rev ? this.dstPort : this.srcPort;
    const dp = rev ? this.srcPort : this.dstPort;
    if (src.length > 0 && dst.length > 0 && sp >= 0 && dp >= 0) {
      if (r.src.contains(src) && r.dst.contains(dst) && r.srcPort.contains(sp) && r.dstPort.contains(dp)) return true;
      return r.bidirectional && r.src.contains(dst) && r.dst.contains(src) && r.srcPort.contains(dp) && r.dstPort.contains(sp);
    }
    // A record lacking an address or port: rules that do not ask for it apply; so do rules that
    // inspect the record's application buffers (an access log line is a request to the web
    // server whatever address it has). A missing server port is the record application's
    // well-known one for them (see wellKnownPort).
    const lenient = this.record !== null && readsAppBuffers(r.kind);
    const server = this.dstPort >= 0 ? this.dstPort : lenient ? this.recordServerPort : -1;
    const spFit = rev ? server : sp;
    const dpFit = rev ? dp : server;
    if (addrFits(src, r.src, lenient) && addrFits(dst, r.dst, lenient) && portFits(spFit, r.srcPort, lenient) && portFits(dpFit, r.dstPort, lenient)) return true;
    return (
      r.bidirectional && addrFits(dst, r.src, lenient) && addrFits(src, r.dst, lenient) && portFits(dpFit, r.srcPort, lenient) && portFits(spFit, r.dstPort, lenient)
    );
  }

  /** The rule reads the record being inspected from the response's side (see readsRecordReversed). */
  private respondsToRecord(r: CompiledRule): boolean {
    return this.record !== null && readsRecordReversed(r, this.record.appProto);
  }

  /** A logged HTTP request or SMTP exchange happened on an established connection. */
  private recordIsSession(): boolean {
    const app = this.record?.appProto;
    return app === 'http' || app === 'smtp';
  }

  private flowintsHold(r: CompiledRule): boolean {
    const flow = this.flow;
    if (flow === null) return false;
    const checks = r.flowintChecks;
    for (let i = 0; i < checks.length; i++) if (!flowintHolds(flow.ints, checks[i]!)) return false;
    return true;
  }

  private flowbitsHold(r: CompiledRule): boolean {
    const flow = this.flow;
    if (flow === null) return false;
    const bits = flow.bits;
    const checks = r.flowbitChecks;
    for (let i = 0; i < checks.length; i++) {
      const fb = checks[i]!;
      const names = fb.ofGroup === true ? (this.ruleset.flowbitGroups.get(fb.group!) ?? NO_NAMES) : fb.names;
      if (!flowbitCheckHolds(bits, names, fb.cmd === 'isset', fb.op === 'any')) return false;
    }
    return true;
  }

  /**
   * `index` is r.index: a record whose outcomes are all remembered is decided from the engine's
   * per-program arrays without reading the rule or its programs (scattered objects, a cache miss
   * each, for the handful of rules every record evaluates).
   */
  private payloadMatches(r: CompiledRule, index = r.index): boolean {
    const ins = this.ins;
    ins.steps = 0;
    this.streamRule = index;
    this.streamMatchEnd = -1;
    // base64_data is what this rule's own base64_decode decodes, never an earlier rule's.
    ins.base64 = EMPTY;
    ins.sender = this.srcIp;
    const pcreBefore = ins.pcreLimitHits;
    let ok = true;
    const rec = this.record;
    const memos = rec !== null && rec.bufferKeyDomain !== undefined && rec.bufferKeyId !== undefined && this.programsKeyable[index] === 1 ? this.programMemosOf(rec.bufferKeyDomain) : null;
    const base = this.programBase[index]!;
    const n = this.programBase[index + 1]! - base;
    let programs: readonly BufferProgram[] | null = null;
    for (let k = 0; k < n; k++) {
      if (memos !== null) {
        const name = this.programBuffers[base + k]!;
        if (name !== 'pkt_data') {
          const outcome = this.memoProgram(memos, base + k, rec!, name, r, k);
          if (outcome === 0) {
            ok = false;
            break;
          }
          if (outcome === 1) continue;
        }
      }
      this.payloadKeyed = false;
      const p = (programs ??= r.programs)[k]!;
      if (p.multi) {
        if (!this.someInstanceMatches(p)) {
          ok = false;
          break;
        }
        continue;
      }
      if (p.buffer === 'pkt_data' && this.pktMode === MODE_STREAM) {
        if (!this.streamProgram(p)) {
          ok = false;
          break;
        }
        continue;
      }
      const source = this.source;
      const buf =
        p.buffer === 'pkt_data' ? this.pktData()
        : p.buffer === BASE64_DATA ? ins.base64
        : source === null ? undefined
        : this.hasDerived ? this.bufferOf(source, p.buffer)
        : source.buffer(p.buffer as BufferName);
      if (buf === undefined) {
        ok = false;
        break;
      }
      ins.setBuffer(buf);
      if (!runProgram(p, ins, -2)) {
        ok = false;
        break;
      }
    }
    if (ins.steps > ins.stepLimit) this.counters.stepLimit++;
    this.counters.pcreLimit += ins.pcreLimitHits - pcreBefore;
    return ok;
  }

  /**
   * A record's program outcome from its memo, or by running it and remembering the outcome:
   * 1 matched, 0 not, -1 left to the caller (no key, or the remembered steps would overrun the
   * rule's step budget, which a fresh run must meet to count the limit hit).
   */
  private memoProgram(memo: ProgramOutcomes, program: number, rec: LogRecord, name: BufferName, r: CompiledRule, k: number): number {
    const id = rec.bufferKeyId!(name);
    if (id === 0) return 0;
    if (id < 0 || !memo.enabled(program)) return -1;
    const ins = this.ins;
    const known = memo.get(program, id);
    if (known >= 0) {
      const steps = known >>> 1;
      if (ins.steps + steps > ins.stepLimit) return -1;
      ins.steps += steps;
      return known & 1;
    }
    const buf = rec.buffer(name);
    if (buf === undefined) {
      memo.remember(program, id, false, 0);
      return 0;
    }
    const stepsBefore = ins.steps;
    const pcreBefore = ins.pcreLimitHits;
    ins.setBuffer(buf);
    const matched = runProgram(r.programs[k]!, ins, -2);
    // Outcomes cut short by a bound are not kept: a fresh run must count the limit again.
    if (ins.steps <= ins.stepLimit && ins.pcreLimitHits === pcreBefore) memo.remember(program, id, matched, ins.steps - stepsBefore);
    else this.payloadKeyed = false;
    return matched ? 1 : 0;
  }

  /** The program outcomes of a key domain (one table for all programs of the rule set). */
  private programMemosOf(domain: string): ProgramOutcomes {
    let memo = this.lastProgramMemos;
    if (memo === null || domain !== this.lastProgramDomain) {
      let found = this.programMemos.get(domain);
      if (found === undefined) {
        const programs = this.programBase[this.programBase.length - 1]!;
        // About eight slots per program, from 4096 slots (64 KiB) to 2^17 (2 MiB).
        let bits = 12;
        while (bits < 17 && 2 ** bits < programs * 8) bits++;
        this.programMemos.set(domain, (found = new ProgramOutcomes(programs, bits)));
      }
      this.lastProgramDomain = domain;
      this.lastProgramMemos = memo = found;
    }
    return memo;
  }

  /**
   * pkt_data over a stream window: only matches that end in data not inspected before count.
   * Programs that position themselves from the buffer start are tried from each chunk start
   * still in the window (the start of a segment, as a per-packet engine would see it), each
   * over its message only: up to the next turn start (the other side spoke in between).
   *
   * A program with a negated isdataat (endSensitive) is not decided while its direction's data
   * goes on: the bytes it wants absent may still come. It is decided when that data is complete
   * for now (decideStream: the other side speaks, or the flow ends), over the data not decided
   * before; a rule needing its fast pattern still has it carried then if that data is still in
   * the window.
   *
   * A rule that alerted on this direction is tried only on the data from where its last alert's
   * match ended: its occurrences in data already alerted on do not make a new match.
   */
  private streamProgram(p: BufferProgram): boolean {
    const final = this.streamFinal;
    if (p.endSensitive !== final) return false;
    const w = this.window!;
    const buf = w.bytes();
    const b = final ? Math.max(0, w.decidedUntil - w.start) : w.newStart;
    const alertEnd = w.alertEndOf(this.streamRule);
    const from = alertEnd > w.start ? Math.min(alertEnd - w.start, buf.length) : 0;
    let matched: boolean;
    // Programs that do not move the cursor look at the new data only; a decision (final) at all
    // the data not decided yet; others count a match ending past b. None starts before `from`.
    if (!p.advances) matched = this.runPlain(p, buf, Math.max(b, from), -2);
    else if (final) matched = p.anchored ? this.runAnchored(p, buf, Math.max(b, from), Math.max(b, from)) : this.runPlain(p, buf, Math.max(b, from), -2);
    else matched = p.anchored ? this.runAnchored(p, buf, b, from) : this.runPlain(p, buf, from, b > from ? b - from : -2);
    if (matched) {
      const end = lastMatchEnd();
      const at = w.start + this.streamMatchBase + end;
      if (end >= 0 && at > this.streamMatchEnd) this.streamMatchEnd = at;
    }
    return matched;
  }

  /** Runs a program over the window from index `at` (minEnd as runProgram's, relative to it). */
  private runPlain(p: BufferProgram, buf: Uint8Array, at: number, minEnd: number): boolean {
    this.streamMatchBase = at;
    this.ins.setBuffer(at === 0 ? buf : buf.subarray(at), this.window!, at);
    return runProgram(p, this.ins, minEnd);
  }

  /**
   * An anchored program tried from each anchor at or after `from`, over the message the anchor
   * begins; a match counts when it ends past index `b`.
   */
  private runAnchored(p: BufferProgram, buf: Uint8Array, b: number, from: number): boolean {
    const w = this.window!;
    const ins = this.ins;
    const anchors = w.anchorOffsets();
    for (let k = 0; k < anchors.length; k++) {
      const a = anchors[k]!;
      if (a < from) continue;
      // A match from here counts when it ends past b: skipped when none can get that far
      // (every step that moves the cursor is a content with depth or within).
      if (a < b && p.reach <= b - a) continue;
      const end = w.messageEnd(a);
      if (end <= b) continue;
      this.streamMatchBase = a;
      ins.setBuffer(a === 0 && end === buf.length ? buf : buf.subarray(a, end), w, a);
      if (runProgram(p, ins, a >= b ? -2 : b - a)) return true;
    }
    return false;
  }

  /** A multi-instance buffer's program (BufferProgram.multi) holds on one of the source's instances. */
  private someInstanceMatches(p: BufferProgram): boolean {
    const source = this.source;
    if (source === null || source.instances === undefined) return false;
    const d = this.hasDerived ? this.ruleset.derived.get(p.buffer) : undefined;
    const list = source.instances((d === undefined ? p.buffer : d.base) as BufferName);
    if (list === undefined) return false;
    const ins = this.ins;
    for (let i = 0; i < list.length; i++) {
      ins.setBuffer(d === undefined ? list[i]! : d.apply(list[i]!));
      if (runProgram(p, ins, -2)) return true;
    }
    return false;
  }

  /**
   * A buffer by name, a derived one (`dns.query|dotprefix`) computed from its base buffer. Not
   * kept: transforms run on the small application buffers, at most once per prefilter scan and
   * once per rule program that reads them.
   */
  private bufferOf(source: BufferSource, name: string): Uint8Array | undefined {
    const d = this.ruleset.derived.get(name);
    if (d === undefined) return source.buffer(name as BufferName);
    const base = source.buffer(d.base as BufferName);
    return base === undefined ? undefined : d.apply(base);
  }

  private pktData(): Uint8Array | undefined {
    if (this.pktLazy !== LAZY_NONE) {
      this.pktBuf = rawMessage(this.source!, this.pktLazy === LAZY_REQUEST);
      this.pktLazy = LAZY_NONE;
    }
    return this.pktBuf;
  }

  // ---------------------------------------------------------------------------------------
  // After a match

  private onMatch(r: CompiledRule): void {
    const fired = this.firedOnUnit;
    if (fired !== null) {
      if (fired.has(r.index)) return;
      fired.add(r.index);
    }
    // A stream alert: the rule's next match on this direction must lie past this one's end.
    if (this.pktMode === MODE_STREAM && this.window !== null && this.streamRule === r.index && this.streamMatchEnd >= 0) {
      this.window.noteAlertEnd(r.index, this.streamMatchEnd);
    }
    const flow = this.flow;
    if (flow !== null) {
      for (const fb of r.flowbitActions) applyFlowbit(flow, fb.cmd, fb.names, fb.group, this.ruleset.flowbitGroups);
      if (r.flowintActions.length > 0) {
        const ints = (flow.ints ??= new Map());
        for (const fi of r.flowintActions) applyFlowint(ints, fi);
      }
    }
    // The sides of the alert as the rule names them (see respondsToRecord).
    const rev = this.respondsToRecord(r);
    const srcIp = rev ? this.dstIp : this.srcIp;
    const dstIp = rev ? this.srcIp : this.dstIp;
    if (r.xbitActions.length > 0) {
      this.xbits.apply(r.xbitActions, srcIp, dstIp, this.tsUs);
      this.counters.xbitsEvictions = this.xbits.evictions;
    }
    if (r.action === 'pass') {
      // As Suricata (FlowApplySignatureActions): a pass rule stops inspection of the packet, and
      // of its flow when it matched the stream or a transaction or is IP-only; a packet rule's
      // match (a datagram's payload, TCP flags) passes only that packet.
      this.stopped = true;
      const flowPass = r.ipOnly || this.pktMode === MODE_STREAM || (r.kind !== 'payload' && r.kind !== 'header');
      if (flowPass && this.state !== null && !this.state.passed) {
        this.state.passed = true;
        this.counters.flowsPassed++;
      }
      return;
    }
    if (r.noalert) {
      this.counters.noalert++;
      return;
    }
    const srcText = rev ? this.dstText() : this.srcText();
    const dstText = rev ? this.srcText() : this.dstText();
    if (this.ownThreshold[r.index] === 1 && !this.hiddenByPolicy(r, srcText, dstText)) {
      const parts = this.thresholdParts;
      parts.src = srcText;
      parts.dst = dstText;
      // A 4-byte address is written as its dotted quad (srcText/dstText): its number keys as that text.
      parts.srcV4 = v4Number(srcIp);
      parts.dstV4 = v4Number(dstIp);
      parts.flowId = flow?.id;
      const t = r.threshold;
      const track = t !== undefined ? t.track : r.detectionFilter!.track;
      parts.tuple = flow === null && track === 'by_flow' ? this.tupleText() : undefined;
      const allowed =
        t !== undefined
          ? this.thresholds.allow(r.index, t.type, t.track, t.count, t.seconds, this.tsUs, parts)
          : this.thresholds.allow(r.index, 'detection', r.detectionFilter!.track, r.detectionFilter!.count, r.detectionFilter!.seconds, this.tsUs, parts);
      this.counters.thresholdEvictions = this.thresholds.evictions;
      if (!allowed) {
        this.counters.thresholded++;
        return;
      }
    }
    const rec = this.record;
    const app = flow !== null ? flow.appProto : rec !== null ? (rec.appProto ?? null) : null;
    // A stream rule's alert on an HTTP flow carries the transaction of its data's direction, as
    // Suricata's does (marked tx_guessed): the analyst sees the URL and, once answered, the status.
    let streamTx: HttpTxView | null = null;
    if (this.pktMode === MODE_STREAM && this.window !== null && this.state !== null) {
      streamTx = this.streamHttpTx(this.state, this.toServer);
      if (streamTx !== null) {
        const logged = this.streamTxLogged.get(streamTx) ?? 0;
        if (logged < STREAM_TX_LOG_LIMIT) this.streamTxLogged.set(streamTx, logged + 1);
        else streamTx = null;
      }
    }
    // Alerts of one inspection share its application metadata (read-only for the sinks):
    // many rules may fire on one transaction or log line.
    const http =
      this.http !== null ? (this.httpMeta ??= this.http.meta())
      : streamTx !== null ? streamTx.meta()
      : rec !== null ? this.recordHttpMeta()
      : undefined;
    const smtp = this.smtp !== null ? (this.smtpMeta ??= this.smtp.meta()) : rec !== null ? this.recordSmtpMeta() : undefined;
    const ports = hasPorts(this.proto);
    const icmp = (this.proto === 1 || this.proto === 58) && rec === null ? this.current?.icmp : undefined;
    // Every field in one literal, absent ones undefined (as the sinks read them): the object is
    // made with its final shape, not grown field by field into a separate property store.
    const alert: Alert = {
      tsUs: this.tsUs,
      pcapCnt: this.pcapCnt > 0 ? this.pcapCnt : undefined,
      flowId: flow !== null ? flow.id : undefined,
      srcIp: srcText,
      srcPort: ports ? portOrUndefined(rev ? this.dstPort : this.srcPort) : undefined,
      destIp: dstText,
      destPort: ports ? portOrUndefined(rev ? this.srcPort : this.dstPort) : undefined,
      proto: this.proto >= 0 ? protoName(this.proto) : '',
      icmpType: icmp !== undefined ? icmp.type : rec !== null && this.proto === 1 ? rec.icmpType : undefined,
      icmpCode: icmp !== undefined ? icmp.code : rec !== null && this.proto === 1 ? rec.icmpCode : undefined,
      appProto: app !== null ? app : undefined,
      action: r.action,
      gid: r.gid,
      sid: r.sid,
      rev: r.rev,
      signature: r.msg,
      category: r.category,
      severity: r.severity,
      classtype: r.classtype,
      level: r.level,
      levelFromRule: r.levelExplicit ? true : undefined,
      ruleThreshold: r.threshold !== undefined || r.detectionFilter !== undefined ? true : undefined,
      http,
      smtp,
      log: rec !== null ? (this.recordLog ??= rec.log) : undefined,
      extra: undefined,
    };
    const txId =
      this.http !== null ? this.http.id
      : streamTx !== null ? streamTx.id
      : this.smtp !== null ? this.smtp.mailTx
      : this.unit !== null ? this.unit.id
      : undefined;
    const metadata = r.metadata();
    if (txId === undefined && this.vlans.length === 0 && this.tunnel === null) {
      // The common case: the rule's metadata alone, one shared object per rule.
      if (metadata !== undefined) alert.extra = this.metadataExtra(r, metadata);
    } else {
      const extra: Record<string, unknown> = {};
      if (metadata !== undefined) extra.metadata = metadata;
      if (txId !== undefined) extra.tx_id = txId;
      if (streamTx !== null) extra.tx_guessed = true;
      // EVE names each unit's object after its kind: dns, tls, ssh, dcerpc, sip.
      if (this.unit !== null) extra[this.unit.kind] = this.unitMeta ??= this.unit.meta();
      if (this.smtp !== null) {
        if (this.emailMeta === null) this.emailMeta = this.smtp.email();
        if (this.emailMeta !== undefined) extra.email = this.emailMeta;
      }
      if (this.vlans.length > 0) extra.vlan = [...this.vlans];
      if (this.tunnel !== null) extra.tunnel = tunnelObject(this.tunnel, this.tunnelDepth);
      alert.extra = extra;
    }
    this.counters.alerts++;
    // A stream alert on the answer comes after the alerts its request's transaction held, as the
    // answer's transaction alerts do (inspectHttp releases them before its rules run).
    const st = this.state;
    if (streamTx !== null && streamTx.status !== null && st !== null && st.held !== null) this.releaseHeld(st, 'http', streamTx.id);
    if (!this.holdUntilAnswered(alert, r, streamTx)) this.sink(alert, r);
  }

  /** A flowless hit's 5-tuple, the same text whichever end sent it. */
  private tupleText(): string {
    const x = `${this.srcText()}:${this.srcPort}`;
    const y = `${this.dstText()}:${this.dstPort}`;
    return x <= y ? `${this.proto}|${x}|${y}` : `${this.proto}|${y}|${x}`;
  }

  /** Whether the policy suppresses this hit of a rule with its own threshold (see EngineOptions.suppressedByPolicy). */
  private hiddenByPolicy(r: CompiledRule, srcIp: string, destIp: string): boolean {
    const ask = this.suppressedByPolicy;
    if (ask === undefined) return false;
    const rec = this.record;
    const http = this.http !== null ? (this.httpMeta ??= this.http.meta()) : rec !== null ? this.recordHttpMeta() : undefined;
    return ask({ gid: r.gid, sid: r.sid, classtype: r.classtype, severity: r.severity, srcIp, destIp, http });
  }

  /** Holds an alert on an unanswered HTTP request or SMTP unit (see HeldAlerts); false: it goes out now. */
  private holdUntilAnswered(alert: Alert, r: CompiledRule, streamTx: HttpTxView | null): boolean {
    const st = this.state;
    if (st === null || this.heldCount >= MAX_HELD_ALERTS) return false;
    let kind: 'http' | 'smtp';
    let tx: HttpTxView | SmtpUnitView;
    const http = this.http ?? streamTx;
    if (http !== null) {
      if (http.status !== null) return false;
      kind = 'http';
      tx = http;
    } else if (this.smtp !== null) {
      if (this.smtp.replyCode !== null) return false;
      kind = 'smtp';
      tx = this.smtp;
    } else return false;
    const held = (st.held ??= []);
    let h: HeldAlerts | undefined;
    for (let i = 0; i < held.length; i++) if (held[i]!.kind === kind && held[i]!.id === tx.id) h = held[i];
    if (h === undefined) {
      if (held.length >= MAX_HELD_PER_FLOW) this.releaseHeld(st, held[0]!.kind, held[0]!.id);
      held.push((h = new HeldAlerts(kind, tx.id, tx)));
    }
    h.alerts.push(alert);
    h.rules.push(r);
    this.heldCount++;
    return true;
  }

  /** Sends the alerts held for one transaction, with its metadata as it stands now (the answer included). */
  private releaseHeld(st: FlowState, kind: 'http' | 'smtp', id: number): void {
    const held = st.held;
    if (held === null) return;
    const i = held.findIndex((h) => h.kind === kind && h.id === id);
    if (i < 0) return;
    const h = held[i]!;
    held.splice(i, 1);
    if (held.length === 0) st.held = null;
    const meta = h.tx.meta();
    for (let k = 0; k < h.alerts.length; k++) {
      const a = h.alerts[k]!;
      if (kind === 'http') a.http = meta;
      else a.smtp = meta;
      this.heldCount--;
      this.sink(a, h.rules[k]!);
    }
  }

  private releaseAllHeld(st: FlowState): void {
    while (st.held !== null) this.releaseHeld(st, st.held[0]!.kind, st.held[0]!.id);
  }

  private metadataExtra(r: CompiledRule, metadata: Record<string, string[]>): Record<string, unknown> {
    let e = this.extraByRule[r.index];
    if (e === undefined) this.extraByRule[r.index] = e = { metadata };
    return e;
  }

  /** Source address as alerts write it, once per inspection context. */
  private srcText(): string {
    if (this.srcTextCache === null) {
      const rec = this.record;
      this.srcTextCache = rec !== null && rec.src === undefined ? (rec.srcHost ?? '') : ipText(this.srcIp);
    }
    return this.srcTextCache;
  }

  private dstText(): string {
    return (this.dstTextCache ??= ipText(this.dstIp));
  }

  private recordHttpMeta(): Record<string, unknown> | undefined {
    if (this.recordHttp === null) {
      // The record makes a fresh object per read: shared by the record's alerts without a copy.
      this.recordHttp = this.record!.http as Record<string, unknown> | undefined;
    }
    return this.recordHttp;
  }

  private recordSmtpMeta(): Record<string, unknown> | undefined {
    if (this.recordSmtp === null) {
      const m = this.record!.smtp;
      this.recordSmtp = m === undefined ? undefined : { ...m };
    }
    return this.recordSmtp;
  }

  /** Forgets what onMatch derived from the previous inspection context. */
  private resetAlertCaches(): void {
    this.srcTextCache = null;
    this.dstTextCache = null;
    this.httpMeta = null;
    this.smtpMeta = null;
    this.emailMeta = null;
    this.unitMeta = null;
    this.recordHttp = null;
    this.recordSmtp = null;
    this.recordLog = null;
  }

  // ---------------------------------------------------------------------------------------
  // Context

  private stateOf(flow: FlowView): FlowState {
    let st = this.flows.get(flow.id);
    if (st === undefined) {
      this.evictOldestFlowIfFull();
      st = new FlowState(flow);
      const ended = this.endedFlows.get(flow.id);
      if (ended !== undefined) {
        this.endedFlows.delete(flow.id);
        st.revived = true;
        st.passed = (ended & ENDED_PASSED) !== 0;
        st.synSeen = (ended & ENDED_SYN_SEEN) !== 0;
        st.establishedBefore = (ended & ENDED_ESTABLISHED) !== 0;
        st.ipOnlyDone = ended >>> ENDED_IPONLY_SHIFT;
      }
      this.flows.set(flow.id, st);
    }
    return st;
  }

  private evictOldestFlowIfFull(): void {
    const id = this.oldestFlow.fullAt(this.maxFlows);
    if (id === undefined) return;
    const st = this.flows.get(id)!;
    this.drain(st);
    this.forget(st);
    this.counters.flowStatesEvicted++;
  }

  private markDirty(st: FlowState): void {
    if (this.current === null) return; // outside a packet: drained at the flow's end
    if (!st.dirty) {
      st.dirty = true;
      this.dirty.push(st);
    }
  }

  private learnEndpoints(st: FlowState, pkt: DecodedPacket, flow: FlowView): void {
    const ip = pkt.ip!;
    st.known = true;
    st.vlans = pkt.vlans.length > 0 ? pkt.vlans.slice() : NO_VLANS;
    st.tunnel = pkt.tunnel;
    st.tunnelDepth = pkt.tunnelLayer ?? 0;
    st.proto = ip.protocol;
    st.ipVersion = ip.version;
    if (flow.toServer) {
      st.clientPort = pkt.srcPort;
      st.serverPort = pkt.dstPort;
    } else {
      st.clientPort = pkt.dstPort;
      st.serverPort = pkt.srcPort;
    }
    // The flow's own copies of the addresses (a flood of new flows would otherwise make two
    // more small arrays per flow); copied from the packet only where the flow has none.
    const c = flow.clientIp;
    const s = flow.serverIp;
    if (c !== undefined && s !== undefined && c.length === ip.src.length && s.length === ip.src.length) {
      st.clientIp = c;
      st.serverIp = s;
    } else if (flow.toServer) {
      st.clientIp = ip.src.slice();
      st.serverIp = ip.dst.slice();
    } else {
      st.clientIp = ip.dst.slice();
      st.serverIp = ip.src.slice();
    }
  }

  private usePacket(pkt: DecodedPacket): void {
    this.setPacketContext(pkt, this.packetFlow, this.packetState);
  }

  /** What every packet, stream or transaction context starts from: no record, buffer or application unit. */
  private beginContext(flow: FlowView | null, st: FlowState | null, toServer: boolean, vlans: readonly number[], tunnel: TunnelOrigin | undefined, depth: number | undefined): void {
    this.resetAlertCaches();
    this.flow = flow;
    this.state = st;
    this.record = null;
    this.http = null;
    this.smtp = null;
    this.source = null;
    this.toServer = toServer;
    this.vlans = vlans;
    this.tunnel = tunnel ?? null;
    this.tunnelDepth = depth ?? 0;
    this.pktLazy = LAZY_NONE;
    this.ipOnlySkip = false;
  }

  private setPacketContext(pkt: DecodedPacket, flow: FlowView | null, st: FlowState | null): void {
    const ip = pkt.ip!;
    this.beginContext(flow, st, flow === null ? true : flow.toServer, pkt.vlans, pkt.tunnel, pkt.tunnelLayer);
    // As in Suricata, the TCP packet that completes the handshake is not yet "established":
    // a packet sees the state the flow had before it.
    this.established = flow === null ? false : ip.protocol === PROTO_TCP && st !== null ? st.establishedBefore : flow.established;
    this.srcIp = ip.src;
    this.dstIp = ip.dst;
    this.fragment = !ip.reassembled && (ip.moreFragments || ip.fragOffset !== 0);
    this.reassembled = ip.reassembled;
    this.window = null;
    this.pktMode = MODE_BUFFER;
    this.pktBuf = this.fragment ? EMPTY : pkt.payload;
    const hasTransport = pkt.tcp !== undefined || pkt.udp !== undefined || pkt.sctp !== undefined;
    this.srcPort = hasTransport ? pkt.srcPort : this.fragment ? -1 : 0;
    this.dstPort = hasTransport ? pkt.dstPort : this.fragment ? -1 : 0;
    this.proto = ip.protocol;
    this.tsUs = pkt.tsUs;
    this.pcapCnt = pkt.num;
    fillPacketFacts(this.facts, pkt, flow, this.fragment, this.neededFacts);
    this.ipOnlySkip = this.packetIpOnlySeen;
  }

  /** Context for data of a flow in one direction (stream chunk, transaction). */
  private setFlowContext(st: FlowState, toServer: boolean): void {
    const flow = st.flow;
    this.beginContext(flow, st, toServer, st.vlans, st.tunnel, st.tunnelDepth);
    this.established = flow.established;
    this.srcIp = toServer ? st.clientIp : st.serverIp;
    this.dstIp = toServer ? st.serverIp : st.clientIp;
    this.srcPort = toServer ? st.clientPort : st.serverPort;
    this.dstPort = toServer ? st.serverPort : st.clientPort;
    this.proto = st.proto;
    this.fragment = false;
    this.reassembled = false;
    const pkt = this.current;
    const f = this.facts;
    // The packet that delivered the data, when it travels the same way, lends its header fields.
    if (pkt !== null && pkt.ip !== undefined && sameFlowDirection(pkt, st, toServer)) {
      fillPacketFacts(f, pkt, flow, false, this.neededFacts);
      // Stream data and transactions are not packets: no dsize, no decoder events.
      f.known &= ~(FACT_DSIZE | FACT_DECODE_EVENTS);
      this.tsUs = pkt.tsUs;
      this.pcapCnt = pkt.num;
    } else {
      f.clear();
      f.known = FACT_ADDRS | FACT_APP_PROTO | FACT_IP_PROTO;
      f.src = this.srcIp;
      f.dst = this.dstIp;
      f.ipVersion = st.ipVersion;
      f.ipProto = st.proto;
      f.appProto = flow.appProto;
      f.known |= flowFacts(f, flow, toServer, st.proto === PROTO_TCP, this.neededFacts);
      // Data handed on while another flow's packet is processed (a flow expiring, or flushed at
      // the end of the input) is reported at this flow's own last packet.
      const own = pkt !== null && pkt.ip !== undefined && (sameFlowDirection(pkt, st, true) || sameFlowDirection(pkt, st, false));
      this.tsUs = own ? pkt.tsUs : st.lastTsUs;
      this.pcapCnt = own ? pkt.num : st.lastPcapCnt;
    }
  }
}

/** A 4-byte address as uint32, else -1. */
function v4Number(a: Uint8Array): number {
  return a.length === 4 ? ((a[0]! * 256 + a[1]!) * 256 + a[2]!) * 256 + a[3]! : -1;
}

/**
 * An array of n undefined slots with packed elements: filled at arbitrary indexes, an empty
 * array turns into a dictionary (a hash lookup per read), and `new Array(n)` does too past V8's
 * preallocation limit.
 */
function packedSlots<T>(n: number): (T | undefined)[] {
  const out: (T | undefined)[] = [];
  for (let i = 0; i < n; i++) out.push(undefined);
  return out;
}

/** An address the traffic may lack (length 0): then only lenient rules or `any` fit. */
function addrFits(a: Uint8Array, set: CompiledRule['src'], lenient: boolean): boolean {
  return a.length > 0 ? set.contains(a) : lenient || set.isAny;
}

function portOrUndefined(p: number): number | undefined {
  return p >= 0 ? p : undefined;
}

function portFits(p: number, set: CompiledRule['srcPort'], lenient: boolean): boolean {
  return p >= 0 ? set.contains(p) : lenient || set.isAny;
}

function sameFlowDirection(pkt: DecodedPacket, st: FlowState, toServer: boolean): boolean {
  const ip = pkt.ip!;
  const src = toServer ? st.clientIp : st.serverIp;
  const sport = toServer ? st.clientPort : st.serverPort;
  if (ip.protocol !== st.proto || pkt.srcPort !== sport || ip.src.length !== src.length) return false;
  for (let i = 0; i < src.length; i++) if (ip.src[i] !== src[i]) return false;
  return true;
}

function transportClass(pkt: DecodedPacket): number {
  const p = pkt.ip!.protocol;
  if (p === PROTO_TCP) return CLASS_TCP;
  if (p === PROTO_UDP) return CLASS_UDP;
  if (p === PROTO_ICMP) return CLASS_ICMP4;
  if (p === PROTO_ICMPV6) return CLASS_ICMP6;
  return CLASS_OTHER;
}

/** Suricata's EVE `tunnel` object: the outermost packet of the tunnel and the alerting packet's depth. */
function tunnelObject(t: TunnelOrigin, depth: number): Record<string, unknown> {
  const ports = hasPorts(t.protocol);
  return {
    src_ip: ipText(t.src),
    src_port: ports ? t.srcPort : undefined,
    dest_ip: ipText(t.dst),
    dest_port: ports ? t.dstPort : undefined,
    proto: protoName(t.protocol),
    depth,
  };
}

function hasPorts(proto: number): boolean {
  return proto === PROTO_TCP || proto === PROTO_UDP || proto === 132;
}

/** An HTTP message as it crossed the wire (start line, headers, body): pkt_data for rules that mix it with HTTP buffers. */
function rawMessage(source: BufferSource, request: boolean): Uint8Array | undefined {
  const start = source.buffer('http.start');
  if (start === undefined) return undefined;
  const body = source.buffer(request ? 'http.request_body' : 'http.response_body');
  if (body === undefined || body.length === 0) return start;
  const out = new Uint8Array(start.length + body.length);
  out.set(start, 0);
  out.set(body, start.length);
  return out;
}

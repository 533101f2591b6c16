import type { AppSink, HttpSide, SmtpPhase } from '../types/app.js';
import { SSL_CLIENT_HELLO, SSL_CLIENT_KEYX, SSL_SERVER_HELLO, SSL_SERVER_KEYX, SSL_UNKNOWN, sslVersionFlag, type FlowView } from '../types/flow.js';
import { ByteAccumulator, MemoryBudget } from './accumulator.js';
import { DnsQuery, parseDnsMessage } from './dns/message.js';
import { HS_CLIENT_HELLO, HS_CLIENT_KEY_EXCHANGE, HS_SERVER_HELLO, HS_SERVER_KEY_EXCHANGE, newTlsStats, TlsSession, type TlsStats } from './tls/session.js';
import { LF } from './bytes.js';
import { detectMidstream, detectToClient, detectToServer, LABELLED_PROTOCOLS, type LabelledProtocol, type Verdict } from './detect.js';
import { DcerpcSession, newDcerpcStats, parseDatagramRequest, type DceRequest, type DcerpcStats } from './dcerpc/session.js';
import { addressKey, FtpControl } from './ftp/control.js';
import { SmbSession } from './smb/session.js';
import { newSipStats, parseSipDatagram, SipSession, type SipMessage, type SipStats } from './sip/message.js';
import { newSshStats, SshSession, type SshBanner, type SshStats } from './ssh/banner.js';
import type { SshKexInit } from './ssh/kexinit.js';
import { HttpConnection, newHttpStats, type HttpContext, type HttpLimits, type HttpStats } from './http/connection.js';
import type { HttpTransaction } from './http/transaction.js';
import { SmtpSession, newSmtpStats, type SmtpContext, type SmtpLimits, type SmtpStats } from './smtp/session.js';
import type { SmtpUnit } from './smtp/unit.js';
import { OldestFirst } from '../types/oldest-first.js';

const MiB = 1 << 20;

export interface AppLayerConfig {
  /** Request/status/command lines are parsed up to this many bytes (at least 1 MiB). */
  maxLineBytes: number;
  /** HTTP header blocks and SMTP message headers are kept up to this many bytes (at least 1 MiB). */
  maxHeaderBytes: number;
  requestBodyLimit: number;
  responseBodyLimit: number;
  /** Bytes a gzip/deflate response body may expand to for inspection. */
  decompressLimit: number;
  smtpBodyLimit: number;
  /** Per flow: HTTP transactions or SMTP commands waiting for their answer. */
  maxPendingTransactions: number;
  /** All bytes held by unfinished lines, heads and bodies across flows. */
  memcap: number;
  /** Flows with parser state; past this the oldest is finished early (a safety net). */
  maxFlows: number;
}

export const DEFAULT_APP_CONFIG: Readonly<AppLayerConfig> = {
  maxLineBytes: MiB,
  maxHeaderBytes: MiB,
  requestBodyLimit: MiB,
  responseBodyLimit: MiB,
  decompressLimit: MiB,
  smtpBodyLimit: MiB,
  maxPendingTransactions: 256,
  memcap: 512 * MiB,
  maxFlows: 262_144,
};

export interface AppLayerStats {
  flows: number;
  httpFlows: number;
  smtpFlows: number;
  /** Flows (or tunnels after an accepted CONNECT) whose first bytes matched no supported protocol. */
  undetectedFlows: number;
  /** Flows recognised by content as FTP, SMB, SSH or DCE/RPC (see LABELLED_PROTOCOLS). */
  labelledFlows: Record<LabelledProtocol, number>;
  /** Flows finished early because maxFlows was reached. */
  flowsEvicted: number;
  /** Bytes of flows with no (or no longer an) application parser. */
  bytesIgnored: number;
  /** Bytes delivered twice (chunk starting before the expected stream offset), skipped. */
  overlapBytes: number;
  gaps: number;
  /** Parser failures caught at the flow boundary (each stops parsing that flow). */
  parserErrors: number;
  /** Bytes refused because the memory budget was exhausted. */
  memcapDeniedBytes: number;
  memoryInUse: number;
  http: HttpStats;
  smtp: SmtpStats;
  dns: DnsStats;
  tls: TlsStats;
  ssh: SshStats;
  dcerpc: DcerpcStats;
  /** UDP flows whose requests were DCE/RPC datagrams. */
  dcerpcUdpFlows: number;
  sip: SipStats;
  sipTcpFlows: number;
  sipUdpFlows: number;
  /** HTTP transactions and SMTP units by anomaly name, each counted once per transaction or unit. */
  anomalies: Record<string, number>;
  /** TCP flows recognised as the data connection an FTP control connection announced. */
  ftpDataFlows: number;
}

export interface DnsStats {
  /** UDP flows taken as DNS (a well-formed message to port 53). */
  flows: number;
  /** TCP connections to port 53. */
  tcpFlows: number;
  requests: number;
  /** Questions handed to detection (one per question of each request). */
  queries: number;
  responses: number;
  /** Datagrams on a DNS flow or to port 53 that are not DNS messages, by reason. */
  malformed: number;
}

/** The DNS server port: datagrams to it, and TCP connections to it, are parsed as DNS. */
const DNS_PORT = 53;
/** A DNS message over TCP is at most 65535 bytes (its length prefix is 16 bits). */
const DNS_TCP_MAX = 0xffff;

/** Length prefix plus message, once the 2-byte prefix is in `acc`. */
function dnsFrameLength(acc: ByteAccumulator): number {
  return 2 + ((acc.byteAt(0) << 8) | acc.byteAt(1));
}

const P_PENDING = 0;
const P_HTTP = 1;
const P_SMTP = 2;
const P_NONE = 3;
const P_TLS = 4;
const P_DNS = 5;
const P_SSH = 6;
const P_DCERPC = 7;
const P_SIP = 8;
const P_FTP = 9;
const P_SMB = 10;
/** Data connections announced on FTP control connections and not yet seen, at most. */
const MAX_FTP_EXPECTED = 4096;

/** Bytes of a direction that are always examined before "no LF yet" stops re-running detection. */
const DETECT_SHORT = 64;
/**
 * Client bytes held while a first line that is HTTP only if the server answers with a status
 * line waits for the server's first bytes (a request head, a small body): past this the client
 * direction is given up, so a silent server (or a one-sided capture) of a chatty text protocol
 * does not keep a line-limit's worth per flow.
 */
const ANSWER_WAIT_LIMIT = 64 * 1024;
const NO_BYTES = new Uint8Array(0);

interface PendingChunk {
  toServer: boolean;
  start: number;
  end: number;
  gap: boolean;
  gapLength: number;
}

class FlowState {
  proto = P_PENDING;
  http: HttpConnection | null = null;
  smtp: SmtpSession | null = null;
  tls: TlsSession | null = null;
  ssh: SshSession | null = null;
  dce: DcerpcSession | null = null;
  sip: SipSession | null = null;
  ftp: FtpControl | null = null;
  smb: SmbSession | null = null;
  /** DNS over TCP: per direction, the bytes of the length-prefixed message being gathered. */
  dns: [ByteAccumulator, ByteAccumulator] | null = null;
  /** Next expected stream offset per direction (0: to server, 1: to client), -1 before any data. */
  readonly expected = [-1, -1];
  // detection
  readonly verdicts: Verdict[] = ['more', 'more'];
  detectBufs: [ByteAccumulator, ByteAccumulator] | null = null;
  pending: PendingChunk[] = [];
  /** A direction's data was dropped during detection: its parser must start with a gap. */
  readonly lost = [false, false];
  /** A direction's start was not seen: detection searches further than its first line. */
  readonly midstream = [false, false];

  constructor(readonly flow: FlowView) {}
}

/**
 * The application layer: detects HTTP and SMTP by content on each reassembled TCP stream,
 * runs their parsers and hands transactions to the sink. One instance per engine; state is
 * per flow and bounded (memcap, line/body limits, pending-transaction caps, flow cap).
 */
export class AppLayer {
  readonly config: Readonly<AppLayerConfig>;
  private readonly budget: MemoryBudget;
  private readonly flows = new Map<number, FlowState>();
  private readonly oldestFlow = new OldestFirst(this.flows);
  private readonly counters = {
    flows: 0,
    httpFlows: 0,
    smtpFlows: 0,
    undetectedFlows: 0,
    labelledFlows: Object.fromEntries(LABELLED_PROTOCOLS.map((p) => [p, 0])) as Record<LabelledProtocol, number>,
    flowsEvicted: 0,
    bytesIgnored: 0,
    overlapBytes: 0,
    gaps: 0,
    parserErrors: 0,
  };
  private readonly httpStats = newHttpStats();
  private readonly smtpStats = newSmtpStats();
  private readonly tlsStats = newTlsStats();
  /** HTTP transactions and SMTP units with each anomaly (http.chunk_data_no_crlf, smtp.gap, ...). */
  private readonly anomalies: Record<string, number> = {};
  private readonly sshStats = newSshStats();
  private readonly dcerpcStats = newDcerpcStats();
  private dcerpcUdpFlows = 0;
  private readonly sipStats = newSipStats();
  private sipTcpFlows = 0;
  private sipUdpFlows = 0;
  private ftpDataFlows = 0;
  /** Announced FTP data connections by their server side ("address port"), oldest first. */
  private readonly ftpExpected = new Set<string>();
  private readonly oldestExpected = new OldestFirst(this.ftpExpected);
  /** SIP messages handed over per UDP flow (their tx ids). */
  private readonly sipUdpTx = new Map<number, number>();
  private readonly oldestSipUdp = new OldestFirst(this.sipUdpTx);
  /** Requests handed over per UDP flow (their tx ids). */
  private readonly dceUdpTx = new Map<number, number>();
  private readonly oldestDceUdp = new OldestFirst(this.dceUdpTx);
  private readonly dnsStats: DnsStats = { flows: 0, tcpFlows: 0, requests: 0, queries: 0, responses: 0, malformed: 0 };
  /** Per DNS flow: the next transaction id (requests are numbered per flow, as Suricata's tx_id). */
  private readonly dnsTx = new Map<number, number>();
  private readonly oldestDns = new OldestFirst(this.dnsTx);
  private readonly httpLimits: HttpLimits;
  private readonly smtpLimits: SmtpLimits;
  private sinkError: unknown = undefined;

  constructor(
    private readonly sink: AppSink,
    config: Partial<AppLayerConfig> = {},
  ) {
    const c = { ...DEFAULT_APP_CONFIG, ...config };
    c.maxLineBytes = Math.max(MiB, c.maxLineBytes);
    c.maxHeaderBytes = Math.max(MiB, c.maxHeaderBytes);
    c.maxPendingTransactions = Math.max(1, c.maxPendingTransactions);
    c.maxFlows = Math.max(1, c.maxFlows);
    this.config = c;
    this.budget = new MemoryBudget(c.memcap);
    this.httpLimits = {
      maxLineBytes: c.maxLineBytes,
      maxHeaderBytes: c.maxHeaderBytes,
      requestBodyLimit: Math.max(0, c.requestBodyLimit),
      responseBodyLimit: Math.max(0, c.responseBodyLimit),
      decompressLimit: Math.max(0, c.decompressLimit),
      maxPendingTransactions: c.maxPendingTransactions,
    };
    this.smtpLimits = {
      maxLineBytes: c.maxLineBytes,
      maxHeaderBytes: c.maxHeaderBytes,
      bodyLimit: Math.max(0, c.smtpBodyLimit),
      maxPendingCommands: c.maxPendingTransactions,
      maxRecipients: 1000,
    };
  }

  get stats(): AppLayerStats {
    return {
      ...this.counters,
      memcapDeniedBytes: this.budget.deniedBytes,
      memoryInUse: this.budget.used,
      http: { ...this.httpStats },
      smtp: { ...this.smtpStats },
      dns: { ...this.dnsStats },
      tls: { ...this.tlsStats },
      ssh: { ...this.sshStats },
      dcerpc: { ...this.dcerpcStats },
      dcerpcUdpFlows: this.dcerpcUdpFlows,
      sip: { ...this.sipStats },
      sipTcpFlows: this.sipTcpFlows,
      sipUdpFlows: this.sipUdpFlows,
      ftpDataFlows: this.ftpDataFlows,
      anomalies: { ...this.anomalies },
    };
  }

  /** Flows currently holding parser state. */
  get activeFlows(): number {
    return this.flows.size;
  }

  /**
   * Reassembled bytes of one direction. `chunk` is only read during the call. `streamOffset`
   * is the chunk's offset in its direction's stream; `gapBefore` says bytes are missing
   * before it (their count is taken from the offsets when known).
   */
  streamData(flow: FlowView, toServer: boolean, chunk: Uint8Array, streamOffset: number, gapBefore: boolean): void {
    let st = this.flows.get(flow.id);
    if (st === undefined) st = this.newFlow(flow);
    if (st.proto === P_NONE) {
      this.counters.bytesIgnored += chunk.length;
      return;
    }
    const d = toServer ? 0 : 1;
    const exp = st.expected[d]!;
    let gap = gapBefore;
    let gapLength = 0;
    if (exp >= 0) {
      if (streamOffset > exp) {
        gap = true;
        gapLength = streamOffset - exp;
      } else if (streamOffset < exp) {
        const skip = exp - streamOffset;
        if (skip >= chunk.length) {
          this.counters.overlapBytes += chunk.length;
          return;
        }
        this.counters.overlapBytes += skip;
        chunk = chunk.subarray(skip);
        streamOffset = exp;
      }
    }
    st.expected[d] = streamOffset + chunk.length;
    if (gap && exp >= 0) this.counters.gaps++;
    try {
      this.dispatch(st, toServer, chunk, gap, gapLength);
    } catch (e) {
      this.rethrowSinkError();
      this.parserFailed(st);
    }
  }

  /** Errors thrown by the sink are the caller's, not a parser failure: let them through. */
  private rethrowSinkError(): void {
    if (this.sinkError !== undefined) {
      const e = this.sinkError;
      this.sinkError = undefined;
      throw e;
    }
  }

  /**
   * One UDP datagram of a flow; `payload` is only read during the call. A datagram to port 53,
   * or on a flow already taken as DNS, is parsed as a DNS message: each question of a request
   * goes to the sink (`dnsQuery`); responses are counted. Anything that does not parse is
   * counted and left alone (other traffic may use the port).
   */
  datagram(flow: FlowView, toServer: boolean, payload: Uint8Array, serverPort: number): void {
    const app = flow.appProto;
    if (toServer && (app === 'dcerpc' || (app === null && payload[0] === 4 && serverPort !== DNS_PORT))) {
      if (this.dceDatagram(flow, payload) || app === 'dcerpc') return;
    }
    // A SIP start line is plain text ("INVITE sip:... SIP/2.0", "SIP/2.0 200 OK").
    if (app === 'sip' || (app === null && serverPort !== DNS_PORT && payload.length > 12 && payload[0]! >= 0x41 && payload[0]! <= 0x7a)) {
      if (this.sipDatagram(flow, toServer, payload) || app === 'sip') return;
    }
    if (app === null ? serverPort !== DNS_PORT : app !== 'dns') return;
    if (this.dnsMessage(flow, toServer, payload) && app === null) {
      flow.appProto = 'dns';
      this.dnsStats.flows++;
    }
  }

  /**
   * One DNS message (a datagram, or one message of a TCP stream): each question of a request
   * goes to the sink. False when it is not a DNS message (counted).
   */
  private dnsMessage(flow: FlowView, toServer: boolean, payload: Uint8Array): boolean {
    const parsed = parseDnsMessage(payload);
    const stats = this.dnsStats;
    if (!parsed.ok) {
      stats.malformed++;
      return false;
    }
    const m = parsed.message;
    if (!this.dnsTx.has(flow.id)) {
      const old = this.oldestDns.fullAt(this.config.maxFlows);
      if (old !== undefined) this.dnsTx.delete(old);
    }
    if (m.response) {
      stats.responses++;
      return true;
    }
    if (!toServer) return true; // a request sent by the server side: not a query of this flow's client
    stats.requests++;
    const sink = this.sink.dnsQuery;
    let tx = this.dnsTx.get(flow.id) ?? 0;
    // One copy of the message for all its questions: it outlives the datagram.
    const raw = payload.slice();
    for (let q = 0; q < m.questions.length; q++) {
      stats.queries++;
      sink?.(flow, new DnsQuery(m, q, tx, raw));
    }
    this.dnsTx.set(flow.id, ++tx);
    return true;
  }

  /** The flow is over (closed, timed out or evicted upstream): finish and hand over what is left. */
  flowEnd(flow: FlowView): void {
    this.dnsTx.delete(flow.id);
    const st = this.flows.get(flow.id);
    if (st === undefined) return;
    this.flows.delete(flow.id);
    this.finish(st);
  }

  /** Finishes every flow (end of input). */
  flushAll(): void {
    this.dnsTx.clear();
    for (const st of [...this.flows.values()]) {
      this.flows.delete(st.flow.id);
      this.finish(st);
    }
  }

  private newFlow(flow: FlowView): FlowState {
    const st = new FlowState(flow);
    this.flows.set(flow.id, st);
    this.counters.flows++;
    if (flow.appProto === 'http') this.startHttp(st);
    else if (flow.appProto === 'smtp') this.startSmtp(st);
    else if (flow.appProto === 'tls') this.startTls(st);
    else if (flow.appProto === 'ssh') this.startSsh(st, false);
    else if (flow.appProto === 'dcerpc') this.startDcerpc(st, false);
    else if (flow.appProto === 'sip') this.startSip(st, false);
    else if (flow.appProto === 'ftp') this.startFtp(st, false);
    else if (flow.appProto === 'smb') this.startSmb(st, false);
    else if (flow.appProto === null && this.isExpectedFtpData(flow)) {
      flow.appProto = 'ftp-data';
      this.ftpDataFlows++;
      st.proto = P_NONE;
    }
    else if (flow.appProto === 'dns' || (flow.appProto === null && flow.serverPort === DNS_PORT)) this.startDns(st);
    else if (flow.appProto !== null) st.proto = P_NONE;
    const oldestId = this.oldestFlow.fullAt(this.config.maxFlows + 1);
    if (oldestId !== undefined) {
      const oldest = this.flows.get(oldestId)!;
      this.flows.delete(oldestId);
      this.counters.flowsEvicted++;
      this.finish(oldest);
    }
    return st;
  }

  private finish(st: FlowState): void {
    try {
      st.http?.end();
      st.smtp?.end();
      st.tls?.end();
      st.dce?.end();
      st.sip?.end();
      st.smb?.end();
      st.dns?.[0].reset();
      st.dns?.[1].reset();
    } catch {
      this.rethrowSinkError();
      this.counters.parserErrors++;
    }
    this.dropDetection(st);
    st.proto = P_NONE;
  }

  private dispatch(st: FlowState, toServer: boolean, chunk: Uint8Array, gap: boolean, gapLength: number): void {
    if (st.proto === P_HTTP) {
      const http = st.http!;
      if (gap) http.gap(toServer, gapLength);
      const used = http.data(toServer, chunk);
      if (http.tunnelOpened) this.detectTunnel(st, toServer, chunk.subarray(used));
    } else if (st.proto === P_SMTP) {
      const smtp = st.smtp!;
      if (gap) smtp.gap(toServer, gapLength);
      const used = smtp.data(toServer, chunk);
      // After an accepted STARTTLS the connection speaks TLS, as Suricata's SMTP parser hands it
      // over: its hellos are parsed (tls.sni, ja3) on what follows.
      if (smtp.encrypted) {
        this.startTls(st);
        if (used < chunk.length) st.tls!.data(toServer, chunk.subarray(used));
      }
    } else if (st.proto === P_TLS) {
      if (gap) st.tls!.gap(toServer);
      st.tls!.data(toServer, chunk);
    } else if (st.proto === P_SMB) {
      if (gap) st.smb!.gap(toServer);
      st.smb!.data(toServer, chunk);
    } else if (st.proto === P_FTP) {
      if (gap) st.ftp!.gap(toServer);
      st.ftp!.data(toServer, chunk);
    } else if (st.proto === P_SIP) {
      if (gap) st.sip!.gap(toServer);
      st.sip!.data(toServer, chunk);
    } else if (st.proto === P_DCERPC) {
      if (gap) st.dce!.gap(toServer);
      st.dce!.data(toServer, chunk);
    } else if (st.proto === P_SSH) {
      const ssh = st.ssh!;
      if (gap) ssh.gap(toServer);
      // Past each side's identification line and KEXINIT (then encrypted data) nothing is parsed.
      this.counters.bytesIgnored += chunk.length - ssh.data(toServer, chunk);
      if (ssh.finished) {
        st.ssh = null;
        st.proto = P_NONE;
      }
    } else if (st.proto === P_DNS) {
      this.dnsStream(st, toServer, chunk, gap);
    } else {
      this.detect(st, toServer, chunk, gap, gapLength);
    }
  }

  private detect(st: FlowState, toServer: boolean, chunk: Uint8Array, gap: boolean, gapLength: number): void {
    const d = toServer ? 0 : 1;
    if (st.verdicts[d] === 'none') {
      st.lost[d] = true;
      this.counters.bytesIgnored += chunk.length;
      return;
    }
    if (st.detectBufs === null) {
      const limit = this.config.maxLineBytes + 64;
      st.detectBufs = [new ByteAccumulator(this.budget, limit), new ByteAccumulator(this.budget, limit)];
    }
    const buf = st.detectBufs[d];
    if (gap && buf.length > 0) {
      // Detection needs the stream's start: what came before the hole cannot be trusted.
      st.pending = st.pending.filter((p) => p.toServer !== toServer);
      buf.reset();
      st.lost[d] = true;
    }
    if (gap || st.flow.midstream) st.midstream[d] = true;
    const start = buf.length;
    const kept = buf.append(chunk, 0, chunk.length);
    st.pending.push({ toServer, start, end: start + kept, gap, gapLength });
    let verdict: Verdict;
    // Such a first line is HTTP if the server says so: more client bytes change nothing.
    if (st.verdicts[d] === 'http-if-answered') verdict = 'http-if-answered';
    else if (start >= DETECT_SHORT && kept === chunk.length && chunk.indexOf(LF) < 0) verdict = 'more';
    else if (st.midstream[d]) verdict = detectMidstream(buf.view(), toServer);
    else verdict = toServer ? detectToServer(buf.view()) : detectToClient(buf.view());
    // Out of room while still undecided: give up on this direction.
    if (verdict === 'more' && kept < chunk.length) verdict = 'none';
    // Given up too when the server has already said it is not HTTP, or stays silent too long.
    if (verdict === 'http-if-answered' && (kept < chunk.length || start + kept > ANSWER_WAIT_LIMIT || st.verdicts[1 - d] === 'none')) verdict = 'none';
    st.verdicts[d] = verdict;
    if (verdict === 'http') this.startHttp(st);
    else if (verdict === 'smtp') this.startSmtp(st);
    else if (verdict === 'tls') this.startTls(st);
    else if (verdict === 'ssh') this.startSsh(st, true);
    else if (verdict === 'dcerpc') this.startDcerpc(st, true);
    else if (verdict === 'sip') this.startSip(st, true);
    else if (verdict === 'ftp') this.startFtp(st, true);
    else if (verdict === 'smb') this.startSmb(st, true);
    else if (verdict === 'none') {
      st.pending = st.pending.filter((p) => p.toServer !== toServer);
      buf.reset();
      st.lost[d] = true;
      const other = st.verdicts[1 - d];
      if (other === 'none' || other === 'http-if-answered') {
        st.proto = P_NONE;
        // A tunnel's flow was http until now; Suricata's is "failed" when detection fails there.
        st.flow.appProto = null;
        this.counters.undetectedFlows++;
        this.dropDetection(st);
      }
      return;
    } else {
      return;
    }
    this.replay(st);
    // The part of this chunk that did not fit the detection buffer goes straight to the parser.
    if (kept < chunk.length) this.dispatch(st, toServer, chunk.subarray(kept), false, 0);
  }

  /** Feeds the bytes held during detection to the new parser, in their arrival order. */
  private replay(st: FlowState): void {
    const bufs = st.detectBufs;
    const pending = st.pending;
    st.pending = [];
    st.detectBufs = null;
    const views = bufs === null ? null : [bufs[0].view(), bufs[1].view()];
    const startedLost = [st.lost[0], st.lost[1]];
    for (const p of pending) {
      const d = p.toServer ? 0 : 1;
      const gap = p.gap || startedLost[d]!;
      startedLost[d] = false;
      this.dispatch(st, p.toServer, views![d]!.subarray(p.start, p.end), gap, p.gapLength);
    }
    // A direction that lost bytes and has nothing pending starts with a gap on its next chunk.
    for (let d = 0; d < 2; d++) if (startedLost[d]) this.dispatchGap(st, d === 0);
    bufs?.[0].reset();
    bufs?.[1].reset();
  }

  /**
   * An accepted CONNECT answered the connection's first request: as Suricata 7's HTTP parser asks
   * for a protocol change to "unknown" there, each direction's next bytes are detected afresh and
   * parsed as if the connection started with them (TLS, HTTP, ...). The flow stays http until a
   * protocol is found, as Suricata's does. Those bytes are the client's held since the CONNECT,
   * then the rest of the response chunk; a direction that lost bytes goes on after a gap.
   */
  private detectTunnel(st: FlowState, toServer: boolean, rest: Uint8Array): void {
    const http = st.http!;
    const held = http.takeTunnelStart();
    http.end();
    st.http = null;
    st.proto = P_PENDING;
    for (let d = 0; d < 2; d++) {
      st.verdicts[d] = 'more';
      st.lost[d] = false;
      st.midstream[d] = false;
    }
    for (const part of held.parts) this.dispatch(st, true, part, false, 0);
    if (held.lost) this.dispatch(st, true, NO_BYTES, true, 0);
    if (rest.length > 0) this.dispatch(st, toServer, rest, false, 0);
  }

  private dispatchGap(st: FlowState, toServer: boolean): void {
    if (st.proto === P_HTTP) st.http!.gap(toServer, 0);
    else if (st.proto === P_SMTP) st.smtp!.gap(toServer, 0);
  }

  private dropDetection(st: FlowState): void {
    if (st.detectBufs !== null) {
      st.detectBufs[0].reset();
      st.detectBufs[1].reset();
      st.detectBufs = null;
    }
    st.pending = [];
  }

  private startHttp(st: FlowState): void {
    st.proto = P_HTTP;
    st.flow.appProto = 'http';
    this.counters.httpFlows++;
    const flow = st.flow;
    const ctx: HttpContext = {
      limits: this.httpLimits,
      budget: this.budget,
      stats: this.httpStats,
      anomalies: this.anomalies,
      emit: (tx: HttpTransaction, side: HttpSide): void => {
        try {
          this.sink.httpTransaction?.(flow, tx, side);
        } catch (e) {
          this.sinkError = e;
          throw e;
        }
      },
    };
    st.http = new HttpConnection(ctx);
  }

  /** DNS over TCP (RFC 1035 4.2.2), taken by its server port as Suricata does. */
  private startDns(st: FlowState): void {
    st.proto = P_DNS;
    if (st.flow.appProto === null) {
      st.flow.appProto = 'dns';
      this.dnsStats.tcpFlows++;
    }
    st.dns = [new ByteAccumulator(this.budget, DNS_TCP_MAX + 2), new ByteAccumulator(this.budget, DNS_TCP_MAX + 2)];
  }

  /**
   * Cuts a DNS-over-TCP direction into its length-prefixed messages, each handled as a datagram
   * would be. A gap loses the framing: that direction stops (counted as malformed).
   */
  private dnsStream(st: FlowState, toServer: boolean, chunk: Uint8Array, gap: boolean): void {
    const d = toServer ? 0 : 1;
    const acc = st.dns![d];
    if (st.lost[d]) return;
    if (gap) {
      st.lost[d] = true;
      acc.reset();
      this.dnsStats.malformed++;
      return;
    }
    let i = 0;
    while (i < chunk.length) {
      // The 2-byte length first, then that many bytes of message.
      const need = (acc.length < 2 ? 2 : dnsFrameLength(acc)) - acc.length;
      const take = Math.min(need, chunk.length - i);
      if (acc.append(chunk, i, i + take) < take) {
        st.lost[d] = true;
        acc.reset();
        this.dnsStats.malformed++;
        return;
      }
      i += take;
      if (acc.length >= 2 && acc.length === dnsFrameLength(acc)) {
        const message = acc.view().subarray(2);
        this.dnsMessage(st.flow, toServer, message);
        acc.reset();
      }
    }
  }

  private startTls(st: FlowState): void {
    st.proto = P_TLS;
    st.flow.appProto = 'tls';
    const flow = st.flow;
    st.tls = new TlsSession({
      stats: this.tlsStats,
      budget: this.budget,
      emit: (hello) => this.deliver(this.sink.tlsHello, flow, hello),
      version: (client, v): void => {
        if (client) flow.tlsClientVersion = v;
        else flow.tlsServerVersion = v;
      },
      handshake: (client, type): void => {
        // As Snort: a message counts only from the side that sends it.
        const flag =
          client ? (type === HS_CLIENT_HELLO ? SSL_CLIENT_HELLO : type === HS_CLIENT_KEY_EXCHANGE ? SSL_CLIENT_KEYX : 0)
          : type === HS_SERVER_HELLO ? SSL_SERVER_HELLO : type === HS_SERVER_KEY_EXCHANGE ? SSL_SERVER_KEYX : 0;
        if (flag !== 0) flow.sslState = (flow.sslState ?? 0) | (client ? flag : flag << 8);
      },
      versionSeen: (v): void => {
        flow.sslVersions = (flow.sslVersions ?? 0) | sslVersionFlag(v);
      },
      undecodable: (client): void => {
        flow.sslState = (flow.sslState ?? 0) | (client ? SSL_UNKNOWN : SSL_UNKNOWN << 8);
      },
    });
  }

  /** The flow is `name`, read by the parser of `proto`; counted when content (not a port) said so. */
  private label(st: FlowState, proto: number, name: LabelledProtocol, detected: boolean): void {
    st.proto = proto;
    st.flow.appProto = name;
    if (detected) this.counters.labelledFlows[name]++;
  }

  /** SMB: the client's writes to named pipes are read as DCE/RPC; the rest is left to the rules. */
  private startSmb(st: FlowState, detected: boolean): void {
    this.label(st, P_SMB, 'smb', detected);
    const flow = st.flow;
    st.smb = new SmbSession({ stats: this.dcerpcStats, budget: this.budget, emit: (req) => this.emitDce(flow, req) }, this.budget);
  }

  /** FTP control: read for the data connections it announces (ftp-data), its bytes left to the rules. */
  private startFtp(st: FlowState, detected: boolean): void {
    this.label(st, P_FTP, 'ftp', detected);
    const serverIp = st.flow.serverIp;
    st.ftp = new FtpControl({ expect: (ip, port) => this.expectFtpData(ip, port) }, serverIp === undefined || serverIp.length === 0 ? '' : addressKey(serverIp));
  }

  private expectFtpData(ip: string, port: number): void {
    const key = `${ip} ${port}`;
    const expected = this.ftpExpected;
    expected.delete(key);
    const old = this.oldestExpected.fullAt(MAX_FTP_EXPECTED);
    if (old !== undefined) expected.delete(old);
    expected.add(key);
  }

  /** A new flow whose server side an FTP control connection announced (each announcement serves once). */
  private isExpectedFtpData(flow: FlowView): boolean {
    if (this.ftpExpected.size === 0 || flow.serverIp === undefined || flow.serverPort === undefined) return false;
    return this.ftpExpected.delete(`${addressKey(flow.serverIp)} ${flow.serverPort}`);
  }

  /** SIP over TCP: messages cut by their headers and Content-Length. */
  private startSip(st: FlowState, detected: boolean): void {
    st.proto = P_SIP;
    st.flow.appProto = 'sip';
    if (detected) this.sipTcpFlows++;
    const flow = st.flow;
    st.sip = new SipSession({ stats: this.sipStats, budget: this.budget, emit: (m) => this.emitSip(flow, m) });
  }

  private emitSip(flow: FlowView, m: SipMessage): void {
    this.deliver(this.sink.sipMessage, flow, m);
  }

  /**
   * Hands a unit to the sink. An exception the sink throws is remembered, so the flow boundary
   * re-throws it instead of counting it as a parser failure.
   */
  private deliver<U>(to: ((flow: FlowView, unit: U) => void) | undefined, flow: FlowView, unit: U): void {
    if (to === undefined) return;
    try {
      to.call(this.sink, flow, unit);
    } catch (e) {
      this.sinkError = e;
      throw e;
    }
  }

  /** The next transaction id of a UDP flow's requests (`ids` holds at most maxFlows flows, oldest dropped first). */
  private nextUdpTx(ids: Map<number, number>, oldest: OldestFirst<number>, flow: FlowView): number {
    const tx = ids.get(flow.id) ?? 0;
    if (!ids.has(flow.id)) {
      const old = oldest.fullAt(this.config.maxFlows);
      if (old !== undefined) ids.delete(old);
    }
    ids.set(flow.id, tx + 1);
    return tx;
  }

  /** A UDP datagram holding a SIP message, on any port: the flow becomes sip. False when it is not one. */
  private sipDatagram(flow: FlowView, toServer: boolean, payload: Uint8Array): boolean {
    const m = parseSipDatagram(payload, this.sipUdpTx.get(flow.id) ?? 0, toServer);
    if (m === null) {
      if (flow.appProto === 'sip') this.sipStats.malformed++;
      return false;
    }
    if (flow.appProto === null) {
      flow.appProto = 'sip';
      this.sipUdpFlows++;
    }
    this.nextUdpTx(this.sipUdpTx, this.oldestSipUdp, flow);
    if (m.method !== null) this.sipStats.requests++;
    else this.sipStats.responses++;
    this.emitSip(flow, m);
    return true;
  }

  /** DCE/RPC over TCP: binds and requests are parsed (dce_iface, dce_opnum, dce_stub_data). */
  private startDcerpc(st: FlowState, detected: boolean): void {
    this.label(st, P_DCERPC, 'dcerpc', detected);
    const flow = st.flow;
    st.dce = new DcerpcSession({ stats: this.dcerpcStats, budget: this.budget, emit: (req) => this.emitDce(flow, req) });
  }

  private emitDce(flow: FlowView, req: DceRequest): void {
    this.deliver(this.sink.dceRequest, flow, req);
  }

  /**
   * A UDP datagram that may be a connectionless DCE/RPC request (version 4, type request, a
   * body length that fits): the flow becomes dcerpc and the request is handed over. False when
   * it is not one.
   */
  private dceDatagram(flow: FlowView, payload: Uint8Array): boolean {
    const req = parseDatagramRequest(payload, this.dceUdpTx.get(flow.id) ?? 0);
    if (req === null) {
      if (flow.appProto === 'dcerpc') this.dcerpcStats.malformed++;
      return false;
    }
    if (flow.appProto === null) {
      flow.appProto = 'dcerpc';
      this.dcerpcUdpFlows++;
    }
    this.nextUdpTx(this.dceUdpTx, this.oldestDceUdp, flow);
    this.dcerpcStats.requests++;
    this.emitDce(flow, req);
    return true;
  }

  /** SSH: each side's identification line (ssh.proto, ssh.software) and KEXINIT (ssh.hassh*) are parsed; the encrypted rest is not. */
  private startSsh(st: FlowState, detected: boolean): void {
    this.label(st, P_SSH, 'ssh', detected);
    const flow = st.flow;
    st.ssh = new SshSession({ stats: this.sshStats, emit: (unit: SshBanner | SshKexInit) => this.deliver(this.sink.sshBanner, flow, unit) });
  }

  private startSmtp(st: FlowState): void {
    st.proto = P_SMTP;
    st.flow.appProto = 'smtp';
    this.counters.smtpFlows++;
    const flow = st.flow;
    const ctx: SmtpContext = {
      limits: this.smtpLimits,
      budget: this.budget,
      stats: this.smtpStats,
      anomalies: this.anomalies,
      emit: (unit: SmtpUnit, phase: SmtpPhase): void => {
        try {
          this.sink.smtpUnit?.(flow, unit, phase);
        } catch (e) {
          this.sinkError = e;
          throw e;
        }
      },
    };
    st.smtp = new SmtpSession(ctx);
  }

  private parserFailed(st: FlowState): void {
    this.counters.parserErrors++;
    st.http = null;
    st.smtp = null;
    this.dropDetection(st);
    st.proto = P_NONE;
  }
}

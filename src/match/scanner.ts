/**
 * The scan pipeline: capture frames -> decode -> flows and reassembly -> HTTP/SMTP -> detection,
 * and log records -> detection. One Scanner serves a whole run: each input gets fresh flow,
 * stream and application state (flows never span files), while the rule set, thresholds,
 * flowbit-free state and counters carry over.
 */
import { AppLayer, type AppLayerConfig, type AppLayerStats } from '../app/app-layer.js';
import { decodeFrame } from '../decode/decode-frame.js';
import { decodeTunnel, MAX_TUNNEL_LAYERS, mayCarryTunnel } from '../decode/tunnel.js';
import { decodeIpDatagram } from '../decode/ip.js';
import { readCaptureFile, readCaptureStream, type CaptureReadResult } from '../decode/capture-reader.js';
import { DecodeStats } from '../decode/stats.js';
import type { RawFrame } from '../decode/raw-frame.js';
import { readLogFile, readLogStream, logStatsCounters, mergeLogStats, emptyLogStats, LogReadError, type LogParseOptions, type LogStats } from '../logs/index.js';
import type { LogRecord } from '../logs/record.js';
import { StreamEngine, streamCounters, createStreamStats, type StreamOptions, type StreamSink, type StreamStats, type FlowIdCounter } from '../stream/index.js';
import type { Alert } from '../types/alert.js';
import type { AppSink, DnsQueryView, HttpSide, HttpTxView, SmtpPhase, SmtpUnitView, DceRequestView, SipMessageView, SshBannerView, TlsHelloView } from '../types/app.js';
import type { FlowView } from '../types/flow.js';
import type { DecodedPacket } from '../types/packet.js';
import type { CompiledRule } from './compile.js';
import { DetectionEngine, type EngineOptions } from './engine.js';
import type { Ruleset } from './ruleset.js';

export interface ScannerOptions {
  engine?: EngineOptions;
  stream?: StreamOptions;
  app?: Partial<AppLayerConfig>;
  /** Every decoded packet, after detection saw it (the correlator's scan detector listens here). */
  onPacket?: (pkt: DecodedPacket) => void;
  /** Every log record, after detection saw it (firewall records feed the scan detector too). */
  onRecord?: (r: LogRecord) => void;
  /** Bytes of the current capture read so far (for progress display). */
  onProgress?: (bytesRead: number) => void;
}

/** The result of one input. */
export interface InputResult {
  input: string;
  kind: 'capture' | 'log';
  /** Set when the input could not be read at all, or stopped early (truncation, corruption). */
  error?: string;
  /** Nothing of the input was usable (could not be opened, or not a capture). */
  unreadable: boolean;
  frames: number;
  records: number;
  bytes: number;
  /** Frames of a capture recorded shorter than they were on the wire (see DecodeStats.cutShort). */
  framesCutShort?: number;
  /** Frames of a capture skipped for their link type, by link type (see DecodeStats.unsupportedLinkTypes). */
  unsupportedLinkTypes?: ReadonlyMap<number, number>;
}

export class Scanner {
  readonly decodeStats = new DecodeStats();
  readonly engine: DetectionEngine;
  private readonly streamStats: StreamStats = createStreamStats();
  private readonly appTotals = new Map<string, number>();
  private logStats: LogStats = emptyLogStats();
  /** Latest packet or record time seen (the stats record's timestamp). */
  lastTsUs = 0;
  private captures = 0;
  private logs = 0;
  /** One flow id sequence for every capture of the run: a flow_id names one flow in all the output. */
  private readonly flowIds: FlowIdCounter = { next: 1 };

  constructor(
    readonly ruleset: Ruleset,
    onAlert: (alert: Alert, rule: CompiledRule) => void,
    private readonly options: ScannerOptions = {},
  ) {
    this.engine = new DetectionEngine(ruleset, onAlert, options.engine);
  }

  /** Scans a capture file (synchronously; the reader streams it in constant memory). */
  scanCaptureFile(path: string): InputResult {
    const run = this.startCapture();
    const result = readCaptureFile(path, run.onFrame);
    return run.finish(path, result);
  }

  /** Scans a capture from a stream (stdin). */
  async scanCaptureStream(input: AsyncIterable<Uint8Array>, name: string): Promise<InputResult> {
    const run = this.startCapture();
    const result = await readCaptureStream(input, run.onFrame, { name });
    return run.finish(name, result);
  }

  async scanLogFile(path: string, options: LogParseOptions = {}): Promise<InputResult> {
    return this.scanLog(path, (onRecord) => readLogFile(path, options, onRecord));
  }

  async scanLogStream(input: AsyncIterable<Uint8Array | string>, name: string, options: LogParseOptions = {}): Promise<InputResult> {
    return this.scanLog(name, (onRecord) => readLogStream(input, { file: name, ...options }, onRecord));
  }

  /**
   * Counters for the closing stats record: Suricata's groups (decoder, flow, tcp, defrag, detect,
   * app_layer) hold only counters Suricata has, with its meaning; kanshi's own are under `kanshi`.
   */
  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    Object.assign(out, this.decodeStats.toSuricataStats());
    Object.assign(out, streamCounters(this.streamStats));
    for (const [k, v] of this.appTotals) out[k] = v;
    if (this.logs > 0) Object.assign(out, logStatsCounters(this.logStats));
    const c = this.engine.counters;
    out['detect.alert'] = c.alerts;
    // Suricata's alerts_suppressed: matches kept from output by the rules' thresholds or noalert
    // (a --policy suppress acts later, in correlation, and counts as correlate.suppressed).
    out['detect.alerts_suppressed'] = c.thresholded + c.noalert;
    // Suricata reports rule counts per engine (detect.engines[]), not as counters.
    out['kanshi.detect.rules_loaded'] = this.ruleset.rules.length;
    out['kanshi.detect.rules_skipped_compile'] = this.ruleset.skipped.length;
    out['kanshi.detect.rules_evaluated'] = c.evaluated;
    for (const [kind, n] of Object.entries(c.inspections)) out[`kanshi.detect.inspect.${kind}`] = n;
    out['kanshi.detect.pcre_limit'] = c.pcreLimit;
    out['kanshi.detect.inspection_limit'] = c.stepLimit;
    out['kanshi.detect.thresholded'] = c.thresholded;
    out['kanshi.detect.threshold_evictions'] = c.thresholdEvictions;
    out['kanshi.detect.xbits_evictions'] = c.xbitsEvictions;
    out['kanshi.detect.noalert'] = c.noalert;
    out['kanshi.detect.flows_passed'] = c.flowsPassed;
    out['kanshi.detect.flow_states_evicted'] = c.flowStatesEvicted;
    out['kanshi.detect.stream_windows_without_tail'] = c.windowsWithoutTail;
    out['kanshi.inputs.captures'] = this.captures;
    out['kanshi.inputs.logs'] = this.logs;
    return out;
  }

  private startCapture(): { onFrame: (f: RawFrame) => void; finish: (name: string, r: CaptureReadResult) => InputResult } {
    this.captures++;
    const decodeStats = new DecodeStats();
    const engine = this.engine;
    const stream = new StreamEngine((bytes, base) => decodeIpDatagram(bytes, base, decodeStats), this.options.stream, this.flowIds);
    const appSink: AppSink = {
      httpTransaction: (flow: FlowView, tx: HttpTxView, phase: HttpSide) => engine.onHttp(flow, tx, phase),
      smtpUnit: (flow: FlowView, unit: SmtpUnitView, phase: SmtpPhase) => engine.onSmtp(flow, unit, phase),
      dnsQuery: (flow: FlowView, query: DnsQueryView) => engine.onDns(flow, query),
      tlsHello: (flow: FlowView, hello: TlsHelloView) => engine.onTls(flow, hello),
      sshBanner: (flow: FlowView, banner: SshBannerView) => engine.onSsh(flow, banner),
      dceRequest: (flow: FlowView, request: DceRequestView) => engine.onDce(flow, request),
      sipMessage: (flow: FlowView, message: SipMessageView) => engine.onSip(flow, message),
    };
    const app = new AppLayer(appSink, this.options.app);
    // Packets found inside tunnels while their outer packet was processed, with their tunnel
    // layer; they are processed after it, in the order found (nested ones after their carrier).
    const tunneled: DecodedPacket[] = [];
    const tunnelLayers: number[] = [];
    let layer = 0;
    const sink: StreamSink = {
      // Defragmentation and stream events join the packet's decoder events, for decode-event and
      // stream-event rules (they come before the packet reaches detection).
      event: (kind, pkt) => {
        if (pkt !== null) (pkt.events ??= []).push(kind);
      },
      packet: (pkt, flow) => {
        if (mayCarryTunnel(pkt)) {
          if (layer >= MAX_TUNNEL_LAYERS) decodeStats.event('too_many_layers');
          else {
            const inner = decodeTunnel(pkt, decodeStats);
            if (inner !== null) {
              tunneled.push(inner);
              tunnelLayers.push(layer + 1);
            }
          }
        }
        engine.onPacket(pkt, flow);
        const udp = pkt.udp;
        if (udp !== undefined && flow !== null && pkt.payload.length > 0) app.datagram(flow, flow.toServer, pkt.payload, flow.toServer ? udp.dstPort : udp.srcPort);
      },
      streamData: (flow, toServer, chunk, offset, gap) => {
        app.streamData(flow, toServer, chunk, offset, gap);
        engine.onStreamData(flow, toServer, chunk, offset, gap);
      },
      flowEnd: (flow) => {
        app.flowEnd(flow);
        engine.onFlowEnd(flow);
      },
    };
    const onPacket = this.options.onPacket;
    const onProgress = this.options.onProgress;
    let bytesRead = 0;
    let nextProgress = 0;
    /** One packet (a frame's, or one found inside a tunnel) through the pipeline. */
    const runPacket = (pkt: DecodedPacket): void => {
      engine.beginPacket(pkt);
      stream.process(pkt, sink);
      engine.endPacket();
      if (onPacket !== undefined) onPacket(pkt);
    };
    const onFrame = (frame: RawFrame): void => {
      if (onProgress !== undefined) {
        bytesRead += frame.data.length + 16;
        if (bytesRead >= nextProgress) {
          onProgress(bytesRead);
          nextProgress = bytesRead + (1 << 20);
        }
      }
      const pkt = decodeFrame(frame.linkType, frame, decodeStats);
      if (pkt === null) return;
      if (pkt.tsUs > this.lastTsUs) this.lastTsUs = pkt.tsUs;
      runPacket(pkt);
      if (tunneled.length > 0) {
        // Grows while it runs when tunnels nest.
        for (let i = 0; i < tunneled.length; i++) {
          layer = tunnelLayers[i]!;
          runPacket(tunneled[i]!);
        }
        tunneled.length = 0;
        tunnelLayers.length = 0;
        layer = 0;
      }
    };
    const finish = (name: string, r: CaptureReadResult): InputResult => {
      stream.flush(sink);
      app.flushAll();
      engine.endInput();
      this.decodeStats.merge(decodeStats);
      addStream(this.streamStats, stream.stats);
      addApp(this.appTotals, app.stats);
      const unreadable = r.format === null && r.frames === 0;
      const out: InputResult = { input: name, kind: 'capture', unreadable, frames: r.frames, records: 0, bytes: r.fileBytes, framesCutShort: decodeStats.cutShort };
      if (decodeStats.unsupportedLinkTypes.size > 0) out.unsupportedLinkTypes = decodeStats.unsupportedLinkTypes;
      if (r.error !== undefined) out.error = r.error.message;
      else if (r.format === null) out.error = `${name}: not a pcap or pcapng capture`;
      return out;
    };
    return { onFrame, finish };
  }

  private async scanLog(name: string, read: (onRecord: (r: LogRecord) => void) => Promise<LogStats>): Promise<InputResult> {
    this.logs++;
    const engine = this.engine;
    let records = 0;
    const listener = this.options.onRecord;
    const onRecord = (r: LogRecord): void => {
      records++;
      if (r.tsUs > this.lastTsUs) this.lastTsUs = r.tsUs;
      engine.onRecord(r);
      if (listener !== undefined) listener(r);
    };
    try {
      const stats = await read(onRecord);
      this.logStats = mergeLogStats(this.logStats, stats);
      return { input: name, kind: 'log', unreadable: false, frames: 0, records, bytes: stats.bytes };
    } catch (e) {
      // What was read before the failure is counted like a complete file's records.
      const partial = e instanceof LogReadError ? e.stats : undefined;
      if (partial !== undefined) this.logStats = mergeLogStats(this.logStats, partial);
      return { input: name, kind: 'log', unreadable: records === 0, error: `${name}: ${(e as Error).message}`, frames: 0, records, bytes: partial?.bytes ?? 0 };
    }
  }
}

function addStream(total: StreamStats, s: StreamStats): void {
  for (const k of Object.keys(s) as (keyof StreamStats)[]) {
    const v = s[k];
    if (typeof v === 'number') (total[k] as number) = ((total[k] as number) ?? 0) + v;
  }
}

function addApp(total: Map<string, number>, s: AppLayerStats): void {
  const add = (k: string, v: number): void => {
    total.set(k, (total.get(k) ?? 0) + v);
  };
  add('app_layer.flow.http', s.httpFlows);
  add('app_layer.flow.smtp', s.smtpFlows);
  add('app_layer.flow.dns_udp', s.dns.flows);
  add('app_layer.flow.dns_tcp', s.dns.tcpFlows);
  add('app_layer.tx.dns_udp', s.dns.requests);
  add('app_layer.flow.tls', s.tls.flows);
  add('app_layer.tx.http', s.http.transactions);
  add('app_layer.flow.failed_tcp', s.undetectedFlows);
  // Suricata counts DCE/RPC over TCP as dcerpc_tcp.
  for (const [proto, n] of Object.entries(s.labelledFlows)) add(`app_layer.flow.${proto === 'dcerpc' ? 'dcerpc_tcp' : proto}`, n);
  for (const [k, v] of Object.entries(s)) {
    if (typeof v === 'number' && k !== 'memoryInUse') add(`kanshi.app.${snake(k)}`, v);
  }
  for (const [k, v] of Object.entries(s.http)) add(`kanshi.app.http.${snake(k)}`, v);
  for (const [k, v] of Object.entries(s.smtp)) if (typeof v === 'number') add(`kanshi.app.smtp.${snake(k)}`, v);
  for (const [k, v] of Object.entries(s.dns)) add(`kanshi.app.dns.${snake(k)}`, v);
  for (const [k, v] of Object.entries(s.tls)) add(`kanshi.app.tls.${snake(k)}`, v);
  for (const [k, v] of Object.entries(s.ssh)) add(`kanshi.app.ssh.${snake(k)}`, v);
  for (const [k, v] of Object.entries(s.dcerpc)) add(`kanshi.app.dcerpc.${snake(k)}`, v);
  add('app_layer.flow.dcerpc_udp', s.dcerpcUdpFlows);
  add('app_layer.flow.sip', s.sipTcpFlows + s.sipUdpFlows);
  add('app_layer.flow.ftp-data', s.ftpDataFlows);
  for (const [k, v] of Object.entries(s.anomalies)) add(`kanshi.app.anomaly.${k}`, v);
  for (const [k, v] of Object.entries(s.sip)) add(`kanshi.app.sip.${snake(k)}`, v);
}

function snake(k: string): string {
  return k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

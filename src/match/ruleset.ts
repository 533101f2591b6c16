/**
 * A compiled rule set, grouped for inspection: built once (load + compile), then shared by every
 * input of a run. Everything here is immutable after construction, except prefilters that groups
 * build on first use.
 */
import type { Rule } from '../rule/ast.js';
import { compileRules, P_ICMP4, P_ICMP6, P_OTHER, P_TCP, P_UDP, DIR_TO_CLIENT, DIR_TO_SERVER, type CompiledRule, type CompileOptions, type DerivedBuffer, type SkippedRule } from './compile.js';
import { GroupSet } from './groups.js';
import type { FlowbitsValue } from '../options/non-payload/flowbits.js';
import { FACT_DECODE_EVENTS } from '../options/matcher.js';

/** Transport classes, as indexes of the packet channel's group sets. */
export const CLASS_TCP = 0;
export const CLASS_UDP = 1;
export const CLASS_ICMP4 = 2;
export const CLASS_ICMP6 = 3;
export const CLASS_OTHER = 4;
const CLASS_BITS = [P_TCP, P_UDP, P_ICMP4, P_ICMP6, P_OTHER];

/** One group set per direction: [to_server, to_client]. */
export type DirectedGroups = readonly [GroupSet, GroupSet];

function directed(): [GroupSet, GroupSet] {
  return [new GroupSet(), new GroupSet()];
}

function addDirected(g: DirectedGroups, r: CompiledRule): void {
  if (r.flowDir !== DIR_TO_CLIENT) g[0].add(r);
  if (r.flowDir !== DIR_TO_SERVER) g[1].add(r);
}

function addFlowbitGroups(groups: Map<string, Set<string>>, flowbits: readonly FlowbitsValue[]): void {
  for (let i = 0; i < flowbits.length; i++) {
    const fb = flowbits[i]!;
    if (fb.group === undefined) continue;
    let set = groups.get(fb.group);
    if (set === undefined) groups.set(fb.group, (set = new Set()));
    for (const n of fb.names) set.add(n);
  }
}

export class Ruleset {
  readonly rules: readonly CompiledRule[];
  readonly skipped: readonly SkippedRule[];
  /** Packets, by transport class: header rules, and payload rules that inspect packets. */
  readonly packet: readonly DirectedGroups[];
  /** Reassembled TCP data: pkt_data payload rules. */
  readonly stream: DirectedGroups;
  /**
   * The stream rules positioned from a buffer start (offset, depth, startswith): also run on a
   * segment whose data did not begin a stream chunk (DecodedPacket.streamDisplaced), as Suricata
   * runs rules with depth or offset on the packet as well as on the stream.
   */
  readonly streamAnchored: DirectedGroups;
  readonly httpRequest: GroupSet;
  readonly httpResponse: GroupSet;
  readonly smtpCommand: GroupSet;
  readonly smtpMessage: GroupSet;
  /** DNS request questions. */
  readonly dns: GroupSet;
  /** TLS ClientHellos and ServerHellos. */
  readonly tlsClient: GroupSet;
  readonly tlsServer: GroupSet;
  /** SSH identification lines, the client's and the server's. */
  readonly ssh: GroupSet;
  /** DCE/RPC requests. */
  readonly dcerpc: GroupSet;
  /** SIP messages. */
  readonly sip: GroupSet;
  /** Log records: every rule, one group. */
  readonly record: GroupSet;
  /** Buffers rules inspect through transforms, by name (`dns.query|dotprefix`). */
  readonly derived: ReadonlyMap<string, DerivedBuffer>;
  /** Flowbit group name -> bit names (Snort's setx and reset). */
  readonly flowbitGroups: ReadonlyMap<string, readonly string[]>;
  readonly maxVariables: number;
  /**
   * Header rules that test decoder events with `any` addresses and ports: the ones a packet whose
   * IP layer failed to decode (no addresses) can still match, in rule order.
   */
  readonly decodeEventRules: readonly CompiledRule[];
  /** The FACT_* bits some rule's conditions read: facts no rule reads need not be gathered. */
  readonly neededFacts: number;

  constructor(rules: readonly Rule[], options: CompileOptions = {}) {
    const { rules: compiled, skipped } = compileRules(rules, options);
    this.rules = compiled;
    this.skipped = skipped;
    const packet = CLASS_BITS.map(() => directed());
    const stream = directed();
    const streamAnchored = directed();
    this.httpRequest = new GroupSet();
    this.httpResponse = new GroupSet();
    this.smtpCommand = new GroupSet();
    this.smtpMessage = new GroupSet();
    this.dns = new GroupSet();
    this.tlsClient = new GroupSet();
    this.tlsServer = new GroupSet();
    this.ssh = new GroupSet();
    this.dcerpc = new GroupSet();
    this.sip = new GroupSet();
    this.record = new GroupSet();
    const groups = new Map<string, Set<string>>();
    let maxVariables = 0;
    const derived = new Map<string, DerivedBuffer>();
    for (let i = 0; i < compiled.length; i++) {
      const r = compiled[i]!;
      maxVariables = Math.max(maxVariables, r.variableCount);
      for (const d of r.derivedBuffers) if (!derived.has(d.name)) derived.set(d.name, d);
      addFlowbitGroups(groups, r.flowbitActions);
      addFlowbitGroups(groups, r.flowbitChecks);
      this.record.generic.add(r);
      switch (r.kind) {
        case 'header':
          for (let c = 0; c < CLASS_BITS.length; c++) {
            if (r.protoMask & CLASS_BITS[c]!) addDirected(packet[c]!, r);
          }
          break;
        case 'payload':
          for (let c = 0; c < CLASS_BITS.length; c++) {
            if ((r.protoMask & CLASS_BITS[c]!) === 0) continue;
            // TCP payload is inspected on the stream, unless the rule needs the packet itself.
            if (c === CLASS_TCP && !r.requiresPacket) {
              addDirected(stream, r);
              if (r.programs.some((p) => p.buffer === 'pkt_data' && p.anchored)) addDirected(streamAnchored, r);
            }
            else if (!(c === CLASS_TCP && r.streamOnly)) addDirected(packet[c]!, r);
          }
          break;
        case 'http':
          if (r.httpPhases !== 'response') this.httpRequest.add(r);
          if (r.httpPhases !== 'request') this.httpResponse.add(r);
          break;
        case 'smtp':
          (r.smtpMessage ? this.smtpMessage : this.smtpCommand).add(r);
          break;
        case 'dns':
          this.dns.add(r);
          break;
        case 'tls':
          (r.tlsServer ? this.tlsServer : this.tlsClient).add(r);
          break;
        case 'ssh':
          this.ssh.add(r);
          break;
        case 'dcerpc':
          this.dcerpc.add(r);
          break;
        case 'sip':
          this.sip.add(r);
          break;
        case 'log':
          break;
      }
    }
    this.derived = derived;
    this.packet = packet;
    this.stream = stream;
    this.streamAnchored = streamAnchored;
    this.decodeEventRules = compiled.filter(
      (r) => r.kind === 'header' && (r.needs & FACT_DECODE_EVENTS) !== 0 && r.src.isAny && r.dst.isAny && r.srcPort.isAny && r.dstPort.isAny,
    );
    this.flowbitGroups = new Map([...groups].map(([g, s]) => [g, [...s]]));
    this.neededFacts = compiled.reduce((m, r) => m | r.needs, 0);
    this.maxVariables = maxVariables;
  }
}

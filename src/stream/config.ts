/**
 * Stream-stage settings with their defaults. All durations are seconds of packet time;
 * all sizes are bytes. Defaults follow Suricata's where it has the setting.
 */
import type { DefragPolicy } from './defrag-policy.js';
import type { TcpOverlapPolicy } from './tcp-reassembly.js';

export interface StateTimeouts {
  /** Before the flow is established (TCP handshake incomplete, or traffic seen one way only). */
  new: number;
  established: number;
  /**
   * TCP only: after both FINs or a RST. The flow's buffers are freed at the close already; this
   * is how long its small record stays to recognise late packets (retransmissions, last ACKs).
   */
  closed: number;
}

export interface FlowConfig {
  /** Hard bound on flows in the table; creating one more evicts an old one. */
  maxFlows: number;
  /** Per-protocol timeouts (Suricata's flow-timeouts defaults). */
  timeouts: { tcp: StateTimeouts; udp: StateTimeouts; icmp: StateTimeouts; other: StateTimeouts };
  /** VLAN ids are part of the flow key (Suricata's vlan.use-for-tracking). */
  vlanTracking: boolean;
}

/**
 * Which TCP checksums the stream stage verifies (Suricata's -k / checksum-checks): `all` leaves
 * every segment with a wrong checksum out of the session and its stream, as the receiver drops
 * it; `none` trusts them all; `auto` (default) does so too, except for segments that look
 * offloaded. A capture taken on a host whose NIC computes checksums shows what that host sent
 * with a wrong one: the field holds the pseudo-header sum the NIC was to complete (or 0), or the
 * direction never sent a right checksum at all. An attacker's own segments must carry right
 * checksums to be received, so a different wrong one from them is an insertion.
 */
export type ChecksumMode = 'auto' | 'all' | 'none';

export interface TcpConfig {
  /** Which segments' checksums are verified (see ChecksumMode). */
  checksum: ChecksumMode;
  /** Which bytes win where not-yet-delivered segments overlap. */
  policy: TcpOverlapPolicy;
  /** Pick up sessions whose handshake was not captured (flagged `midstream`). */
  midstream: boolean;
  /** Out-of-order bytes one direction may buffer before its first hole is declared a gap. */
  maxBufferedPerDirection: number;
  /** Out-of-order segments one direction may buffer before its first hole is declared a gap. */
  maxSegmentsPerDirection: number;
  /** Out-of-order bytes all flows together may buffer. */
  memcap: number;
  /** A hole still open this long after data beyond it arrived is declared a gap (0: never by time). */
  gapTimeout: number;
  /** Segments starting further than this beyond the delivery point are ignored as out of window. */
  maxSeqAhead: number;
  /**
   * Bytes of delivered data kept per direction to check retransmissions for different data
   * (0: off). Costs a copy of each delivered segment into a per-direction buffer; turn off for
   * the last bit of throughput when that anomaly is not wanted.
   */
  retainBytes: number;
  /** Bound on all retained bytes together (each direction with data holds 2 x retainBytes). */
  retainMemcap: number;
  /** Stop delivering a direction's data after this many bytes (0: unlimited). */
  depth: number;
}

export interface DefragConfig {
  policy: DefragPolicy;
  /** A datagram that receives no fragment for this long (from its last one's whole second) is dropped. */
  timeout: number;
  maxTrackers: number;
  /** Fragment bytes all trackers together may hold. */
  maxBytes: number;
  /**
   * Fragments all trackers together may hold (Suricata's defrag.max-frags); a fragment arriving
   * when they are all in use is ignored. There is no per-datagram limit, as in Suricata.
   */
  maxFrags: number;
}

export interface StreamConfig {
  flow: FlowConfig;
  tcp: TcpConfig;
  defrag: DefragConfig;
  /** Pass each fragment to the sink as a packet of its own (as Snort and Suricata inspect fragment headers). */
  inspectFragments: boolean;
}

export interface StreamOptions {
  flow?: Partial<Omit<FlowConfig, 'timeouts'>> & {
    timeouts?: Partial<{ [P in keyof FlowConfig['timeouts']]: Partial<StateTimeouts> }>;
  };
  tcp?: Partial<TcpConfig>;
  defrag?: Partial<DefragConfig>;
  inspectFragments?: boolean;
}

export function defaultStreamConfig(): StreamConfig {
  return {
    flow: {
      maxFlows: 65536,
      timeouts: {
        // closed: Suricata's built-in TCP default (its example yaml raises it to 60 s).
        tcp: { new: 60, established: 600, closed: 10 },
        udp: { new: 30, established: 300, closed: 30 },
        icmp: { new: 30, established: 300, closed: 30 },
        other: { new: 30, established: 300, closed: 30 },
      },
      vlanTracking: true,
    },
    tcp: {
      checksum: 'auto',
      policy: 'bsd',
      midstream: true,
      maxBufferedPerDirection: 1 << 20,
      maxSegmentsPerDirection: 16384,
      memcap: 128 << 20,
      gapTimeout: 10,
      maxSeqAhead: 1 << 26,
      retainBytes: 2048,
      retainMemcap: 64 << 20,
      depth: 0,
    },
    defrag: {
      policy: 'bsd',
      timeout: 60,
      maxTrackers: 65535,
      maxBytes: 32 << 20,
      maxFrags: 65535,
    },
    inspectFragments: true,
  };
}

export function resolveStreamConfig(options: StreamOptions = {}): StreamConfig {
  const c = defaultStreamConfig();
  const { timeouts, ...flowRest } = options.flow ?? {};
  Object.assign(c.flow, flowRest);
  if (timeouts) {
    for (const proto of ['tcp', 'udp', 'icmp', 'other'] as const) {
      Object.assign(c.flow.timeouts[proto], timeouts[proto] ?? {});
    }
  }
  Object.assign(c.tcp, options.tcp ?? {});
  Object.assign(c.defrag, options.defrag ?? {});
  if (options.inspectFragments !== undefined) c.inspectFragments = options.inspectFragments;
  validate(c);
  return c;
}

function validate(c: StreamConfig): void {
  const positive: [string, number][] = [
    ['flow.maxFlows', c.flow.maxFlows],
    ['tcp.maxBufferedPerDirection', c.tcp.maxBufferedPerDirection],
    ['tcp.maxSegmentsPerDirection', c.tcp.maxSegmentsPerDirection],
    ['tcp.memcap', c.tcp.memcap],
    ['tcp.maxSeqAhead', c.tcp.maxSeqAhead],
    ['defrag.timeout', c.defrag.timeout],
    ['defrag.maxTrackers', c.defrag.maxTrackers],
    ['defrag.maxBytes', c.defrag.maxBytes],
    ['defrag.maxFrags', c.defrag.maxFrags],
  ];
  for (const [name, v] of positive) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`stream setting ${name} must be a positive number, got ${v}`);
  }
  const nonNegative: [string, number][] = [
    ['tcp.gapTimeout', c.tcp.gapTimeout],
    ['tcp.retainBytes', c.tcp.retainBytes],
    ['tcp.retainMemcap', c.tcp.retainMemcap],
    ['tcp.depth', c.tcp.depth],
  ];
  for (const [name, v] of nonNegative) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`stream setting ${name} must be zero or more, got ${v}`);
  }
  if (c.tcp.maxSeqAhead > 0x7fffffff) throw new RangeError('stream setting tcp.maxSeqAhead must be below 2^31');
  for (const proto of ['tcp', 'udp', 'icmp', 'other'] as const) {
    for (const state of ['new', 'established', 'closed'] as const) {
      const v = c.flow.timeouts[proto][state];
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`flow timeout ${proto}.${state} must be zero or more, got ${v}`);
    }
  }
  if (c.tcp.checksum !== 'auto' && c.tcp.checksum !== 'all' && c.tcp.checksum !== 'none') {
    throw new RangeError(`tcp checksum mode must be "auto", "all" or "none", got ${String(c.tcp.checksum)}`);
  }
  if (c.tcp.policy !== 'bsd' && c.tcp.policy !== 'first' && c.tcp.policy !== 'last') {
    throw new RangeError(`tcp overlap policy must be "bsd", "first" or "last", got ${String(c.tcp.policy)}`);
  }
}

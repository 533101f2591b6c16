import type { Level } from '../types/level.js';
import type { IpSet } from '../rule/ip-set.js';

/** Where a statement was written, and its text (quoted in events and stats as the reason). */
export interface StatementOrigin {
  file: string;
  line: number;
  col: number;
  /** The statement as written, on one line, whitespace collapsed, comment removed. */
  text: string;
}

/** `file:line` of a statement, as events cite it. */
export function originAt(o: StatementOrigin): string {
  return `${o.file}:${o.line}`;
}

export type SuppressTrack = 'by_src' | 'by_dst' | 'by_either';
export type ThresholdTrack = 'by_src' | 'by_dst' | 'by_rule' | 'by_both' | 'by_flow';
export type ThresholdType = 'limit' | 'threshold' | 'both';
export type RateAction = 'alert' | 'drop' | 'pass' | 'log' | 'reject' | 'sdrop';
export type ScanKind = 'horizontal' | 'vertical' | 'sweep' | 'flags' | 'port_zero' | 'service_sweep' | 'icmp_sweep';
export const SCAN_KINDS: readonly ScanKind[] = ['horizontal', 'vertical', 'sweep', 'flags', 'port_zero', 'service_sweep', 'icmp_sweep'];

/**
 * Which hits a kanshi statement applies to. Every given part must hold; none given means all.
 * `gid` undefined matches any generator (kanshi statements may name a sid alone).
 */
export interface HitSelector {
  gid?: number;
  sids?: ReadonlySet<number>;
  classtypes?: ReadonlySet<string>;
}

interface Base {
  /** Position in the file, used as the statement's identity in tracking tables. */
  index: number;
  origin: StatementOrigin;
}

export interface SuppressStatement extends Base {
  kind: 'suppress';
  gid: number;
  sid: number;
  /** Absent: the rule never alerts (Suricata turns it into noalert). */
  track?: SuppressTrack;
  ips?: IpSet;
}

export interface ThresholdStatement extends Base {
  kind: 'threshold';
  /** As written: `threshold` and `event_filter` are the same statement. */
  keyword: 'threshold' | 'event_filter';
  gid: number;
  sid: number;
  type: ThresholdType;
  track: ThresholdTrack;
  /** -1 (Snort) disables filtering for the rule, overriding a global filter. */
  count: number;
  seconds: number;
}

export interface RateFilterStatement extends Base {
  kind: 'rate_filter';
  gid: number;
  sid: number;
  track: ThresholdTrack;
  count: number;
  seconds: number;
  newAction: RateAction;
  /** Seconds the new action stays; 0 (as in Snort) never reverts. */
  timeout: number;
  /** Snort's optional `apply_to`: only hits whose tracked address is in the set. */
  applyTo?: IpSet;
}

export interface EscalateStatement extends Base {
  kind: 'escalate';
  select: HitSelector;
  track: ThresholdTrack;
  count: number;
  seconds: number;
  level: Level;
}

export interface OutboundStatement extends Base {
  kind: 'outbound';
  select: HitSelector;
  level: Level;
  /** The monitored network (default $HOME_NET). */
  home: IpSet;
  homeText: string;
  /**
   * `seconds T`: one event per inside host and rule every T seconds, the host's other outward
   * hits of that rule in the window merged into it (an infected host sends thousands a second).
   */
  seconds?: number;
}

/** HTTP status or SMTP reply codes: exact codes plus `4xx`-style classes. */
export interface CodeSet {
  exact: ReadonlySet<number>;
  /** First digits of `Nxx` classes. */
  classes: ReadonlySet<number>;
  text: string;
}

export interface RefusedStatement extends Base {
  kind: 'refused';
  select: HitSelector;
  httpStatus?: CodeSet;
  /** Case-insensitive substrings of the HTTP `Server:` header. */
  server?: readonly string[];
  smtpReply?: CodeSet;
}

export interface ExceptStatement extends Base {
  kind: 'except';
  select: HitSelector;
  /** Source or destination in the set. */
  ip?: IpSet;
  src?: IpSet;
  dst?: IpSet;
  /** Glob over the HTTP URL (`*` any run of characters, `?` one character), anchored at both ends. */
  uri?: string;
}

export interface ScanStatement extends Base {
  kind: 'scan';
  scan: ScanKind;
  /** 0 turns the detector off. */
  count: number;
  seconds: number;
}

export interface ClassifyStatement extends Base {
  kind: 'classify';
  select: HitSelector;
  level: Level;
}

export interface VarStatement extends Base {
  kind: 'var';
  name: string;
  value: string;
}

export type Statement =
  | SuppressStatement
  | ThresholdStatement
  | RateFilterStatement
  | EscalateStatement
  | OutboundStatement
  | RefusedStatement
  | ExceptStatement
  | ScanStatement
  | ClassifyStatement
  | VarStatement;

export interface ScanThreshold {
  count: number;
  seconds: number;
  origin?: StatementOrigin;
}

/**
 * Defaults close to Snort 3's port_scan inspector at medium sensitivity (tcp_window 90 s,
 * 15 ports for a port scan, a handful of hosts for a sweep), counted over probes the target
 * did not answer (see scan-detector.ts).
 */
export const DEFAULT_SCAN_THRESHOLDS: Readonly<Record<ScanKind, { count: number; seconds: number }>> = {
  horizontal: { count: 10, seconds: 90 },
  vertical: { count: 15, seconds: 90 },
  sweep: { count: 20, seconds: 5 },
  service_sweep: { count: 10, seconds: 90 },
  flags: { count: 1, seconds: 90 },
  port_zero: { count: 1, seconds: 90 },
  // Snort's port_scan counts an ICMP sweep over its ip_window; a ping sweep of a handful of
  // hosts is host discovery, as the TCP sweep is.
  icmp_sweep: { count: 10, seconds: 90 },
};

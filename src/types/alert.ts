import type { Level } from './level.js';

/** A raw hit of a rule (or of a built-in detector), before correlation. */
export interface Alert {
  tsUs: number;
  /** Packet number in its capture, when the hit came from a capture. */
  pcapCnt?: number;
  flowId?: number;
  srcIp: string;
  srcPort?: number;
  destIp: string;
  destPort?: number;
  /** "TCP", "UDP", "ICMP", "IPv6-ICMP", "GRE", ... (see match/ip-text.ts), or a number as text. */
  proto: string;
  /** ICMP and ICMPv6 alerts: the message's type and code, as Suricata's EVE header carries them. */
  icmpType?: number;
  icmpCode?: number;
  appProto?: string;
  action: string;
  gid: number;
  sid: number;
  rev: number;
  signature: string;
  category: string;
  /** Snort priority / Suricata severity: 1 is the most severe. */
  severity: number;
  classtype?: string;
  level: Level;
  /** The rule set the level itself (`level:`), rather than its classtype's default. */
  levelFromRule?: true;
  /** The rule has its own threshold: or detection_filter:, which global filters and rate_filters leave alone. */
  ruleThreshold?: true;
  http?: Record<string, unknown>;
  smtp?: Record<string, unknown>;
  log?: { file: string; line: number; format: string };
  /** Free-form extra fields carried to output (metadata, anomalies, ...). */
  extra?: Record<string, unknown>;
}

import type { Alert } from '../types/alert.js';
import type { Level } from '../types/level.js';
import type { LevelSource } from './levels.js';

/** One change the policy made to a hit's level, and why. */
export interface LevelChange {
  /** The statement, as written (one line). */
  statement: string;
  /** `file:line` of the statement. */
  at: string;
  reason: 'outbound' | 'refused' | 'escalate';
  from: Level;
  to: Level;
  /** escalate: hits counted in the window when it escalated, the window and what was tracked. */
  count?: number;
  seconds?: number;
  track?: string;
}

/** A rate_filter that changed the hit's action. */
export interface ActionChange {
  statement: string;
  at: string;
  from: string;
  to: string;
  count: number;
  seconds: number;
  timeout: number;
}

/** Why an event's level or action differs from the raw hit's (written as `correlation` in EVE). */
export interface CorrelationInfo {
  /** The level before the policy adjusted it. */
  base_level: Level;
  /** Where the base level came from: the rule's `level:`, its classtype, its priority, or a classify statement. */
  level_source: LevelSource;
  changes?: LevelChange[];
  action?: ActionChange;
}

/** An emitted event: the hit itself (same object), with its final level and the reasons. */
export type CorrelatedEvent = Alert & { correlation?: CorrelationInfo; fp_reason?: string };

/**
 * What the matcher knows about a hit's rule that the alert does not say. `levelExplicit`:
 * the rule gave `level:` (the alert's level is then kept as the base). `ruleThreshold`: the
 * rule has its own `threshold:`/`detection_filter:` (global gen_id 0 / sig_id 0 thresholds
 * then leave it alone, as in Suricata).
 */
export interface HitFacts {
  levelExplicit?: boolean;
  ruleThreshold?: boolean;
}

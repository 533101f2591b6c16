import type { Alert } from '../types/alert.js';
import { LEVELS, levelRank, type Level } from '../types/level.js';
import type { IpSet } from '../rule/ip-set.js';
import type { ActionChange, CorrelatedEvent, CorrelationInfo, HitFacts, LevelChange } from './events.js';
import { canonicalIpv4, IpScratch, parseIpv4Into } from './ip-bytes.js';
import { defaultLevel, type LevelSource } from './levels.js';
import { ruleNumber, type Policy } from './policy.js';
import {
  originAt,
  type EscalateStatement,
  type ExceptStatement,
  type HitSelector,
  type OutboundStatement,
  type RateFilterStatement,
  type RefusedStatement,
  type Statement,
  type SuppressStatement,
  type ThresholdStatement,
  type ThresholdTrack,
} from './policy-types.js';
import { codeMatches, CompiledGlob } from './policy-values.js';
import { ScanDetector, type PacketObservation, type ScanStats } from './scan-detector.js';
import * as windowRules from '../match/windows.js';
import { WindowTable, type KeySpace } from '../match/windows.js';

// The window functions, bound once: the per-hit path calls them for every tracked statement,
// and an imported binding can cost a read through the module's export object on every use.
const { bothAt, escalateAt, ESCALATE_BELOW, ESCALATE_MERGED, ESCALATE_TRIGGER, limitAt, rateAt, thresholdAt } = windowRules;

/** What suppresses() reads of a hit: its rule, its addresses and its HTTP URL (for `except ... uri`). */
export type SuppressProbe = Pick<Alert, 'gid' | 'sid' | 'classtype' | 'severity' | 'srcIp' | 'destIp' | 'http'>;

export interface CorrelatorOptions {
  /** Receives every emitted event, in the order the hits were pushed. */
  onEvent: (event: CorrelatedEvent) => void;
  /** Facts about a rule the alert does not carry (see HitFacts); asked once per rule. */
  ruleFacts?: (gid: number, sid: number) => HitFacts | undefined;
  /** Cap on tracked keys (rule x address windows) across all statements. Default 100,000. */
  maxTracked?: number;
  /** Cap on keys per scan table. Default 32,768. */
  maxScanTracked?: number;
}

/** Counts for one statement, by what it did to hits. */
export interface StatementStats {
  at: string;
  statement: string;
  suppressed: number;
  rate_filtered: number;
  action_changed: number;
  thresholded: number;
  merged: number;
  escalated: number;
  outbound: number;
  refused: number;
}

/**
 * The accounting of a run. Every raw hit has exactly one fate, so
 * raw = emitted + suppressed + rate_filtered + thresholded + merged.
 */
export interface CorrelationStats {
  raw: number;
  emitted: number;
  suppressed: number;
  rate_filtered: number;
  thresholded: number;
  merged: number;
  /** Emitted events by final level. */
  levels: Record<Level, number>;
  /** Emitted events whose level or action the policy changed (subsets of emitted). */
  escalated: number;
  outbound: number;
  refused: number;
  action_changed: number;
  tracking: { entries: number; max: number; evictions: number };
  /** Statements that did something, in file order. */
  statements: StatementStats[];
  scan: ScanStats;
}

const FATES = ['suppressed', 'rate_filtered', 'action_changed', 'thresholded', 'merged', 'escalated', 'outbound', 'refused'] as const;
// Fates as positions in FATES: the per-hit path counts by array index, not by a name looked up.
const SUPPRESSED = 0;
const RATE_FILTERED = 1;
const ACTION_CHANGED = 2;
const THRESHOLDED = 3;
const MERGED = 4;
const ESCALATED = 5;
const OUTBOUND = 6;
const REFUSED = 7;
type DropFate = typeof SUPPRESSED | typeof RATE_FILTERED | typeof THRESHOLDED | typeof MERGED;

/** Everything about one rule that does not change from hit to hit, worked out once. */
interface RulePlan {
  gid: number;
  sid: number;
  classtype: string | undefined;
  priority: number;
  /** The plan of the same sid under another gid. */
  next: RulePlan | undefined;
  ruleKey: string;
  levelExplicit: boolean;
  ruleThreshold: boolean;
  /** Base level when the rule gives none. */
  mapped: Level;
  mappedSource: LevelSource;
  excepts: ExceptStatement[];
  /** A suppress with no address: every hit of the rule is suppressed. */
  noAlert: SuppressStatement | undefined;
  suppress: SuppressStatement[];
  rate: RateFilterStatement[];

  /** The event filter that applies: when the rule has its own threshold, only a sid-specific one. */
  thresholdOwn: ThresholdStatement | undefined;
  thresholdOther: ThresholdStatement | undefined;
  /** Tracking key spaces, parallel to the statements above (rate filters and event filters: per rule). */
  rateSpaces: KeySpace[];
  /** Per outbound statement with `seconds`: its windows for this rule (undefined without). */
  outboundSpaces: (KeySpace | undefined)[];
  thresholdOwnSpace: KeySpace | undefined;
  thresholdOtherSpace: KeySpace | undefined;
  escalate: EscalateStatement | undefined;
  /** Escalation counts across rules: the statement's own space. */
  escalateSpace: KeySpace | undefined;
  outbound: OutboundStatement[];
  refused: RefusedStatement[];
}

const MAX_PLANS = 200_000;
/** Direct-mapped cache of recent plans, by gid and sid (a power of two). */
const PLAN_CACHE = 4096;
const NOT_PARSED = -2;

function putIpv4(n: number, out: Uint8Array): Uint8Array {
  out[0] = n >>> 24;
  out[1] = (n >>> 16) & 255;
  out[2] = (n >>> 8) & 255;
  out[3] = n & 255;
  return out;
}
const DROPPING_ACTIONS = new Set(['pass', 'sdrop', 'log']);

function selects(sel: HitSelector, gid: number, sid: number, classtype: string | undefined): boolean {
  if (sel.gid !== undefined && sel.gid !== gid) return false;
  if (sel.sids !== undefined && !sel.sids.has(sid)) return false;
  if (sel.classtypes !== undefined && (classtype === undefined || !sel.classtypes.has(classtype))) return false;
  return true;
}

const selectsAnything = (sel: HitSelector): boolean => sel.gid === undefined && sel.sids === undefined && sel.classtypes === undefined;

/**
 * A level's rank without a search (the per-hit path compares levels several times). Compares
 * rather than an object indexed by the level, whose lookup by a varying key measured slow.
 * Not a level: NaN, which compares false and counts nowhere, as a missing rank would.
 */
function rank(level: Level): number {
  return level === 'Information' ? 0 : level === 'Warning' ? 1 : level === 'Critical' ? 2 : level === 'Emergency' ? 3 : NaN;
}

/**
 * The correlation engine. Hits go in (in event-time order, timestamps from the hits), events
 * come out through `onEvent`. For each hit, in this order:
 *   1. base level: the rule's `level:` when it has one, else classify statements, else the
 *      classtype/priority mapping (levels.ts);
 *   2. except (analyst exceptions) and suppress: the hit is dropped, counted against the statement;
 *   3. rate_filter: may switch the action (alert/drop/reject), or drop the hit (pass/sdrop/log);
 *   4. outbound (raises to Emergency), else refused (lowers to Information with fp_reason);
 *   5. escalate: the count-th hit in the window is raised (default Critical) and shown even if an
 *      event filter would hide it; later hits in that window are merged into it;
 *   6. threshold/event_filter (limit, threshold, both): the hit passes or is dropped.
 * Packets given to observePacket feed the scan detector; its events take the same path.
 */
export class Correlator {
  private readonly policy: Policy;
  private readonly onEvent: (e: CorrelatedEvent) => void;
  private readonly ruleFacts: ((gid: number, sid: number) => HitFacts | undefined) | undefined;
  private readonly windows: WindowTable;
  /** Plans by sid (one small-integer lookup per hit); plans of other gids with that sid are chained. */
  private readonly plans = new Map<number, RulePlan>();
  private planCount = 0;
  /** In front of `plans`: one array read and four compares for the rules seen most. */
  private readonly planCache: Array<RulePlan | undefined> = new Array<RulePlan | undefined>(PLAN_CACHE).fill(undefined);
  /** Key spaces by statement (and rule), kept apart from the plans so a rebuilt plan finds its windows again. */
  private readonly spaces = new Map<string, KeySpace>();
  private readonly changeCache = new Map<number, LevelChange>();
  private readonly reasonCache = new Map<number, string>();
  private readonly scanDetector: ScanDetector;
  /** Per statement, by fate (in FATES order): counts[fate][statement index]. */
  private readonly counts: number[][];
  private readonly statements: readonly Statement[];
  /** By statement index: the except statement's `uri` glob, compiled once. */
  private readonly uriGlobs: Array<CompiledGlob | undefined>;

  private raw = 0;
  private emitted = 0;
  private suppressed = 0;
  private rateFiltered = 0;
  private thresholded = 0;
  private merged = 0;
  private escalated = 0;
  private outboundCount = 0;
  private refusedCount = 0;
  private actionChanged = 0;
  private readonly levelCounts = [0, 0, 0, 0];

  // Addresses of the hit being processed, parsed only if a statement needs them: the number of
  // a canonical IPv4 text (-1 otherwise, NOT_PARSED before), and the bytes, in buffers reused
  // from hit to hit. (A map from text to parsed address measured slower than parsing again.)
  private srcNum = NOT_PARSED;
  private dstNum = NOT_PARSED;
  private srcBytes: Uint8Array | undefined;
  private dstBytes: Uint8Array | undefined;
  private readonly srcV4 = new Uint8Array(4);
  private readonly dstV4 = new Uint8Array(4);
  private readonly srcOther = new IpScratch();
  private readonly dstOther = new IpScratch();
  private current: Alert | undefined;

  constructor(policy: Policy, options: CorrelatorOptions) {
    this.policy = policy;
    this.onEvent = options.onEvent;
    this.ruleFacts = options.ruleFacts;
    this.windows = new WindowTable(options.maxTracked ?? 100_000);
    this.statements = policy.statements;
    this.uriGlobs = policy.statements.map((st) => (st.kind === 'except' && st.uri !== undefined ? new CompiledGlob(st.uri) : undefined));
    const n = policy.statements.length;
    this.counts = FATES.map(() => new Array<number>(n).fill(0));
    this.scanDetector = new ScanDetector(policy.scan, (a) => this.push(a), options.maxScanTracked ?? 32_768);
  }

  /**
   * Whether the policy hides this hit altogether (an analyst exception or a suppress), without
   * counting it: the engine asks before a rule's own threshold counts the hit, because Suricata
   * handles suppressions first, so suppressed traffic never uses up a rule's threshold. The hit
   * still comes to push() afterwards, where it is counted as suppressed.
   */
  suppresses(alert: SuppressProbe): boolean {
    const a = alert as Alert;
    const plan = this.planFor(a);
    this.current = a;
    this.srcNum = NOT_PARSED;
    this.dstNum = NOT_PARSED;
    try {
      return this.hiddenBy(plan, a) !== undefined;
    } finally {
      this.current = undefined;
    }
  }

  /** The analyst exception or suppress that hides the current hit (step 2 of push), if any. */
  private hiddenBy(plan: RulePlan, alert: Alert): Statement | undefined {
    for (let i = 0; i < plan.excepts.length; i++) if (this.exceptMatches(plan.excepts[i]!, alert)) return plan.excepts[i];
    if (plan.noAlert !== undefined) return plan.noAlert;
    for (let i = 0; i < plan.suppress.length; i++) if (this.suppressMatches(plan.suppress[i]!)) return plan.suppress[i];
    return undefined;
  }

  /** Feeds one packet (every packet, not only those that alerted) to the scan detector. */
  observePacket(o: PacketObservation): void {
    this.scanDetector.observe(o);
  }

  /** The input is over: scans still waiting for answers to their last probes are decided now. */
  finish(): void {
    this.scanDetector.finish();
  }

  /**
   * Correlates one raw hit. The correlator takes the alert object over: its `level` (and
   * `action`, under a rate_filter) are set in place and, when the policy changed something,
   * `correlation` / `fp_reason` are added; if emitted, that same object goes to onEvent.
   * (Copying instead measured far slower: spreading an alert costs microseconds.)
   * `facts` overrides what options.ruleFacts says about the rule.
   */
  push(alert: Alert, facts?: HitFacts): void {
    this.raw++;
    const plan = this.planFor(alert);
    this.current = alert;
    this.srcNum = NOT_PARSED;
    this.dstNum = NOT_PARSED;

    const explicit = facts?.levelExplicit ?? plan.levelExplicit;
    const base: Level = explicit ? alert.level : plan.mapped;
    const baseSource: LevelSource = explicit ? 'rule' : plan.mappedSource;
    const ts = alert.tsUs;
    // Windows that ran out before this alert may give their room to new keys.
    this.windows.seen(ts);

    // 2. Analyst exceptions, then suppressions: these hits are not shown at all.
    const hidden = this.hiddenBy(plan, alert);
    if (hidden !== undefined) return this.drop(SUPPRESSED, hidden);

    // 3. Rate filters: every applicable one counts the hit; the first in force sets the action.
    // A rule with its own threshold or detection_filter is left alone, as Suricata leaves it
    // (its own filter takes precedence over a rate_filter, sid-specific or global).
    let rate: RateFilterStatement | undefined;
    const rated = !(facts?.ruleThreshold ?? plan.ruleThreshold);
    for (let i = 0; rated && i < plan.rate.length; i++) {
      const r = plan.rate[i]!;
      if (r.applyTo !== undefined && !this.applies(r.applyTo, r.track)) continue;
      const slot = this.slot(plan.rateSpaces[i]!, alert, r.track);
      if (slot === UNTRACKED) continue;
      if (rateAt(this.windows, slot, this.windows.fresh, r.count, r.seconds, r.timeout, ts) && rate === undefined) rate = r;
    }
    let action: ActionChange | undefined;
    if (rate !== undefined) {
      if (DROPPING_ACTIONS.has(rate.newAction)) return this.drop(RATE_FILTERED, rate);
      if (rate.newAction !== alert.action) {
        action = {
          statement: rate.origin.text,
          at: originAt(rate.origin),
          from: alert.action,
          to: rate.newAction,
          count: rate.count,
          seconds: rate.seconds,
          timeout: rate.timeout,
        };
        alert.action = rate.newAction;
      }
    }

    // 4. Where the hit goes, and what the target answered.
    let level = base;
    let changes: LevelChange[] | undefined;
    let fpReason: string | undefined;
    let isOutbound = false;
    // Counted once the hit is emitted: these counts are subsets of the emitted events.
    let outboundBy: OutboundStatement | undefined;
    let refusedBy: RefusedStatement | undefined;
    let bypassFilter = false;
    for (let i = 0; i < plan.outbound.length; i++) {
      const o = plan.outbound[i]!;
      if (selectsAnything(o.select) && base === 'Information') continue;
      // Most hits come from outside: the destination is read only for those from inside.
      const src = this.src();
      if (src === undefined || !o.home.contains(src)) continue;
      const dst = this.dst();
      if (dst === undefined || o.home.contains(dst)) continue;
      isOutbound = true;
      // One event per inside host and rule in each window; its other outward hits are merged.
      if (o.seconds !== undefined) {
        const slot = this.slot(plan.outboundSpaces[i]!, alert, 'by_src');
        if (slot !== UNTRACKED && !limitAt(this.windows, slot, this.windows.fresh, 1, o.seconds, ts)) return this.drop(MERGED, o);
        // The hit that opens the window is the event the rest merge into: no event filter may
        // drop it, or the window would merge the host's outward attack into nothing.
        bypassFilter = true;
      }
      if (rank(o.level) > rank(level)) {
        // The first change of a hit (outbound and refused exclude each other): an array of exactly one.
        changes = [this.fixedChange(o, 'outbound', level, o.level)];
        level = o.level;
      }
      outboundBy = o;
      break;
    }
    let refused = false;
    if (!isOutbound) {
      for (let i = 0; i < plan.refused.length; i++) {
        const r = plan.refused[i]!;
        if (selectsAnything(r.select) && base !== 'Warning') continue;
        const why = this.refusal(r, alert);
        if (why === undefined) continue;
        refused = true;
        fpReason = why;
        if (level !== 'Information') {
          changes = [this.fixedChange(r, 'refused', level, 'Information')];
          level = 'Information';
        }
        refusedBy = r;
        break;
      }
    }

    // 5. Escalation by repetition (a refused attempt does not count towards it).
    const e = plan.escalate;
    if (e !== undefined && !refused) {
      const slot = e.track === 'by_rule' ? this.windows.acquire(plan.escalateSpace!, plan.ruleKey) : this.slot(plan.escalateSpace!, alert, e.track);
      const outcome = slot === UNTRACKED ? ESCALATE_BELOW : escalateAt(this.windows, slot, this.windows.fresh, e.count, e.seconds, ts);
      // Merged into the escalated event, unless this hit ranks above it (a host now attacking
      // outward, Emergency): the SOC's top level never vanishes into a lower event.
      if (outcome === ESCALATE_MERGED && rank(level) <= rank(e.level)) return this.drop(MERGED, e);
      if (outcome === ESCALATE_TRIGGER) {
        bypassFilter = true;
        this.count(ESCALATED, e);
        this.escalated++;
        if (rank(e.level) > rank(level)) {
          (changes ??= []).push({
            statement: e.origin.text,
            at: originAt(e.origin),
            reason: 'escalate',
            from: level,
            to: e.level,
            count: e.count,
            seconds: e.seconds,
            track: e.track,
          });
          level = e.level;
        }
      }
    }

    // 6. Event filters (threshold / event_filter).
    if (!bypassFilter) {
      const own = facts?.ruleThreshold ?? plan.ruleThreshold;
      const th = own ? plan.thresholdOwn : plan.thresholdOther;
      if (th !== undefined && th.count !== -1) {
        const space = (own ? plan.thresholdOwnSpace : plan.thresholdOtherSpace)!;
        const slot = this.slot(space, alert, th.track);
        const fresh = this.windows.fresh;
        const pass =
          slot === UNTRACKED
            ? true
            : th.type === 'limit'
            ? limitAt(this.windows, slot, fresh, th.count, th.seconds, ts)
            : th.type === 'threshold'
              ? thresholdAt(this.windows, slot, fresh, th.count, th.seconds, ts)
              : bothAt(this.windows, slot, fresh, th.count, th.seconds, ts);
        if (!pass) return this.drop(THRESHOLDED, th);
      }
    }

    alert.level = level;
    const event = alert as CorrelatedEvent;
    if (changes !== undefined || action !== undefined) {
      // Each shape built whole (no property added afterwards): fewer allocations per changed event.
      const info: CorrelationInfo =
        action === undefined
          ? { base_level: base, level_source: baseSource, changes }
          : changes === undefined
            ? { base_level: base, level_source: baseSource, action }
            : { base_level: base, level_source: baseSource, changes, action };
      event.correlation = info;
    }
    if (fpReason !== undefined) event.fp_reason = fpReason;
    if (action !== undefined) {
      this.count(ACTION_CHANGED, rate!);
      this.actionChanged++;
    }
    if (outboundBy !== undefined) {
      this.count(OUTBOUND, outboundBy);
      this.outboundCount++;
    }
    if (refusedBy !== undefined) {
      this.count(REFUSED, refusedBy);
      this.refusedCount++;
    }
    this.emitted++;
    this.levelCounts[rank(level)]!++;
    this.onEvent(event);
  }

  stats(): CorrelationStats {
    const statements: StatementStats[] = [];
    for (let i = 0; i < this.statements.length; i++) {
      const s = this.statements[i]!;
      const row = { at: originAt(s.origin), statement: s.origin.text } as StatementStats;
      let any = false;
      for (let k = 0; k < FATES.length; k++) {
        const f = FATES[k]!;
        row[f] = this.counts[k]![i]!;
        if (row[f] !== 0) any = true;
      }
      if (any) statements.push(row);
    }
    const levels = {} as Record<Level, number>;
    LEVELS.forEach((l, i) => (levels[l] = this.levelCounts[i]!));
    return {
      raw: this.raw,
      emitted: this.emitted,
      suppressed: this.suppressed,
      rate_filtered: this.rateFiltered,
      thresholded: this.thresholded,
      merged: this.merged,
      levels,
      escalated: this.escalated,
      outbound: this.outboundCount,
      refused: this.refusedCount,
      action_changed: this.actionChanged,
      tracking: { entries: this.windows.size, max: this.windows.max, evictions: this.windows.evictions },
      statements,
      scan: this.scanDetector.stats(),
    };
  }

  /** Flat counters for an EVE `stats` record (`correlate.raw`, `correlate.level.Critical`, ...). */
  counters(): Record<string, number> {
    const s = this.stats();
    const c: Record<string, number> = {
      'correlate.raw': s.raw,
      'correlate.emitted': s.emitted,
      'correlate.suppressed': s.suppressed,
      'correlate.rate_filtered': s.rate_filtered,
      'correlate.thresholded': s.thresholded,
      'correlate.merged': s.merged,
      'correlate.escalated': s.escalated,
      'correlate.outbound': s.outbound,
      'correlate.refused': s.refused,
      'correlate.action_changed': s.action_changed,
      'correlate.tracking.entries': s.tracking.entries,
      'correlate.tracking.evictions': s.tracking.evictions,
    };
    for (const l of LEVELS) c[`correlate.level.${l}`] = s.levels[l];
    for (const [k, v] of Object.entries(s.scan)) c[`correlate.scan.${k}`] = v;
    return c;
  }

  /**
   * The change an outbound or refused statement makes, shared between events (frozen): it is
   * the same every time for a statement and a starting level, and events are written out, not edited.
   */
  private fixedChange(s: OutboundStatement | RefusedStatement, reason: 'outbound' | 'refused', from: Level, to: Level): LevelChange {
    const key = s.index * 4 + levelRank(from);
    let c = this.changeCache.get(key);
    if (c === undefined) {
      c = Object.freeze({ statement: s.origin.text, at: originAt(s.origin), reason, from, to });
      this.changeCache.set(key, c);
    }
    return c;
  }

  /** The fp_reason for a refused hit (texts for codes are built once per statement and code). */
  private refusal(r: RefusedStatement, a: Alert): string | undefined {
    if (r.httpStatus !== undefined) {
      const code = asCode(a.http?.status);
      if (code !== undefined && codeMatches(r.httpStatus, code)) return this.reasonText(r, 'target answered HTTP ', code, 1000);
    }
    if (r.server !== undefined) {
      const server = httpServer(a);
      if (server !== undefined) {
        const lower = server.toLowerCase();
        for (const s of r.server) if (lower.includes(s)) return `target runs "${server}", which this attack cannot hit (${originAt(r.origin)})`;
      }
    }
    if (r.smtpReply !== undefined) {
      const code = asCode(a.smtp?.reply_code);
      if (code !== undefined && codeMatches(r.smtpReply, code)) return this.reasonText(r, 'mail server replied ', code, 2000);
    }
    return undefined;
  }

  private reasonText(r: RefusedStatement, what: string, code: number, kind: number): string {
    const key = r.index * 4096 + kind + code;
    let t = this.reasonCache.get(key);
    if (t === undefined) this.reasonCache.set(key, (t = `${what}${code} (${originAt(r.origin)})`));
    return t;
  }

  private drop(fate: DropFate, s: Statement): void {
    if (fate === SUPPRESSED) this.suppressed++;
    else if (fate === RATE_FILTERED) this.rateFiltered++;
    else if (fate === THRESHOLDED) this.thresholded++;
    else this.merged++;
    this.count(fate, s);
  }

  /** Counts a hit against statement s under a fate (an index into FATES). */
  private count(fate: number, s: Statement): void {
    this.counts[fate]![s.index]!++;
  }

  /** The source address's bytes (undefined when the text is not an address). */
  private src(): Uint8Array | undefined {
    if (this.srcNum === NOT_PARSED) this.parseSrc();
    return this.srcBytes;
  }

  private dst(): Uint8Array | undefined {
    if (this.dstNum === NOT_PARSED) this.parseDst();
    return this.dstBytes;
  }

  private parseSrc(): void {
    const text = this.current!.srcIp;
    this.srcNum = canonicalIpv4(text);
    this.srcBytes = this.srcNum >= 0 ? putIpv4(this.srcNum, this.srcV4) : parseIpv4Into(text, this.srcV4) ? this.srcV4 : this.srcOther.parse(text);
  }

  private parseDst(): void {
    const text = this.current!.destIp;
    this.dstNum = canonicalIpv4(text);
    this.dstBytes = this.dstNum >= 0 ? putIpv4(this.dstNum, this.dstV4) : parseIpv4Into(text, this.dstV4) ? this.dstV4 : this.dstOther.parse(text);
  }

  /**
   * The window slot of the hit's tracked key in `space` (WindowTable.fresh says whether it was
   * just made). IPv4 addresses written canonically are keyed by number (a pair unordered, as
   * Suricata's by_both; passed as int32, which needs no boxing); anything else by the text trackKey gives.
   */
  private slot(space: KeySpace, alert: Alert, track: ThresholdTrack): number {
    if (track === 'by_src') {
      if (this.srcNum === NOT_PARSED) this.parseSrc();
      if (this.srcNum >= 0) return this.windows.acquireNumbers(space, this.srcNum | 0, 0);
    } else if (track === 'by_dst') {
      if (this.dstNum === NOT_PARSED) this.parseDst();
      if (this.dstNum >= 0) return this.windows.acquireNumbers(space, this.dstNum | 0, 0);
    } else if (track === 'by_both') {
      if (this.srcNum === NOT_PARSED) this.parseSrc();
      if (this.dstNum === NOT_PARSED) this.parseDst();
      const s = this.srcNum;
      const d = this.dstNum;
      if (s >= 0 && d >= 0) return s <= d ? this.windows.acquireNumbers(space, s | 0, d | 0) : this.windows.acquireNumbers(space, d | 0, s | 0);
    }
    if (track === 'by_src' || track === 'by_dst' || track === 'by_both') {
      // A hit without the tracked address (a mail-log line naming no client) is tracked by no
      // key: counted with other such hits it would escalate or filter unrelated hits together.
      const useSrc = track !== 'by_dst';
      const useDst = track !== 'by_src';
      if ((useSrc && alert.srcIp === '') || (useDst && alert.destIp === '')) return UNTRACKED;
      // Other addresses (IPv6) by their bytes, so each spelling of one address is one key; a
      // logged host name by its text.
      const a = useSrc ? this.src() : undefined;
      const b = useDst ? this.dst() : undefined;
      const ka = !useSrc ? '' : a !== undefined ? addressKey(a) : alert.srcIp;
      const kb = !useDst ? '' : b !== undefined ? addressKey(b) : alert.destIp;
      const key = track === 'by_src' ? ka : track === 'by_dst' ? kb : ka <= kb ? `${ka}|${kb}` : `${kb}|${ka}`;
      return this.windows.acquire(space, key);
    }
    return this.windows.acquire(space, trackKey(alert, track));
  }

  private inSet(set: IpSet, which: 'src' | 'dst'): boolean {
    if (set.isAny) return true;
    const a = which === 'src' ? this.src() : this.dst();
    return a !== undefined && set.contains(a);
  }

  private suppressMatches(s: SuppressStatement): boolean {
    const ips = s.ips!;
    if (s.track === 'by_src') return this.inSet(ips, 'src');
    if (s.track === 'by_dst') return this.inSet(ips, 'dst');
    return this.inSet(ips, 'src') || this.inSet(ips, 'dst');
  }

  /** Snort's apply_to: the tracked address must be in the set (either end for by_both). */
  private applies(set: IpSet, track: ThresholdTrack): boolean {
    if (track === 'by_src') return this.inSet(set, 'src');
    if (track === 'by_dst') return this.inSet(set, 'dst');
    return this.inSet(set, 'src') || this.inSet(set, 'dst');
  }

  private exceptMatches(ex: ExceptStatement, alert: Alert): boolean {
    if (ex.ip !== undefined && !this.inSet(ex.ip, 'src') && !this.inSet(ex.ip, 'dst')) return false;
    if (ex.src !== undefined && !this.inSet(ex.src, 'src')) return false;
    if (ex.dst !== undefined && !this.inSet(ex.dst, 'dst')) return false;
    if (ex.uri !== undefined) {
      const url = httpUrl(alert);
      if (url === undefined || !this.uriGlobs[ex.index]!.matches(url)) return false;
    }
    return true;
  }

  private planFor(alert: Alert): RulePlan {
    const gid = alert.gid;
    const sid = alert.sid;
    const at = (sid ^ Math.imul(gid, 0x9e3779b1)) & (PLAN_CACHE - 1);
    const cached = this.planCache[at];
    if (cached !== undefined && cached.sid === sid && cached.gid === gid && cached.classtype === alert.classtype && cached.priority === alert.severity) {
      return cached;
    }
    return (this.planCache[at] = this.planLookup(alert, gid, sid));
  }

  private planLookup(alert: Alert, gid: number, sid: number): RulePlan {
    const head = this.plans.get(sid);
    let p = head;
    while (p !== undefined && p.gid !== gid) p = p.next;
    if (p !== undefined && p.classtype === alert.classtype && p.priority === alert.severity) return p;
    if (this.planCount >= MAX_PLANS) {
      // Hits from ever more distinct rules (a hostile EVE file): start over rather than grow.
      this.plans.clear();
      this.spaces.clear();
      this.planCache.fill(undefined);
      this.planCount = 0;
    }
    const plan = this.buildPlan(gid, sid, alert.classtype, alert.severity);
    // Keep the other generators' plans for this sid chained behind it.
    let rest = this.plans.get(sid);
    let kept: RulePlan | undefined;
    while (rest !== undefined) {
      const next = rest.next;
      if (rest.gid !== gid) {
        rest.next = kept;
        kept = rest;
      }
      rest = next;
    }
    plan.next = kept;
    if (p === undefined) this.planCount++;
    this.plans.set(sid, plan);
    return plan;
  }

  private space(name: string): KeySpace {
    let m = this.spaces.get(name);
    if (m === undefined) this.spaces.set(name, (m = this.windows.space()));
    return m;
  }

  private buildPlan(gid: number, sid: number, classtype: string | undefined, priority: number): RulePlan {
    const p = this.policy;
    const facts = this.ruleFacts?.(gid, sid);
    const rn = ruleNumber(gid, sid);
    const suppressAll = [...(p.suppressByRule.get(rn) ?? []), ...(p.suppressByGid.get(gid) ?? []), ...p.suppressAll].sort((a, b) => a.index - b.index);
    const classify = p.classify.find((c) => selects(c.select, gid, sid, classtype));
    const mapped = classify ? { level: classify.level, source: 'classify' as const } : defaultLevel(classtype, priority);
    const specific = p.thresholdByRule.get(rn);
    const other = specific ?? p.thresholdByGid.get(gid) ?? p.thresholdAll;
    const ruleKey = `${gid}:${sid}`;
    const rate = p.rateFilters.filter((r) => (r.gid === 0 || r.gid === gid) && (r.sid === 0 || r.sid === sid));
    const escalate = p.escalations.find((e) => selects(e.select, gid, sid, classtype));
    const suppress = suppressAll.filter((s) => s.track !== undefined);
    const outbound = p.outbound.filter((o) => selects(o.select, gid, sid, classtype));
    return {
      gid,
      sid,
      classtype,
      priority,
      next: undefined,
      ruleKey,
      levelExplicit: facts?.levelExplicit ?? false,
      ruleThreshold: facts?.ruleThreshold ?? false,
      mapped: mapped.level,
      mappedSource: mapped.source,
      excepts: p.excepts.filter((e) => selects(e.select, gid, sid, classtype)),
      noAlert: suppressAll.find((s) => s.track === undefined),
      suppress,
      rate,

      thresholdOwn: specific,
      thresholdOther: other,
      rateSpaces: rate.map((r) => this.space(`${r.index}|${ruleKey}`)),
      outboundSpaces: outbound.map((o) => (o.seconds === undefined ? undefined : this.space(`${o.index}|${ruleKey}`))),
      thresholdOwnSpace: specific && this.space(`${specific.index}|${ruleKey}`),
      thresholdOtherSpace: other && this.space(`${other.index}|${ruleKey}`),
      escalate,
      escalateSpace: escalate && this.space(`${escalate.index}`),
      outbound,

      refused: p.refused.filter((r) => selects(r.select, gid, sid, classtype)),
    };
  }
}

/**
 * The tracked address (or pair, or flow) of a hit. A pair is unordered, as Suricata's by_both;
 * a flow is the flow id when the hit has one, else its unordered 5-tuple.
 */
/** No tracking key: the hit has no address where its statement tracks one. */
const UNTRACKED = -1;

function addressKey(b: Uint8Array): string {
  let out = '@';
  for (let i = 0; i < b.length; i++) out += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return out;
}

function trackKey(a: Alert, track: ThresholdTrack): string {
  switch (track) {
    case 'by_src':
      return a.srcIp;
    case 'by_dst':
      return a.destIp;
    case 'by_both':
      return a.srcIp < a.destIp ? `${a.srcIp}|${a.destIp}` : `${a.destIp}|${a.srcIp}`;
    case 'by_flow': {
      if (a.flowId !== undefined) return `#${a.flowId}`;
      const x = `${a.srcIp}:${a.srcPort ?? ''}`;
      const y = `${a.destIp}:${a.destPort ?? ''}`;
      return x < y ? `${a.proto}|${x}|${y}` : `${a.proto}|${y}|${x}`;
    }
    default:
      return '';
  }
}

/** The HTTP URL of a hit (Suricata's `http.url`, or `http.uri`). */
export function httpUrl(a: Alert): string | undefined {
  const h = a.http;
  if (h === undefined) return undefined;
  const u = h.url ?? h.uri;
  return typeof u === 'string' ? u : undefined;
}

function asCode(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*\d{3}/.test(v)) return Number(v.trim().slice(0, 3));
  return undefined;
}

/** The HTTP `Server:` header: `http.server`, else the response_headers list Suricata can log. */
export function httpServer(a: Alert): string | undefined {
  const h = a.http;
  if (h === undefined) return undefined;
  if (typeof h.server === 'string') return h.server;
  const headers = h.response_headers;
  if (Array.isArray(headers)) {
    for (const x of headers) {
      if (x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string' && (x as { name: string }).name.toLowerCase() === 'server') {
        const v = (x as { value?: unknown }).value;
        if (typeof v === 'string') return v;
      }
    }
  }
  return undefined;
}

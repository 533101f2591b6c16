import type { KeywordModule } from '../keyword.js';
import { parseChoice, parseCount, parseSettings } from '../lib/counted-limit.js';

export type ThresholdTrack = 'by_src' | 'by_dst' | 'by_rule' | 'by_both' | 'by_flow';

export interface ThresholdValue {
  /**
   * limit: alert on the first `count` hits per period; threshold: every `count`-th hit; both: once
   * per period after `count` hits; backoff (Suricata 8): at hit `count`, then each `multiplier`
   * times as many (read and printed, not evaluated: such a rule is skipped with the reason).
   */
  type: 'limit' | 'threshold' | 'both' | 'backoff';
  track: ThresholdTrack;
  count: number;
  /** 0 for backoff, which has no period. */
  seconds: number;
  multiplier?: number;
}

export const TRACKS: readonly ThresholdTrack[] = ['by_src', 'by_dst', 'by_rule', 'by_both', 'by_flow'];
const EXAMPLE = 'threshold:type limit, track by_src, count 1, seconds 60;';

/** `threshold:type limit|threshold|both, track by_src|by_dst, count N, seconds N;` alert rate control. */
export const threshold: KeywordModule<ThresholdValue> = {
  keyword: 'threshold',
  category: 'post-detection',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    if (raw !== null && BACKOFF.test(raw)) return parseBackoff(raw, ctx);
    const s = parseSettings('threshold', raw, ctx, ['type', 'track', 'count', 'seconds'], EXAMPLE);
    if (s === undefined) return undefined;
    const type = parseChoice('threshold', 'type', s.get('type')!, ['limit', 'threshold', 'both'] as const, ctx);
    const track = type && parseChoice('threshold', 'track', s.get('track')!, TRACKS, ctx);
    const count = track && parseCount('threshold', 'count', s.get('count')!, 1, ctx);
    const seconds = count && parseCount('threshold', 'seconds', s.get('seconds')!, 1, ctx);
    if (type === undefined || track === undefined || count === undefined || seconds === undefined) return undefined;
    return { type, track, count, seconds };
  },
  print: (v) =>
    v.type === 'backoff'
      ? `type backoff, track ${v.track}, count ${v.count}, multiplier ${v.multiplier ?? 1}`
      : `type ${v.type}, track ${v.track}, count ${v.count}, seconds ${v.seconds}`,
};

const BACKOFF = /(^|,)\s*type\s+backoff\s*(,|$)/;

/** Suricata 8's `type backoff, track T, count N, multiplier M`: a period-less form with its own settings. */
function parseBackoff(raw: string, ctx: Parameters<KeywordModule<ThresholdValue>['parse']>[1]): ThresholdValue | undefined {
  const s = parseSettings('threshold', raw, ctx, ['type', 'track', 'count', 'multiplier'], 'threshold:type backoff, track by_flow, count 1, multiplier 10;');
  if (s === undefined) return undefined;
  const track = parseChoice('threshold', 'track', s.get('track')!, TRACKS, ctx);
  const count = track && parseCount('threshold', 'count', s.get('count')!, 1, ctx);
  const multiplier = count && parseCount('threshold', 'multiplier', s.get('multiplier')!, 1, ctx);
  if (track === undefined || count === undefined || multiplier === undefined) return undefined;
  return { type: 'backoff', track, count, seconds: 0, multiplier };
}

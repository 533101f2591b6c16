import type { KeywordModule } from '../keyword.js';
import { parseChoice, parseCount, parseSettings } from '../lib/counted-limit.js';

export type ThresholdTrack = 'by_src' | 'by_dst' | 'by_rule' | 'by_both' | 'by_flow';

export interface ThresholdValue {
  /** limit: alert on the first `count` hits per period; threshold: every `count`-th hit; both: once per period after `count` hits. */
  type: 'limit' | 'threshold' | 'both';
  track: ThresholdTrack;
  count: number;
  seconds: number;
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
    const s = parseSettings('threshold', raw, ctx, ['type', 'track', 'count', 'seconds'], EXAMPLE);
    if (s === undefined) return undefined;
    const type = parseChoice('threshold', 'type', s.get('type')!, ['limit', 'threshold', 'both'] as const, ctx);
    const track = type && parseChoice('threshold', 'track', s.get('track')!, TRACKS, ctx);
    const count = track && parseCount('threshold', 'count', s.get('count')!, 1, ctx);
    const seconds = count && parseCount('threshold', 'seconds', s.get('seconds')!, 1, ctx);
    if (type === undefined || track === undefined || count === undefined || seconds === undefined) return undefined;
    return { type, track, count, seconds };
  },
  print: (v) => `type ${v.type}, track ${v.track}, count ${v.count}, seconds ${v.seconds}`,
};

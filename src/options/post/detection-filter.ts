import type { KeywordModule } from '../keyword.js';
import { parseChoice, parseCount, parseSettings } from '../lib/counted-limit.js';
import { TRACKS, type ThresholdTrack } from './threshold.js';

export interface DetectionFilterValue {
  track: ThresholdTrack;
  /** The rule alerts only after more than `count` hits within `seconds`. */
  count: number;
  seconds: number;
}

const EXAMPLE = 'detection_filter:track by_src, count 10, seconds 60;';

/** `detection_filter:track by_src|by_dst, count N, seconds N;` the rule fires only above a hit rate. */
export const detectionFilter: KeywordModule<DetectionFilterValue> = {
  keyword: 'detection_filter',
  category: 'post-detection',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    const s = parseSettings('detection_filter', raw, ctx, ['track', 'count', 'seconds'], EXAMPLE);
    if (s === undefined) return undefined;
    const track = parseChoice('detection_filter', 'track', s.get('track')!, TRACKS, ctx);
    const count = track && parseCount('detection_filter', 'count', s.get('count')!, 1, ctx);
    const seconds = count && parseCount('detection_filter', 'seconds', s.get('seconds')!, 1, ctx);
    if (track === undefined || count === undefined || seconds === undefined) return undefined;
    return { track, count, seconds };
  },
  print: (v) => `track ${v.track}, count ${v.count}, seconds ${v.seconds}`,
};

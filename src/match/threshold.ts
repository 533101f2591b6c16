/**
 * Per-rule `threshold:` and `detection_filter:`, in event time (packet and log timestamps), as
 * Suricata applies them. Windows start at the first hit of a key and last `seconds` (a hit
 * exactly `seconds` later still counts in the window):
 * - limit: the first `count` hits of each window alert;
 * - threshold: every `count`-th hit of a window alerts (the count restarts after each alert);
 * - both: the `count`-th hit of each window alerts, once;
 * - detection_filter: every hit after the first `count` of a window alerts.
 * Keys are per rule and tracked address (by_src, by_dst, by_both, by_rule, by_flow). State is
 * bounded (least recently used keys are dropped and counted).
 */
import { LRUCache } from 'lru-cache';
import type { ThresholdTrack } from '../options/post/threshold.js';

interface Window {
  startUs: number;
  count: number;
}

export interface ThresholdKeyParts {
  src: string;
  dst: string;
  flowId: number | undefined;
}

export class ThresholdTable {
  evictions = 0;
  /** Hits withheld by threshold/detection_filter. */
  suppressed = 0;
  private readonly table: LRUCache<string, Window>;

  constructor(maxKeys = 65536) {
    this.table = new LRUCache<string, Window>({
      max: maxKeys,
      dispose: (_v, _k, reason) => {
        if (reason === 'evict') this.evictions++;
      },
    });
  }

  get size(): number {
    return this.table.size;
  }

  /** Whether this hit of rule `ruleIndex` alerts; records it either way. */
  allow(
    ruleIndex: number,
    type: 'limit' | 'threshold' | 'both' | 'detection',
    track: ThresholdTrack,
    count: number,
    seconds: number,
    tsUs: number,
    parts: ThresholdKeyParts,
  ): boolean {
    const key = `${ruleIndex}|${keyOf(track, parts)}`;
    const w = this.table.get(key);
    let ok: boolean;
    if (w === undefined || tsUs - w.startUs > seconds * 1_000_000) {
      this.table.set(key, { startUs: tsUs, count: 1 });
      ok = type === 'limit' || ((type === 'threshold' || type === 'both') && count <= 1) || (type === 'detection' && count < 1);
    } else {
      w.count++;
      switch (type) {
        case 'limit':
          ok = w.count <= count;
          break;
        case 'threshold':
          ok = w.count >= count;
          if (ok) w.count = 0;
          break;
        case 'both':
          ok = w.count === count;
          break;
        case 'detection':
          ok = w.count > count;
          break;
      }
    }
    if (!ok) this.suppressed++;
    return ok;
  }
}

function keyOf(track: ThresholdTrack, p: ThresholdKeyParts): string {
  switch (track) {
    case 'by_src':
      return p.src;
    case 'by_dst':
      return p.dst;
    case 'by_both':
      return `${p.src}>${p.dst}`;
    case 'by_flow':
      return `f${p.flowId ?? -1}`;
    case 'by_rule':
      return '';
  }
}

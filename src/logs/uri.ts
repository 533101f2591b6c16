// The one import from app/: URIs read from web logs must normalise exactly as URIs read from
// packets, or an http.uri rule would fire on one and not the other. normalizeUri is pure.
import { normalizeUri, uriNeedsNormalizing } from '../app/http/normalize-uri.js';
import { RepeatGate } from '../types/repeat-gate.js';
import { latin1 } from './bytes.js';

export interface LogUri {
  bytes: Uint8Array;
  evasions: readonly string[];
}

const NO_EVASIONS: readonly string[] = Object.freeze([]);
/** URIs longer than this are normalised afresh each time (a long key costs more than it saves). */
const MAX_CACHED_BYTES = 512;
const MAX_CACHED = 4096;

/** Lookups per hit-rate window, and windows the cache stays unused after a poor one. */
const WINDOW = 4096;
const REST_WINDOWS = 16;

/**
 * Web logs repeat the same few hundred URIs line after line, and the URIs that need work (the
 * escaped probes rules look for) are the dear ones: results are kept by raw URI. normalizeUri
 * is pure, so a kept result is exact; the table is emptied when full. A log whose URIs rarely
 * repeat (a query string per request) would only pay for keys: when under a quarter of a
 * window's lookups hit, URIs are normalised directly for a while, then the cache tries again.
 */
const cache = new Map<string, LogUri>();
const gate = new RepeatGate(WINDOW, WINDOW * REST_WINDOWS);

/**
 * The `http.uri` buffer of a raw request target, plus the URI evasions seen while normalising it.
 * Results may be shared between records: callers only read them.
 */
export function normalizedUri(raw: Uint8Array): LogUri {
  if (!uriNeedsNormalizing(raw)) return { bytes: raw, evasions: NO_EVASIONS };
  if (raw.length > MAX_CACHED_BYTES) return normalizeUri(raw);
  if (!gate.active()) return normalizeUri(raw);
  const key = latin1(raw);
  let hit = cache.get(key);
  if (gate.count(hit !== undefined)) cache.clear();
  if (hit === undefined) {
    const n = normalizeUri(raw);
    // A kept view into the line would pin the whole read chunk it came from.
    const bytes = n.bytes.buffer === raw.buffer ? n.bytes.slice() : n.bytes;
    hit = { bytes, evasions: Object.freeze(n.evasions) };
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, hit);
  }
  return hit;
}

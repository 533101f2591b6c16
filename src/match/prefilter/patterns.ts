import { FOLD, hasAsciiLetter } from './ascii.js';
import { MAX_ID_LIMIT } from './candidate-set.js';
import { MAX_SLOTS } from './step-tables.js';

/** One literal the prefilter looks for: a rule's fast pattern. */
export interface PrefilterPattern {
  /** Reported when the pattern occurs; several patterns may share an id, one pattern may repeat with several ids. */
  id: number;
  bytes: Uint8Array;
  /** ASCII-only case folding, as the rule keyword `nocase`. */
  nocase: boolean;
}

/**
 * Distinct patterns after merging duplicates, in flat typed arrays. A "slot" is one distinct
 * (bytes, nocase) pair; all ids given for it are reported together.
 */
export interface PatternSlots {
  count: number;
  /** Bytes to compare: folded for nocase slots, exact otherwise; slot s is pool[start[s] .. start[s]+length[s]). */
  pool: Uint8Array;
  start: Int32Array;
  length: Int32Array;
  nocase: Uint8Array;
  idStart: Int32Array;
  ids: Uint32Array;
  idLimit: number;
  maxLength: number;
}

export function normalizePatterns(patterns: readonly PrefilterPattern[]): PatternSlots {
  // Slots by hash of (nocase, bytes); collisions are told apart by comparing bytes.
  const slotsByHash = new Map<number, number | number[]>();
  const slotBytes: Uint8Array[] = [];
  const slotNocase: boolean[] = [];
  const slotIds: number[][] = [];
  let idLimit = 0;
  let maxLength = 0;
  for (let k = 0; k < patterns.length; k++) {
    const p = patterns[k]!;
    if (!Number.isInteger(p.id) || p.id < 0 || p.id >= MAX_ID_LIMIT) {
      throw new RangeError(`prefilter pattern #${k}: id must be an integer in [0, ${MAX_ID_LIMIT}), got ${p.id}`);
    }
    if (!(p.bytes instanceof Uint8Array) || p.bytes.length === 0) {
      throw new RangeError(`prefilter pattern #${k} (id ${p.id}): bytes must be a non-empty Uint8Array`);
    }
    // Without letters, folding changes nothing: treating such a pattern as nocase lets it merge
    // with its case-sensitive twin.
    const nocase = p.nocase || !hasAsciiLetter(p.bytes);
    const bytes = p.bytes.slice();
    if (nocase) for (let j = 0; j < bytes.length; j++) bytes[j] = FOLD[bytes[j]!]!;
    const hash = hashBytes(bytes, nocase);
    const candidates = slotsByHash.get(hash);
    let slot: number | undefined;
    if (typeof candidates === 'number') {
      if (sameSlot(slotBytes[candidates]!, slotNocase[candidates]!, bytes, nocase)) slot = candidates;
    } else if (candidates !== undefined) {
      slot = candidates.find((c) => sameSlot(slotBytes[c]!, slotNocase[c]!, bytes, nocase));
    }
    if (slot === undefined) {
      if (slotBytes.length >= MAX_SLOTS) throw new RangeError(`prefilter: more than ${MAX_SLOTS} distinct patterns`);
      slot = slotBytes.length;
      if (candidates === undefined) slotsByHash.set(hash, slot);
      else if (typeof candidates === 'number') slotsByHash.set(hash, [candidates, slot]);
      else candidates.push(slot);
      slotBytes.push(bytes);
      slotNocase.push(nocase);
      slotIds.push([]);
      if (bytes.length > maxLength) maxLength = bytes.length;
    }
    const ids = slotIds[slot]!;
    if (!ids.includes(p.id)) ids.push(p.id);
    if (p.id + 1 > idLimit) idLimit = p.id + 1;
  }
  const count = slotBytes.length;
  const start = new Int32Array(count);
  const length = new Int32Array(count);
  const nocase = new Uint8Array(count);
  let poolSize = 0;
  for (let s = 0; s < count; s++) poolSize += slotBytes[s]!.length;
  const pool = new Uint8Array(poolSize);
  const idStart = new Int32Array(count + 1);
  let idCount = 0;
  for (let s = 0; s < count; s++) idCount += slotIds[s]!.length;
  const ids = new Uint32Array(idCount);
  let at = 0;
  let idAt = 0;
  for (let s = 0; s < count; s++) {
    const b = slotBytes[s]!;
    start[s] = at;
    length[s] = b.length;
    pool.set(b, at);
    at += b.length;
    nocase[s] = slotNocase[s] ? 1 : 0;
    idStart[s] = idAt;
    for (const id of slotIds[s]!) ids[idAt++] = id;
  }
  idStart[count] = idAt;
  return { count, pool, start, length, nocase, idStart, ids, idLimit, maxLength };
}

/** FNV-1a over the bytes, seeded by the nocase flag. */
function hashBytes(bytes: Uint8Array, nocase: boolean): number {
  let h = nocase ? 0x811c9dc5 : 0x050c5d1f;
  for (let j = 0; j < bytes.length; j++) h = Math.imul(h ^ bytes[j]!, 0x01000193);
  return h;
}

function sameSlot(a: Uint8Array, aNocase: boolean, b: Uint8Array, bNocase: boolean): boolean {
  if (aNocase !== bNocase || a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/**
 * A rule's payload keywords for one buffer, and the loop that runs them with the Snort/Suricata
 * retry semantics: when a keyword after a content (or pcre) fails, and it depends on where that
 * content matched, the content is searched again from just after its previous occurrence, and
 * the rest is tried again from there. The result is the same as asking whether some choice of
 * occurrences satisfies every keyword (tests check this against a brute-force evaluator), with
 * the search pruned where a later occurrence cannot change the outcome, and bounded by a step
 * budget (Suricata's inspection recursion limit) so that no rule can make it quadratic forever.
 */
import { ABORT, NO_MATCH, type Inspection, type PayloadMatcher } from '../options/matcher.js';
import { IsDataAtMatcher } from '../options/payload/isdataat.js';

export const MATCHED = 1;

export class BufferProgram {
  /** Searching step i is worth retrying at a later occurrence (what follows depends on its position). */
  readonly retry: Uint8Array;
  /** Some step positions itself from the buffer start (see README: stream anchors). */
  readonly anchored: boolean;
  /** Some step moves the cursor (so a match has an end). */
  readonly advances: boolean;
  /**
   * No match ends further than this from the buffer start (every advancing step has a bounded
   * reach, PayloadMatcher.reach); Infinity otherwise. A stream inspection that only counts
   * matches ending past some point skips the anchors this cannot get past.
   */
  readonly reach: number;
  /**
   * Some step is a negated isdataat: it holds because bytes are missing, which on a stream that
   * goes on only means they have not arrived yet (see engine.ts, streamProgram).
   */
  readonly endSensitive: boolean;

  constructor(
    /** Buffer name: 'pkt_data' or a sticky-buffer name (src/types/buffers.ts). */
    readonly buffer: string,
    readonly steps: readonly PayloadMatcher[],
    /** The buffer has instances (MULTI_INSTANCE_BUFFERS): the program matches when one instance does. */
    readonly multi = false,
  ) {
    const n = steps.length;
    this.retry = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (!steps[i]!.searches) continue;
      for (let j = i + 1; j < n; j++) {
        const s = steps[j]!;
        if (s.relative) {
          this.retry[i] = 1;
          break;
        }
        // An absolute step that moves the cursor cuts every later step loose from step i.
        if (s.advances) break;
      }
    }
    let anchored = false;
    let advanced = false;
    for (const s of steps) {
      // A relative step before anything moved the cursor counts from the buffer start. An
      // isdataat only tests the buffer's length: it does not tie the match to where a segment
      // began (Suricata inspects packets as well only for a content with depth or offset), so
      // it never makes the program tried from each chunk start.
      if (s instanceof IsDataAtMatcher) continue;
      if (s.absolute || (s.relative && !advanced)) anchored = true;
      if (s.advances) advanced = true;
    }
    this.anchored = anchored;
    this.advances = advanced;
    this.reach = programReach(steps);
    this.endSensitive = steps.some((s) => s instanceof IsDataAtMatcher && s.readsAhead !== true);
  }
}

/** The furthest end any match of the steps can have (the cursor starts at 0; see `readsAhead`), or Infinity. */
function programReach(steps: readonly PayloadMatcher[]): number {
  let cursor = 0;
  let furthest = 0;
  for (const s of steps) {
    if (!s.advances && s.readsAhead !== true) continue;
    const r = s.reach;
    if (r === undefined || !Number.isFinite(r)) return Infinity;
    const end = s.relative ? cursor + r : r;
    if (s.advances) cursor = end;
    if (end > furthest) furthest = end;
  }
  return furthest;
}

/**
 * Runs a program over `ins.buf`. `minEnd`: only a match whose furthest cursor lies beyond it
 * counts (stream inspection: the match must end in data not inspected before); -2 accepts all.
 */
export function runProgram(p: BufferProgram, ins: Inspection, minEnd: number): boolean {
  return step(p, ins, 0, 0, -1, minEnd) === MATCHED;
}

/** The furthest end (index in the buffer) of the last match runProgram found; -1 when nothing moved the cursor. */
let matchEnd = -1;

export function lastMatchEnd(): number {
  return matchEnd;
}

function step(p: BufferProgram, ins: Inspection, i: number, cursor: number, maxEnd: number, minEnd: number): number {
  const steps = p.steps;
  if (i === steps.length) {
    if (maxEnd <= minEnd) return NO_MATCH;
    matchEnd = maxEnd;
    return MATCHED;
  }
  if (++ins.steps > ins.stepLimit) return ABORT;
  const m = steps[i]!;
  if (!m.searches) {
    const r = m.match(ins, cursor, -1);
    if (r < 0) return r;
    const end = m.advances ? r : m.readsAhead === true ? ins.readEnd : -1;
    return step(p, ins, i + 1, r, end > maxEnd ? end : maxEnd, minEnd);
  }
  // Under an end constraint every occurrence may matter (a later one may end in new data).
  const retry = p.retry[i] === 1 || minEnd >= -1;
  let from = -1;
  for (;;) {
    const r = m.match(ins, cursor, from);
    if (r < 0) return r;
    // Read before recursing: the later steps' searches overwrite ins.matchStart.
    const start = ins.matchStart;
    const sub = step(p, ins, i + 1, r, r > maxEnd ? r : maxEnd, minEnd);
    if (sub !== NO_MATCH || !retry) return sub;
    from = start + 1;
    if (++ins.steps > ins.stepLimit) return ABORT;
  }
}

/**
 * Why a case's rule stayed silent (or fired): the case is scanned once more while the engine
 * hands over what each inspection gave the rules, and the buffers the rule reads are shown with
 * what its contents found in them. A signature writer sees at once that `http.uri` held
 * `/etc/passwd` after normalisation, not the `/../` the rule looks for.
 *
 * Contents and pcres are looked for anywhere in their buffer (nocase honoured; a pcre with the
 * engine's bounded runner): one found there can still fail on its position (offset, depth,
 * distance, within, a relative match), which the explanation says when every one is present.
 * Keywords reading a transformed buffer are not checked.
 */
import type { FlowValue } from '../options/non-payload/flow.js';
import type { CompiledHeader } from '../rule/ast.js';
import type { Alert } from '../types/alert.js';
import { buildInput } from './build.js';
import type { Detector, Inspected, Probe } from './detect.js';
import type { TestCase } from './model.js';
import { encodeText } from './text.js';

/** Values shown per rule, and characters per value, before the rest is elided. */
const MAX_VALUES = 6;
const MAX_VALUE_CHARS = 100;

/**
 * Lines explaining each of the case's sids whose verdict failed: a positive case's sids that did
 * not fire, a negative case's that did. Empty when there is nothing to explain.
 */
export async function explainVerdict(c: TestCase, detector: Detector, alerts: readonly Alert[]): Promise<string[]> {
  const fired = new Set(alerts.map((a) => a.sid));
  const sids = c.sids.filter((s) => (c.expect === 'positive' ? !fired.has(s) : fired.has(s)));
  if (sids.length === 0) return [];
  const seen: Inspected[] = [];
  const wanted = new Set<string>();
  for (const sid of sids) for (const b of detector.rules.get(sid)?.reads?.buffers ?? []) wanted.add(b);
  try {
    await detector.detect(buildInput(c), { buffers: wanted, into: seen });
  } catch {
    return []; // the verdict already says the case could not be scanned
  }
  const lines: string[] = [];
  for (const sid of sids) lines.push(...explainSid(sid, c.expect === 'positive', detector, seen));
  return lines;
}

function explainSid(sid: number, positive: boolean, detector: Detector, seen: readonly Inspected[]): string[] {
  const reads = detector.rules.get(sid)?.reads;
  if (reads === undefined) return [];
  if (reads.buffers.length === 0) {
    const lines = [`sid ${sid} reads no buffer: its header, flow or other conditions decided`];
    if (positive) {
      headerMisfit(reads, seen, lines);
      flowMisfit(reads, seen, lines);
    }
    return lines;
  }
  const values = seen.flatMap((ins) => reads.buffers.filter((b) => ins.buffers.has(b)).map((b) => ({ ins, buffer: b, bytes: ins.buffers.get(b)! })));
  if (values.length === 0) {
    const kinds = [...new Set(seen.map((s) => s.label.replace(/ \d+$/, '')))];
    const gave = kinds.length > 0 ? `; it gave ${kinds.join(', ')}` : '; it gave nothing to inspect';
    return [`sid ${sid} reads ${reads.buffers.join(', ')}, which no inspection of this traffic had${gave}: check the rule's protocol, ports and flow against the case`];
  }
  const lines = [`sid ${sid} reads ${reads.buffers.join(', ')}; the traffic gave:`];
  // The same bytes in one buffer (a packet's payload and the stream data it starts) are shown once.
  const rows = new Map<string, { labels: string[]; buffer: string; text: string }>();
  for (const v of values) {
    const text = shown(v.bytes);
    const key = `${v.buffer}\n${text}`;
    const row = rows.get(key);
    if (row === undefined) rows.set(key, { labels: [v.ins.label], buffer: v.buffer, text });
    else row.labels.push(v.ins.label);
  }
  const list = [...rows.values()];
  const head = (r: { labels: string[]; buffer: string }): string => `${r.labels.join(', ')}  ${r.buffer}`;
  const width = Math.max(...list.map((r) => head(r).length));
  for (const r of list.slice(0, MAX_VALUES)) lines.push(`  ${head(r).padEnd(width)}  ${r.text}`);
  if (list.length > MAX_VALUES) lines.push(`  ... ${list.length - MAX_VALUES} more`);
  const verdicts = reads.probes.filter((p) => !p.transformed).map((p) => findings(p, values));
  if (positive) {
    const holders = unique(values.map((v) => v.ins));
    let blocking = headerMisfit(reads, holders, lines) + flowMisfit(reads, holders, lines);
    for (const { p, where, undecided } of verdicts) {
      if (!p.negated && where.length === 0) {
        // The engine counts a search cut off by the pcre limits as no match.
        lines.push(undecided ? `${p.text}: its search in the ${p.buffer} above was cut off by the pcre limits (no match)` : `${p.text} ${p.kind === 'pcre' ? 'matches' : 'is in'} no ${p.buffer} above`);
        blocking++;
      } else if (p.negated && where.length > 0) {
        lines.push(`${p.text} ${p.kind === 'pcre' ? 'matches' : 'is present in'} the ${p.buffer} of ${unique(where).join(', ')}`);
        blocking++;
      }
    }
    if (blocking === 0 && reads.withheldBy !== undefined) {
      lines.push(`${reads.withheldBy} may have withheld the alert: the rule can match and stay silent until its count is reached`);
    } else if (blocking === 0) {
      lines.push(
        reads.probes.length > 0
          ? 'each content and pcre occurs in its buffer: what failed is where (offset, depth, distance, within, relative matches), a byte test, another condition (dsize, flags, ...) or the flow'
          : 'what failed is a byte test, another condition (dsize, flags, ...) or the flow',
      );
    }
  } else {
    for (const { p, where } of verdicts) {
      if (!p.negated && where.length > 0) lines.push(`${p.text} found in the ${p.buffer} of ${unique(where).join(', ')}`);
    }
  }
  return lines;
}

/** Where the probe occurs among the values of its buffer; undecided when a pcre was cut off. */
function findings(p: Probe, values: readonly { ins: Inspected; buffer: string; bytes: Uint8Array }[]): { p: Probe; where: string[]; undecided: boolean } {
  const where: string[] = [];
  let undecided = false;
  for (const v of values) {
    if (v.buffer !== p.buffer) continue;
    const t = p.test(v.bytes);
    if (t === true) where.push(v.ins.label);
    else if (t === undefined) undecided = true;
  }
  return { p, where, undecided };
}

/**
 * Adds a line when the rule's addresses and ports fit none of the inspections (either way round
 * for `<>`), as the engine tests them where all four are known; returns 1 then, else 0. Log
 * records are left out: the engine reads their missing fields leniently.
 */
function headerMisfit(reads: { header?: CompiledHeader; headerText: string }, seen: readonly Inspected[], lines: string[]): number {
  const h = reads.header;
  const known = seen.filter((s) => !s.record && s.src.length > 0 && s.dst.length > 0 && s.srcPort >= 0 && s.dstPort >= 0);
  if (h === undefined || known.length === 0) return 0;
  const fits = (a: Uint8Array, b: Uint8Array, ap: number, bp: number): boolean => h.src.contains(a) && h.dst.contains(b) && h.srcPort.contains(ap) && h.dstPort.contains(bp);
  if (known.some((s) => fits(s.src, s.dst, s.srcPort, s.dstPort) || (h.bidirectional && fits(s.dst, s.src, s.dstPort, s.srcPort)))) return 0;
  const ways = unique(known.map((s) => s.way));
  lines.push(`the rule's header (${reads.headerText}) fits none of the traffic, which went ${ways.slice(0, 2).join(', ')}${ways.length > 2 ? ', ...' : ''}`);
  return 1;
}

/**
 * Adds a line when the rule's flow option fits none of the inspections (their direction, or
 * whether the flow was established then); returns 1 then, else 0. Log records are left out: a
 * log line is a whole transaction, read by the engine's own rules for records.
 */
function flowMisfit(reads: { flow?: { value: FlowValue; text: string } }, seen: readonly Inspected[], lines: string[]): number {
  const flow = reads.flow;
  const known = seen.filter((s) => !s.record);
  if (flow === undefined || known.length === 0) return 0;
  const { direction, state } = flow.value;
  if (direction !== undefined && !known.some((s) => s.toServer === (direction === 'to_server'))) {
    lines.push(`${flow.text} asks for data sent to the ${direction === 'to_server' ? 'server' : 'client'}, but all the data inspected went to the ${direction === 'to_server' ? 'client' : 'server'}`);
    return 1;
  }
  if (state === 'established' && !known.some((s) => s.established)) {
    lines.push(`${flow.text} asks for an established flow, and none was when this was inspected: TCP is after its handshake, UDP once both sides have sent (a lone datagram never is)`);
    return 1;
  }
  return 0;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** A buffer value in the case notation, cut to a line. */
function shown(bytes: Uint8Array): string {
  const text = encodeText(bytes);
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS)}... (${bytes.length} bytes)`;
}

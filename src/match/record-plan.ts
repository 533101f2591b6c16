/**
 * What a rule group asks of log records of one shape (the header fields the records have, their
 * protocol and application, their buffer-key domain), worked out once per shape instead of per
 * record: records of a log file nearly all share one shape, and most header tests of a rule
 * depend on the shape alone (a record has no flow, no fragments, no flowbits).
 *
 * A plan holds:
 * - a verdict per rule: NEVER (the rule cannot apply to any record of the shape, evaluation
 *   would reject it), HEADER_FREE (every header test passes for every record of the shape:
 *   only the payload is left to run) or FULL (some test depends on the record's values);
 * - the rules without a fast pattern that may apply (the always-candidates of the shape);
 * - the group's prefilters restricted to buffers records of the domain may have and to the
 *   patterns of rules that may apply (a pattern of a NEVER rule only costs verifications).
 */
import type { BufferName } from '../types/buffers.js';
import { appProtoApplies, baseBuffer, pushFastPattern, readsAppBuffers, readsRecordReversed, wellKnownPort, DIR_TO_CLIENT, P_ANY, STATE_ESTABLISHED, STATE_NOT_ESTABLISHED, type CompiledRule } from './compile.js';
import type { BufferPrefilter, RuleGroup } from './groups.js';
import { Prefilter, type CandidateSet, type PrefilterPattern } from './prefilter/index.js';
import type { PatternScanner } from './scan-memo.js';

export const VERDICT_NEVER = 0;
export const VERDICT_HEADER_FREE = 1;
export const VERDICT_FULL = 2;

/** The shape of a record, as the engine's header facts describe it. */
export interface RecordShape {
  /** FACT_* bits of the header fields the record has. */
  known: number;
  /** 4, 6, or 0 when the record has no addresses. */
  ipVersion: number;
  /** IP protocol number, or -1 when unknown. */
  proto: number;
  /** Application protocol of the record, or null. */
  app: string | null;
  hasSrc: boolean;
  hasDst: boolean;
  hasSp: boolean;
  hasDp: boolean;
  /** The server port every record of the shape has (hasDp), or -1: the records' ports differ. */
  serverPort: number;
}

export interface RecordPlan {
  /** Verdict per rule index (members of the group only; others read as NEVER). */
  readonly verdicts: Uint8Array;
  /** Rules without a fast pattern whose verdict is not NEVER, in rule order. */
  readonly always: Int32Array;
  /** Buffers to scan for records of the shape, with the patterns of the rules that may apply. */
  readonly filters: readonly RecordFilter[];
}

/** A bit per IP protocol class, as compile.ts sets protoMask. */
export function protoClassBit(proto: number): number {
  return proto === 6 ? 1 : proto === 17 ? 2 : proto === 1 ? 4 : proto === 58 ? 8 : 16;
}

/**
 * Whether a rule is about traffic of IP protocol `proto` (-1: unknown). A log record that names
 * no protocol (a cron line) has no header to test: a header-only rule for one protocol
 * (`alert icmp any any -> any any (itype:8;)`) is not about it, while rules on the record's text
 * still apply, their protocol being what the text is about. A rule for one protocol of a class
 * that holds several (sctp) needs that very one.
 */
export function protocolFits(r: CompiledRule, proto: number, isRecord: boolean): boolean {
  if (proto >= 0 ? (r.protoMask & protoClassBit(proto)) === 0 : isRecord && r.kind === 'header' && r.protoMask !== P_ANY) return false;
  return r.exactProto < 0 || proto === r.exactProto;
}

/**
 * Whether a rule can apply to some record of the shape: each test rejected here is one the
 * engine's evaluation would fail for every such record (records have no flow: toServer, no
 * fragment, no flowbits; a missing address or port fits only rules that do not ask for it,
 * or that inspect the record's application buffers).
 */
export function mayApplyToRecords(r: CompiledRule, s: RecordShape): boolean {
  if (!protocolFits(r, s.proto, true)) return false;
  if (r.ipVersion !== 0 && s.ipVersion !== 0 && r.ipVersion !== s.ipVersion) return false;
  if (!(s.hasSrc && s.hasDst && s.hasSp && s.hasDp)) {
    const lenient = readsAppBuffers(r.kind);
    const server = serverPortFits(s, lenient);
    const client = (ports: CompiledRule['srcPort']): boolean => s.hasSp || lenient || ports.isAny;
    // The rule's source and destination sides: the record's client and server, or the other way
    // round for a rule that looks at the response (see readsRecordReversed).
    const rev = readsRecordReversed(r, s.app);
    const aAddr = rev ? s.hasDst : s.hasSrc;
    const bAddr = rev ? s.hasSrc : s.hasDst;
    const aPort = rev ? server : client;
    const bPort = rev ? client : server;
    const forward = (aAddr || lenient || r.src.isAny) && (bAddr || lenient || r.dst.isAny) && aPort(r.srcPort) && bPort(r.dstPort);
    const backward = r.bidirectional && (bAddr || lenient || r.src.isAny) && (aAddr || lenient || r.dst.isAny) && bPort(r.srcPort) && aPort(r.dstPort);
    if (!forward && !backward) return false;
  }
  // A web log line holds the response's status too: to_client rules that read no more of the
  // response than that apply (see CompiledRule.answersWebLog).
  if (r.flowDir === DIR_TO_CLIENT && !readsRecordReversed(r, s.app)) return false;
  if (r.flowState === STATE_NOT_ESTABLISHED) return false;
  if (r.flowState === STATE_ESTABLISHED && s.app !== 'http' && s.app !== 'smtp') return false;
  if (r.appProto !== null && !appProtoApplies(r.appProto, s.app)) return false;
  if (r.frag === 1) return false;
  if ((r.needs & s.known) !== r.needs) return false;
  if (r.flowbitChecks.length > 0 || r.flowintChecks.length > 0) return false;
  return true;
}


/**
 * Whether the rule's addresses and ports (forward direction) accept every record of the shape:
 * each field the records have is `any` in the rule, each they lack is one the rule lets go.
 */
function addressesAcceptAll(r: CompiledRule, s: RecordShape): boolean {
  const lenient = readsAppBuffers(r.kind);
  const fits = (has: boolean, isAny: boolean): boolean => isAny || (!has && lenient);
  const server = serverPortFits(s, lenient);
  const clientAll = (ports: CompiledRule['srcPort']): boolean => fits(s.hasSp, ports.isAny);
  const serverAll = (ports: CompiledRule['srcPort']): boolean => ports.isAny || ((!s.hasDp || s.serverPort >= 0) && server(ports));
  const rev = readsRecordReversed(r, s.app);
  return (
    fits(rev ? s.hasDst : s.hasSrc, r.src.isAny) &&
    fits(rev ? s.hasSrc : s.hasDst, r.dst.isAny) &&
    (rev ? serverAll : clientAll)(r.srcPort) &&
    (rev ? clientAll : serverAll)(r.dstPort)
  );
}

/**
 * Whether a rule's port set fits the server port of records of the shape, as the engine's
 * evaluation decides. When the records have the port: a set holding the port they all have, or
 * any set when it varies (the engine tests each value). When they lack it: `any`, or for a rule
 * reading application buffers a set holding the application's well-known port (every set when
 * the application has none; see wellKnownPort).
 */
function serverPortFits(s: RecordShape, lenient: boolean): (ports: CompiledRule['dstPort']) => boolean {
  if (s.hasDp) {
    const port = s.serverPort;
    return port < 0 ? () => true : (ports) => ports.contains(port);
  }
  const port = lenient ? wellKnownPort(s.app) : -1;
  return (ports) => ports.isAny || (lenient && (port < 0 || ports.contains(port)));
}

/** The verdict of one rule for records of the shape. */
export function recordVerdict(r: CompiledRule, s: RecordShape): number {
  if (!mayApplyToRecords(r, s)) return VERDICT_NEVER;
  // Header conditions read the record's values (TTL, flags, ...); the rest is the shape's.
  if (r.conditions.length > 0 || r.xbitChecks.length > 0 || !addressesAcceptAll(r, s)) return VERDICT_FULL;
  return VERDICT_HEADER_FREE;
}

/** A buffer to scan for records of a shape, and what scans it. */
export interface RecordFilter {
  readonly buffer: string;
  readonly scanner: PatternScanner;
}

/**
 * Builds the plan of a group for a shape. `domainHas` says whether records of the key domain can
 * have a buffer at all (undefined: any buffer); `shared` caches the record filters by their
 * buffer and rule ids, so shapes that keep the same rules share one (and its scan memos). With
 * `narrow` false the plan settles nothing (every rule FULL, the group's own patterns and
 * always-candidates).
 */
export function buildRecordPlan(
  group: RuleGroup,
  ruleCount: number,
  shape: RecordShape,
  domainHas: ((name: BufferName) => boolean) | undefined,
  shared: Map<string, RecordFilter>,
  narrow = true,
): RecordPlan {
  const verdicts = new Uint8Array(Math.max(1, ruleCount));
  const always: number[] = [];
  const kept = new Map<string, PrefilterPattern[]>();
  const total = new Map<string, number>();
  for (const r of group.members) {
    const v = narrow ? recordVerdict(r, shape) : VERDICT_FULL;
    verdicts[r.index] = v;
    const fp = r.fastPattern;
    if (fp === null) {
      if (v !== VERDICT_NEVER) always.push(r.index);
      continue;
    }
    total.set(fp.buffer, (total.get(fp.buffer) ?? 0) + 1);
    if (v === VERDICT_NEVER) continue;
    let list = kept.get(fp.buffer);
    if (list === undefined) kept.set(fp.buffer, (list = []));
    pushFastPattern(list, r.index, fp);
  }
  always.sort((a, b) => a - b);
  const filters: RecordFilter[] = [];
  for (const f of group.prefilters()) {
    const name = f.buffer as BufferName;
    // A derived buffer (after transforms) exists where its base buffer does.
    if (domainHas !== undefined && name !== 'pkt_data' && !domainHas(baseBuffer(name) as BufferName)) continue;
    const patterns = kept.get(f.buffer);
    if (patterns === undefined) continue;
    const key = f.buffer + '\n' + patterns.map((p) => p.id).join(',');
    let rf = shared.get(key);
    if (rf === undefined) {
      const whole = patterns.length === total.get(f.buffer);
      const scanner = narrow && FewPatternScanner.fits(patterns) ? new FewPatternScanner(patterns) : whole ? new GroupScanner(f) : new LazyScanner(patterns);
      shared.set(key, (rf = { buffer: f.buffer, scanner }));
    }
    filters.push(rf);
  }
  return { verdicts, always: Int32Array.from(always), filters };
}

/** The group's own prefilter of the buffer (built on first use by the group). */
class GroupScanner implements PatternScanner {
  constructor(private readonly source: BufferPrefilter) {}

  scan(buf: Uint8Array, out: CandidateSet): void {
    this.source.prefilter.scan(buf, out);
  }
}

/** A prefilter over part of a group's patterns of one buffer, built on first use. */
class LazyScanner implements PatternScanner {
  private filter: Prefilter | null = null;

  constructor(private readonly patterns: readonly PrefilterPattern[]) {}

  scan(buf: Uint8Array, out: CandidateSet): void {
    (this.filter ??= Prefilter.build(this.patterns)).scan(buf, out);
  }
}

/** Up to this many distinct patterns are searched one by one rather than by a prefilter. */
const FEW_PATTERNS = 2;

/**
 * One or two exact patterns (the log.message patterns of a firewall rule or two, say): searched
 * one by one with Node's native search, which beats a multi-pattern
 * prefilter's per-step probing when there is nearly nothing to probe for. Reports exactly the
 * patterns that occur, as a Prefilter does.
 */
export class FewPatternScanner implements PatternScanner {
  private readonly needles: Uint8Array[] = [];
  private readonly ids: number[][] = [];

  /** Whether the patterns suit it: few distinct ones, each matched byte for byte (no letter under nocase). */
  static fits(patterns: readonly PrefilterPattern[]): boolean {
    const distinct = new Set<string>();
    for (const p of patterns) {
      if (p.bytes.length === 0) return false;
      if (p.nocase && p.bytes.some((b) => (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a)) return false;
      distinct.add(Buffer.from(p.bytes).toString('latin1'));
    }
    return distinct.size <= FEW_PATTERNS;
  }

  constructor(patterns: readonly PrefilterPattern[]) {
    const byText = new Map<string, number>();
    for (const p of patterns) {
      const text = Buffer.from(p.bytes).toString('latin1');
      let k = byText.get(text);
      if (k === undefined) {
        byText.set(text, (k = this.needles.length));
        this.needles.push(Uint8Array.from(p.bytes));
        this.ids.push([]);
      }
      this.ids[k]!.push(p.id);
    }
  }

  scan(buf: Uint8Array, out: CandidateSet): void {
    for (let k = 0; k < this.needles.length; k++) {
      if (!occurs(buf, this.needles[k]!)) continue;
      const ids = this.ids[k]!;
      for (let j = 0; j < ids.length; j++) out.add(ids[j]!);
    }
  }
}

/**
 * Whether `needle` occurs in `buf`: Node's native search (memchr for one byte, a
 * Boyer-Moore-Horspool search otherwise), which reads any Uint8Array and beats stepping from
 * one anchor byte to the next in script when the anchor byte is common in the buffer.
 */
function occurs(buf: Uint8Array, needle: Uint8Array): boolean {
  if (needle.length > buf.length) return false;
  return (needle.length === 1 ? BUFFER_INDEX_OF.call(buf, needle[0]!, 0) : BUFFER_INDEX_OF.call(buf, needle, 0)) >= 0;
}

const BUFFER_INDEX_OF = (Buffer.prototype as unknown as { indexOf(this: Uint8Array, value: number | Uint8Array, byteOffset: number): number }).indexOf;

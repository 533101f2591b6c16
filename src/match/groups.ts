/**
 * Rule groups, as Snort's port groups: the rules of one inspection channel (packets of a
 * transport, stream data, HTTP requests, ...) and direction, split by the port they name. A rule
 * whose destination (else source) port set is small sits in the group of each of those ports;
 * the others sit in the channel's generic group. An inspection looks at the groups of both
 * ports of its traffic plus the generic one. Each group has one multi-pattern prefilter per
 * buffer over its rules' fast patterns; rules without a fast pattern are always candidates.
 */
import { CandidateSet, Prefilter, type PrefilterPattern } from './prefilter/index.js';
import { MAX_DSIZE, pushFastPattern, type CompiledRule } from './compile.js';
import { HeaderIndex } from './header-index.js';

/** Port sets up to this many ports get per-port groups; larger ones (`1024:`, `!80`) are generic. */
const MAX_GROUPED_PORTS = 256;

export interface BufferPrefilter {
  readonly buffer: string;
  readonly prefilter: Prefilter;
}

/** A buffer's prefilter, built on first use: a combined body scan may stand in for it for good. */
class LazyBufferPrefilter implements BufferPrefilter {
  private filter: Prefilter | null = null;

  constructor(
    readonly buffer: string,
    private readonly patterns: readonly PrefilterPattern[],
  ) {}

  get prefilter(): Prefilter {
    return (this.filter ??= Prefilter.build(this.patterns));
  }
}

/**
 * An HTTP message's pkt_data (its raw start line, headers and body), file.data and its body
 * buffer (http.request_body or http.response_body) hold the same body bytes: one prefilter over
 * all their patterns scans the body once, and the pkt_data patterns alone scan the headers (with
 * the body's first bytes, for patterns across the seam).
 */
export interface CombinedBodyScan {
  /** Fast patterns of pkt_data and of every body buffer. */
  body: Prefilter;
  /** pkt_data fast patterns, or null when no rule of the group has one. */
  head: Prefilter | null;
  /** The body buffers whose patterns `body` holds (one or two). */
  bodyBuffers: readonly string[];
}

export class RuleGroup {
  readonly members: CompiledRule[] = [];
  private built = false;
  private filters: BufferPrefilter[] = [];
  private always: Int32Array = new Int32Array(0);
  private alwaysRules: CompiledRule[] = [];
  private index: HeaderIndex | null = null;
  private patternsByBuffer = new Map<string, PrefilterPattern[]>();
  private combined: CombinedBodyScan | null | undefined;
  /**
   * For packets: the distinct dsize bounds of rules with a pkt_data fast pattern, ascending, and
   * per bound the prefilter over the patterns of rules that accept a payload that large (built
   * on first use). Empty when no such rule has a bound: the pkt_data prefilter serves all sizes.
   */
  private dsizeBounds: number[] = [];
  private dsizeFilters: (Prefilter | null | undefined)[] = [];
  /** The pkt_data prefilter (undefined: not looked up yet). */
  private packetFilter: Prefilter | null | undefined = undefined;

  add(rule: CompiledRule): void {
    this.members.push(rule);
  }

  /** Prefilters by buffer (built on first use, so groups never inspected cost nothing). */
  prefilters(): readonly BufferPrefilter[] {
    if (!this.built) this.build();
    return this.filters;
  }

  /** Rules without a fast pattern: candidates on every inspection. */
  alwaysCandidates(): Int32Array {
    if (!this.built) this.build();
    return this.always;
  }

  /** The always-candidates behind their header prefilter (header-index.ts), built on first use. */
  headerIndex(): HeaderIndex {
    if (!this.built) this.build();
    return (this.index ??= new HeaderIndex(this.always, this.alwaysRules));
  }

  private build(): void {
    this.built = true;
    const byBuffer = new Map<string, PrefilterPattern[]>();
    const always: number[] = [];
    const alwaysRules: CompiledRule[] = [];
    for (const r of this.members) {
      const fp = r.fastPattern;
      if (fp === null) {
        always.push(r.index);
        alwaysRules.push(r);
        continue;
      }
      let list = byBuffer.get(fp.buffer);
      if (list === undefined) byBuffer.set(fp.buffer, (list = []));
      pushFastPattern(list, r.index, fp);
    }
    this.filters = [...byBuffer].map(([buffer, patterns]) => new LazyBufferPrefilter(buffer, patterns));
    this.always = Int32Array.from(always);
    this.alwaysRules = alwaysRules;
    this.patternsByBuffer = byBuffer;
    const bounds = new Set<number>();
    for (const r of this.members) if (r.fastPattern?.buffer === 'pkt_data' && r.maxDsize < MAX_DSIZE) bounds.add(r.maxDsize);
    this.dsizeBounds = [...bounds].sort((a, b) => a - b);
    this.dsizeFilters = this.dsizeBounds.map(() => undefined);
  }

  /**
   * The pkt_data prefilter for a packet payload of `length` bytes: without the patterns of rules
   * whose dsize cannot accept that size (they would fail evaluation), or null when none is left.
   */
  packetPrefilter(length: number): Prefilter | null {
    if (!this.built) this.build();
    const bounds = this.dsizeBounds;
    if (bounds.length === 0 || length <= bounds[0]!) {
      if (this.packetFilter === undefined) this.packetFilter = this.filters.find((f) => f.buffer === 'pkt_data')?.prefilter ?? null;
      return this.packetFilter;
    }
    // The first bound at or above the size: the rules kept are those whose bound reaches it.
    let k = 1;
    while (k < bounds.length && bounds[k]! < length) k++;
    let f = this.dsizeFilters[k - 1];
    if (f === undefined) {
      const least = k < bounds.length ? bounds[k]! : MAX_DSIZE;
      const patterns: PrefilterPattern[] = [];
      for (const r of this.members) {
        const fp = r.fastPattern;
        if (fp !== null && fp.buffer === 'pkt_data' && r.maxDsize >= least) pushFastPattern(patterns, r.index, fp);
      }
      this.dsizeFilters[k - 1] = f = patterns.length === 0 ? null : Prefilter.build(patterns);
    }
    return f;
  }

  /**
   * For HTTP: the combined scan of pkt_data and the body buffers of the given phase, when at
   * least two of them have fast patterns in the group (else null: each buffer is scanned on its
   * own). A group serves one phase only (request and response groups are separate sets).
   */
  combinedBodyScan(request: boolean): CombinedBodyScan | null {
    if (!this.built) this.build();
    if (this.combined !== undefined) return this.combined;
    const pkt = this.patternsByBuffer.get('pkt_data') ?? [];
    const bodyBuffers: string[] = [];
    const patterns: PrefilterPattern[] = [...pkt];
    // file.data is the message body on either side; the *_body buffer is the same bytes.
    for (const name of ['file.data', request ? 'http.request_body' : 'http.response_body']) {
      const list = this.patternsByBuffer.get(name);
      if (list === undefined) continue;
      bodyBuffers.push(name);
      patterns.push(...list);
    }
    if (bodyBuffers.length === 0 || (pkt.length === 0 && bodyBuffers.length < 2)) return (this.combined = null);
    const head = pkt.length === 0 ? null : this.filters.find((f) => f.buffer === 'pkt_data')!.prefilter;
    this.combined = { body: Prefilter.build(patterns), head, bodyBuffers };
    return this.combined;
  }
}

/** The groups of one channel and direction. */
export class GroupSet {
  readonly generic = new RuleGroup();
  /** Rules of each port's own group (without the generic ones). */
  readonly byPort = new Map<number, RuleGroup>();
  /** Each port's rules together with the generic ones, built on first use: one scan per buffer. */
  private readonly merged = new Map<number, RuleGroup>();

  add(rule: CompiledRule): void {
    const ports = groupPorts(rule);
    if (ports === null) {
      this.generic.add(rule);
      return;
    }
    for (const p of ports) {
      let g = this.byPort.get(p);
      if (g === undefined) this.byPort.set(p, (g = new RuleGroup()));
      g.add(rule);
    }
  }

  get size(): number {
    let n = this.generic.members.length;
    for (const g of this.byPort.values()) n += g.members.length;
    return n;
  }

  /**
   * The groups to inspect for traffic between these ports (-1: no port), into `out`; returns
   * the count. Usually one group (a port's rules merged with the generic ones); two when both
   * ports have rules of their own.
   */
  lookup(srcPort: number, dstPort: number, out: RuleGroup[]): number {
    const a = srcPort >= 0 && this.byPort.size > 0 ? this.byPort.get(srcPort) : undefined;
    const b = dstPort >= 0 && dstPort !== srcPort && this.byPort.size > 0 ? this.byPort.get(dstPort) : undefined;
    if (b !== undefined) {
      out[0] = this.mergedFor(dstPort, b);
      if (a === undefined) return 1;
      out[1] = a;
      return 2;
    }
    if (a !== undefined) {
      out[0] = this.mergedFor(srcPort, a);
      return 1;
    }
    if (this.generic.members.length === 0) return 0;
    out[0] = this.generic;
    return 1;
  }

  private mergedFor(port: number, own: RuleGroup): RuleGroup {
    let g = this.merged.get(port);
    if (g === undefined) {
      if (this.generic.members.length === 0) g = own;
      else {
        g = new RuleGroup();
        for (const r of this.generic.members) g.add(r);
        for (const r of own.members) g.add(r);
      }
      this.merged.set(port, g);
    }
    return g;
  }
}

/** The ports whose groups a rule joins, or null for the generic group. */
function groupPorts(rule: CompiledRule): number[] | null {
  const dst = enumeratePorts(rule.dstPort.toString());
  if (dst !== null) return dst;
  return enumeratePorts(rule.srcPort.toString());
}

/** Ports of a PortSet's text (`80`, `1:3`, `[80,8080:8081]`), or null for any or large sets. */
function enumeratePorts(text: string): number[] | null {
  if (text === 'any') return null;
  const body = text.startsWith('[') ? text.slice(1, -1) : text;
  const out: number[] = [];
  for (const part of body.split(',')) {
    const colon = part.indexOf(':');
    const lo = Number(colon < 0 ? part : part.slice(0, colon));
    const hi = colon < 0 ? lo : Number(part.slice(colon + 1));
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) return null;
    if (out.length + (hi - lo + 1) > MAX_GROUPED_PORTS) return null;
    for (let p = lo; p <= hi; p++) out.push(p);
  }
  return out.length === 0 ? null : out;
}

/** Views of the sorted ids kept for lengths below this (an inspection has a handful of candidates). */
const CACHED_VIEWS = 256;
/** Up to this many ids an insertion sort beats a typed-array sort call. */
const INSERTION_SORT_MAX = 32;

/** A reusable set of candidate rule ids, sorted into evaluation order on demand. */
export class Candidates {
  readonly set: CandidateSet;
  /** How many of the ids came from fresh evidence (prefilter hits), before carried ones were added. */
  freshCount = 0;
  private readonly sorted: Int32Array;
  /** views[n] = sorted[0, n), made on first use: ordered() allocates nothing per inspection. */
  private readonly views: (Int32Array | undefined)[] = [];

  constructor(ruleCount: number) {
    this.set = new CandidateSet(Math.max(1, ruleCount));
    this.sorted = new Int32Array(Math.max(1, ruleCount));
  }

  clear(): void {
    this.set.clear();
  }

  add(id: number): void {
    this.set.add(id);
  }

  addAll(ids: Int32Array): void {
    for (let i = 0; i < ids.length; i++) this.set.add(ids[i]!);
  }

  /** The ids found, in ascending order (= evaluation order); valid until the next call. */
  ordered(): Int32Array {
    const n = this.set.count;
    const out = this.sorted;
    const ids = this.set.ids;
    let view: Int32Array | undefined;
    if (n < CACHED_VIEWS) {
      view = this.views[n];
      if (view === undefined) this.views[n] = view = out.subarray(0, n);
    } else view = out.subarray(0, n);
    sortIdsInto(ids, n, out, view, INSERTION_SORT_MAX);
    return view;
  }
}

/**
 * The first `n` ids in ascending order into out[0..n) (`view` is out's first n). A handful are
 * insertion-sorted in place, which beats a typed-array sort call; more than `insertionMax` go
 * through the native sort of the view.
 */
export function sortIdsInto(ids: Uint32Array, n: number, out: Int32Array, view: Int32Array, insertionMax: number): void {
  if (n > insertionMax) {
    view.set(ids.subarray(0, n));
    view.sort();
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = ids[i]! | 0;
    let j = i - 1;
    while (j >= 0 && out[j]! > v) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = v;
  }
}

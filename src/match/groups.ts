/**
 * Rule groups, as Snort's port groups: the rules of one inspection channel (packets of a
 * transport, stream data, HTTP requests, ...) and direction, split by the port they name. A rule
 * whose destination (else source) port set is small sits in the group of each of those ports;
 * the others sit in the channel's generic group. An inspection looks at the groups of both
 * ports of its traffic plus the generic one. Each group has one multi-pattern prefilter per
 * buffer over its rules' fast patterns; rules without a fast pattern are always candidates.
 */
import { CandidateSet, Prefilter, type PrefilterPattern } from './prefilter/index.js';
import type { CompiledRule } from './compile.js';

/** Port sets up to this many ports get per-port groups; larger ones (`1024:`, `!80`) are generic. */
const MAX_GROUPED_PORTS = 256;

export interface BufferPrefilter {
  buffer: string;
  prefilter: Prefilter;
}

/**
 * An HTTP message's pkt_data (its raw start line, headers and body) and its body buffer hold the
 * same body bytes: one prefilter over both pattern sets scans the body once, and the pkt_data
 * patterns alone scan the headers (with the body's first bytes, for patterns across the seam).
 */
export interface CombinedBodyScan {
  /** Fast patterns of pkt_data and of the body buffer. */
  body: Prefilter;
  /** pkt_data fast patterns. */
  head: Prefilter;
  bodyBuffer: string;
}

export class RuleGroup {
  readonly members: CompiledRule[] = [];
  private built = false;
  private filters: BufferPrefilter[] = [];
  private always: Int32Array = new Int32Array(0);
  private patternsByBuffer = new Map<string, PrefilterPattern[]>();
  private combined: CombinedBodyScan | null | undefined;

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

  private build(): void {
    this.built = true;
    const byBuffer = new Map<string, PrefilterPattern[]>();
    const always: number[] = [];
    for (const r of this.members) {
      const fp = r.fastPattern;
      if (fp === null) {
        always.push(r.index);
        continue;
      }
      let list = byBuffer.get(fp.buffer);
      if (list === undefined) byBuffer.set(fp.buffer, (list = []));
      list.push({ id: r.index, bytes: fp.bytes, nocase: fp.nocase });
    }
    this.filters = [...byBuffer].map(([buffer, patterns]) => ({ buffer, prefilter: Prefilter.build(patterns) }));
    this.always = Int32Array.from(always);
    this.patternsByBuffer = byBuffer;
  }

  /**
   * For HTTP: the combined scan of pkt_data and the body buffer of the given phase, when the
   * group has fast patterns in both (else null: each buffer is scanned on its own).
   */
  combinedBodyScan(request: boolean): CombinedBodyScan | null {
    if (!this.built) this.build();
    if (this.combined !== undefined) return this.combined;
    const pkt = this.patternsByBuffer.get('pkt_data');
    let bodyBuffer = '';
    let bodyPatterns: PrefilterPattern[] = [];
    // file.data is the message body on either side; the *_body buffers are the same bytes.
    for (const name of ['file.data', request ? 'http.request_body' : 'http.response_body']) {
      const list = this.patternsByBuffer.get(name);
      if (list === undefined) continue;
      if (bodyBuffer !== '') return (this.combined = null); // two body buffers: keep them apart
      bodyBuffer = name;
      bodyPatterns = list;
    }
    if (pkt === undefined || bodyBuffer === '') return (this.combined = null);
    this.combined = { body: Prefilter.build([...pkt, ...bodyPatterns]), head: this.filters.find((f) => f.buffer === 'pkt_data')!.prefilter, bodyBuffer };
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

/** A reusable set of candidate rule ids, sorted into evaluation order on demand. */
export class Candidates {
  readonly set: CandidateSet;
  /** How many of the ids came from fresh evidence (prefilter hits), before carried ones were added. */
  freshCount = 0;
  private sorted: Int32Array;

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
    const view = this.sorted.subarray(0, n);
    view.set(this.set.ids.subarray(0, n));
    if (n > 1) view.sort();
    return view;
  }
}

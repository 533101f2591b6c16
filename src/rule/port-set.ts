import type { DiagnosticSink } from './diagnostics.js';
import type { VariableTable } from './variables.js';
import { cachedSpec, type SetAlgebra } from './set-expr.js';
import { subtract, union, unionAll, type Ranges } from './ranges.js';

const PORT_MAX = 65535;

/** A set of transport ports, as a header port spec denotes it. */
export class PortSet {
  readonly isAny: boolean;
  /** Sorted disjoint inclusive [start0, end0, start1, end1, ...]. */
  private readonly ranges: Uint32Array;

  constructor(ranges: Ranges<number>) {
    this.ranges = Uint32Array.from(ranges);
    this.isAny = ranges.length === 2 && ranges[0] === 0 && ranges[1] === PORT_MAX;
  }

  static any(): PortSet {
    return new PortSet([0, PORT_MAX]);
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** How many ports the set holds. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.ranges.length; i += 2) n += this.ranges[i + 1]! - this.ranges[i]! + 1;
    return n;
  }

  contains(port: number): boolean {
    if (this.isAny) return true;
    const r = this.ranges;
    // Most specs hold one to a few ranges: a linear scan beats a binary search there.
    if (r.length <= 16) {
      for (let i = 0; i < r.length; i += 2) {
        if (port < r[i]!) return false;
        if (port <= r[i + 1]!) return true;
      }
      return false;
    }
    let lo = 0;
    let hi = (r.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (port < r[mid * 2]!) hi = mid - 1;
      else if (port > r[mid * 2 + 1]!) lo = mid + 1;
      else return true;
    }
    return false;
  }

  toString(): string {
    if (this.isAny) return 'any';
    const parts: string[] = [];
    for (let i = 0; i < this.ranges.length; i += 2) {
      const s = this.ranges[i]!;
      const e = this.ranges[i + 1]!;
      parts.push(s === e ? String(s) : `${s}:${e}`);
    }
    return parts.length === 1 ? parts[0]! : `[${parts.join(',')}]`;
  }
}

const USAGE = 'write a port (80), a range (1024:65535, 1024:, :1023), any, or a $VARIABLE';

function portNumber(text: string, at: number, sink: DiagnosticSink): number | undefined {
  if (!/^\d+$/.test(text)) {
    sink.error(`'${text}' is not a port number: ${USAGE}`, at, Math.max(1, text.length));
    return undefined;
  }
  const n = Number(text);
  if (n > PORT_MAX) {
    sink.error(`port ${text} out of range: ports are 0 to 65535`, at, text.length);
    return undefined;
  }
  return n;
}

function atom(text: string, sink: DiagnosticSink): Ranges<number> | undefined {
  if (text === 'any') return [0, PORT_MAX];
  const colon = text.indexOf(':');
  if (colon < 0) {
    const n = portNumber(text, 0, sink);
    return n === undefined ? undefined : [n, n];
  }
  const lowText = text.slice(0, colon);
  const highText = text.slice(colon + 1);
  if (lowText === '' && highText === '') {
    sink.error(`':' alone is not a port range: ${USAGE}`);
    return undefined;
  }
  const low = lowText === '' ? 0 : portNumber(lowText, 0, sink);
  const high = highText === '' ? PORT_MAX : portNumber(highText, colon + 1, sink);
  if (low === undefined || high === undefined) return undefined;
  if (low > high) {
    sink.error(`port range ${text} is reversed: write ${high}:${low}`);
    return undefined;
  }
  return [low, high];
}

const portAlgebra: SetAlgebra<Ranges<number>> = {
  what: 'port',
  universe: () => [0, PORT_MAX],
  empty: () => [],
  union: (a, b) => union(a, b, 1),
  unionAll: (sets) => unionAll(sets, 1),
  subtract: (a, b) => subtract(a, b, 1),
  isEmpty: (s) => s.length === 0,
  atom,
};

/**
 * Parses a header port spec (`any`, `80`, `1024:`, `:1023`, `[80,443,8000:8100]`, `!$HTTP_PORTS`).
 * Problems go to `sink` with offsets relative to `text`; undefined on error.
 */
export function parsePortText(text: string, vars: VariableTable, sink: DiagnosticSink): PortSet | undefined {
  return cachedSpec(text, vars, sink, portAlgebra, toPortSet);
}

/** One function for every call (rules parse four specs each). */
const toPortSet = (r: Ranges<number>): PortSet => new PortSet(r);

import { codePointColumn, type Diagnostic, type DiagnosticSink, type Severity } from '../rule/diagnostics.js';

/**
 * Collects the problems of one policy file with `file:line:col` positions. Everything is
 * kept (not just the first problem), in file order.
 */
export class PolicyProblems {
  readonly list: Diagnostic[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly file: string,
    private readonly source: string,
  ) {
    for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.list) if (d.severity === 'error') n++;
    return n;
  }

  error(offset: number, length: number, message: string): void {
    this.add('error', offset, length, message);
  }

  warning(offset: number, length: number, message: string): void {
    this.add('warning', offset, length, message);
  }

  /** A sink for parsers that report relative to a piece of text which starts at `base` in the file. */
  sinkAt(base: number, fallbackLength: number, map?: (relative: number) => number): DiagnosticSink {
    const at = (rel: number | undefined): number => base + (rel === undefined ? 0 : map ? map(rel) : rel);
    return {
      error: (message, offset, length) => this.error(at(offset), length ?? (offset === undefined ? fallbackLength : 1), message),
      warning: (message, offset, length) => this.warning(at(offset), length ?? (offset === undefined ? fallbackLength : 1), message),
    };
  }

  /** Offset in the file of a 1-based line and column. */
  offsetOf(line: number, col: number): number {
    return (this.lineStarts[line - 1] ?? 0) + col - 1;
  }

  private add(severity: Severity, offset: number, length: number, message: string): void {
    const line = this.lineOf(offset);
    const start = this.lineStarts[line - 1]!;
    let end = this.source.indexOf('\n', start);
    if (end < 0) end = this.source.length;
    const sourceLine = this.source.slice(start, end).replace(/\r$/, '');
    this.list.push({
      file: this.file,
      line,
      col: codePointColumn(sourceLine, offset - start + 1),
      severity,
      message: shortened(message),
      length: Math.max(1, length),
      sourceLine,
    });
  }

  private lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/** Closest candidate by edit distance, for "did you mean" hints (only if reasonably close). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c ? ` (did you mean '${c}'?)` : '';
}

/** A value longer than anyone reads (a million-digit sid) is cut in the message; the caret still spans it. */
function shortened(message: string): string {
  return message.length <= 400 ? message : message.replace(/[^\s',]{61,}/g, (t) => `${t.slice(0, 60)}...`);
}

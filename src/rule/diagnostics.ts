/** A problem found in a rules or policy file, reported as `path:line:col: severity: message`. */
export type Severity = 'error' | 'warning';

export interface SourcePos {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based, in characters */
  col: number;
}

export interface Diagnostic extends SourcePos {
  severity: Severity;
  message: string;
  /** Characters the caret underline should cover (at least 1). */
  length: number;
  /** The full text of the source line, for caret display. */
  sourceLine?: string;
}

/** Where keyword modules and parsers send the problems they find; positions are relative to the text they were given. */
export interface DiagnosticSink {
  error(message: string, offset?: number, length?: number): void;
  warning(message: string, offset?: number, length?: number): void;
}

export function formatDiagnostic(d: Diagnostic, withCaret: boolean): string {
  const head = `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
  if (!withCaret || d.sourceLine === undefined) return head;
  const line = d.sourceLine.replace(/\t/g, ' ');
  const caret = ' '.repeat(Math.max(0, d.col - 1)) + '^' + '~'.repeat(Math.max(0, Math.min(d.length, 200) - 1));
  return `${head}\n  ${line}\n  ${caret}`;
}

/** Maps offsets in a (logical) line of text to source positions; see source.ts. */
export interface PositionMap {
  readonly file: string;
  /** Source position of `offset` in the mapped text, with the physical line's text. */
  locate(offset: number): { line: number; col: number; sourceLine: string };
}

/** Collects the diagnostics of a whole run, in the order they were found. */
export class DiagnosticCollector {
  readonly list: Diagnostic[] = [];
  errors = 0;
  warnings = 0;

  add(d: Diagnostic): void {
    this.list.push(d);
    if (d.severity === 'error') this.errors++;
    else this.warnings++;
  }

  /** Counts errors that are summarised rather than listed one by one. */
  countUnlisted(severity: Severity, n: number): void {
    if (severity === 'error') this.errors += n;
    else this.warnings += n;
  }

  /** A sink whose offsets are relative to `base` in the text `map` covers. */
  sinkAt(map: PositionMap, base: number, defaultLength = 1): DiagnosticSink {
    const report = (severity: Severity, message: string, offset = 0, length = defaultLength): void => {
      this.add(diagnosticAt(map, severity, message, base + offset, length));
    };
    return {
      error: (m, o, l) => report('error', m, o, l),
      warning: (m, o, l) => report('warning', m, o, l),
    };
  }
}

export function diagnosticAt(map: PositionMap, severity: Severity, message: string, offset: number, length: number): Diagnostic {
  const at = map.locate(Math.max(0, offset));
  return { file: map.file, line: at.line, col: at.col, severity, message, length: Math.max(1, length), sourceLine: at.sourceLine };
}

/** A sink that keeps what it is told, to be replayed, downgraded or dropped by the caller. */
export class BufferedSink implements DiagnosticSink {
  readonly items: Array<{ severity: Severity; message: string; offset: number | undefined; length: number | undefined }> = [];
  get hasErrors(): boolean {
    return this.items.some((i) => i.severity === 'error');
  }
  error(message: string, offset?: number, length?: number): void {
    this.items.push({ severity: 'error', message, offset, length });
  }
  warning(message: string, offset?: number, length?: number): void {
    this.items.push({ severity: 'warning', message, offset, length });
  }
  replay(to: DiagnosticSink): void {
    for (const i of this.items) to[i.severity](i.message, i.offset, i.length);
  }
}

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

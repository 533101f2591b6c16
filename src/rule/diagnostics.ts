/** A problem found in a rules or policy file, reported as `path:line:col: severity: message`. */
export type Severity = 'error' | 'warning';

export interface SourcePos {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based, in code points (an emoji counts once) */
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
  // Columns count code points; a terminal gives CJK and emoji two cells, combining marks none.
  const start = utf16Index(line, Math.max(0, d.col - 1));
  const before = displayWidth(line.slice(0, start));
  const under = Math.max(1, displayWidth(line.slice(start, start + Math.min(d.length, 200))));
  const caret = ' '.repeat(before) + '^' + '~'.repeat(Math.max(0, under - 1));
  return `${head}\n  ${line}\n  ${caret}`;
}

/** Terminal cells a text takes (East Asian wide and fullwidth characters and emoji: 2; combining marks: 0). */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x300) w++;
    else if ((c >= 0x300 && c <= 0x36f) || (c >= 0x200b && c <= 0x200f) || c === 0xfe0f) continue;
    else if (
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd)
    )
      w += 2;
    else w++;
  }
  return w;
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
  return { file: map.file, line: at.line, col: codePointColumn(at.sourceLine, at.col), severity, message, length: Math.max(1, length), sourceLine: at.sourceLine };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * A 1-based column counted in UTF-16 units, counted in code points instead: an emoji before
 * it counts once, as editors count it. Only diagnostics pay for this, not the parse.
 */
export function codePointColumn(line: string, col: number): number {
  let out = col;
  const end = Math.min(col - 1, line.length);
  for (let i = 0; i + 1 < end; i++) {
    if (isHighSurrogate(line.charCodeAt(i)) && isLowSurrogate(line.charCodeAt(i + 1))) {
      out--;
      i++;
    }
  }
  return out;
}

/** The UTF-16 index of the code point `points` code points into `line`. */
function utf16Index(line: string, points: number): number {
  let i = 0;
  for (let k = 0; k < points && i < line.length; k++) {
    i += isHighSurrogate(line.charCodeAt(i)) && isLowSurrogate(line.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i;
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

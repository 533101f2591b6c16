import type { PositionMap } from './diagnostics.js';

/** Physical lines joined into one logical line, for position mapping. */
interface Segments {
  /** Offsets in the logical text where each physical line starts (first is 0). */
  starts: readonly number[];
  /** 1-based number of each physical line. */
  lineNumbers: readonly number[];
  physical: readonly string[];
}

/**
 * One logical line of a rules file: physical lines joined where a line ends with `\`
 * (the backslash and the line break are dropped, as Snort does), with a map back to
 * the physical line and column of every character. Every rule keeps its line, so the
 * common single-line case holds no arrays.
 */
export class LogicalLine implements PositionMap {
  constructor(
    readonly file: string,
    readonly text: string,
    readonly firstLine: number,
    private readonly segments?: Segments,
    /** Characters of the physical line before `text` starts (a cut-off comment marker). */
    private readonly cut = 0,
    /** The physical line when `text` is cut from it. */
    private readonly whole?: string,
  ) {}

  locate(offset: number): { line: number; col: number; sourceLine: string } {
    const seg = this.segments;
    const at = offset + this.cut;
    if (seg === undefined) return { line: this.firstLine, col: at + 1, sourceLine: this.whole ?? this.text };
    let i = seg.starts.length - 1;
    while (i > 0 && seg.starts[i]! > at) i--;
    return { line: seg.lineNumbers[i]!, col: at - seg.starts[i]! + 1, sourceLine: seg.physical[i]! };
  }

  /** The same line with its first `n` characters cut off, mapped to the same source positions. */
  slice(n: number): LogicalLine {
    return new LogicalLine(this.file, this.text.slice(n), this.firstLine, this.segments, this.cut + n, this.whole ?? this.text);
  }
}

/** Splits file text into logical lines; blank lines are kept (callers skip them cheaply). */
export function logicalLines(file: string, content: string): LogicalLine[] {
  const physical = content.split('\n');
  // A final newline does not start another line.
  if (physical.length > 0 && physical[physical.length - 1] === '') physical.pop();
  const out: LogicalLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    let line = physical[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (!continues(line)) {
      out.push(new LogicalLine(file, line, i + 1));
      continue;
    }
    const starts: number[] = [];
    const lineNumbers: number[] = [];
    const texts: string[] = [];
    let text = '';
    const first = i + 1;
    for (;;) {
      starts.push(text.length);
      lineNumbers.push(i + 1);
      texts.push(line);
      const more = continues(line) && i + 1 < physical.length;
      text += more ? line.replace(/\\[ \t]*$/, '') : line;
      if (!more) break;
      i++;
      line = physical[i]!;
      if (line.endsWith('\r')) line = line.slice(0, -1);
    }
    out.push(new LogicalLine(file, text, first, { starts, lineNumbers, physical: texts }));
  }
  return out;
}

/** A trailing backslash (trailing blanks allowed) continues the line. */
function continues(line: string): boolean {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  return end > 0 && line[end - 1] === '\\';
}

/**
 * Alert writers: EVE JSON lines (Suricata's eve.json alert and stats records) or Snort's
 * alert_fast lines, to any `write(string)` sink. Lines are batched into large writes: a scan
 * can emit millions of alerts, and one write call per alert would dominate the output cost.
 */
import type { Alert } from '../types/alert.js';
import { eveAlert, eveStats } from './eve.js';
import { fastLine } from './fast.js';

export type OutputFormat = 'eve' | 'fast';

export interface TextSink {
  write(s: string): unknown;
}

export interface AlertWriter {
  alert(a: Alert & { correlation?: unknown; fp_reason?: string }): void;
  /** The closing statistics (EVE only; alert_fast has no such record). */
  stats(tsUs: number, counters: Record<string, number>): void;
  /** Writes whatever is still batched. */
  flush(): void;
  readonly written: number;
}

const BATCH_CHARS = 64 * 1024;

abstract class BatchedWriter implements AlertWriter {
  written = 0;
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly sink: TextSink) {}

  abstract alert(a: Alert & { correlation?: unknown; fp_reason?: string }): void;
  abstract stats(tsUs: number, counters: Record<string, number>): void;

  protected line(text: string): void {
    this.parts.push(text, '\n');
    this.size += text.length + 1;
    this.written++;
    if (this.size >= BATCH_CHARS) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    this.sink.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

class EveWriter extends BatchedWriter {
  alert(a: Alert & { correlation?: unknown; fp_reason?: string }): void {
    this.line(JSON.stringify(eveAlert(a)));
  }

  stats(tsUs: number, counters: Record<string, number>): void {
    this.line(JSON.stringify(eveStats(tsUs, counters)));
  }
}

class FastWriter extends BatchedWriter {
  alert(a: Alert): void {
    this.line(fastLine(a));
  }

  stats(): void {
    // alert_fast is alerts only.
  }
}

export function createAlertWriter(format: OutputFormat, sink: TextSink): AlertWriter {
  return format === 'fast' ? new FastWriter(sink) : new EveWriter(sink);
}

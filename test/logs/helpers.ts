import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLogLines, type LogParseOptions } from '../../src/logs/index.js';
import type { LogRecord } from '../../src/logs/index.js';

export const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function fixture(name: string): string {
  return resolve(FIXTURES, name);
}

/** The lines of a fixture as raw bytes (no decoding). */
export function fixtureLines(name: string): Buffer[] {
  const data = readFileSync(fixture(name));
  const lines: Buffer[] = [];
  let s = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a) {
      lines.push(data.subarray(s, i));
      s = i + 1;
    }
  }
  if (s < data.length) lines.push(data.subarray(s));
  return lines;
}

export function parseFixture(name: string, opts: LogParseOptions = {}): ReturnType<typeof parseLogLines> {
  return parseLogLines(fixtureLines(name), { file: name, ...opts });
}

export function text(r: LogRecord, name: Parameters<LogRecord['buffer']>[0]): string | undefined {
  const b = r.buffer(name);
  return b === undefined ? undefined : Buffer.from(b).toString('latin1');
}

export function iso(tsUs: number): string {
  return new Date(tsUs / 1000).toISOString();
}

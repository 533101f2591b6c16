import { describe, expect, it } from 'vitest';
import { BlockingStdout } from '../../src/cli/blocking-stdout.js';

class Exit extends Error {
  constructor(
    readonly code: number,
    readonly said: string | undefined,
  ) {
    super(`exit ${code}`);
  }
}

/** A pipe that takes at most `room` bytes per call and is full on the calls listed in `full`. */
function pipe(room: number, full: ReadonlySet<number>, fail?: { at: number; code: string }) {
  const got: number[] = [];
  let calls = 0;
  const sleeps: number[] = [];
  const write = (_fd: number, buf: Uint8Array, off: number, len: number): number => {
    const call = calls++;
    if (fail !== undefined && call === fail.at) throw Object.assign(new Error(fail.code), { code: fail.code });
    if (full.has(call)) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
    const n = Math.min(room, len);
    for (let i = 0; i < n; i++) got.push(buf[off + i]!);
    return n;
  };
  const out = new BlockingStdout(1, write, (ms) => sleeps.push(ms), (code, said) => {
    throw new Exit(code, said);
  });
  return { out, got, sleeps };
}

describe('standard output that waits for its reader', () => {
  it('writes everything in order, waiting (longer each time, up to 50 ms) while the pipe is full', () => {
    const p = pipe(7, new Set([1, 2, 3, 4, 5, 6, 7, 9]));
    const text = 'x'.repeat(40) + '\u00e9';
    p.out.write(text);
    expect(Buffer.from(p.got).toString('utf8')).toBe(text);
    expect(p.sleeps).toEqual([1, 2, 4, 8, 16, 32, 50, 1]);
  });

  it('ends quietly when the reader is gone, and says any other failure with status 1', () => {
    const gone = pipe(4, new Set(), { at: 1, code: 'EPIPE' });
    expect(() => gone.out.write('abcdefgh')).toThrow(expect.objectContaining({ code: 0, said: undefined }));
    const full = pipe(4, new Set(), { at: 0, code: 'ENOSPC' });
    expect(() => full.out.write('abc')).toThrow(expect.objectContaining({ code: 1, said: 'kanshi: cannot write standard output: ENOSPC\n' }));
  });
});

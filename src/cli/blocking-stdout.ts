import { writeSync } from 'node:fs';

type WriteFn = (fd: number, buf: Uint8Array, off: number, len: number) => number;

/** A short sleep that blocks the thread (nothing else runs meanwhile: the scan is synchronous). */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));
const sleepMs = (ms: number): void => void Atomics.wait(PAUSE, 0, 0, ms);

/**
 * Standard output written as it comes, waiting while the reader's pipe is full. Node queues
 * what a full pipe does not take in memory without limit, and the scan, being synchronous, never
 * lets the queue drain: behind a slow reader (`kanshi correlate big.eve | slow-consumer`) the
 * process grew by tens of megabytes a second. Waiting here makes the reader's pace the
 * producer's, as a Unix filter works. A reader that closes the pipe (`| head`) ends the run
 * quietly; any other failure is said once, with status 1 (the same as bin/kanshi.js does for
 * process.stdout).
 */
export class BlockingStdout {
  constructor(
    private readonly fd = 1,
    private readonly write1: WriteFn = writeSync,
    private readonly sleep: (ms: number) => void = sleepMs,
    private readonly exit: (code: number, message?: string) => never = exitProcess,
  ) {}

  write(s: string | Uint8Array): boolean {
    const buf = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    let off = 0;
    let waitMs = 1;
    while (off < buf.length) {
      try {
        off += this.write1(this.fd, buf, off, buf.length - off);
        waitMs = 1;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          this.sleep(waitMs);
          waitMs = Math.min(waitMs * 2, 50);
        } else if (code === 'EPIPE') {
          this.exit(0);
        } else {
          this.exit(1, `kanshi: cannot write standard output: ${code ?? (e as Error).message}\n`);
        }
      }
    }
    return true;
  }
}

function exitProcess(code: number, message?: string): never {
  if (message !== undefined) {
    try {
      process.stderr.write(message);
    } catch {
      // stderr is gone too
    }
  }
  process.exit(code);
}

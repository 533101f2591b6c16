import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture, readCaptureFile, readCaptureStream } from '../../src/decode/capture-reader.js';
import { encodePcap, encodePcapng, tcpSession, writePcap } from '../../src/traffic/index.js';
import { REPO_ROOT } from '../corpora.js';
import { type CopiedFrame, copyFrame, hex } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'kanshi-decode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const session = tcpSession({ client: '10.0.0.1:1025', server: '10.0.0.2:80' })
  .handshake()
  .send('client', 'q'.repeat(3000))
  .send('server', 'r'.repeat(5000), { segments: [1, 999] })
  .close();
const PACKETS = session.packets();

describe('readCaptureFile', () => {
  it('reads a file with records straddling every read', () => {
    const path = join(dir, 'straddle.pcap');
    writePcap(path, PACKETS);
    for (const chunkSize of [4096, 5000, 1 << 20]) {
      const frames: CopiedFrame[] = [];
      const result = readCaptureFile(path, (f) => frames.push(copyFrame(f)), { chunkSize });
      expect(result.error).toBeUndefined();
      expect(result.format).toBe('pcap');
      expect(result.frames).toBe(PACKETS.length);
      expect(result.bytes).toBe(PACKETS.reduce((n, p) => n + p.frame.length, 0));
      expect(result.fileBytes).toBe(encodePcap(PACKETS).length);
      expect(frames.map((f) => hex(f.data))).toEqual(PACKETS.map((p) => hex(p.frame)));
    }
  });

  it('reports a truncated file by path and offset after delivering what precedes the damage', () => {
    const bytes = encodePcapng(PACKETS);
    const path = join(dir, 'cut.pcapng');
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    let delivered = 0;
    const result = readCaptureFile(path, () => delivered++, { chunkSize: 4096 });
    expect(delivered).toBe(PACKETS.length - 1);
    expect(result.frames).toBe(PACKETS.length - 1);
    const lastBlock = 32 + ((PACKETS.at(-1)!.frame.length + 3) & ~3);
    const start = bytes.length - lastBlock;
    expect(result.error).toEqual({
      message: `${path}: truncated enhanced packet block at byte ${start} (needs ${lastBlock} bytes, ${lastBlock - 10} left)`,
      offset: start,
    });
  });

  it('reports files it cannot open or read instead of throwing', () => {
    const missing = readCaptureFile(join(dir, 'nope.pcap'), () => undefined);
    expect(missing.frames).toBe(0);
    expect(missing.error!.message).toMatch(/nope\.pcap: cannot open: .*ENOENT/);
    const directory = readCaptureFile(dir, () => undefined);
    expect(directory.error!.message).toMatch(/EISDIR/);
  });

  it('lets exceptions of the callback through', () => {
    const path = join(dir, 'cb.pcap');
    writePcap(path, PACKETS);
    expect(() =>
      readCaptureFile(path, () => {
        throw new Error('downstream bug');
      }),
    ).toThrow('downstream bug');
  });
});

describe('readCaptureStream', () => {
  function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let o = 0; o < bytes.length; o += size) out.push(bytes.slice(o, o + size));
    return out;
  }

  it('reads a stream delivered in pieces', async () => {
    const frames: CopiedFrame[] = [];
    const result = await readCaptureStream(Readable.from(chunks(encodePcapng(PACKETS), 333)), (f) =>
      frames.push(copyFrame(f)),
    );
    expect(result.error).toBeUndefined();
    expect(result.frames).toBe(PACKETS.length);
    expect(frames.map((f) => f.tsUs)).toEqual(PACKETS.map((p) => p.tsUs));
  });

  it('turns a failing stream into an error with the offset reached', async () => {
    const bytes = encodePcap(PACKETS);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 1000);
      throw new Error('connection reset');
    }
    const result = await readCaptureStream(failing(), () => undefined, { name: 'sock' });
    expect(result.error).toEqual({ message: 'sock: read error at byte 1000: connection reset', offset: 1000 });
    expect(result.frames).toBeGreaterThan(0);
  });

  it('stops pulling from the source once the capture is found corrupt', async () => {
    let pulled = 0;
    async function* garbage(): AsyncGenerator<Uint8Array> {
      for (;;) {
        pulled++;
        yield new Uint8Array(64).fill(0x41);
      }
    }
    const result = await readCaptureStream(garbage(), () => undefined);
    expect(result.error!.message).toContain('unknown magic number 0x41414141');
    expect(pulled).toBe(1);
  });

  it('refuses text streams', async () => {
    const result = await readCaptureStream(Readable.from(['hello'], { objectMode: true }), () => undefined);
    expect(result.error!.message).toContain('text, not bytes');
  });
});

describe('readCapture', () => {
  it('reads standard input when the path is "-"', () => {
    const script = join(dir, 'stdin-reader.mts');
    const reader = resolve(REPO_ROOT, 'src/decode/capture-reader.ts');
    writeFileSync(
      script,
      `import { readCapture } from ${JSON.stringify(reader)};\n` +
        `let n = 0;\nconst r = await readCapture('-', () => { n++; });\n` +
        `process.stdout.write(JSON.stringify({ n, frames: r.frames, error: r.error ?? null, format: r.format }));\n`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      input: encodePcap(PACKETS, { byteOrder: 'be' }),
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ n: PACKETS.length, frames: PACKETS.length, error: null, format: 'pcap' });
  });

  it('reads files by path', async () => {
    const path = join(dir, 'plain.pcap');
    writePcap(path, PACKETS);
    const result = await readCapture(path, () => undefined);
    expect(result.frames).toBe(PACKETS.length);
  });
});

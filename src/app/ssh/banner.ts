import type { BufferName } from '../../types/buffers.js';
import type { SshBannerView } from '../../types/app.js';
import { KexInitReader, SshKexInit } from './kexinit.js';

/**
 * The identification lines of an SSH connection (RFC 4253 section 4.2), one per direction:
 * `SSH-protoversion-softwareversion [comments]` ended by LF, CRLF, or a CR followed by more
 * bytes. Each is handed to detection once complete, exposing `ssh.proto` (the protocol version,
 * "2.0" or "1.99") and `ssh.software` (up to the first space: comments are left out), as
 * Suricata reads them. A line that does not start the direction with `SSH-`, or has no `-`
 * after the version, ends that direction's parsing (counted). A banner of LONG_SSH_BANNER bytes
 * or more is counted as long (Suricata's long_banner event) but read whole, as Suricata reads a
 * line that arrived whole in one chunk, up to MAX_SSH_BANNER bytes; a long line still open at the
 * end of its chunk is read as far as it came (as Suricata does), so no flow holds more than
 * LONG_SSH_BANNER bytes between segments. After a banner, the direction's
 * first binary packet is read (kexinit.ts): when it is the SSH_MSG_KEXINIT, as the RFC requires,
 * it is handed to detection as a unit of its own, exposing the HASSH buffers. The encrypted
 * traffic after it is not parsed.
 */

/** Lines this long are long banners (RFC 4253 allows 255 bytes with the CR LF). */
export const LONG_SSH_BANNER = 256;
/** Bytes of a banner line read at most. */
export const MAX_SSH_BANNER = 8192;

export interface SshStats {
  banners: number;
  /** Banners of LONG_SSH_BANNER bytes or more (those past MAX_SSH_BANNER are cut there). */
  long: number;
  /** Directions that did not start with a valid banner. */
  invalid: number;
  /** Key-exchange openings read (SSH_MSG_KEXINIT). */
  kexinits: number;
  /** Directions whose first packet after the banner was not a readable KEXINIT. */
  kexinitMissing: number;
}

export function newSshStats(): SshStats {
  return { banners: 0, long: 0, invalid: 0, kexinits: 0, kexinitMissing: 0 };
}

export interface SshContext {
  stats: SshStats;
  emit(unit: SshBanner | SshKexInit): void;
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const DASH = 0x2d;
const PREFIX = [0x53, 0x53, 0x48, 0x2d];

const NO_LINE = new Uint8Array(0);

class Direction {
  /** Grown on demand up to MAX_SSH_BANNER: nearly every banner fits the first 64 bytes. */
  line = new Uint8Array(64);
  length = 0;
  /** The banner was handed over, or the direction gave up. */
  done = false;
  /** The last byte gathered was a CR: the line ended there if anything follows. */
  sawCr = false;
  /** Reads the first packet after a valid banner; null before one (or without one). */
  kex: KexInitReader | null = null;
  banner: SshBanner | null = null;
}

/** The direction's banner is read or given up, and so is the KEXINIT after it. */
function directionFinished(d: Direction): boolean {
  return d.done && (d.kex === null || d.kex.done);
}

export class SshSession {
  private readonly dirs: [Direction, Direction] = [new Direction(), new Direction()];
  private client: SshBanner | null = null;
  private server: SshBanner | null = null;

  constructor(private readonly ctx: SshContext) {}

  /** Both sides are done: nothing more is parsed. */
  get finished(): boolean {
    return directionFinished(this.dirs[0]) && directionFinished(this.dirs[1]);
  }

  /** Reads a direction's bytes; returns how many belonged to its identification line or its KEXINIT. */
  data(toServer: boolean, chunk: Uint8Array): number {
    const d = this.dirs[toServer ? 0 : 1]!;
    let used = d.done ? 0 : this.bannerData(d, toServer, chunk);
    const kex = d.kex;
    if (kex !== null && !kex.done && used < chunk.length) {
      used += kex.feed(chunk, used);
      if (kex.done) this.kexDone(d, toServer);
    }
    return used;
  }

  private kexDone(d: Direction, toServer: boolean): void {
    const result = d.kex!.result;
    if (!result) {
      this.ctx.stats.kexinitMissing++;
      return;
    }
    this.ctx.stats.kexinits++;
    const banner = d.banner!;
    this.ctx.emit(new SshKexInit(banner.id, banner.side, result, banner.fields()));
  }

  /** The banner bytes of chunk, up to the end of the line. */
  private bannerData(d: Direction, toServer: boolean, chunk: Uint8Array): number {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (d.sawCr && c !== LF) {
        d.length--;
        this.finish(d, toServer, false);
        return i;
      }
      if (c === LF) {
        if (d.sawCr) d.length--;
        this.finish(d, toServer, false);
        return i + 1;
      }
      d.sawCr = c === CR;
      if (d.length < PREFIX.length && c !== PREFIX[d.length]) {
        this.invalid(d);
        return i;
      }
      if (d.length === d.line.length) {
        const grown = new Uint8Array(Math.min(MAX_SSH_BANNER, d.line.length * 4));
        grown.set(d.line);
        d.line = grown;
      }
      d.line[d.length++] = c;
      if (d.length === MAX_SSH_BANNER) {
        this.finish(d, toServer, true);
        return i + 1;
      }
    }
    // A long line not ended in its chunk is read as far as it came, as Suricata reads it: a
    // banner dribbled over many segments holds at most LONG_SSH_BANNER bytes between them.
    if (d.length >= LONG_SSH_BANNER) this.finish(d, toServer, true);
    return chunk.length;
  }

  /** Bytes are missing: a banner or KEXINIT not yet complete cannot be read. */
  gap(toServer: boolean): void {
    const d = this.dirs[toServer ? 0 : 1]!;
    if (!d.done && d.length > 0) this.invalid(d);
    d.done = true;
    if (d.kex !== null && !d.kex.done) {
      d.kex.result = null;
      this.ctx.stats.kexinitMissing++;
    }
  }

  private invalid(d: Direction): void {
    d.done = true;
    this.ctx.stats.invalid++;
  }

  private finish(d: Direction, toServer: boolean, cut: boolean): void {
    d.done = true;
    let len = d.length;
    if (len >= LONG_SSH_BANNER) this.ctx.stats.long++;
    // A lone CR at the end of a cut line is part of no field.
    if (cut && d.sawCr) len--;
    const line = d.line.subarray(0, len);
    const parsed = parseSshBanner(line);
    // The fields are copies: the line's memory goes back now, not at the flow's end.
    d.line = NO_LINE;
    if (parsed === null) {
      this.ctx.stats.invalid++;
      return;
    }
    this.ctx.stats.banners++;
    const banner = new SshBanner(toServer ? 0 : 1, toServer ? 'client' : 'server', parsed.proto, parsed.software, toServer ? this.server : this.client);
    if (toServer) this.client = banner;
    else this.server = banner;
    d.banner = banner;
    d.kex = new KexInitReader(toServer);
    this.ctx.emit(banner);
  }
}

/**
 * The protocol and software versions of an identification line (without its line end), or
 * null when it is not `SSH-<proto>-...`. The software version runs to the first space or CR.
 */
export function parseSshBanner(line: Uint8Array): { proto: Uint8Array; software: Uint8Array } | null {
  if (line.length < 5) return null;
  for (let i = 0; i < PREFIX.length; i++) if (line[i] !== PREFIX[i]) return null;
  let dash = 4;
  while (dash < line.length && line[dash] !== DASH) dash++;
  if (dash === 4 || dash >= line.length) return null;
  let end = dash + 1;
  while (end < line.length && line[end] !== SP && line[end] !== CR && line[end] !== LF) end++;
  return { proto: line.slice(4, dash), software: line.slice(dash + 1, end) };
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

/** One side's identification line as detection sees it. */
export class SshBanner implements SshBannerView {
  readonly kind = 'ssh';
  readonly anomalies: readonly string[] = [];

  constructor(
    readonly id: number,
    readonly side: 'client' | 'server',
    private readonly proto: Uint8Array,
    private readonly software: Uint8Array,
    /** The other side's banner when it came first, shown with this one in EVE as Suricata does. */
    private readonly peer: SshBanner | null,
  ) {}

  buffer(name: BufferName): Uint8Array | undefined {
    if (name === 'ssh.proto') return this.proto;
    if (name === 'ssh.software') return this.software;
    return undefined;
  }

  /** The line's fields as EVE writes them. */
  fields(): Record<string, string> {
    return { proto_version: latin1(this.proto), software_version: latin1(this.software) };
  }

  meta(): Record<string, unknown> {
    const own = this.fields();
    const peer = this.peer?.fields();
    if (this.side === 'client') return peer === undefined ? { client: own } : { client: own, server: peer };
    return peer === undefined ? { server: own } : { client: peer, server: own };
  }
}

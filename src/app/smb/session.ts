import { ByteAccumulator, type MemoryBudget } from '../accumulator.js';
import { DcerpcSession, type DcerpcContext } from '../dcerpc/session.js';

/**
 * SMB carrying DCE/RPC over named pipes (MSRPC's ncacn_np, ports 139 and 445): NetBIOS session
 * messages are cut from the client's stream, and the bytes the client writes to a pipe (SMB1
 * Write, WriteAndX, Write and Close and TransactNmPipe, AndX chains followed; SMB2 WRITE and
 * IOCTL FSCTL_PIPE_TRANSCEIVE, compounded SMB2 requests followed) are fed, per file id, to a
 * DCE/RPC reader, whose requests go to detection like those over TCP. A file id whose first write
 * is not a DCE/RPC PDU (a file being copied) is left alone. Only what the client sends is read
 * (binds need no acknowledgement here).
 * Bounds: session messages up to MAX_SMB_MESSAGE bytes are read (a longer one, a bulk file
 * write, is skipped unread and counted; DCE/RPC fragments are far smaller), at most MAX_PIPES
 * file ids per connection (the oldest is forgotten). Other SMB commands are skipped.
 */

export const MAX_SMB_MESSAGE = 256 * 1024;
export const MAX_PIPES = 16;

const SMB1_WRITE_ANDX = 0x2f;
const SMB1_TRANSACTION = 0x25;
const SMB1_WRITE = 0x0b;
const SMB1_WRITE_AND_CLOSE = 0x2c;
/** SMB1 commands whose parameter block starts with an AndX header (next command, reserved, its offset). */
const SMB1_ANDX = new Set([0x24, 0x2d, 0x2e, 0x2f, 0x73, 0x74, 0x75, 0xa2]);
const TRANS_TRANSACT_NMPIPE = 0x0026;
const SMB2_WRITE = 0x09;
const SMB2_IOCTL = 0x0b;
const FSCTL_PIPE_TRANSCEIVE = 0x0011c017;
const DCERPC_VERSION = 5;

function le16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

function le32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function isSmb(m: Uint8Array, magic: number, min: number): boolean {
  return m.length >= min && m[0] === magic && m[1] === 0x53 && m[2] === 0x4d && m[3] === 0x42;
}

export class SmbSession {
  private readonly header = new Uint8Array(4);
  private headerHave = 0;
  /** The session message being gathered (type 0), or null. */
  private message: ByteAccumulator | null = null;
  private messageLength = 0;
  /** Bytes still to skip of a NetBIOS frame that is not a session message. */
  private skip = 0;
  private stopped = false;
  /** DCE/RPC readers by file id, oldest first; null for a file id that is not a pipe carrying DCE/RPC. */
  private readonly pipes = new Map<string, DcerpcSession | null>();
  /** The pipes' readers share the connection's transaction ids. */
  private readonly pipeCtx: DcerpcContext;
  private txCount = 0;

  constructor(
    private readonly ctx: DcerpcContext,
    private readonly budget: MemoryBudget,
  ) {
    this.pipeCtx = { stats: ctx.stats, budget: ctx.budget, emit: (r) => ctx.emit(r), nextTx: () => this.txCount++ };
  }

  /** Bytes of one direction; only the client's are read. */
  data(toServer: boolean, chunk: Uint8Array): void {
    if (!toServer || this.stopped) return;
    let i = 0;
    while (i < chunk.length && !this.stopped) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, chunk.length - i);
        this.skip -= take;
        i += take;
        continue;
      }
      if (this.message === null) {
        const take = Math.min(4 - this.headerHave, chunk.length - i);
        this.header.set(chunk.subarray(i, i + take), this.headerHave);
        this.headerHave += take;
        i += take;
        if (this.headerHave < 4) return;
        this.headerHave = 0;
        const h = this.header;
        // 24 bits of length over direct TCP (445); NetBIOS (139) uses 17, its other flag bits zero.
        const len = (h[1]! << 16) | (h[2]! << 8) | h[3]!;
        // Session requests, keepalives and the like carry no SMB message.
        if (h[0] !== 0) this.skip = len;
        else if (len > MAX_SMB_MESSAGE) {
          this.skip = len;
          this.ctx.stats.smbMessagesSkipped++;
        } else if (len > 0) {
          this.message = new ByteAccumulator(this.budget, len);
          this.messageLength = len;
        }
        continue;
      }
      const m = this.message;
      const take = Math.min(this.messageLength - m.length, chunk.length - i);
      if (m.append(chunk, i, i + take) < take) return this.stop();
      i += take;
      if (m.length === this.messageLength) {
        this.message = null;
        this.onMessage(m.take());
      }
    }
  }

  gap(toServer: boolean): void {
    if (toServer) this.end();
  }

  end(): void {
    this.stopped = true;
    this.message?.reset();
    this.message = null;
    for (const p of this.pipes.values()) p?.end();
    this.pipes.clear();
  }

  private stop(): void {
    if (!this.stopped) this.ctx.stats.malformed++;
    this.end();
  }

  private onMessage(m: Uint8Array): void {
    if (isSmb(m, 0xff, 33)) this.smb1(m);
    else if (isSmb(m, 0xfe, 64)) {
      // Compounded requests: each names the next one's offset.
      for (let at = 0, n = 0; at + 64 <= m.length && n < 32; n++) {
        this.smb2(m, at);
        const next = le32(m, at + 20);
        if (next === 0) break;
        at += next;
      }
    }
  }

  private smb1(m: Uint8Array): void {
    // A reply (flags bit 7) carries nothing the client wrote.
    if ((m[9]! & 0x80) !== 0) return;
    // AndX chains are followed (a WriteAndX after a LockingAndX, say), as Suricata does: each block
    // names the next command and its offset from the SMB header, which must move forward.
    let command = m[4]!;
    let at = 32;
    for (let n = 0; n < 16; n++) {
      this.smb1Command(m, command, at);
      if (!SMB1_ANDX.has(command) || at + 5 > m.length) return;
      const next = le16(m, at + 3);
      if (m[at + 1] === 0xff || next <= at || next >= m.length) return;
      command = m[at + 1]!;
      at = next;
    }
  }

  /** One SMB1 command whose parameter block (word count, then words) starts at m[at]. */
  private smb1Command(m: Uint8Array, command: number, at: number): void {
    const wc = m[at]!;
    const words = at + 1;
    if (words + wc * 2 > m.length) return;
    if (command === SMB1_WRITE_ANDX && (wc === 12 || wc === 14)) {
      const fid = le16(m, words + 4);
      const length = le16(m, words + 20) + le16(m, words + 18) * 65536;
      this.write(`1:${fid}`, m, le16(m, words + 22), length);
    } else if (command === SMB1_WRITE && wc === 5 && words + 15 <= m.length) {
      // The core Write: words, byte count, buffer format, data length, data.
      this.write(`1:${le16(m, words)}`, m, words + 15, le16(m, words + 13));
    } else if (command === SMB1_WRITE_AND_CLOSE && wc === 6 && words + 14 <= m.length) {
      // Write and Close: words, byte count, padding (byte count beyond the bytes to write), data.
      const count = le16(m, words + 2);
      const bcc = le16(m, words + 12);
      this.write(`1:${le16(m, words)}`, m, words + 14 + Math.max(0, bcc - count), count);
    } else if (command === SMB1_TRANSACTION && at === 32 && wc >= 16 && m[words + 26]! >= 2 && le16(m, words + 28) === TRANS_TRANSACT_NMPIPE) {
      this.write(`1:${le16(m, words + 30)}`, m, le16(m, words + 24), le16(m, words + 22));
    }
  }

  private smb2(m: Uint8Array, at: number): void {
    // Responses (flags bit 0) and anything but WRITE and pipe IOCTL requests are skipped.
    if ((le32(m, at + 16) & 1) !== 0) return;
    const command = le16(m, at + 12);
    const body = at + 64;
    if (command === SMB2_WRITE && body + 48 <= m.length) {
      this.write(`2:${fileId(m, body + 16)}`, m, at + le16(m, body + 2), le32(m, body + 4));
    } else if (command === SMB2_IOCTL && body + 56 <= m.length && le32(m, body + 4) === FSCTL_PIPE_TRANSCEIVE) {
      this.write(`2:${fileId(m, body + 8)}`, m, at + le32(m, body + 24), le32(m, body + 28));
    }
  }

  /** Bytes written to a file id, as far as they lie inside the message. */
  private write(id: string, m: Uint8Array, offset: number, length: number): void {
    if (length <= 0 || offset < 0 || offset >= m.length) return;
    const end = Math.min(m.length, offset + length);
    let dce = this.pipes.get(id);
    if (dce === undefined) {
      if (this.pipes.size >= MAX_PIPES) {
        const oldest = this.pipes.keys().next().value!;
        this.pipes.get(oldest)?.end();
        this.pipes.delete(oldest);
      }
      dce = m[offset] === DCERPC_VERSION ? new DcerpcSession(this.pipeCtx) : null;
      this.pipes.set(id, dce);
    }
    dce?.data(true, m.subarray(offset, end));
  }
}

function fileId(b: Uint8Array, at: number): string {
  let s = '';
  for (let k = 0; k < 16; k++) s += (b[at + k]! < 16 ? '0' : '') + b[at + k]!.toString(16);
  return s;
}

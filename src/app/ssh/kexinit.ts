import { createHash } from 'node:crypto';
import type { BufferName } from '../../types/buffers.js';
import type { SshBannerView } from '../../types/app.js';

/**
 * The first binary packet after an identification line (RFC 4253 section 6): the SSH_MSG_KEXINIT
 * that opens the key exchange, still in the clear. Its algorithm lists give HASSH (Salesforce's
 * SSH fingerprint, as Suricata computes it): the MD5 of `kex;encryption;mac;compression`, the
 * client's lists for `ssh.hassh`, the server's (server-to-client lists) for `ssh.hassh.server`.
 */

/** RFC 4253 section 6.1: implementations must handle packets of 35000 bytes in all. */
export const MAX_SSH_PACKET = 35000;
const SSH_MSG_KEXINIT = 20;
/** kex, host key, encryption c2s and s2c, mac c2s and s2c, compression c2s and s2c, languages c2s and s2c. */
const NAME_LISTS = 10;

export interface KexInit {
  /** kex_algorithms;encryption;mac;compression of the sender's direction (RFC order). */
  hasshString: string;
}

/**
 * Reads the bytes after a direction's identification line until its first packet is whole.
 * `feed` returns how many bytes it took; `result` is set once the packet was read: the KEXINIT,
 * or null when the packet is not one (or is malformed, or longer than the RFC allows).
 */
export class KexInitReader {
  private head = new Uint8Array(4);
  private headLength = 0;
  /** The packet length the header claims; 0 before it is read. */
  private length = 0;
  /** Grown as bytes arrive, never to more than were received: a claimed length costs nothing. */
  private body: Uint8Array | null = null;
  private bodyLength = 0;
  result: KexInit | null | undefined = undefined;

  constructor(private readonly client: boolean) {}

  get done(): boolean {
    return this.result !== undefined;
  }

  feed(chunk: Uint8Array, from: number): number {
    let i = from;
    while (i < chunk.length && this.result === undefined) {
      if (this.body === null) {
        this.head[this.headLength++] = chunk[i++]!;
        if (this.headLength < 4) continue;
        const length = ((this.head[0]! << 24) | (this.head[1]! << 16) | (this.head[2]! << 8) | this.head[3]!) >>> 0;
        // A KEXINIT holds at least its padding length, message code, cookie, ten empty lists and a flag.
        if (length < 1 + 1 + 16 + NAME_LISTS * 4 + 1 + 4 || length > MAX_SSH_PACKET) this.result = null;
        else {
          this.length = length;
          this.body = new Uint8Array(Math.min(length, 2048));
        }
        continue;
      }
      const n = Math.min(chunk.length - i, this.length - this.bodyLength);
      if (this.bodyLength + n > this.body.length) {
        const grown = new Uint8Array(Math.min(this.length, Math.max(this.bodyLength + n, this.body.length * 2)));
        grown.set(this.body.subarray(0, this.bodyLength));
        this.body = grown;
      }
      this.body.set(chunk.subarray(i, i + n), this.bodyLength);
      this.bodyLength += n;
      i += n;
      if (this.bodyLength === this.length) {
        this.result = parseKexInit(this.body, this.client);
        this.body = null;
      }
    }
    return i - from;
  }
}

/** The KEXINIT in an SSH packet body (after its length field), or null. Bounds-checked throughout. */
export function parseKexInit(body: Uint8Array, client: boolean): KexInit | null {
  const padding = body[0]!;
  const end = body.length - padding;
  if (end < 2 || body[1] !== SSH_MSG_KEXINIT) return null;
  let at = 2 + 16;
  const lists: string[] = [];
  for (let k = 0; k < NAME_LISTS; k++) {
    if (at + 4 > end) return null;
    const n = ((body[at]! << 24) | (body[at + 1]! << 16) | (body[at + 2]! << 8) | body[at + 3]!) >>> 0;
    at += 4;
    if (at + n > end) return null;
    lists.push(Buffer.from(body.buffer, body.byteOffset + at, n).toString('latin1'));
    at += n;
  }
  // The sender's own direction: client-to-server lists for a client, server-to-client for a server.
  const pick = client ? [0, 2, 4, 6] : [0, 3, 5, 7];
  return { hasshString: pick.map((k) => lists[k]).join(';') };
}

const encoder = new TextEncoder();

/** One side's KEXINIT as detection sees it: `ssh.hassh[.string]` (client) or `ssh.hassh.server[.string]`. */
export class SshKexInit implements SshBannerView {
  readonly kind = 'ssh';
  readonly anomalies: readonly string[] = [];
  private readonly hash: string;
  private readonly stringBytes: Uint8Array;
  private readonly hashBytes: Uint8Array;

  constructor(
    /** The tx id of the side's identification line: both are one SSH transaction of that side. */
    readonly id: number,
    readonly side: 'client' | 'server',
    private readonly kex: KexInit,
    /** The side's identification line fields, shown beside the fingerprint in EVE. */
    private readonly banner: Record<string, string> | null,
  ) {
    this.hash = createHash('md5').update(kex.hasshString, 'latin1').digest('hex');
    this.stringBytes = Buffer.from(kex.hasshString, 'latin1');
    this.hashBytes = encoder.encode(this.hash);
  }

  buffer(name: BufferName): Uint8Array | undefined {
    const client = this.side === 'client';
    if (name === (client ? 'ssh.hassh' : 'ssh.hassh.server')) return this.hashBytes;
    if (name === (client ? 'ssh.hassh.string' : 'ssh.hassh.server.string')) return this.stringBytes;
    return undefined;
  }

  meta(): Record<string, unknown> {
    return { [this.side]: { ...(this.banner ?? {}), hassh: { hash: this.hash, string: this.kex.hasshString } } };
  }
}

import type { XbitsValue } from '../options/non-payload/xbits.js';
import { OldestFirst } from '../types/oldest-first.js';

/** Suricata's lifetime of an xbit set without `expire`, in seconds. */
export const XBITS_DEFAULT_EXPIRE_S = 30;

/**
 * xbits: named bits kept per host (`track ip_src` / `ip_dst`: the packet's source or destination
 * address) or per address pair (`track ip_pair`, either direction), each until its expiry in
 * packet time. Unlike flowbits they outlive a flow and link flows, and log records, of the same
 * hosts.
 *
 * Bounded: past `maxKeys` hosts and pairs the oldest entry is dropped, counted in `evictions`
 * unless every bit it held had expired (then nothing is lost); expired bits are also dropped when
 * their entry is next read.
 */
export class XbitsStore {
  private readonly entries = new Map<string, Map<string, number>>();
  private readonly oldest = new OldestFirst(this.entries);
  evictions = 0;

  constructor(private readonly maxKeys = 65_536) {}

  get size(): number {
    return this.entries.size;
  }

  /** Whether every check of `checks` holds for a packet from `src` to `dst` at `nowUs`. */
  checksHold(checks: readonly XbitsValue[], src: Uint8Array, dst: Uint8Array, nowUs: number): boolean {
    for (let i = 0; i < checks.length; i++) {
      const x = checks[i]!;
      const key = keyOf(x, src, dst);
      const set = key !== null && this.isSet(key, x.name!, nowUs);
      if ((x.cmd === 'isset') !== set) return false;
    }
    return true;
  }

  /** Applies set, unset and toggle commands for a packet from `src` to `dst` at `nowUs`. */
  apply(actions: readonly XbitsValue[], src: Uint8Array, dst: Uint8Array, nowUs: number): void {
    for (let i = 0; i < actions.length; i++) {
      const x = actions[i]!;
      const key = keyOf(x, src, dst);
      if (key === null) continue;
      const name = x.name!;
      const expiresUs = nowUs + (x.expire ?? XBITS_DEFAULT_EXPIRE_S) * 1e6;
      if (x.cmd === 'set') this.bitsOf(key, true, nowUs)!.set(name, expiresUs);
      else if (x.cmd === 'unset') this.bitsOf(key, false, nowUs)?.delete(name);
      else if (x.cmd === 'toggle') {
        if (this.isSet(key, name, nowUs)) this.bitsOf(key, false, nowUs)!.delete(name);
        else this.bitsOf(key, true, nowUs)!.set(name, expiresUs);
      }
    }
  }

  private isSet(key: string, name: string, nowUs: number): boolean {
    const bits = this.entries.get(key);
    if (bits === undefined) return false;
    const expires = bits.get(name);
    if (expires === undefined) return false;
    if (nowUs <= expires) return true;
    bits.delete(name);
    if (bits.size === 0) this.entries.delete(key);
    return false;
  }

  private bitsOf(key: string, create: boolean, nowUs: number): Map<string, number> | undefined {
    let bits = this.entries.get(key);
    if (bits === undefined && create) {
      const oldest = this.oldest.fullAt(this.maxKeys);
      if (oldest !== undefined) {
        const held = this.entries.get(oldest)!;
        this.entries.delete(oldest);
        if (anyLive(held, nowUs)) this.evictions++;
      }
      this.entries.set(key, (bits = new Map()));
    }
    return bits;
  }
}

function anyLive(bits: Map<string, number>, nowUs: number): boolean {
  for (const expires of bits.values()) if (nowUs <= expires) return true;
  return false;
}

/** The host or pair an xbit of `x` lives on: one string per address (pairs in address order), null without addresses. */
function keyOf(x: XbitsValue, src: Uint8Array, dst: Uint8Array): string | null {
  if (x.track === 'ip_dst') return dst.length === 0 ? null : 'h' + addrKey(dst);
  if (x.track === 'ip_pair') {
    if (src.length === 0 || dst.length === 0) return null;
    const a = addrKey(src);
    const b = addrKey(dst);
    return a <= b ? `p${a}|${b}` : `p${b}|${a}`;
  }
  return src.length === 0 ? null : 'h' + addrKey(src);
}

function addrKey(a: Uint8Array): string {
  let s = '';
  for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]!);
  return s;
}

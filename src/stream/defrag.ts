/**
 * IPv4 and IPv6 fragment reassembly, following Suricata 7 (src/defrag.c, defrag-hash.c).
 *
 * Fragments are tracked per (family, the two addresses in either order, IPv4 protocol, id, VLAN
 * tags and tunnel layer). Each fragment's data is copied when it arrives (the frame it came in
 * may be reused by the reader). Held fragments are kept in offset order, as Suricata's fragment
 * tree. Under the bsd policy (the default) overlaps are trimmed on arrival exactly as Suricata's
 * DefragInsertFrag does; the other policies note overlaps on arrival and resolve them with the
 * rules in defrag-policy.ts when the datagram is complete. A datagram is complete once a
 * fragment without MF was kept and the held fragments cover [0, furthest end) without a hole;
 * it is rebuilt from the fragments in offset order up to the first one without MF (Suricata's
 * Defrag4/6Reassemble), so fragments disagreeing about the end are all kept. The rebuilt
 * datagram carries the first fragment's header with the fragment fields cleared and the lengths
 * (and IPv4 checksum) set for the whole, and is decoded again by the IP decoder handed to the
 * constructor.
 *
 * Time is packet time: every fragment sets its tracker to time out `timeout` seconds after the
 * fragment's whole second (Suricata's tracker->timeout). Trackers, held fragments (all trackers
 * together, Suricata's defrag.max-frags) and held bytes are bounded; the tracker least recently
 * given a fragment goes first, and every drop is counted. Work per fragment is a binary search
 * and an array insertion in the tracker's fragments, not a pass over them.
 */
import type { DecodedPacket, IpHeader } from '../types/packet.js';
import type { DefragConfig } from './config.js';
import { newFragmentWins } from './defrag-policy.js';
import { parseFragment } from './defrag-parse.js';
import type { StreamEventListener } from './events.js';
import type { StreamStats } from './stats.js';

/** The frame-level facts handed to the IP decoder along with the rebuilt datagram. */
export interface DatagramBase {
  num: number;
  tsUs: number;
  frame: Uint8Array;
  wireLength: number;
  vlans: number[];
}

/**
 * Decodes an IP datagram from its header onward (decode/ip.ts's decodeIpDatagram with its
 * stats bound), or returns null when the bytes do not decode.
 */
export type IpDatagramDecoder = (bytes: Uint8Array, base: DatagramBase) => DecodedPacket | null;

/** Returned by insert() when the packet is not a fragment after all and should be processed whole. */
export const NOT_A_FRAGMENT = 'not-a-fragment';

const MAX_IP_DATAGRAM = 65535;
/** Accounting charge per held fragment beyond its bytes (object, array slot). */
const FRAGMENT_OVERHEAD = 64;
/** Held fragments compared byte for byte with an overlapping newcomer (for the counters only). */
const MAX_OVERLAP_COMPARES = 32;

interface Fragment {
  /** Offset of data[0] in the datagram (bsd: after the newcomer's trim, as Suricata stores it). */
  start: number;
  end: number;
  data: Uint8Array;
  more: boolean;
  /** bsd: leading bytes a later fragment took over (Suricata's Frag.ltrim); not copied at rebuild. */
  ltrim: number;
  /** Arrival order within the tracker (the non-bsd policies replay fragments in it). */
  seq: number;
}

class FragTracker {
  prev: FragTracker | null = null;
  next: FragTracker | null = null;
  /**
   * Held fragments. bsd: by start, equal starts in arrival order (Suricata's fragment tree).
   * Other policies: in arrival order (sorted once, when the datagram is rebuilt).
   */
  readonly frags: Fragment[] = [];
  /** maxEnd[i]: the largest end among frags[0..i]; valid below maxEndValid. */
  readonly maxEnd: number[] = [];
  maxEndValid = 0;
  /** Union of the held fragments' ranges: sorted, disjoint [start, end) pairs, flattened. */
  cover: number[] = [];
  /** Bytes charged to the memcap for this tracker. */
  charged = 0;
  header: Uint8Array | null = null;
  nextHeaderPos = -1;
  nextHeader = 0;
  /** A fragment without MF was kept (Suricata's seen_last). */
  seenLast = false;
  overlapped = false;
  arrivals = 0;
  /** Packet time at which the tracker times out: refreshed by every fragment. */
  expiresUs = 0;

  constructor(
    readonly key: string,
    readonly v6: boolean,
  ) {}
}

export class Defragmenter {
  private readonly trackers = new Map<string, FragTracker>();
  /** Trackers by their last fragment, least recent first: timeouts and evictions take from the head. */
  private head: FragTracker | null = null;
  private tail: FragTracker | null = null;
  private memuse = 0;
  /** Fragments held by all trackers together (Suricata's fragment pool, defrag.max-frags). */
  private fragsHeld = 0;
  private readonly timeoutUs: number;

  constructor(
    private readonly config: DefragConfig,
    private readonly stats: StreamStats,
    private readonly events: StreamEventListener,
    private readonly decodeIp: IpDatagramDecoder,
  ) {
    this.timeoutUs = config.timeout * 1e6;
  }

  get trackerCount(): number {
    return this.trackers.size;
  }

  get bytesHeld(): number {
    return this.memuse;
  }

  /**
   * Takes one fragment. Returns the decoded whole datagram when this fragment completed it,
   * null while it is incomplete (or the fragment was dropped), or NOT_A_FRAGMENT.
   */
  insert(pkt: DecodedPacket, ip: IpHeader, vlanKey: number, nowUs: number): DecodedPacket | null | typeof NOT_A_FRAGMENT {
    const parsed = parseFragment(pkt, ip, vlanKey);
    const v6 = ip.version === 6;
    if (typeof parsed === 'string') {
      switch (parsed) {
        case 'not-fragment':
          return NOT_A_FRAGMENT;
        case 'truncated':
          this.stats.defragTruncated++;
          this.events.event(v6 ? 'ipv6.frag_ignored' : 'ipv4.frag_ignored', null);
          return null;
        case 'invalid-length':
          this.stats.defragInvalid++;
          this.stats.defragIpv6InvalidLength++;
          this.events.event('ipv6.frag_invalid_length', null);
          return null;
        case 'invalid':
          this.stats.defragInvalid++;
          return null;
      }
    }
    if (v6) this.stats.defragIpv6Fragments++;
    else this.stats.defragIpv4Fragments++;

    const { offset: start, data } = parsed;
    const end = start + data.length;
    const headerExcess = parsed.v6 ? parsed.header.length - 40 : parsed.header.length;
    if (headerExcess + end > MAX_IP_DATAGRAM) {
      if (v6) this.stats.defragIpv6TooLarge++;
      else this.stats.defragIpv4TooLarge++;
      this.events.event(v6 ? 'ipv6.frag_pkt_too_large' : 'ipv4.frag_pkt_too_large', null);
      return null;
    }

    let t = this.trackers.get(parsed.key);
    if (t === undefined) {
      while (this.trackers.size >= this.config.maxTrackers && this.head !== null) {
        this.stats.defragMaxTrackersReached++;
        this.drop(this.head);
      }
      t = new FragTracker(parsed.key, parsed.v6);
      this.link(t);
    } else {
      this.touch(t);
    }
    // Suricata: tracker timeout = whole seconds of this packet's time + timeout, on every fragment.
    t.expiresUs = Math.floor(nowUs / 1e6) * 1e6 + this.timeoutUs;

    // An empty fragment adds nothing; Suricata drops it (its trim reaches its length) before
    // it could mark the datagram's end.
    if (data.length === 0) {
      this.stats.defragInvalid++;
      return null;
    }

    const duplicate = this.noteOverlaps(t, start, end, data, v6);

    // What is kept of the fragment: Suricata trims (bsd) on arrival; the other policies keep it whole.
    let keepFrom = 0;
    if (this.config.policy === 'bsd') {
      keepFrom = this.trimBsd(t, start, end);
      if (keepFrom >= data.length) return null;
    } else if (duplicate) {
      return null;
    }

    if (this.fragsHeld >= this.config.maxFrags) {
      // Suricata's fragment pool is empty: the fragment is ignored, the datagram kept.
      this.stats.defragMaxFragsReached++;
      this.events.event(v6 ? 'ipv6.frag_ignored' : 'ipv4.frag_ignored', null);
      return null;
    }
    const takesHeader = start === 0 && keepFrom === 0 && t.header === null;
    const charge = data.length - keepFrom + FRAGMENT_OVERHEAD + (takesHeader ? parsed.header.length : 0);
    if (!this.makeRoom(charge, t)) {
      this.stats.defragMemcapHits++;
      this.drop(t);
      return null;
    }
    const f: Fragment = {
      start: start + keepFrom,
      end,
      data: data.slice(keepFrom),
      more: parsed.more,
      ltrim: 0,
      seq: t.arrivals++,
    };
    this.hold(t, f);
    if (takesHeader) {
      t.header = parsed.header.slice();
      t.nextHeaderPos = parsed.nextHeaderPos;
      t.nextHeader = parsed.nextHeader;
    }
    t.charged += charge;
    this.memuse += charge;
    this.stats.defragMemuse = this.memuse;
    if (!parsed.more) t.seenLast = true;

    if (!t.seenLast || !this.isComplete(t)) return null;
    const bytes = this.rebuild(t);
    this.drop(t);
    if (bytes === null) {
      if (v6) this.stats.defragIpv6TooLarge++;
      else this.stats.defragIpv4TooLarge++;
      return null;
    }
    return this.decode(bytes, pkt, v6);
  }

  /** Drops trackers whose last fragment is older than the timeout. */
  expire(nowUs: number): void {
    while (this.head !== null && this.head.expiresUs <= nowUs) {
      if (this.head.v6) this.stats.defragIpv6Timeouts++;
      else this.stats.defragIpv4Timeouts++;
      this.drop(this.head);
    }
  }

  /** End of input: every tracker still open is incomplete. */
  flush(): void {
    while (this.head !== null) {
      this.stats.defragIncompleteAtFlush++;
      this.drop(this.head);
    }
  }

  /**
   * Counts and raises an overlap of [start, end) with the held fragments; compares the bytes
   * with a bounded number of them. Returns true for an exact duplicate of a held fragment.
   */
  private noteOverlaps(t: FragTracker, start: number, end: number, data: Uint8Array, v6: boolean): boolean {
    if (!coverIntersects(t.cover, start, end)) return false;
    t.overlapped = true;
    if (v6) this.stats.defragIpv6Overlaps++;
    else this.stats.defragIpv4Overlaps++;
    this.events.event(v6 ? 'ipv6.frag_overlap' : 'ipv4.frag_overlap', null);
    let duplicate = false;
    let differs = false;
    const frags = t.frags;
    // bsd: held fragments starting before `end`, nearest first. Others: the latest arrivals.
    const bsd = this.config.policy === 'bsd';
    const from = bsd ? lowerBound(frags, end) - 1 : frags.length - 1;
    for (let i = from, n = 0, seen = 0; i >= 0 && n < MAX_OVERLAP_COMPARES && seen < 4 * MAX_OVERLAP_COMPARES; i--, seen++) {
      const f = frags[i]!;
      if (f.end <= start || f.start >= end) continue;
      n++;
      const from = Math.max(start, f.start);
      const to = Math.min(end, f.end);
      if (!sameBytes(data, from - start, f.data, from - f.start, to - from)) differs = true;
      else if (f.start === start && f.end === end) duplicate = true;
    }
    if (differs) this.stats.defragOverlapDiffData++;
    return duplicate;
  }

  /**
   * Suricata 7's DefragInsertFrag for the bsd policy: finds the held fragment the newcomer is
   * measured against (`prev`: the first, in offset order from where Suricata starts looking,
   * that ends after the newcomer starts) and its successor (`next`), trims the newcomer against
   * prev's kept start, or prev's and next's starts against the newcomer, and removes prev when
   * nothing of it is left. Returns how many leading bytes of the newcomer to drop (its length or
   * more: drop all of it).
   */
  private trimBsd(t: FragTracker, start: number, end: number): number {
    const frags = t.frags;
    const n = frags.length;
    if (n === 0) return 0;
    // RB_NFIND(offset - 1): the first fragment starting at or after `start` (none for offset 0,
    // where the key wraps to 65535); with none, the walk starts from the lowest fragment.
    const ni = start === 0 ? n : lowerBound(frags, start);
    let i: number;
    if (ni === n) {
      // Walking from the lowest fragment skips every one that ends by `start`.
      i = this.firstEndingAfter(t, start);
    } else {
      i = ni > 0 ? ni - 1 : ni;
      while (i < n && frags[i]!.end <= start) i++;
    }
    if (i >= n) return 0;
    const prev = frags[i]!;
    const next = i + 1 < n ? frags[i + 1]! : null;
    let ltrim = 0;
    if (prev.start <= start) {
      // Prefer the data already held: the newcomer loses what prev holds.
      if (prev.end > end) return end - start;
      ltrim = prev.end - start;
      if (next !== null && end > next.start) next.ltrim = end - next.start;
    } else {
      // The newcomer starts first: prev loses its start to it.
      if (end > prev.start + prev.ltrim) prev.ltrim = Math.max(prev.ltrim, end - prev.start);
      if (next !== null && end > next.start) next.ltrim = end - next.start;
    }
    // A fragment the newcomer overlaps entirely holds no byte any more: gone, as prev is, so a
    // later fragment is never measured against bytes that are no longer there (which left a hole).
    if (next !== null && next.ltrim >= next.data.length) this.release(t, i + 1);
    if (prev.ltrim >= prev.data.length) this.release(t, i);
    return ltrim;
  }

  /** Index of the first held fragment (by start) ending after `x`, or the count if none does. */
  private firstEndingAfter(t: FragTracker, x: number): number {
    const frags = t.frags;
    const n = frags.length;
    const maxEnd = t.maxEnd;
    for (let k = t.maxEndValid; k < n; k++) maxEnd[k] = Math.max(k > 0 ? maxEnd[k - 1]! : 0, frags[k]!.end);
    maxEnd.length = n;
    t.maxEndValid = n;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (maxEnd[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Adds a fragment: bsd after those starting at or before its start, otherwise last. */
  private hold(t: FragTracker, f: Fragment): void {
    const frags = t.frags;
    const at = this.config.policy === 'bsd' ? upperBound(frags, f.start) : frags.length;
    if (at === frags.length) frags.push(f);
    else frags.splice(at, 0, f);
    if (t.maxEndValid > at) t.maxEndValid = at;
    coverAdd(t.cover, f.start, f.end);
    this.fragsHeld++;
  }

  /** Removes held fragment i (bsd: trimmed away entirely by a newcomer that covers it). */
  private release(t: FragTracker, i: number): void {
    const f = t.frags[i]!;
    t.frags.splice(i, 1);
    if (t.maxEndValid > i) t.maxEndValid = i;
    const charge = f.data.length + FRAGMENT_OVERHEAD;
    t.charged -= charge;
    this.memuse -= charge;
    this.stats.defragMemuse = this.memuse;
    this.fragsHeld--;
  }

  /**
   * Suricata's completeness check (Defrag4/6Reassemble): the lowest fragment starts at 0 and
   * the held fragments leave no hole, all of them, wherever the datagram's end is.
   */
  private isComplete(t: FragTracker): boolean {
    if (t.header === null) return false;
    const c = t.cover;
    if (c.length !== 2 || c[0] !== 0) return false;
    // Without bsd's removals the union is exact.
    if (this.config.policy !== 'bsd') return true;
    // bsd removes fragments that a newcomer covers, so the union should stand; confirm it.
    let covered = 0;
    for (const f of t.frags) {
      if (f.start > covered) {
        t.cover = [];
        for (const g of t.frags) coverAdd(t.cover, g.start, g.end);
        return false;
      }
      if (f.end > covered) covered = f.end;
    }
    return true;
  }

  private decode(bytes: Uint8Array, last: DecodedPacket, v6: boolean): DecodedPacket | null {
    let whole: DecodedPacket | null;
    try {
      whole = this.decodeIp(bytes, { num: last.num, tsUs: last.tsUs, frame: bytes, wireLength: bytes.length, vlans: last.vlans });
    } catch {
      // A decoder fault on a hostile datagram must not stop the run; it is counted like a rejection.
      whole = null;
    }
    if (whole === null) {
      this.stats.defragDecodeFailed++;
      return null;
    }
    if (whole.ip !== undefined) whole.ip.reassembled = true;
    // A datagram rebuilt inside a tunnel stays in the tunnel's flows.
    if (last.tunnelLayer !== undefined) whole.tunnelLayer = last.tunnelLayer;
    if (v6) this.stats.defragIpv6Reassembled++;
    else this.stats.defragIpv4Reassembled++;
    return whole;
  }

  /**
   * The whole datagram's bytes, or null if it would exceed the maximum IP datagram size. As in
   * Suricata, fragments are taken in offset order up to the first one without MF (and any others
   * starting at the same offset); the datagram ends where the furthest of those ends.
   */
  private rebuild(t: FragTracker): Uint8Array | null {
    const bsd = this.config.policy === 'bsd';
    const byStart = bsd ? t.frags : t.frags.slice().sort((a, b) => a.start - b.start || a.seq - b.seq);
    const used: Fragment[] = [];
    let more = true;
    let prevStart = 0;
    let dataEnd = 0;
    for (const f of byStart) {
      if (!more && f.start > prevStart) break;
      if (f.ltrim >= f.data.length) continue;
      used.push(f);
      if (f.end > dataEnd) dataEnd = f.end;
      more = f.more;
      prevStart = f.start;
    }
    const header = t.header!;
    const hlen = header.length;
    if ((t.v6 ? hlen - 40 : hlen) + dataEnd > MAX_IP_DATAGRAM) return null;
    const out = new Uint8Array(hlen + dataEnd);
    out.set(header, 0);
    if (bsd) {
      // Suricata can leave bytes of the datagram unwritten (a held fragment trimmed away by one
      // that was in turn trimmed by the next arrival: its packet buffer keeps stale bytes there).
      // They are taken from the held fragments that carry them, under what Suricata writes.
      for (const f of t.frags) {
        if (f.start >= dataEnd) break;
        out.set(f.end > dataEnd ? f.data.subarray(0, dataEnd - f.start) : f.data, hlen + f.start);
      }
      // Copied in offset order, later copies over earlier ones; the first fragment whole.
      for (const f of used) {
        const from = f.start === 0 ? 0 : f.ltrim;
        out.set(f.data.subarray(from), hlen + f.start + from);
      }
    } else if (t.overlapped) {
      this.resolveOverlaps(used, dataEnd, out, hlen);
    } else {
      for (const f of used) out.set(f.data, hlen + f.start);
    }

    if (t.v6) {
      const payloadLength = hlen - 40 + dataEnd;
      out[4] = payloadLength >>> 8;
      out[5] = payloadLength & 0xff;
      out[t.nextHeaderPos] = t.nextHeader;
    } else {
      const total = hlen + dataEnd;
      out[2] = total >>> 8;
      out[3] = total & 0xff;
      out[6] = out[6]! & 0xc0; // keep the reserved and DF bits; clear MF and the offset
      out[7] = 0;
      out[10] = 0;
      out[11] = 0;
      const sum = ipv4HeaderChecksum(out, hlen);
      out[10] = sum >>> 8;
      out[11] = sum & 0xff;
    }
    return out;
  }

  /**
   * Policies other than bsd: replays the fragments in arrival order, letting the policy decide
   * each overlapped run of bytes. `used` covers [0, dataEnd) without a hole.
   */
  private resolveOverlaps(used: Fragment[], dataEnd: number, out: Uint8Array, hlen: number): void {
    const frags = used.slice().sort((a, b) => a.seq - b.seq);
    const owner = new Int32Array(dataEnd).fill(-1);
    const policy = this.config.policy;
    for (let k = 0; k < frags.length; k++) {
      const f = frags[k]!;
      let p = f.start;
      while (p < f.end) {
        const o = owner[p]!;
        let q = p + 1;
        while (q < f.end && owner[q] === o) q++;
        if (o < 0 || newFragmentWins(policy, f.start, f.end, frags[o]!.start, frags[o]!.end)) owner.fill(k, p, q);
        p = q;
      }
    }
    let p = 0;
    while (p < dataEnd) {
      const o = owner[p]!;
      let q = p + 1;
      while (q < dataEnd && owner[q] === o) q++;
      if (o >= 0) {
        const f = frags[o]!;
        out.set(f.data.subarray(p - f.start, q - f.start), hlen + p);
      }
      p = q;
    }
  }

  /** Frees memcap room by dropping the least recently used other trackers; false if even that is not enough. */
  private makeRoom(charge: number, keep: FragTracker): boolean {
    while (this.memuse + charge > this.config.maxBytes) {
      let victim = this.head;
      if (victim === keep) victim = keep.next;
      if (victim === null) return false;
      this.stats.defragMemcapHits++;
      this.drop(victim);
    }
    return true;
  }

  private link(t: FragTracker): void {
    this.trackers.set(t.key, t);
    this.append(t);
    this.stats.defragTrackersActive = this.trackers.size;
  }

  private append(t: FragTracker): void {
    t.prev = this.tail;
    t.next = null;
    if (this.tail !== null) this.tail.next = t;
    else this.head = t;
    this.tail = t;
  }

  private unlink(t: FragTracker): void {
    if (t.prev !== null) t.prev.next = t.next;
    else this.head = t.next;
    if (t.next !== null) t.next.prev = t.prev;
    else this.tail = t.prev;
    t.prev = t.next = null;
  }

  /** A fragment arrived: the tracker now times out last, so it moves to the tail. */
  private touch(t: FragTracker): void {
    if (this.tail === t) return;
    this.unlink(t);
    this.append(t);
  }

  private drop(t: FragTracker): void {
    if (this.trackers.get(t.key) !== t) return;
    this.trackers.delete(t.key);
    this.unlink(t);
    this.memuse -= t.charged;
    this.fragsHeld -= t.frags.length;
    t.charged = 0;
    this.stats.defragMemuse = this.memuse;
    this.stats.defragTrackersActive = this.trackers.size;
  }
}

/** First index whose fragment starts at or after x. */
function lowerBound(frags: Fragment[], x: number): number {
  let lo = 0;
  let hi = frags.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (frags[mid]!.start < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose fragment starts after x. */
function upperBound(frags: Fragment[], x: number): number {
  let lo = 0;
  let hi = frags.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (frags[mid]!.start <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first interval in `c` (flattened pairs) ending at or after x. */
function coverFind(c: number[], x: number): number {
  let lo = 0;
  let hi = c.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c[2 * mid + 1]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function coverIntersects(c: number[], start: number, end: number): boolean {
  const i = coverFind(c, start + 1);
  return 2 * i < c.length && c[2 * i]! < end;
}

/** Adds [start, end) to the union, merging the intervals it touches. */
function coverAdd(c: number[], start: number, end: number): void {
  const i = coverFind(c, start);
  let j = i;
  let s = start;
  let e = end;
  while (2 * j < c.length && c[2 * j]! <= end) {
    if (c[2 * j]! < s) s = c[2 * j]!;
    if (c[2 * j + 1]! > e) e = c[2 * j + 1]!;
    j++;
  }
  c.splice(2 * i, 2 * (j - i), s, e);
}

function sameBytes(a: Uint8Array, aFrom: number, b: Uint8Array, bFrom: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aFrom + i] !== b[bFrom + i]) return false;
  return true;
}

export function ipv4HeaderChecksum(b: Uint8Array, hlen: number): number {
  let sum = 0;
  for (let i = 0; i + 1 < hlen; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * IPv4 and IPv6 fragment reassembly.
 *
 * Fragments are tracked per (family, src, dst, protocol or next header, id, VLAN tags and tunnel layer). Each
 * fragment's data is copied when it arrives (the frame it came in may be reused by the reader);
 * overlaps are noted on arrival and resolved by the configured policy (defrag-policy.ts) when
 * the datagram is complete. The rebuilt datagram carries the first fragment's header with the
 * fragment fields cleared and the lengths (and IPv4 checksum) set for the whole, and is decoded
 * again by the IP decoder handed to the constructor.
 *
 * Time is packet time: a tracker lives `timeout` seconds from its first fragment, whatever
 * arrives later (a trickle of fragments cannot keep it alive). Trackers and held bytes are
 * bounded; the oldest tracker goes first, and every drop is counted.
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

interface Fragment {
  start: number;
  end: number;
  data: Uint8Array;
}

class FragTracker {
  prev: FragTracker | null = null;
  next: FragTracker | null = null;
  readonly frags: Fragment[] = [];
  /** Bytes charged to the memcap for this tracker. */
  charged = 0;
  header: Uint8Array | null = null;
  nextHeaderPos = -1;
  nextHeader = 0;
  /** End of the datagram's data, known once the fragment without MF arrived. */
  totalEnd = -1;
  maxEnd = 0;
  overlapped = false;

  constructor(
    readonly key: string,
    readonly v6: boolean,
    readonly createdUs: number,
  ) {}
}

export class Defragmenter {
  private readonly trackers = new Map<string, FragTracker>();
  /** Trackers in creation order, oldest first: timeouts and evictions take from the head. */
  private head: FragTracker | null = null;
  private tail: FragTracker | null = null;
  private memuse = 0;
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
    if (data.length === 0 && parsed.more) {
      this.stats.defragInvalid++;
      return null;
    }

    let t = this.trackers.get(parsed.key);
    if (t === undefined) {
      while (this.trackers.size >= this.config.maxTrackers && this.head !== null) {
        this.stats.defragMaxTrackersReached++;
        this.drop(this.head);
      }
      t = new FragTracker(parsed.key, parsed.v6, nowUs);
      this.link(t);
    }

    // Offsets that contradict what the datagram's last fragment said are not data any target keeps.
    if (!parsed.more) {
      if ((t.totalEnd >= 0 && t.totalEnd !== end) || end < t.maxEnd) {
        this.stats.defragInvalid++;
        return null;
      }
    } else if (t.totalEnd >= 0 && end > t.totalEnd) {
      this.stats.defragInvalid++;
      return null;
    }
    if (t.frags.length >= this.config.maxFragsPerDatagram) {
      this.stats.defragMaxFragsReached++;
      this.drop(t);
      return null;
    }

    let overlap = false;
    let duplicate = false;
    for (const f of t.frags) {
      if (start >= f.end || f.start >= end) continue;
      overlap = true;
      const from = Math.max(start, f.start);
      const to = Math.min(end, f.end);
      if (!sameBytes(data, from - start, f.data, from - f.start, to - from)) {
        this.stats.defragOverlapDiffData++;
      } else if (f.start === start && f.end === end) {
        duplicate = true;
      }
    }
    if (overlap) {
      t.overlapped = true;
      if (v6) this.stats.defragIpv6Overlaps++;
      else this.stats.defragIpv4Overlaps++;
      this.events.event(v6 ? 'ipv6.frag_overlap' : 'ipv4.frag_overlap', null);
    }

    if (!duplicate) {
      const charge = data.length + FRAGMENT_OVERHEAD + (start === 0 && t.header === null ? parsed.header.length : 0);
      if (!this.makeRoom(charge, t)) {
        this.stats.defragMemcapHits++;
        this.drop(t);
        return null;
      }
      t.frags.push({ start, end, data: data.slice() });
      if (start === 0 && t.header === null) {
        t.header = parsed.header.slice();
        t.nextHeaderPos = parsed.nextHeaderPos;
        t.nextHeader = parsed.nextHeader;
      }
      t.charged += charge;
      this.memuse += charge;
      this.stats.defragMemuse = this.memuse;
      if (end > t.maxEnd) t.maxEnd = end;
      if (!parsed.more) t.totalEnd = end;
    }

    if (!isComplete(t)) return null;
    const bytes = this.rebuild(t);
    this.drop(t);
    if (bytes === null) {
      if (v6) this.stats.defragIpv6TooLarge++;
      else this.stats.defragIpv4TooLarge++;
      return null;
    }
    return this.decode(bytes, pkt, v6);
  }

  /** Drops trackers older than the timeout. */
  expire(nowUs: number): void {
    while (this.head !== null && this.head.createdUs + this.timeoutUs <= nowUs) {
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

  /** The whole datagram's bytes, or null if it would exceed the maximum IP datagram size. */
  private rebuild(t: FragTracker): Uint8Array | null {
    const header = t.header!;
    const hlen = header.length;
    const out = new Uint8Array(hlen + t.totalEnd);
    out.set(header, 0);
    if (t.overlapped) this.resolveOverlaps(t, out, hlen);
    else for (const f of t.frags) out.set(f.data, hlen + f.start);

    if (t.v6) {
      const payloadLength = hlen - 40 + t.totalEnd;
      if (payloadLength > MAX_IP_DATAGRAM) return null;
      out[4] = payloadLength >>> 8;
      out[5] = payloadLength & 0xff;
      out[t.nextHeaderPos] = t.nextHeader;
    } else {
      const total = hlen + t.totalEnd;
      if (total > MAX_IP_DATAGRAM) return null;
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

  /** Replays the fragments in arrival order, letting the policy decide each overlapped run of bytes. */
  private resolveOverlaps(t: FragTracker, out: Uint8Array, hlen: number): void {
    const frags = t.frags;
    const owner = new Int32Array(t.totalEnd).fill(-1);
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
    while (p < t.totalEnd) {
      const o = owner[p]!;
      let q = p + 1;
      while (q < t.totalEnd && owner[q] === o) q++;
      const f = frags[o]!; // isComplete() guarantees every byte has an owner
      out.set(f.data.subarray(p - f.start, q - f.start), hlen + p);
      p = q;
    }
  }

  /** Frees memcap room by dropping the oldest other trackers; false if even that is not enough. */
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
    t.prev = this.tail;
    if (this.tail !== null) this.tail.next = t;
    else this.head = t;
    this.tail = t;
    this.stats.defragTrackersActive = this.trackers.size;
  }

  private drop(t: FragTracker): void {
    if (this.trackers.get(t.key) !== t) return;
    this.trackers.delete(t.key);
    if (t.prev !== null) t.prev.next = t.next;
    else this.head = t.next;
    if (t.next !== null) t.next.prev = t.prev;
    else this.tail = t.prev;
    t.prev = t.next = null;
    this.memuse -= t.charged;
    t.charged = 0;
    this.stats.defragMemuse = this.memuse;
    this.stats.defragTrackersActive = this.trackers.size;
  }
}

function isComplete(t: FragTracker): boolean {
  if (t.totalEnd < 0 || t.header === null) return false;
  const order = t.frags.slice().sort((a, b) => a.start - b.start);
  let covered = 0;
  for (const f of order) {
    if (f.start > covered) return false;
    if (f.end > covered) covered = f.end;
  }
  return covered >= t.totalEnd;
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

/**
 * The flow table: flows keyed on (addresses, ports, protocol, VLAN tags, tunnel layer) in either
 * direction, with a hard bound on entries.
 *
 * - Lookup hashes the tuple symmetrically into an open-chained bucket array and compares
 *   numbers: no string keys, no allocation per packet.
 * - Every flow sits on one list per timeout class (TCP new / established / closed, UDP new /
 *   established, ...), least recently seen first. Since a class has a single timeout, expiry only
 *   looks at list heads: O(1) per packet when nothing expires.
 * - When the table is full, creating a flow evicts one: the least recently seen flow that is
 *   not established if there is one (a flood of spoofed SYNs, or of one-way midstream packets,
 *   only displaces its own kind), else a closed one, else the least recently seen established
 *   one. Evictions are counted.
 *
 * Time is the caller's packet clock, assumed not to go backwards (the engine keeps it monotonic).
 */
import type { DecodedPacket, QuotedPacket } from '../types/packet.js';
import type { FlowConfig } from './config.js';
import {
  CLASS_COUNT,
  CLASS_ICMP_ESTABLISHED,
  CLASS_ICMP_NEW,
  CLASS_OTHER_ESTABLISHED,
  CLASS_OTHER_NEW,
  CLASS_TCP_CLOSED,
  CLASS_TCP_ESTABLISHED,
  CLASS_TCP_NEW,
  CLASS_UDP_ESTABLISHED,
  CLASS_UDP_NEW,
  Flow,
  PROTO_ICMP,
  PROTO_ICMPV6,
  PROTO_TCP,
  PROTO_UDP,
  TCP_CLOSED,
} from './flow.js';
import type { StreamStats } from './stats.js';

export type FlowEndReason = 'timeout' | 'evicted' | 'reuse' | 'flush';

export interface FlowRemovalListener {
  /** Called after the flow left the table. */
  flowRemoved(flow: Flow, reason: FlowEndReason): void;
}

const NEW_CLASSES = [CLASS_TCP_NEW, CLASS_UDP_NEW, CLASS_ICMP_NEW, CLASS_OTHER_NEW] as const;
const ESTABLISHED_CLASSES = [CLASS_TCP_ESTABLISHED, CLASS_UDP_ESTABLISHED, CLASS_ICMP_ESTABLISHED, CLASS_OTHER_ESTABLISHED] as const;

/** The next flow id to hand out; shared by the tables of one run's inputs. */
export interface FlowIdCounter {
  next: number;
}

export class FlowTable {
  private readonly buckets: (Flow | null)[];
  private readonly mask: number;
  private readonly heads: (Flow | null)[] = new Array<Flow | null>(CLASS_COUNT).fill(null);
  private readonly tails: (Flow | null)[] = new Array<Flow | null>(CLASS_COUNT).fill(null);
  private readonly timeoutUs: number[];
  private count = 0;
  /**
   * No flow is due to expire before this time: a lower bound of the earliest head lastSeen +
   * timeout over the classes, so expire() costs one comparison per packet while nothing is due.
   * Heads only get younger or go away, except when a flow joins an empty list, which lowers the
   * bound itself; expire() recomputes it exactly each time it is reached.
   */
  private nextExpiryUs = Infinity;

  /**
   * The flow last found or created. Packets come in bursts per flow (a window of data, its
   * ACKs), so checking it first skips the hash and the bucket walk, whose cache misses were
   * the main cost of a lookup. Cleared when the flow leaves the table.
   */
  private lastFlow: Flow | null = null;

  // The key of the packet last looked up, kept for create() (so neither allocates).
  private keyPkt: DecodedPacket | null = null;
  private kV6 = false;
  private kProto = 0;
  private kVlan = 0;
  private kScope = 0;
  /** The key last looked up is the tuple an ICMP error quotes, not the packet's own. */
  private kQuoted = false;
  private kS0 = 0;
  private kS1 = 0;
  private kS2 = 0;
  private kS3 = 0;
  private kSPort = 0;
  private kD0 = 0;
  private kD1 = 0;
  private kD2 = 0;
  private kD3 = 0;
  private kDPort = 0;
  /** Direction of the packet last looked up, relative to the flow found. */
  lookupToServer = true;

  constructor(
    private readonly config: FlowConfig,
    private readonly stats: StreamStats,
    private readonly listener: FlowRemovalListener,
    private readonly ids: FlowIdCounter = { next: 1 },
  ) {
    let size = 1024;
    while (size < config.maxFlows && size < 1 << 24) size <<= 1;
    this.buckets = new Array<Flow | null>(size).fill(null);
    this.mask = size - 1;
    const t = config.timeouts;
    const us = (s: number): number => s * 1e6;
    this.timeoutUs = [];
    this.timeoutUs[CLASS_TCP_NEW] = us(t.tcp.new);
    this.timeoutUs[CLASS_TCP_ESTABLISHED] = us(t.tcp.established);
    this.timeoutUs[CLASS_TCP_CLOSED] = us(t.tcp.closed);
    this.timeoutUs[CLASS_UDP_NEW] = us(t.udp.new);
    this.timeoutUs[CLASS_UDP_ESTABLISHED] = us(t.udp.established);
    this.timeoutUs[CLASS_ICMP_NEW] = us(t.icmp.new);
    this.timeoutUs[CLASS_ICMP_ESTABLISHED] = us(t.icmp.established);
    this.timeoutUs[CLASS_OTHER_NEW] = us(t.other.new);
    this.timeoutUs[CLASS_OTHER_ESTABLISHED] = us(t.other.established);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Finds the packet's flow (setting lookupToServer), or returns null. Returns null too when the
   * packet cannot be keyed; `keyable` tells the two apart.
   */
  lookup(pkt: DecodedPacket): Flow | null {
    this.keyPkt = null;
    const ip = pkt.ip;
    if (ip === undefined) return null;
    const quoted = quotedFlowKey(pkt);
    if (quoted !== undefined) return this.lookupQuoted(pkt, quoted);
    this.kQuoted = false;
    // The decoder gives 0 for transports without ports, so ICMP and the like key on addresses.
    if (!this.setKey(pkt, ip.src, ip.dst, ip.protocol, pkt.srcPort, pkt.dstPort)) return null;
    return this.find();
  }

  /**
   * An ICMP error belongs to the flow of the packet it quotes, as in Suricata (it keys them on
   * the quoted tuple): flowbits set by that flow can be tested on it and it logs that flow's id.
   * Its direction is told by its own source: from the flow's client it goes to the server, from
   * the server or a router on the way back to the client.
   */
  private lookupQuoted(pkt: DecodedPacket, q: QuotedPacket): Flow | null {
    this.kQuoted = true;
    if (!this.setKey(pkt, q.src, q.dst, q.protocol, q.srcPort, q.dstPort)) return null;
    const f = this.find();
    if (f !== null) this.lookupToServer = sameAddress(pkt.ip!.src, f.clientIp);
    return f;
  }

  /** Takes the key of a lookup; false when the addresses cannot be keyed. */
  private setKey(pkt: DecodedPacket, src: Uint8Array, dst: Uint8Array, protocol: number, srcPort: number, dstPort: number): boolean {
    if (src.length === 4 && dst.length === 4) {
      this.kV6 = false;
      this.kS0 = word(src, 0);
      this.kS1 = this.kS2 = this.kS3 = 0;
      this.kD0 = word(dst, 0);
      this.kD1 = this.kD2 = this.kD3 = 0;
    } else if (src.length === 16 && dst.length === 16) {
      this.kV6 = true;
      this.kS0 = word(src, 0);
      this.kS1 = word(src, 4);
      this.kS2 = word(src, 8);
      this.kS3 = word(src, 12);
      this.kD0 = word(dst, 0);
      this.kD1 = word(dst, 4);
      this.kD2 = word(dst, 8);
      this.kD3 = word(dst, 12);
    } else {
      return false;
    }
    this.keyPkt = pkt;
    this.kProto = protocol & 0xff;
    this.kSPort = srcPort & 0xffff;
    this.kDPort = dstPort & 0xffff;
    const vl = pkt.vlans;
    const tracked = this.config.vlanTracking && vl.length > 0;
    this.kVlan = tracked ? (vl[0]! & 0xfff) | (vl.length > 1 ? (vl[1]! & 0xfff) << 12 : 0) : 0;
    this.kScope = scopeKey(tracked && vl.length > 2 ? vl[2]! : 0, pkt.tunnelLayer ?? 0);
    return true;
  }

  /** The flow of the key just set, in either direction, or null. */
  private find(): Flow | null {
    const last = this.lastFlow;
    if (last !== null && last.proto === this.kProto && last.vlan === this.kVlan && last.scope === this.kScope && last.v6 === this.kV6) {
      const dir = this.direction(last);
      if (dir !== 0) {
        this.lookupToServer = dir > 0;
        return last;
      }
    }
    const hash = this.keyHash();
    for (let f = this.buckets[hash & this.mask]; f !== null; f = f.bucketNext) {
      if (f.hash !== hash || f.proto !== this.kProto || f.vlan !== this.kVlan || f.scope !== this.kScope || f.v6 !== this.kV6) continue;
      const dir = this.direction(f);
      if (dir !== 0) {
        this.lookupToServer = dir > 0;
        this.lastFlow = f;
        return f;
      }
    }
    return null;
  }

  /** Hash of the key last looked up; the same in both directions. */
  private keyHash(): number {
    // IPv4 keys have three zero words: mixing them in would only cost time.
    const hs = this.kV6 ? endpointHash(this.kS0, this.kS1, this.kS2, this.kS3, this.kSPort) : mixIn(mixIn(0x2545f491, this.kS0), this.kSPort);
    const hd = this.kV6 ? endpointHash(this.kD0, this.kD1, this.kD2, this.kD3, this.kDPort) : mixIn(mixIn(0x2545f491, this.kD0), this.kDPort);
    // Addition is symmetric, so both directions land in the same bucket.
    return finalMix((hs + hd) ^ Math.imul(this.kProto + 1, 0x9e3779b1) ^ Math.imul(this.kVlan, 0x85ebca77) ^ Math.imul(this.kScope, 0xc2b2ae3d));
  }

  /** 1: the key looked up is f's client to server; -1: server to client; 0: another tuple. */
  private direction(f: Flow): number {
    if (
      f.cPort === this.kSPort && f.sPort === this.kDPort &&
      f.c0 === this.kS0 && f.c1 === this.kS1 && f.c2 === this.kS2 && f.c3 === this.kS3 &&
      f.s0 === this.kD0 && f.s1 === this.kD1 && f.s2 === this.kD2 && f.s3 === this.kD3
    ) {
      return 1;
    }
    if (
      f.cPort === this.kDPort && f.sPort === this.kSPort &&
      f.c0 === this.kD0 && f.c1 === this.kD1 && f.c2 === this.kD2 && f.c3 === this.kD3 &&
      f.s0 === this.kS0 && f.s1 === this.kS1 && f.s2 === this.kS2 && f.s3 === this.kS3
    ) {
      return -1;
    }
    return 0;
  }

  /** Whether the packet last passed to lookup() had a usable key. */
  get keyable(): boolean {
    return this.keyPkt !== null;
  }

  /**
   * Creates a flow for the packet last passed to lookup() (which must have found none), with
   * the packet's sender as client unless `srcIsClient` is false. Evicts one flow if full.
   */
  create(pkt: DecodedPacket, srcIsClient: boolean, nowUs: number): Flow {
    if (this.keyPkt !== pkt) throw new Error('FlowTable.create() must follow lookup() of the same packet');
    if (this.kQuoted) throw new Error('FlowTable.create(): an ICMP error never creates a flow');
    if (this.count >= this.config.maxFlows) this.evictOne();
    const f = new Flow(this.ids.next++);
    f.v6 = this.kV6;
    f.proto = this.kProto;
    f.vlan = this.kVlan;
    f.scope = this.kScope;
    // Computed here: a lookup that hit the last flow did not need it (a tuple reused after a
    // closed session gets here after such a hit).
    f.hash = this.keyHash();
    const ip = pkt.ip!;
    if (srcIsClient) {
      f.c0 = this.kS0; f.c1 = this.kS1; f.c2 = this.kS2; f.c3 = this.kS3; f.cPort = this.kSPort;
      f.s0 = this.kD0; f.s1 = this.kD1; f.s2 = this.kD2; f.s3 = this.kD3; f.sPort = this.kDPort;
      f.clientIp = ip.src.slice();
      f.serverIp = ip.dst.slice();
    } else {
      f.c0 = this.kD0; f.c1 = this.kD1; f.c2 = this.kD2; f.c3 = this.kD3; f.cPort = this.kDPort;
      f.s0 = this.kS0; f.s1 = this.kS1; f.s2 = this.kS2; f.s3 = this.kS3; f.sPort = this.kSPort;
      f.clientIp = ip.dst.slice();
      f.serverIp = ip.src.slice();
    }
    f.firstSeenUs = f.lastSeenUs = nowUs;
    const b = f.hash & this.mask;
    f.bucketNext = this.buckets[b];
    this.buckets[b] = f;
    this.count++;
    this.lookupToServer = srcIsClient;
    this.lastFlow = f;
    f.timeoutClass = classify(f);
    this.append(f);

    const s = this.stats;
    s.flowsCreated++;
    if (f.proto === PROTO_TCP) s.flowsTcp++;
    else if (f.proto === PROTO_UDP) s.flowsUdp++;
    else if (f.proto === PROTO_ICMP && !f.v6) s.flowsIcmp4++;
    else if (f.proto === PROTO_ICMPV6 && f.v6) s.flowsIcmp6++;
    else s.flowsOther++;
    s.flowsActive = this.count;
    return f;
  }

  /** Marks the flow seen now and files it under its current timeout class. */
  touch(f: Flow, nowUs: number): void {
    f.lastSeenUs = nowUs;
    const cls = classify(f);
    if (cls === f.timeoutClass && this.tails[cls] === f) return;
    this.unlinkList(f);
    f.timeoutClass = cls;
    this.append(f);
  }

  /** Removes flows whose class timeout has passed. */
  expire(nowUs: number): void {
    if (this.count === 0 || nowUs < this.nextExpiryUs) return;
    let next = Infinity;
    for (let c = 0; c < CLASS_COUNT; c++) {
      const timeout = this.timeoutUs[c];
      let f = this.heads[c];
      while (f !== null && f.lastSeenUs + timeout <= nowUs) {
        this.stats.flowsTimedOut++;
        this.remove(f, 'timeout');
        f = this.heads[c];
      }
      if (f !== null && f.lastSeenUs + timeout < next) next = f.lastSeenUs + timeout;
    }
    this.nextExpiryUs = next;
  }

  remove(f: Flow, reason: FlowEndReason): void {
    const b = f.hash & this.mask;
    let p = this.buckets[b];
    if (p === f) {
      this.buckets[b] = f.bucketNext;
    } else {
      while (p !== null && p.bucketNext !== f) p = p.bucketNext;
      if (p === null) return; // not in the table (already removed)
      p.bucketNext = f.bucketNext;
    }
    f.bucketNext = null;
    this.unlinkList(f);
    f.timeoutClass = -1;
    if (this.lastFlow === f) this.lastFlow = null;
    this.count--;
    this.stats.flowsActive = this.count;
    this.listener.flowRemoved(f, reason);
  }

  /** Removes every flow, lowest id first (so end-of-input output is in a stable order). */
  removeAll(reason: FlowEndReason): void {
    const all: Flow[] = [];
    for (let c = 0; c < CLASS_COUNT; c++) {
      for (let f = this.heads[c]; f !== null; f = f.listNext) all.push(f);
    }
    all.sort((a, b) => a.id - b.id);
    for (const f of all) this.remove(f, reason);
  }

  private evictOne(): void {
    let victim = this.oldestHead(NEW_CLASSES);
    if (victim === null) victim = this.heads[CLASS_TCP_CLOSED];
    if (victim === null) victim = this.oldestHead(ESTABLISHED_CLASSES);
    if (victim === null) return;
    this.stats.flowsEvicted++;
    if (victim.established) this.stats.flowsEvictedEstablished++;
    this.remove(victim, 'evicted');
  }

  private oldestHead(classes: readonly number[]): Flow | null {
    let best: Flow | null = null;
    for (const c of classes) {
      const h = this.heads[c];
      if (h !== null && (best === null || h.lastSeenUs < best.lastSeenUs)) best = h;
    }
    return best;
  }

  private append(f: Flow): void {
    const c = f.timeoutClass;
    if (this.heads[c] === null) {
      const due = f.lastSeenUs + this.timeoutUs[c];
      if (due < this.nextExpiryUs) this.nextExpiryUs = due;
    }
    f.listNext = null;
    f.listPrev = this.tails[c];
    if (f.listPrev !== null) f.listPrev.listNext = f;
    else this.heads[c] = f;
    this.tails[c] = f;
  }

  private unlinkList(f: Flow): void {
    const c = f.timeoutClass;
    if (c < 0) return;
    if (f.listPrev !== null) f.listPrev.listNext = f.listNext;
    else if (this.heads[c] === f) this.heads[c] = f.listNext;
    if (f.listNext !== null) f.listNext.listPrev = f.listPrev;
    else if (this.tails[c] === f) this.tails[c] = f.listPrev;
    f.listPrev = f.listNext = null;
  }
}

/**
 * The timeout class of a flow. A one-way midstream TCP pickup counts as new even though rules
 * see it established: otherwise a flood of spoofed ACKs would displace real sessions.
 */
export function classify(f: Flow): number {
  switch (f.proto) {
    case PROTO_TCP:
      if (f.tcpState === TCP_CLOSED) return CLASS_TCP_CLOSED;
      return f.established && (!f.midstream || f.seenBothWays) ? CLASS_TCP_ESTABLISHED : CLASS_TCP_NEW;
    case PROTO_UDP:
      return f.established ? CLASS_UDP_ESTABLISHED : CLASS_UDP_NEW;
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      return f.established ? CLASS_ICMP_ESTABLISHED : CLASS_ICMP_NEW;
    default:
      return f.established ? CLASS_OTHER_ESTABLISHED : CLASS_OTHER_NEW;
  }
}

/**
 * What keys a flow besides its tuple and first two VLAN tags (Suricata keys on three tags and
 * the tunnel recursion level): the third tag and the tunnel layer, in one number.
 */
function scopeKey(thirdVlan: number, tunnelLayer: number): number {
  return (thirdVlan & 0xfff) | ((tunnelLayer & 0xff) << 12);
}

/**
 * The tuple an ICMPv4 destination unreachable quotes, when it quotes a TCP or UDP packet: the
 * only ICMP error Suricata's flow hash keys on what it quotes.
 */
function quotedFlowKey(pkt: DecodedPacket): QuotedPacket | undefined {
  const icmp = pkt.icmp;
  return icmp !== undefined && icmp.type === ICMP_DEST_UNREACH && !icmp.v6 ? icmp.quoted : undefined;
}

const ICMP_DEST_UNREACH = 3;

function sameAddress(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function word(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) | 0;
}

function mixIn(h: number, v: number): number {
  v = Math.imul(v, 0xcc9e2d51);
  v = (v << 15) | (v >>> 17);
  v = Math.imul(v, 0x1b873593);
  h ^= v;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function endpointHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  return mixIn(mixIn(mixIn(mixIn(mixIn(0x2545f491, w0), w1), w2), w3), port);
}

function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

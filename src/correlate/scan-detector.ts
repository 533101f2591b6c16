import type { Alert } from '../types/alert.js';
import * as packet from '../types/packet.js';
import type { QuotedPacket } from '../types/packet.js';
import { ipText } from '../match/ip-text.js';
import { addressKey } from './ip-bytes.js';
import type { ScanKind, ScanThreshold } from './policy-types.js';

/** One packet as the scan detector sees it (every packet, not only those that alerted). */
export interface PacketObservation {
  tsUs: number;
  /** 4 or 16 bytes. */
  src: Uint8Array;
  dst: Uint8Array;
  /** -1 when unknown (a non-first fragment). */
  srcPort: number;
  dstPort: number;
  /** IP protocol number (6 TCP, 17 UDP, ...). */
  proto: number;
  /** TCP flag byte, -1 if the packet is not TCP. */
  tcpFlags: number;
  /**
   * ICMP errors (time exceeded, unreachable, ...): their type and the TCP or UDP packet they
   * quote (source first, as it travelled), when the decoder could read it.
   */
  icmpType?: number;
  quoted?: QuotedPacket;
  /** A firewall's log line that permitted the connection (an ASA Built or ACCEPT line): not a probe that went nowhere. */
  permitted?: boolean;
}

/**
 * kanshi's generator id for its scan events: like Snort's port_scan (gid 122) but with its own
 * numbering, so a threshold.config written for Snort's 122:x never hits these by accident.
 */
export const SCAN_GID = 1122;

/** Signature ids and names (the names the SOC's reports use). */
export const SCAN_SIGNATURES: Readonly<Record<ScanKind, { sid: number; name: string }>> = {
  horizontal: { sid: 1, name: 'Horizontal Scan' },
  vertical: { sid: 2, name: 'Vertical scan' },
  sweep: { sid: 3, name: 'TCP-SWEEP' },
  flags: { sid: 4, name: 'TCP-FLAGS' },
  port_zero: { sid: 5, name: 'PORT-ZERO' },
  service_sweep: { sid: 6, name: 'TCP_Service_Sweep' },
  icmp_sweep: { sid: 7, name: 'ICMP-SWEEP' },
};

export interface ScanStats {
  packets: number;
  probes: number;
  answers: number;
  events: number;
  evictions: number;
  horizontal: number;
  vertical: number;
  sweep: number;
  flags: number;
  port_zero: number;
  service_sweep: number;
  icmp_sweep: number;
}

// TCP flag bits, copied once: the per-packet path reads them several times, and an imported
// binding can cost a property read through the module's export object on every use.
const TCP_ACK = packet.TCP_ACK;
const TCP_FIN = packet.TCP_FIN;
const TCP_PSH = packet.TCP_PSH;
const TCP_RST = packet.TCP_RST;
const TCP_SYN = packet.TCP_SYN;
const TCP_URG = packet.TCP_URG;

const PROTO_TCP = 6;
const PROTO_UDP = 17;
const US = 1_000_000;

/**
 * How long a scan's decision waits for answers to its last probes: the classic initial TCP
 * retransmission timeout, past which an unanswered SYN is retried.
 */
const ANSWER_GRACE_US = 3 * US;
/** A UDP conversation idle this long is over: a datagram after it is a new probe. */
const UDP_IDLE_US = 120 * US;
const ICMP_TIME_EXCEEDED = 11;
const PROTO_ICMP = 1;
const PROTO_ICMPV6 = 58;
const ICMP_ECHO_REPLY = 0;
const ICMP_ECHO_REQUEST = 8;
const ICMPV6_ECHO_REQUEST = 128;
const ICMPV6_ECHO_REPLY = 129;
/**
 * The most unanswered targets one key remembers in a window (or the kind's count, if higher).
 * A set grows past the count without raising its scan only while more targets answered
 * (isScan), which a busy host keeps up all day: this bounds its set. Past it, a source more of
 * whose targets answered than this is not raised in that window.
 */
const MAX_UNANSWERED = 4096;

/**
 * Numbers the windows of every table from one sequence, so that (window, target) names one
 * target of one window in the table of answered targets, whichever table the window is in.
 */
let windowSerial = 0;

type PendingKind = 'vertical' | 'horizontal' | 'sweep' | 'service_sweep' | 'icmp_sweep';

interface PendingCheck {
  atUs: number;
  tally: Tally;
  kind: PendingKind;
  /** The probe that reached the count (its time and addresses go into the event). */
  o: PacketObservation;
}

/** The distinct targets (hosts or ports) seen within one window. */
interface Tally {
  startUs: number;
  /** The only target so far; a Set is made at the second (most keys of a flood never get one). */
  first: number | string | undefined;
  items: Set<number | string> | undefined;
  /** Service sweeps: the first port seen (and `count` says whether a second, different one came). */
  first2: number;
  /** Anomalous packets counted (flags, port zero); distinct ports (0-2) for service sweeps. */
  count: number;
  alerted: boolean;
  /** This window's number (windowSerial): a new one whenever the tally starts afresh. */
  window: number;
  /** Distinct targets that answered the key's probes in this window (each counted once). */
  answered: number;
  /**
   * The check of this tally that is pending (see ScanDetector: decisions wait for answers);
   * cleared whenever the tally starts afresh, so a queued check that is no longer it is stale.
   */
  check: PendingCheck | undefined;
}

/** Hash of a numeric key (two exact integers below 2^53). */
function hashNumbers(a: number, b: number): number {
  let h = (a >>> 0) ^ Math.imul((a / 4294967296) >>> 0, 0x9e3779b1) ^ Math.imul(b >>> 0, 0x85ebca6b) ^ Math.imul((b / 4294967296) >>> 0, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Tallies by key, capped at `max` keys, the least recently opened one dropped for a new key
 * (exact LRU, as lru-cache did here before: its bookkeeping, and a Map entry per key, were most
 * of the cost of a spoofed flood). A key is a pair of numbers (IPv4 sources and targets) or a
 * text (IPv6); numeric keys are found through an open-addressing index over typed arrays
 * (linear probing, deletion by backward shift), texts through a Map. Recency is a doubly linked
 * list over slot numbers, and a dropped key's Tally object is reused for the new key, so a flood
 * of new IPv4 keys allocates nothing.
 */
export class TallyTable {
  private texts: Map<string, number> | undefined;
  private keys: Array<string | undefined> = [];
  private keyA: Float64Array = new Float64Array(0);
  private keyB: Float64Array = new Float64Array(0);
  private slotHash: Uint32Array = new Uint32Array(0);
  /** Numeric keys: slot + 1, 0 when empty; at least twice the slots, so probes stay short. */
  private index: Int32Array = new Int32Array(0);
  private mask = 0;
  private tallies: Tally[] = [];
  private prev: Int32Array = new Int32Array(0);
  private next: Int32Array = new Int32Array(0);
  /** Most and least recently opened slots, -1 when empty. */
  private newest = -1;
  private oldest = -1;
  private size = 0;
  /** Keys dropped while their window was still open (a scan's evidence lost to the cap). */
  evictions = 0;
  /** Keys dropped after their window had run out (nothing lost). */
  reclaimed = 0;

  /**
   * `onDropDue`: a tally about to be dropped for a new key while its check is pending; the
   * check is made there and then (waiting longer would lose it, and a flood of spoofed sources
   * would then hide every scan it overlaps).
   */
  constructor(
    private readonly max: number,
    private readonly onDropDue?: (t: Tally) => void,
  ) {}

  /** The tally of a key (a number stands for the pair (n, 0)), opened (or reopened after its window ran out) at tsUs. */
  open(key: number | string, tsUs: number, seconds: number): Tally {
    return typeof key === 'number' ? this.openNumbers(key, 0, tsUs, seconds) : this.openText(key, tsUs, seconds);
  }

  /** Looks a key up without creating it or touching its recency. */
  peek(key: number | string): Tally | undefined {
    return typeof key === 'number' ? this.peekNumbers(key, 0) : this.peekText(key);
  }

  /** The tally of the numeric key (a, b), opened (or reopened after its window ran out) at tsUs. */
  openNumbers(a: number, b: number, tsUs: number, seconds: number): Tally {
    const i = this.findNumbers(a, b);
    if (i >= 0) return this.reopen(i, tsUs, seconds);
    const s = this.claim(tsUs, seconds);
    this.keys[s] = undefined;
    this.keyA[s] = a;
    this.keyB[s] = b;
    const h = hashNumbers(a, b);
    this.slotHash[s] = h;
    let p = h & this.mask;
    while (this.index[p] !== 0) p = (p + 1) & this.mask;
    this.index[p] = s + 1;
    return this.tallies[s]!;
  }

  /** The tally of a text key. */
  openText(key: string, tsUs: number, seconds: number): Tally {
    const texts = (this.texts ??= new Map());
    const i = texts.get(key);
    if (i !== undefined) return this.reopen(i, tsUs, seconds);
    const s = this.claim(tsUs, seconds);
    this.keys[s] = key;
    texts.set(key, s);
    return this.tallies[s]!;
  }

  /** Looks a key up without creating it or touching its recency. */
  peekNumbers(a: number, b: number): Tally | undefined {
    const i = this.findNumbers(a, b);
    return i < 0 ? undefined : this.tallies[i];
  }

  peekText(key: string): Tally | undefined {
    const i = this.texts?.get(key);
    return i === undefined ? undefined : this.tallies[i];
  }

  private findNumbers(a: number, b: number): number {
    if (this.size === 0) return -1;
    const mask = this.mask;
    const h = hashNumbers(a, b);
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const e = this.index[p]!;
      if (e === 0) return -1;
      const i = e - 1;
      if (this.slotHash[i] === h && this.keyA[i] === a && this.keyB[i] === b && this.keys[i] === undefined) return i;
    }
  }

  private reopen(i: number, tsUs: number, seconds: number): Tally {
    if (i !== this.newest) {
      this.unlink(i);
      this.linkNewest(i);
    }
    const t = this.tallies[i]!;
    if (tsUs > t.startUs + seconds * US) {
      // A window that ran out while its check waited is decided as it stood.
      this.dropCheck(t);
      t.startUs = tsUs;
      clearItems(t);
      t.count = 0;
      t.alerted = false;
      t.window = ++windowSerial;
      t.answered = 0;
    }
    return t;
  }

  /** A tally about to start afresh: its pending check is made now (onDropDue), then forgotten. */
  private dropCheck(t: Tally): void {
    if (t.check === undefined) return;
    this.onDropDue?.(t);
    t.check = undefined;
  }

  /**
   * A slot for a new key, with a fresh tally: unused, or the least recently opened key's
   * (dropped; counted as a loss only while its window is still open).
   */
  private claim(tsUs: number, seconds: number): number {
    let i: number;
    if (this.size >= this.max) {
      i = this.oldest;
      if (tsUs > this.tallies[i]!.startUs + seconds * US) this.reclaimed++;
      else this.evictions++;
      this.unlink(i);
      const k = this.keys[i];
      if (k !== undefined) this.texts!.delete(k);
      else this.unindex(i);
      const t = this.tallies[i]!;
      this.dropCheck(t);
      t.startUs = tsUs;
      clearItems(t);
      t.first2 = -1;
      t.count = 0;
      t.alerted = false;
      t.window = ++windowSerial;
      t.answered = 0;
    } else {
      i = this.size++;
      if (i >= this.prev.length) this.grow();
      this.tallies[i] = { startUs: tsUs, first: undefined, items: undefined, first2: -1, count: 0, alerted: false, window: ++windowSerial, answered: 0, check: undefined };
    }
    this.linkNewest(i);
    return i;
  }

  /** Removes numeric slot i from the index, shifting later entries of its probe run back. */
  private unindex(i: number): void {
    const mask = this.mask;
    let p = this.slotHash[i]! & mask;
    while (this.index[p] !== i + 1) p = (p + 1) & mask;
    let hole = p;
    for (let q = (hole + 1) & mask; ; q = (q + 1) & mask) {
      const e = this.index[q]!;
      if (e === 0) break;
      const home = this.slotHash[e - 1]! & mask;
      // Move e into the hole unless its home lies cyclically in (hole, q].
      if (hole <= q ? home <= hole || home > q : home <= hole && home > q) {
        this.index[hole] = e;
        hole = q;
      }
    }
    this.index[hole] = 0;
  }

  private unlink(i: number): void {
    const p = this.prev[i]!;
    const n = this.next[i]!;
    if (p >= 0) this.next[p] = n;
    else this.newest = n;
    if (n >= 0) this.prev[n] = p;
    else this.oldest = p;
  }

  private linkNewest(i: number): void {
    this.prev[i] = -1;
    this.next[i] = this.newest;
    if (this.newest >= 0) this.prev[this.newest] = i;
    this.newest = i;
    if (this.oldest < 0) this.oldest = i;
  }

  private grow(): void {
    const n = Math.min(this.max, Math.max(256, this.prev.length * 2));
    const i32 = (a: Int32Array): Int32Array => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.prev = i32(this.prev);
    this.next = i32(this.next);
    this.keyA = f64(this.keyA);
    this.keyB = f64(this.keyB);
    const hs = new Uint32Array(n);
    hs.set(this.slotHash);
    this.slotHash = hs;
    let size = 1;
    while (size < n * 2) size <<= 1;
    this.index = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < this.size - 1; i++) {
      if (this.keys[i] !== undefined) continue;
      let p = this.slotHash[i]! & this.mask;
      while (this.index[p] !== 0) p = (p + 1) & this.mask;
      this.index[p] = i + 1;
    }
  }
}

/** Adds a target (unless the tally already holds `cap`); returns how many distinct targets the tally holds. */
function addItem(t: Tally, x: number | string, cap: number): number {
  if (t.items !== undefined) {
    if (t.items.size < cap) t.items.add(x);
    return t.items.size;
  }
  if (t.first === undefined || t.first === x) {
    t.first = x;
    return 1;
  }
  t.items = new Set([t.first, x]);
  t.first = undefined;
  return 2;
}

function itemCount(t: Tally): number {
  return t.items !== undefined ? t.items.size : t.first !== undefined ? 1 : 0;
}

/** Takes a target out; says whether the tally held it. */
function deleteItem(t: Tally, x: number | string): boolean {
  if (t.items !== undefined) return t.items.delete(x);
  if (t.first !== x) return false;
  t.first = undefined;
  return true;
}

/**
 * Whether n unanswered targets make tally t a scan: the count reached, and no fewer than the
 * targets that answered. A resolver or a NAT reaches thousands of hosts and loses a few percent
 * of its probes; a scanner's probes mostly go nowhere. Answers only ever lower n and raise the
 * targets answered, so the probe that makes this true is the one to check again after the grace.
 */
function isScan(t: Tally, n: number, count: number): boolean {
  return n >= count && n >= t.answered;
}

/** How many unanswered targets a tally of a kind with this count remembers. */
function unansweredCap(count: number): number {
  return count > MAX_UNANSWERED ? count : MAX_UNANSWERED;
}

function clearItems(t: Tally): void {
  t.first = undefined;
  t.items = undefined;
}

/** Which forbidden TCP flag combination a packet carries, if any. */
export function tcpFlagAnomaly(flags: number): string | undefined {
  const f = flags & 0x3f;
  if (f === 0) return 'NULL';
  if (f === 0x3f) return 'all flags';
  if ((f & TCP_ACK) === 0) {
    // With ACK these are answers: old stacks answer a SYN+FIN probe with SYN+FIN+ACK.
    if ((f & (TCP_SYN | TCP_FIN)) === (TCP_SYN | TCP_FIN)) return 'SYN+FIN';
    if ((f & (TCP_SYN | TCP_RST)) === (TCP_SYN | TCP_RST)) return 'SYN+RST';
    if ((f & (TCP_FIN | TCP_PSH | TCP_URG)) === (TCP_FIN | TCP_PSH | TCP_URG)) return 'Xmas';
    if ((f & (TCP_FIN | TCP_RST)) === (TCP_FIN | TCP_RST)) return 'FIN+RST';
    if (f === TCP_FIN) return 'FIN without ACK';
  }
  return undefined;
}

/** Horizontal tallies are per source, port and protocol: one exact number for an IPv4 source (below 2^49). */
function horizontalKey(src: number | string, port: number, proto: number): number | string {
  return typeof src === 'number' ? src * 131072 + port * 2 + (proto === PROTO_UDP ? 1 : 0) : `${src}:${port}/${proto}`;
}

/** The conversation from (a, aPort) to (b, bPort) in a table of UDP conversations: IPv4 ends as two exact numbers, others as text. */
function peekConversation(t: TallyTable, a: number | string, aPort: number, b: number | string, bPort: number): Tally | undefined {
  return typeof a === 'number' && typeof b === 'number' ? t.peekNumbers(a * 65536 + aPort, b * 65536 + bPort) : t.peekText(conversationText(a, aPort, b, bPort));
}

/** Adds the conversation (keyed as peekConversation reads it), or starts it afresh after its idle timeout. */
function openConversation(t: TallyTable, a: number | string, aPort: number, b: number | string, bPort: number, tsUs: number): void {
  const idleSeconds = UDP_IDLE_US / US;
  if (typeof a === 'number' && typeof b === 'number') t.openNumbers(a * 65536 + aPort, b * 65536 + bPort, tsUs, idleSeconds);
  else t.openText(conversationText(a, aPort, b, bPort), tsUs, idleSeconds);
}

function conversationText(a: number | string, aPort: number, b: number | string, bPort: number): string {
  return `${a}:${aPort}>${b}:${bPort}`;
}

/** Vertical tallies are per source, target and protocol: for IPv4, the pair (source, this). */
function verticalNumber(target: number, proto: number): number {
  return target * 256 + proto;
}

function protoName(p: number): string {
  return p === PROTO_TCP ? 'TCP' : p === PROTO_UDP ? 'UDP' : p === 1 ? 'ICMP' : p === 58 ? 'IPv6-ICMP' : String(p);
}

/**
 * Scan detection over all traffic. A *probe* is a packet that tries to open something: a TCP
 * segment with neither ACK nor RST (SYN, FIN, NULL, Xmas), or the first UDP datagram of a
 * conversation. A probe the target *answers* (SYN+ACK, or a UDP reply) stops counting: the
 * source reached a live service, as every client does. What is left are probes that were
 * refused or went nowhere, which is what scanning looks like; counts are per window (from the
 * first probe, `seconds` long), and each source/target raises its event once per window. The
 * distinct targets that answered are counted too, and a count of unanswered ones raises its
 * event only if it is at least as large: a host that reaches thousands of others loses a few
 * percent of its probes (a resolver, a NAT) without scanning anything.
 *
 * - Horizontal Scan: one source, one port (TCP or UDP), `count` hosts.
 * - Vertical scan: one source, one host, `count` ports.
 * - TCP-SWEEP: one source, `count` hosts over TCP on any ports, in a short window (host discovery).
 * - TCP_Service_Sweep: one source, `count` hosts over TCP on more than one service port.
 * - TCP-FLAGS: a flag combination no stack sends (SYN+FIN, SYN+RST, NULL, Xmas, FIN without ACK, ...).
 * - PORT-ZERO: TCP or UDP to or from port 0.
 * State is capped per table (LRU, evictions counted): a flood of spoofed sources costs bounded memory.
 */
export class ScanDetector {
  private readonly vertical: TallyTable;
  private readonly horizontal: TallyTable;
  private readonly sweep: TallyTable;
  private readonly serviceSweep: TallyTable;
  private readonly icmpSweep: TallyTable;
  private readonly flags: TallyTable;
  private readonly portZero: TallyTable;
  /**
   * UDP conversations seen, to tell a reply from a new probe: keys only, each tally's start the
   * conversation's last datagram (it ends after UDP_IDLE_US without one).
   */
  private udpConversations: TallyTable | undefined;
  /**
   * Targets already counted as answered, keyed by (window, target): keys only. Its drops are not
   * counted as evictions: a dropped entry can only let a target that answers again count twice,
   * which errs towards raising nothing, and a busy NAT would drop entries all day.
   */
  private answeredTargets: TallyTable | undefined;
  private readonly maxPerTable: number;
  /** Scans waiting for answers to their last probes, in the order they reached their count. */
  private readonly pending: PendingCheck[] = [];
  private head = 0;
  private readonly st: ScanStats = {
    packets: 0,
    probes: 0,
    answers: 0,
    events: 0,
    evictions: 0,
    horizontal: 0,
    vertical: 0,
    sweep: 0,
    flags: 0,
    port_zero: 0,
    service_sweep: 0,
    icmp_sweep: 0,
  };

  constructor(
    private readonly thresholds: Readonly<Record<ScanKind, ScanThreshold>>,
    private readonly emit: (alert: Alert) => void,
    maxPerTable = 32_768,
  ) {
    this.maxPerTable = maxPerTable;
    const decideNow = (t: Tally): void => {
      if (t.check !== undefined) this.decide(t.check);
    };
    this.vertical = new TallyTable(maxPerTable, decideNow);
    this.horizontal = new TallyTable(maxPerTable, decideNow);
    this.sweep = new TallyTable(maxPerTable, decideNow);
    this.serviceSweep = new TallyTable(maxPerTable, decideNow);
    this.icmpSweep = new TallyTable(maxPerTable, decideNow);
    this.flags = new TallyTable(maxPerTable);
    this.portZero = new TallyTable(maxPerTable);
  }

  observe(o: PacketObservation): void {
    this.st.packets++;
    if (this.head < this.pending.length) this.decideDue(o.tsUs);
    if (o.permitted === true) return;
    if (o.quoted !== undefined) {
      // A probe that died on the way (time exceeded: traceroute) says nothing of its target.
      if (o.icmpType === ICMP_TIME_EXCEEDED) this.answered(o.quoted.src, o.quoted.dst, o.quoted.dstPort, o.quoted.protocol, o.tsUs);
      return;
    }
    if (o.proto === PROTO_ICMP || o.proto === PROTO_ICMPV6) {
      this.icmp(o);
      return;
    }
    const tcp = o.proto === PROTO_TCP && o.tcpFlags >= 0;
    if (!tcp && o.proto !== PROTO_UDP) return;
    const th = this.thresholds;
    let srcKey: number | string | undefined;
    // An ACK or RST answers something: the answer of a port-0 target or of an odd probe is no probe itself.
    const answering = tcp && (o.tcpFlags & (TCP_ACK | TCP_RST)) !== 0;

    if (tcp && th.flags.count > 0) {
      const anomaly = tcpFlagAnomaly(o.tcpFlags);
      if (anomaly !== undefined) {
        srcKey = addressKey(o.src);
        const t = this.flags.open(srcKey, o.tsUs, th.flags.seconds);
        t.count++;
        if (!t.alerted && t.count >= th.flags.count) {
          t.alerted = true;
          this.raise('flags', o, o.dst, o.dstPort, { flags: anomaly, packets: t.count, first_seen_us: t.startUs });
        }
      }
    }
    if (tcp && !answering && (o.srcPort === 0 || o.dstPort === 0)) srcKey = this.portZeroProbe(o, srcKey);
    if (o.srcPort < 0 || o.dstPort < 0) return;

    if (tcp) {
      const f = o.tcpFlags;
      if ((f & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
        this.st.answers++;
        this.answered(o.dst, o.src, o.srcPort, o.proto, o.tsUs);
        return;
      }
      // The prober acknowledging (its handshake's last step, or data): the target answered, even
      // when the capture missed the answer (one side of an asymmetric route).
      if ((f & TCP_ACK) !== 0 && (f & (TCP_SYN | TCP_RST)) === 0) {
        this.answered(o.src, o.dst, o.dstPort, o.proto, o.tsUs);
        return;
      }
      if (answering) return;
      this.probe(o, srcKey ?? addressKey(o.src), true);
      return;
    }

    // UDP: a datagram of a conversation seen the other way (and not idle since) is a reply.
    const from = srcKey ?? addressKey(o.src);
    const to = addressKey(o.dst);
    const seen = (this.udpConversations ??= new TallyTable(this.maxPerTable * 2));
    const back = peekConversation(seen, to, o.dstPort, from, o.srcPort);
    if (back !== undefined && o.tsUs - back.startUs <= UDP_IDLE_US) {
      back.startUs = o.tsUs;
      this.st.answers++;
      this.answered(o.dst, o.src, o.srcPort, o.proto, o.tsUs);
      return;
    }
    const forth = peekConversation(seen, from, o.srcPort, to, o.dstPort);
    if (forth !== undefined && o.tsUs - forth.startUs <= UDP_IDLE_US) {
      forth.startUs = o.tsUs;
      return;
    }
    // New, or back after its idle timeout: a scan run again from the same source port counts again.
    openConversation(seen, from, o.srcPort, to, o.dstPort, o.tsUs);
    if (o.srcPort === 0 || o.dstPort === 0) this.portZeroProbe(o, from);
    this.probe(o, from, false);
  }

  /**
   * Echo requests to many hosts (a ping sweep): each counts a host until its echo reply comes,
   * as a TCP sweep counts unanswered SYNs.
   */
  private icmp(o: PacketObservation): void {
    const th = this.thresholds.icmp_sweep;
    if (th.count <= 0 || o.icmpType === undefined) return;
    const v6 = o.proto === PROTO_ICMPV6;
    if (o.icmpType === (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO_REQUEST)) {
      this.st.probes++;
      const t = this.icmpSweep.open(addressKey(o.src), o.tsUs, th.seconds);
      if (!t.alerted && isScan(t, addItem(t, addressKey(o.dst), unansweredCap(th.count)), th.count)) this.schedule('icmp_sweep', t, o);
    } else if (o.icmpType === (v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHO_REPLY)) {
      this.st.answers++;
      const t = this.icmpSweep.peek(addressKey(o.dst));
      if (t === undefined || t.alerted) return;
      const host = addressKey(o.src);
      if (deleteItem(t, host)) this.countAnswered(t, host, o.tsUs, th.seconds);
    }
  }

  /** Decides the scans still waiting for answers: the end of the input leaves nothing more to wait for. */
  finish(): void {
    this.decideDue(Infinity);
  }

  private portZeroProbe(o: PacketObservation, srcKey: number | string | undefined): number | string {
    const key = srcKey ?? addressKey(o.src);
    const th = this.thresholds.port_zero;
    if (th.count <= 0) return key;
    const t = this.portZero.open(key, o.tsUs, th.seconds);
    t.count++;
    if (!t.alerted && t.count >= th.count) {
      t.alerted = true;
      this.raise('port_zero', o, o.dst, o.dstPort, { packets: t.count, first_seen_us: t.startUs });
    }
    return key;
  }

  stats(): ScanStats {
    return {
      ...this.st,
      evictions:
        this.vertical.evictions +
        this.horizontal.evictions +
        this.sweep.evictions +
        this.serviceSweep.evictions +
        this.icmpSweep.evictions +
        this.flags.evictions +
        this.portZero.evictions +
        (this.udpConversations?.evictions ?? 0),
    };
  }

  /** A probe: count the target under every scan shape it may be part of. */
  private probe(o: PacketObservation, srcKey: number | string, tcp: boolean): void {
    this.st.probes++;
    const th = this.thresholds;
    const dstKey = addressKey(o.dst);
    if (th.vertical.count > 0) {
      const t =
        typeof srcKey === 'number' && typeof dstKey === 'number'
          ? this.vertical.openNumbers(srcKey, verticalNumber(dstKey, o.proto), o.tsUs, th.vertical.seconds)
          : this.vertical.openText(`${srcKey}>${dstKey}/${o.proto}`, o.tsUs, th.vertical.seconds);
      if (!t.alerted && isScan(t, addItem(t, o.dstPort, unansweredCap(th.vertical.count)), th.vertical.count)) this.schedule('vertical', t, o);
    }
    if (th.horizontal.count > 0) {
      const t = this.horizontal.open(horizontalKey(srcKey, o.dstPort, o.proto), o.tsUs, th.horizontal.seconds);
      if (!t.alerted && isScan(t, addItem(t, dstKey, unansweredCap(th.horizontal.count)), th.horizontal.count)) this.schedule('horizontal', t, o);
    }
    if (!tcp) return;
    if (th.sweep.count > 0) {
      const t = this.sweep.open(srcKey, o.tsUs, th.sweep.seconds);
      if (!t.alerted && isScan(t, addItem(t, dstKey, unansweredCap(th.sweep.count)), th.sweep.count)) this.schedule('sweep', t, o);
    }
    if (th.service_sweep.count > 0) {
      const t = this.serviceSweep.open(srcKey, o.tsUs, th.service_sweep.seconds);
      if (!t.alerted) {
        const n = addItem(t, dstKey, unansweredCap(th.service_sweep.count));
        // Two distinct ports are all the rule needs (kept in `count` and `ports`); more would only cost memory.
        if (t.count === 0) {
          t.count = 1;
          t.first2 = o.dstPort;
        } else if (t.count === 1 && t.first2 !== o.dstPort) t.count = 2;
        if (t.count >= 2 && isScan(t, n, th.service_sweep.count)) this.schedule('service_sweep', t, o);
      }
    }
  }

  /**
   * The target answered the prober's earlier probe of (target, port): that probe no longer counts
   * as unanswered (nor, for TCP, towards the sweeps), and the target counts as answered instead.
   * Only an answer to a probe of the window counts: a server's own ACKs to its clients answer
   * nothing it probed.
   */
  private answered(proberIp: Uint8Array, targetIp: Uint8Array, port: number, proto: number, tsUs: number): void {
    const prober = addressKey(proberIp);
    const target = addressKey(targetIp);
    const th = this.thresholds;
    const v =
      typeof prober === 'number' && typeof target === 'number'
        ? this.vertical.peekNumbers(prober, verticalNumber(target, proto))
        : this.vertical.peekText(`${prober}>${target}/${proto}`);
    if (v !== undefined && !v.alerted && deleteItem(v, port)) this.countAnswered(v, port, tsUs, th.vertical.seconds);
    const h = this.horizontal.peek(horizontalKey(prober, port, proto));
    if (h !== undefined && !h.alerted && deleteItem(h, target)) this.countAnswered(h, target, tsUs, th.horizontal.seconds);
    if (proto !== PROTO_TCP) return;
    const s = this.sweep.peek(prober);
    if (s !== undefined && !s.alerted && deleteItem(s, target)) this.countAnswered(s, target, tsUs, th.sweep.seconds);
    const ss = this.serviceSweep.peek(prober);
    if (ss !== undefined && !ss.alerted && deleteItem(ss, target)) this.countAnswered(ss, target, tsUs, th.service_sweep.seconds);
  }

  /**
   * Counts a target that answered in tally t's window, once however often it is probed and
   * answers again (a browser reconnecting, a resolver asking the same server): what weighs
   * against a scan is how many targets the source reached, not how often.
   */
  private countAnswered(t: Tally, target: number | string, tsUs: number, seconds: number): void {
    const seen = (this.answeredTargets ??= new TallyTable(this.maxPerTable * 2));
    const e = typeof target === 'number' ? seen.openNumbers(t.window, target, tsUs, seconds) : seen.openText(`${t.window}>${target}`, tsUs, seconds);
    if (e.count !== 0) return;
    e.count = 1;
    t.answered++;
  }

  /**
   * A tally reached its count: the decision waits ANSWER_GRACE_US, so that answers to the last
   * probes (a browser's or a mail server's burst of parallel connections, answered a few
   * milliseconds later) can take them off first. Refused and unanswered probes still count.
   */
  private schedule(kind: PendingKind, t: Tally, o: PacketObservation): void {
    if (t.check !== undefined) return;
    // Copied: the observation's addresses are views of a packet that will not outlive this call.
    const at: PacketObservation = { tsUs: o.tsUs, src: o.src.slice(), dst: o.dst.slice(), srcPort: o.srcPort, dstPort: o.dstPort, proto: o.proto, tcpFlags: o.tcpFlags };
    const check: PendingCheck = { atUs: o.tsUs + ANSWER_GRACE_US, tally: t, kind, o: at };
    t.check = check;
    this.pending.push(check);
  }

  /** Decides the pending checks whose grace ran out by nowUs. */
  private decideDue(nowUs: number): void {
    const q = this.pending;
    while (this.head < q.length && q[this.head]!.atUs <= nowUs) this.decide(q[this.head++]!);
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
  }

  private decide(c: PendingCheck): void {
    const t = c.tally;
    // The tally started afresh since (a new window, or another key): its own checks decide.
    if (t.check !== c || t.alerted) return;
    t.check = undefined;
    const n = itemCount(t);
    if (!isScan(t, n, this.thresholds[c.kind].count) || (c.kind === 'service_sweep' && t.count < 2)) return;
    t.alerted = true;
    const o = c.o;
    const answered = t.answered;
    const detail: Record<string, unknown> =
      c.kind === 'vertical' ? { ports: n, answered, first_seen_us: t.startUs }
      : c.kind === 'horizontal' ? { hosts: n, port: o.dstPort, answered, first_seen_us: t.startUs }
      : { hosts: n, answered, first_seen_us: t.startUs };
    this.raise(c.kind, o, o.dst, o.dstPort, detail);
    clearItems(t);
  }

  private raise(kind: ScanKind, o: PacketObservation, target: Uint8Array, port: number, detail: Record<string, unknown>): void {
    const sig = SCAN_SIGNATURES[kind];
    const th = this.thresholds[kind];
    this.st.events++;
    this.st[kind]++;
    const alert: Alert = {
      tsUs: o.tsUs,
      // Written as the rules' alerts write addresses (Suricata's full IPv6 form): one host, one text.
      srcIp: ipText(o.src),
      destIp: ipText(target),
      proto: protoName(o.proto),
      action: 'alert',
      gid: SCAN_GID,
      sid: sig.sid,
      rev: 1,
      signature: sig.name,
      category: 'Attempted Information Leak',
      severity: 2,
      classtype: 'attempted-recon',
      level: 'Warning',
      extra: { scan: { kind, ...detail, count: th.count, seconds: th.seconds } },
    };
    if (o.srcPort >= 0) alert.srcPort = o.srcPort;
    if (port >= 0) alert.destPort = port;
    this.emit(alert);
  }
}

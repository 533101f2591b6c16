import type { BufferName } from '../../types/buffers.js';
import type { DnsQueryView } from '../../types/app.js';
import { eveText } from '../../types/eve-text.js';

/**
 * DNS messages (RFC 1035) as far as detection needs them: the header and the question section.
 * `dns.query` is the name of a question in a request, labels joined with '.', bytes as sent (as
 * Suricata fills it). What Suricata parses is parsed (an attacker must not hide a name behind a
 * form a resolver accepts): compression pointers forward and back (not to themselves), names
 * kept up to Suricata's 1025 bytes (cut there, still read to their end), any number of
 * questions. Hostile input stays bounded: pointers are followed a bounded number of times per
 * name, and each question takes at least five bytes of the message.
 */

const HEADER = 12;
/** Suricata's MAX_NAME_LEN: a longer name is cut there (RFC 1035 allows 255 wire bytes; attackers send more). */
const MAX_NAME = 1025;
/** Labels and pointers read within one name, as Suricata counts them: more is a loop. */
const MAX_STEPS = 255;
/** Labels and pointers read within one message, all names together (eight looping names). */
const MAX_MESSAGE_STEPS = 8 * (MAX_STEPS + 1);

export interface DnsQuestion {
  /** Labels joined with '.', as sent (no trailing dot; empty for the root). */
  name: Uint8Array;
  type: number;
  class: number;
}

export interface DnsMessage {
  id: number;
  /** QR bit: a response. */
  response: boolean;
  opcode: number;
  rcode: number;
  questions: DnsQuestion[];
}

/** The message, or the reason it is not one (a counted anomaly name). */
export type DnsParse = { ok: true; message: DnsMessage } | { ok: false; anomaly: DnsAnomaly };

export type DnsAnomaly = 'dns.too_short' | 'dns.no_question' | 'dns.malformed_name' | 'dns.truncated_question';

export function parseDnsMessage(b: Uint8Array): DnsParse {
  if (b.length < HEADER) return { ok: false, anomaly: 'dns.too_short' };
  const id = (b[0]! << 8) | b[1]!;
  const flags = (b[2]! << 8) | b[3]!;
  const qdcount = (b[4]! << 8) | b[5]!;
  if (qdcount === 0) return { ok: false, anomaly: 'dns.no_question' };
  const questions: DnsQuestion[] = [];
  let off = HEADER;
  const budget = { steps: MAX_MESSAGE_STEPS };
  for (let q = 0; q < qdcount; q++) {
    // Questions that each loop through pointers cost 255 steps and a long name apiece: past the
    // message's budget the rest are left unread, so a datagram cannot multiply its own weight.
    if (budget.steps <= 0) break;
    const name = readName(b, off, budget);
    if (name === null) return { ok: false, anomaly: 'dns.malformed_name' };
    off = name.next;
    if (off + 4 > b.length) return { ok: false, anomaly: 'dns.truncated_question' };
    questions.push({ name: name.text, type: (b[off]! << 8) | b[off + 1]!, class: (b[off + 2]! << 8) | b[off + 3]! });
    off += 4;
  }
  return { ok: true, message: { id, response: (flags & 0x8000) !== 0, opcode: (flags >> 11) & 0x0f, rcode: flags & 0x0f, questions } };
}

/** A name starting at `start`: its dotted text and the offset after it in the message, or null when malformed. */
function readName(b: Uint8Array, start: number, budget: { steps: number }): { text: Uint8Array; next: number } | null {
  const out = new Uint8Array(MAX_NAME);
  let n = 0;
  let off = start;
  let next = -1;
  let steps = 0;
  for (;;) {
    if (off >= b.length) {
      // A pointer to the message's very end ends the name there, as Suricata's dns_parse_name
      // stops at an empty rest; running off the end without one is a malformed name.
      if (next < 0) return null;
      break;
    }
    const len = b[off]!;
    if (len === 0) {
      if (next < 0) next = off + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (off + 1 >= b.length) return null;
      const target = ((len & 0x3f) << 8) | b[off + 1]!;
      if (target > b.length) return null;
      // A pointer at itself, or a loop (past MAX_STEPS labels and pointers), ends the name as
      // Suricata ends it: with what was read, once a pointer was followed (the name's end in the
      // message is known then); a malformed name otherwise.
      if (target === off) {
        if (next < 0) return null;
        break;
      }
      if (next < 0) next = off + 2;
      off = target;
    } else {
      if (kind !== 0) return null; // 0x40 and 0x80 label types are obsolete or undefined
      if (off + 1 + len > b.length) return null;
      // Past MAX_NAME the name is cut (and still read to its end, for the offset of what follows).
      if (n > 0 && n < MAX_NAME) out[n++] = 0x2e;
      const take = Math.min(len, MAX_NAME - n);
      if (take > 0) out.set(b.subarray(off + 1, off + 1 + take), n);
      n += take;
      off += 1 + len;
    }
    budget.steps--;
    if (++steps > MAX_STEPS) {
      if (next < 0) return null;
      break;
    }
  }
  return { text: out.slice(0, n), next };
}

const RRTYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 10: 'NULL', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR',
  39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 52: 'TLSA', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 252: 'AXFR',
  255: 'ANY', 257: 'CAA',
};

/** Record type as Suricata's EVE writes it ("A", "AAAA", ...), else the number. */
export function rrtypeName(type: number): string {
  return RRTYPE_NAMES[type] ?? String(type);
}

/**
 * One question of a DNS request, as detection inspects it: `dns.query` is its name. A request
 * with several questions gives one view per question (Suricata matches any of them).
 */
export class DnsQuery implements DnsQueryView {
  readonly kind = 'dns';
  readonly anomalies: readonly string[] = [];

  constructor(
    readonly message: DnsMessage,
    /** Index of the question in the message. */
    readonly question: number,
    /** 0-based per flow (Suricata's tx_id). */
    readonly id: number,
    /** The message as sent (a copy: it outlives the datagram). */
    readonly raw: Uint8Array,
  ) {}

  get opcode(): number {
    return this.message.opcode;
  }

  buffer(name: BufferName): Uint8Array | undefined {
    if (name === 'dns.query') return this.message.questions[this.question]!.name;
    return name === 'pkt_data' ? this.raw : undefined;
  }

  /** Every question of the request, as Suricata's EVE lists the transaction's queries. */
  meta(): Record<string, unknown> {
    const m = this.message;
    return { query: m.questions.map((q) => ({ type: 'query', id: m.id, rrname: eveText(q.name), rrtype: rrtypeName(q.type), tx_id: this.id, opcode: m.opcode })) };
  }
}

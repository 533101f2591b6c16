import {
  TCP_ACK,
  TCP_CWR,
  TCP_ECE,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
} from '../../types/packet.js';
import { indexOfAscii, lastIndexOfAscii, latin1, parseIntAuto, parseUint, skipSpaces, startsWithAscii, tokenEnd } from '../bytes.js';
import { parseIp } from '../ip.js';
import { protoNumber } from '../record.js';
import { SyslogRecord } from './syslog-record.js';

/**
 * netfilter/iptables LOG target lines (`IN=eth0 OUT= SRC=.. DST=.. LEN=.. TTL=.. PROTO=TCP
 * SPT=.. DPT=.. SYN ...`), usually inside a kernel syslog line, sometimes bare (dmesg).
 * They fill the header fields, so packet rules such as `alert udp any any -> $HOME_NET 1434`
 * count what the firewall logged.
 */
export class NetfilterRecord extends SyslogRecord {
  prefixStart = -1;
  prefixEnd = -1;
  kvStart = 0;

  protected override collectFields(out: Record<string, string>): void {
    super.collectFields(out);
    if (this.prefixEnd > this.prefixStart) out.prefix = this.text(this.prefixStart, this.prefixEnd);
    const b = this.line;
    const end = b.length;
    const flags: string[] = [];
    let proto = '';
    let i = this.kvStart;
    while (i < end) {
      i = skipSpaces(b, i, end);
      if (b[i] === 0x5b) {
        // ICMP errors quote the offending packet in [...]: kept whole, not mixed into the outer fields.
        const close = b.indexOf(0x5d, i);
        const stop = close < 0 ? end : close + 1;
        out.embedded = latin1(b, i, stop);
        i = stop;
        continue;
      }
      const e = tokenEnd(b, i, end);
      if (e === i) break;
      const eq = b.indexOf(0x3d, i);
      if (eq > i && eq < e) {
        const key = latin1(b, i, eq);
        const value = latin1(b, eq + 1, e);
        // Keys after PROTO= that repeat an IP key (LEN, ID) belong to the transport: "UDP.LEN".
        if (key === 'PROTO') proto = value;
        out[proto !== '' && key in out ? `${proto}.${key}` : key] = value;
      }
      else if (startsWithAscii(b, i, 'OPT', e)) {
        const close = b.indexOf(0x29, i);
        const stop = close < 0 ? e : close + 1;
        out.OPT = latin1(b, i + 3, stop).trim();
        i = stop;
        continue;
      } else flags.push(latin1(b, i, e));
      i = e;
    }
    if (flags.length) out.flags = flags.join(' ');
  }
}

/** Index of `IN=` starting the netfilter key list in b[from, end), or -1 (SRC= and DST= must follow). */
export function findNetfilter(b: Uint8Array, from: number, end: number): number {
  // Each IN= needs a SRC=, a DST= (and, glued to a prefix, a PROTO=) somewhere after it: where
  // the last of each is, found once, answers that for every IN= of the line in constant time
  // (a line of thousands of IN= would otherwise cost a search to its end for each).
  const lastSrc = lastIndexOfAscii(b, ' SRC=', from, end);
  if (lastSrc < 0) return -1;
  const lastDst = lastIndexOfAscii(b, ' DST=', from, end);
  if (lastDst < 0) return -1;
  const lastProto = lastIndexOfAscii(b, ' PROTO=', from, end);
  let tokenStop = -1;
  for (let at = indexOfAscii(b, 'IN=', from, end); at >= 0; at = indexOfAscii(b, 'IN=', at + 3, end)) {
    if (lastSrc < at || lastDst < at) return -1;
    const before = b[at - 1];
    if (at === from || before === 0x20 || before === 0x5d) return at;
    // The kernel writes --log-prefix straight before "IN=", so a prefix without a trailing space
    // ("DROPIN=eth0") is glued to it. Only the fixed opening "IN=<dev> OUT=" and a PROTO= tell
    // that apart from some other key ending in "IN" ("LOGIN=", "DOMAIN="). The IN= of one token
    // share its end, found once.
    if (at >= tokenStop) tokenStop = tokenEnd(b, at, end);
    if (startsWithAscii(b, tokenStop + 1, 'OUT=', end) && lastProto >= tokenStop) return at;
  }
  return -1;
}

const FLAG_BITS = new Map<string, number>([
  ['FIN', TCP_FIN],
  ['SYN', TCP_SYN],
  ['RST', TCP_RST],
  ['PSH', TCP_PSH],
  ['ACK', TCP_ACK],
  ['URG', TCP_URG],
  ['ECE', TCP_ECE],
  ['CWR', TCP_CWR],
]);

const DENY_WORDS = /\b(?:BLOCK|BLOCKED|DROP|DROPPED|DENY|DENIED|REJECT|REJECTED)\b/i;
const ALLOW_WORDS = /\b(?:ACCEPT|ACCEPTED|ALLOW|ALLOWED|PERMIT|PERMITTED|PASS)\b/i;

/** Whether b[s, e) is the inside of a kernel uptime stamp: " 1234.567890". */
function isUptimeStamp(b: Uint8Array, s: number, e: number): boolean {
  let digits = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c !== 0x20 && c !== 0x2e) return false;
  }
  return digits > 0;
}

/** Fills `rec` from the key list starting at `kvStart`; false when SRC/DST are not addresses. */
export function fillNetfilter(rec: NetfilterRecord, kvStart: number): boolean {
  const b = rec.line;
  const end = b.length;
  rec.kvStart = kvStart;
  let p = rec.msgStart;
  // Kernel uptime stamp "[12345.678901]" is not part of the log prefix; "[UFW BLOCK]" is.
  if (b[p] === 0x5b) {
    const close = b.indexOf(0x5d, p);
    if (close > p && close < kvStart && isUptimeStamp(b, p + 1, close)) p = skipSpaces(b, close + 1, end);
  }
  let pe = kvStart;
  while (pe > p && b[pe - 1] === 0x20) pe--;
  rec.prefixStart = p;
  rec.prefixEnd = pe;
  if (pe > p) {
    const prefix = latin1(b, p, pe);
    if (DENY_WORDS.test(prefix)) rec.action = 'deny';
    else if (ALLOW_WORDS.test(prefix)) rec.action = 'allow';
  }
  let flags = 0;
  let sawFlag = false;
  let i = kvStart;
  while (i < end) {
    i = skipSpaces(b, i, end);
    if (i >= end) break;
    if (b[i] === 0x5b) {
      const close = b.indexOf(0x5d, i);
      i = close < 0 ? end : close + 1;
      continue;
    }
    const e = tokenEnd(b, i, end);
    const eq = b.indexOf(0x3d, i);
    if (eq < 0 || eq >= e) {
      const word = latin1(b, i, e);
      const bit = FLAG_BITS.get(word);
      if (bit !== undefined) {
        flags |= bit;
        sawFlag = true;
      } else if (word === 'DF') rec.dontFragment = true;
      i = e;
      continue;
    }
    const v0 = eq + 1;
    switch (latin1(b, i, eq)) {
      case 'SRC':
        rec.src = parseIp(b, v0, e);
        break;
      case 'DST':
        rec.dst = parseIp(b, v0, e);
        break;
      case 'LEN': {
        const n = parseUint(b, v0, e);
        // UDP lines repeat LEN= after PROTO for the UDP length; the IP length comes first.
        if (n >= 0 && rec.proto === undefined) rec.ipLength = n;
        break;
      }
      case 'TOS':
      case 'TC': {
        const n = parseIntAuto(b, v0, e);
        if (n >= 0) rec.tos = n;
        break;
      }
      case 'TTL':
      case 'HOPLIMIT': {
        const n = parseUint(b, v0, e);
        if (n >= 0) rec.ttl = n;
        break;
      }
      case 'ID': {
        const n = parseUint(b, v0, e);
        // ICMP echo lines carry a second ID= (echo identifier) after PROTO; the IP id comes first.
        if (n >= 0 && rec.ipId === undefined && rec.proto === undefined) rec.ipId = n;
        break;
      }
      case 'PROTO': {
        const n = protoNumber(latin1(b, v0, e));
        if (n >= 0) rec.proto = n;
        break;
      }
      case 'SPT': {
        const n = parseUint(b, v0, e);
        if (n >= 0 && n <= 65535) rec.srcPort = n;
        break;
      }
      case 'DPT': {
        const n = parseUint(b, v0, e);
        if (n >= 0 && n <= 65535) rec.dstPort = n;
        break;
      }
      case 'WINDOW': {
        const n = parseUint(b, v0, e);
        if (n >= 0) rec.tcpWindow = n;
        break;
      }
      case 'TYPE': {
        const n = parseUint(b, v0, e);
        if (n >= 0 && n <= 255) rec.icmpType = n;
        break;
      }
      case 'CODE': {
        const n = parseUint(b, v0, e);
        if (n >= 0 && n <= 255) rec.icmpCode = n;
        break;
      }
      default:
        break;
    }
    i = e;
  }
  if (rec.proto === 6 || sawFlag) rec.tcpFlags = flags;
  return rec.src !== undefined && rec.dst !== undefined;
}

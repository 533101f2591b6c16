import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../types/packet.js';
import { isDigit, latin1 } from '../bytes.js';
import { parseIpText } from '../ip.js';
import { US_PER_SEC } from '../time.js';
import { SyslogRecord } from './syslog-record.js';

/**
 * Port-scan detectors' logs: portsentry (its history file and its syslog `attackalert:` lines)
 * and scanlogd. Both name the scanning host, which becomes the record's source.
 */
export class ScanRecord extends SyslogRecord {
  extra: Record<string, string> = {};

  protected override collectFields(out: Record<string, string>): void {
    super.collectFields(out);
    for (const k of Object.keys(this.extra)) out[k] = this.extra[k]!;
  }
}

/** portsentry.history: `1403884279 - 06/27/2014 17:51:19 Host: name/1.2.3.4 Port: 1 TCP Blocked`. */
export function isPortsentryHistory(b: Uint8Array): boolean {
  let i = 0;
  while (i < b.length && isDigit(b[i]!)) i++;
  return i >= 9 && i <= 11 && b[i] === 0x20 && b[i + 1] === 0x2d && b[i + 2] === 0x20 && b[i + 5] === 0x2f;
}

export function fillPortsentry(rec: ScanRecord, history: boolean): boolean {
  const b = rec.line;
  if (history) {
    let i = 0;
    let secs = 0;
    while (isDigit(b[i]!)) secs = secs * 10 + (b[i++]! - 0x30);
    // The epoch stamp is exact; the local date beside it is for humans.
    rec.tsUs = secs * US_PER_SEC;
    rec.timeKnown = true;
  }
  const text = latin1(b, rec.msgStart, b.length);
  const host = /\b[Hh]ost:? (?:([^\s/]+)\/)?([0-9A-Fa-f.:]+)\b/.exec(text);
  if (!host) return false;
  const ip = parseIpText(host[2]!);
  if (!ip) return false;
  rec.src = ip;
  if (host[1] && host[1] !== host[2]) rec.extra.src_name = host[1];
  const port = /\b[Pp]ort:? (\d{1,5})\b/.exec(text);
  if (port && Number(port[1]) <= 65535) rec.dstPort = Number(port[1]);
  const proto = /\b(TCP|UDP)\b/.exec(text);
  if (proto) rec.proto = proto[1] === 'TCP' ? 6 : 17;
  const scan = /attackalert: (.*?) from host/.exec(text);
  if (scan) rec.extra.scan_type = scan[1]!;
  if (/\b[Bb]locked\b/.test(text)) rec.action = 'deny';
  return true;
}

const SCANLOGD_FLAGS: [string, number][] = [
  ['F', TCP_FIN],
  ['S', TCP_SYN],
  ['R', TCP_RST],
  ['P', TCP_PSH],
  ['A', TCP_ACK],
  ['U', TCP_URG],
  ['X', TCP_ECE],
  ['Y', TCP_CWR],
];

/** scanlogd: `1.2.3.4[:sport] to 5.6.7.8 ports 80, 81, ..., fSrpauxy, TOS 00, TTL 49 @20:44:43`. */
export function fillScanlogd(rec: ScanRecord): boolean {
  const b = rec.line;
  const text = latin1(b, rec.msgStart, b.length);
  const m = /^(\S+?)(?::(\d{1,5}))? to (\S+) ports? (.*?), ([fsrpauxyFSRPAUXY?]{8}), TOS ([0-9a-fA-F]{1,2})(?:, TTL (\d{1,3}))?(?: @(\S+))?/.exec(text);
  if (!m) return false;
  const src = parseIpText(m[1]!);
  const dst = parseIpText(m[3]!);
  if (!src || !dst) return false;
  rec.src = src;
  rec.dst = dst;
  rec.proto = 6;
  if (m[2]) rec.srcPort = Number(m[2]);
  const ports = m[4]!;
  rec.extra.ports = ports;
  if (/^\d{1,5}$/.test(ports)) rec.dstPort = Number(ports);
  const flagText = m[5]!;
  rec.extra.flags = flagText;
  let bits = 0;
  for (let k = 0; k < 8; k++) if (flagText[k] === SCANLOGD_FLAGS[k]![0]) bits |= SCANLOGD_FLAGS[k]![1];
  rec.tcpFlags = bits;
  rec.tos = parseInt(m[6]!, 16);
  if (m[7]) rec.ttl = Number(m[7]);
  if (m[8]) rec.extra.first_packet_time = m[8];
  return true;
}

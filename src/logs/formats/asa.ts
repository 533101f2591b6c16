import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../types/packet.js';
import type { IpBytes } from '../../types/packet.js';
import { isDigit, latin1 } from '../bytes.js';
import { parseIpText } from '../ip.js';
import { protoNumber } from '../record.js';
import { SyslogRecord } from './syslog-record.js';

/**
 * Cisco PIX/ASA/FWSM/FTD syslog messages (`%ASA-4-106023: Deny tcp src outside:1.2.3.4/1234 dst
 * inside:10.0.0.1/445 by access-group "in"`). The endpoints, protocol, TCP flags and verdict of
 * the connection and deny messages fill the header fields; every message keeps its id and text.
 */
export class AsaRecord extends SyslogRecord {
  /** Offset of the `%` of the mnemonic. */
  mnemonicStart = 0;
  textStart = 0;
  facility = '';
  asaSeverity = -1;
  messageId = -1;
  extra: Record<string, string> | undefined = undefined;

  protected override collectFields(out: Record<string, string>): void {
    super.collectFields(out);
    out.asa_facility = this.facility;
    out.asa_severity = String(this.asaSeverity);
    out.asa_id = String(this.messageId);
    out.asa_text = this.text(this.textStart, this.line.length);
    if (this.extra) for (const k of Object.keys(this.extra)) out[k] = this.extra[k]!;
  }
}

const FACILITIES = ['%ASA-', '%PIX-', '%FWSM-', '%FTD-'];

/** Whether a `%ASA-n-nnnnnn:` style mnemonic starts at b[i]. */
export function isAsaMnemonicAt(b: Uint8Array, i: number): boolean {
  if (i < 0 || b[i] !== 0x25) return false;
  for (const f of FACILITIES) {
    let ok = i + f.length + 3 <= b.length;
    for (let k = 1; ok && k < f.length; k++) if (b[i + k] !== f.charCodeAt(k)) ok = false;
    if (ok && isDigit(b[i + f.length]!) && b[i + f.length + 1] === 0x2d) return true;
  }
  return false;
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

/** Port names the ASA prints instead of numbers. */
const SERVICES = new Map<string, number>([
  ['echo', 7], ['discard', 9], ['daytime', 13], ['chargen', 19], ['ftp-data', 20], ['ftp', 21], ['ssh', 22],
  ['telnet', 23], ['smtp', 25], ['time', 37], ['nameserver', 42], ['whois', 43], ['tacacs', 49], ['domain', 53],
  ['bootps', 67], ['bootpc', 68], ['tftp', 69], ['gopher', 70], ['finger', 79], ['www', 80], ['http', 80],
  ['hostname', 101], ['pop2', 109], ['pop3', 110], ['sunrpc', 111], ['ident', 113], ['nntp', 119], ['ntp', 123],
  ['netbios-ns', 137], ['netbios-dgm', 138], ['netbios-ssn', 139], ['imap4', 143], ['snmp', 161],
  ['snmptrap', 162], ['xdmcp', 177], ['bgp', 179], ['irc', 194], ['ldap', 389], ['https', 443],
  ['isakmp', 500], ['exec', 512], ['biff', 512], ['login', 513], ['who', 513], ['rsh', 514], ['cmd', 514],
  ['syslog', 514], ['lpd', 515], ['talk', 517], ['rip', 520], ['uucp', 540], ['klogin', 543], ['kshell', 544],
  ['rtsp', 554], ['ldaps', 636], ['kerberos', 750], ['lotusnotes', 1352], ['citrix-ica', 1494],
  ['sqlnet', 1521], ['radius', 1645], ['radius-acct', 1646], ['h323', 1720], ['pptp', 1723], ['ctiqbe', 2748],
  ['sip', 5060], ['aol', 5190], ['pcanywhere-data', 5631], ['pcanywhere-status', 5632], ['irc-alt', 6667],
]);

interface Endpoint {
  iface?: string;
  ip: IpBytes;
  port?: number;
}

function portValue(text: string): number | undefined {
  if (/^\d{1,5}$/.test(text)) {
    const n = Number(text);
    return n <= 65535 ? n : undefined;
  }
  return SERVICES.get(text.toLowerCase());
}

/**
 * One endpoint token: `iface:ip/port`, `ip/port`, `iface:ip`, `ip`, or `iface/ip(port)` (106100).
 * IPv6 addresses contain colons, so the interface split is tried only when the rest parses.
 */
function parseEndpointToken(tok: string): Endpoint | undefined {
  let t = tok.replace(/[,;:.]+$/, '');
  // Closing parentheses of the surrounding text ("(remote 198.18.1.100))") are not part of the address.
  // Counted once, then the surplus cut in one slice (a token of thousands of ')' would
  // otherwise be recounted for each).
  let surplus = count(t, ')') - count(t, '(');
  let cut = t.length;
  while (surplus > 0 && cut > 0 && t.charCodeAt(cut - 1) === 0x29) {
    cut--;
    surplus--;
  }
  t = t.slice(0, cut);
  const open = t.indexOf('(');
  if (open > 0) {
    const close = t.indexOf(')', open);
    const inner = t.slice(open + 1, close < 0 ? t.length : close);
    t = t.slice(0, open);
    // 106100 writes the port in parentheses: outside/10.1.1.1(1234). Anything else there is the
    // identity user or FQDN the ASA appends to an endpoint ("/445(LOCAL\jdoe)", "(host.example.net)").
    if (/^\d{1,5}$/.test(inner)) return slashEndpoint(t, portValue(inner));
  }
  let port: number | undefined;
  let iface: string | undefined;
  const slash = t.lastIndexOf('/');
  if (slash > 0) {
    const p = portValue(t.slice(slash + 1));
    if (p !== undefined) {
      port = p;
      t = t.slice(0, slash);
    }
  }
  let ip = parseIpText(t);
  if (!ip) {
    const colon = t.indexOf(':');
    if (colon > 0) {
      ip = parseIpText(t.slice(colon + 1));
      if (ip) iface = t.slice(0, colon);
    }
  }
  return ip ? { iface, ip, port } : undefined;
}

/** 106100's `iface/ip` (the port was in parentheses). */
function slashEndpoint(t: string, port: number | undefined): Endpoint | undefined {
  let iface: string | undefined;
  const slash = t.indexOf('/');
  if (slash > 0) {
    iface = t.slice(0, slash);
    t = t.slice(slash + 1);
  }
  const ip = parseIpText(t);
  return ip ? { iface, ip, port } : undefined;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

function endpointAfter(words: string[], key: string, from = 0): [Endpoint, number] | undefined {
  for (let i = from; i < words.length - 1; i++) {
    if (words[i] !== key) continue;
    const ep = parseEndpointToken(words[i + 1]!);
    if (ep) return [ep, i + 1];
  }
  return undefined;
}

/**
 * The endpoint just before words[at], stepping back over an identity group that holds spaces
 * ("inside/10.0.0.1(1234)(LOCAL\jdoe, sg_info) ->").
 */
function endpointBefore(words: string[], at: number): Endpoint | undefined {
  for (let i = at - 1; i >= Math.max(0, at - 4); i--) {
    const ep = parseEndpointToken(words[i]!);
    if (ep) return ep;
  }
  return undefined;
}

/**
 * 106100 logs an ICMP packet with 0 where the source port goes and the ICMP type where the
 * destination port goes: neither is a port.
 */
function icmpTypeFromPorts(rec: AsaRecord, src: Endpoint | undefined, dst: Endpoint | undefined): void {
  const type = dst?.port;
  if (type !== undefined && type <= 255) rec.icmpType = type;
  if (src) src.port = undefined;
  if (dst) dst.port = undefined;
}

/** Fills the ASA record from the text after the mnemonic; returns false when the mnemonic is malformed. */
export function fillAsa(rec: AsaRecord, mnemonicStart: number): boolean {
  const b = rec.line;
  const end = b.length;
  const dash1 = b.indexOf(0x2d, mnemonicStart);
  const sev = b[dash1 + 1]! - 0x30;
  let i = dash1 + 3;
  let id = 0;
  let nd = 0;
  while (i < end && isDigit(b[i]!) && nd < 7) {
    id = id * 10 + (b[i]! - 0x30);
    i++;
    nd++;
  }
  if (nd === 0 || b[i] !== 0x3a) return false;
  rec.mnemonicStart = mnemonicStart;
  rec.facility = latin1(b, mnemonicStart + 1, dash1);
  rec.asaSeverity = sev;
  rec.messageId = id;
  i++;
  while (i < end && b[i] === 0x20) i++;
  rec.textStart = i;
  // The mnemonic opens log.message, so rules can anchor on "%ASA-4-106023".
  rec.msgStart = mnemonicStart;
  if (rec.progStart >= 0 && b[rec.progStart] === 0x25) rec.progStart = rec.progEnd = -1;

  const text = latin1(b, i, end);
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const extra: Record<string, string> = {};
  const lower0 = (words[0] ?? '').toLowerCase();

  // Verdict.
  if (lower0 === 'deny' || lower0 === 'denied' || /\b(?:denied|discarded|dropped)\b/i.test(text.slice(0, 64))) rec.action = 'deny';
  else if (lower0 === 'built' || lower0 === 'teardown' || /\bpermitted\b/i.test(text.slice(0, 64))) rec.action = 'allow';
  if (lower0 === 'teardown') rec.teardown = true;
  if (words[0] !== undefined) extra.action = words[0];

  // Protocol: "Deny tcp ...", "Built inbound TCP ...", "Deny protocol 47 ...", "access-list x denied udp ...".
  for (let k = 0; k < Math.min(words.length, 8); k++) {
    const w = words[k]!.toLowerCase();
    if (w === 'protocol' && k + 1 < words.length && /^\d+$/.test(words[k + 1]!)) {
      rec.proto = Number(words[k + 1]);
      break;
    }
    if (w === 'tcp' || w === 'udp' || w === 'icmp' || w === 'icmp6' || w === 'gre' || w === 'esp') {
      rec.proto = protoNumber(w);
      break;
    }
  }

  // Endpoints: src/dst, from/to, for/to, faddr/laddr, or "a -> b" (106100).
  let srcEp: Endpoint | undefined;
  let dstEp: Endpoint | undefined;
  let connectionForm = false;
  const src = endpointAfter(words, 'src');
  const arrow = words.indexOf('->');
  if (src) {
    srcEp = src[0];
    dstEp = endpointAfter(words, 'dst', src[1])?.[0];
  } else if (arrow > 0 && arrow + 1 < words.length) {
    srcEp = endpointBefore(words, arrow);
    dstEp = parseEndpointToken(words[arrow + 1]!);
    if (rec.proto === 1 || rec.proto === 58) icmpTypeFromPorts(rec, srcEp, dstEp);
  } else if (words.includes('faddr')) {
    connectionForm = true;
    const f = endpointAfter(words, 'faddr')?.[0];
    const l = endpointAfter(words, 'laddr')?.[0];
    const outbound = words.includes('outbound');
    srcEp = outbound ? l : f;
    dstEp = outbound ? f : l;
  } else {
    const forEp = endpointAfter(words, 'for');
    if (forEp) {
      connectionForm = true;
      const toEp = endpointAfter(words, 'to', forEp[1])?.[0];
      // "Built outbound ... for <foreign> to <local>": the local side opened the connection.
      if (words.includes('outbound')) {
        srcEp = toEp;
        dstEp = forEp[0];
      } else {
        srcEp = forEp[0];
        dstEp = toEp;
      }
    } else {
      const from = endpointAfter(words, 'from');
      if (from) {
        srcEp = from[0];
        dstEp = endpointAfter(words, 'to', from[1])?.[0];
      }
    }
  }
  // Connection messages without "inbound"/"outbound" (teardowns, PIX 6 built lines) do not say who
  // opened the connection: the side on a service port is taken as the server.
  if (connectionForm && srcEp && dstEp && !words.includes('inbound') && !words.includes('outbound')) {
    const sp = srcEp.port;
    const dp = dstEp.port;
    if (sp !== undefined && dp !== undefined && sp < 1024 && dp >= 1024) [srcEp, dstEp] = [dstEp, srcEp];
  }
  if (!srcEp) {
    // Messages such as 308001 "(remote 198.18.1.100)" name only a peer.
    const remote = endpointAfter(words, '(remote');
    if (remote) srcEp = remote[0];
  }
  if (srcEp) {
    rec.src = srcEp.ip;
    if (srcEp.port !== undefined) rec.srcPort = srcEp.port;
    if (srcEp.iface) extra.src_interface = srcEp.iface;
  }
  if (dstEp) {
    rec.dst = dstEp.ip;
    if (dstEp.port !== undefined) rec.dstPort = dstEp.port;
    if (dstEp.iface) extra.dst_interface = dstEp.iface;
  }

  // TCP flags: "flags SYN ACK on interface outside", "(no connection) ... flags RST".
  const fl = words.indexOf('flags');
  if (fl >= 0) {
    let bits = 0;
    for (let k = fl + 1; k < words.length; k++) {
      const bit = FLAG_BITS.get(words[k]!.toUpperCase());
      if (bit === undefined) break;
      bits |= bit;
    }
    rec.tcpFlags = bits;
    if (rec.proto === undefined) rec.proto = 6;
  }

  // ICMP "(type 8, code 0)" or "type=8, code=0".
  const icmp = /type[ =](\d{1,3}),? code[ =](\d{1,3})/.exec(text);
  if (icmp) {
    rec.icmpType = Number(icmp[1]);
    rec.icmpCode = Number(icmp[2]);
  }

  const conn = /connection (\d+)/.exec(text);
  if (conn) extra.connection_id = conn[1]!;
  const group = /access-group "([^"]*)"/.exec(text) ?? /access-list (\S+)/.exec(text);
  if (group) extra.acl = group[1]!;
  const duration = /duration (\d+:\d{2}:\d{2})/.exec(text);
  if (duration) extra.duration = duration[1]!;
  const bytes = /bytes (\d+)/.exec(text);
  if (bytes) extra.bytes = bytes[1]!;
  const user = /for user "([^"]*)"/.exec(text);
  if (user) extra.user = user[1]!;
  if (Object.keys(extra).length) rec.extra = extra;
  return true;
}

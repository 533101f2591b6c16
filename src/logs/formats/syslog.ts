import { isDigit, latin1 } from '../bytes.js';
import { parseIpText } from '../ip.js';
import { monthAt } from '../time.js';
import { parseWrappedAccess } from './access.js';
import { ApacheErrorRecord, fillApacheError, looksLikeApacheError } from './apache-error.js';
import { AsaRecord, fillAsa, isAsaMnemonicAt } from './asa.js';
import { Malformed, type ParseContext, type ParseOutcome } from './context.js';
import { fillNetfilter, findNetfilter, NetfilterRecord } from './netfilter.js';
import { fillPortsentry, fillScanlogd, isPortsentryHistory, ScanRecord } from './scanners.js';
import { fillPostfix, fillSendmail, isSendmailProgram, SendmailRecord } from './sendmail.js';
import { newHeader, parseSyslogHeader, type SyslogHeader } from './syslog-header.js';
import { SyslogRecord } from './syslog-record.js';

const header = newHeader();
const NO_HEADER = new Malformed('no-syslog-header');

/**
 * Where a Cisco mnemonic may sit: as the syslog tag, at the start of the message (after the
 * ASA's own `Mmm dd yyyy hh:mm:ss:` stamp and `device-id :` when a relay put its header before
 * them), or at the start of a header-less line (after an optional <PRI>). Never deeper inside a
 * message: an attacker could otherwise make any daemon's line read as a firewall verdict with
 * addresses of their choice.
 */
function asaPosition(line: Uint8Array, has: boolean, h: SyslogHeader): number {
  if (has) {
    if (isAsaMnemonicAt(line, h.progStart)) return h.progStart;
    if (isAsaMnemonicAt(line, h.msgStart)) return h.msgStart;
    // A relayed ASA line: "<relay header> Jan 25 2024 06:02:15: %ASA-..." or "... 06:02:15 fw01 : %ASA-...".
    if (h.progStart >= 0) return -1;
    return asaAfterOwnHeader(line, h.msgStart);
  }
  if (isAsaMnemonicAt(line, 0)) return 0;
  const gt = line[0] === 0x3c ? line.indexOf(0x3e) : -1;
  return gt > 0 && gt < 5 && isAsaMnemonicAt(line, gt + 1) ? gt + 1 : -1;
}

/**
 * The mnemonic after the ASA's own header at b[i]: its time stamp (`Mmm dd yyyy hh:mm:ss`,
 * optionally with a fraction and a colon), then optionally a device id followed by a colon
 * (`fw01 :` or `fw01:`); -1 when the message does not open so. No time is read: the record
 * keeps the relay's.
 */
function asaAfterOwnHeader(b: Uint8Array, i: number): number {
  const end = b.length;
  if (monthAt(b, i) === 0 || b[i + 3] !== 0x20) return -1;
  let j = i + 4;
  if (b[j] === 0x20) j++;
  const d = j;
  while (j < end && j - d < 2 && isDigit(b[j]!)) j++;
  if (j === d || b[j] !== 0x20) return -1;
  j++;
  for (let k = 0; k < 4; k++) if (!isDigit(b[j + k] ?? 0)) return -1;
  j += 4;
  if (b[j] !== 0x20) return -1;
  j++;
  // hh:mm:ss
  for (let k = 0; k < 8; k++) {
    const c = b[j + k] ?? 0;
    if (k === 2 || k === 5 ? c !== 0x3a : !isDigit(c)) return -1;
  }
  j += 8;
  if (b[j] === 0x2e) {
    j++;
    while (j < end && isDigit(b[j]!)) j++;
  }
  if (b[j] === 0x3a) j++;
  while (b[j] === 0x20) j++;
  if (isAsaMnemonicAt(b, j)) return j;
  // Device id ("logging device-id hostname"), then a colon.
  const s = j;
  while (j < end && b[j] !== 0x20 && b[j] !== 0x3a) j++;
  if (j === s || j - s > 64) return -1;
  while (b[j] === 0x20) j++;
  if (b[j] !== 0x3a) return -1;
  j++;
  while (b[j] === 0x20) j++;
  return isAsaMnemonicAt(b, j) ? j : -1;
}

/**
 * netfilter lines come from the kernel, from ulogd (its SYSLOG output plugin tags them `ulogd`), or
 * from a logger that writes no tag. Other programs' messages may quote "IN= SRC= DST=" text on an
 * attacker's behalf.
 */
function netfilterPosition(line: Uint8Array, has: boolean, h: SyslogHeader): number {
  if (has && h.progStart >= 0 && !isNetfilterProgram(latin1(line, h.progStart, h.progEnd))) return -1;
  return findNetfilter(line, has ? h.msgStart : 0, line.length);
}

function isNetfilterProgram(prog: string): boolean {
  return prog === 'kernel' || prog === 'ulogd';
}

function isApacheProgram(prog: string): boolean {
  const p = prog.toLowerCase();
  return p === '' || p.includes('httpd') || p.includes('apache');
}

/**
 * Web servers that log requests through syslog, by tag: nginx (`access_log syslog:`, tag
 * `nginx`), Apache piped to logger (`logger -t httpd`, `apache2`, or logger's default tag, the
 * user `www-data`), lighttpd, OpenResty. Other daemons' messages, and untagged ones, are not read
 * as access lines, whatever text they hold: their client address would be anyone's to choose.
 */
function isWebServerProgram(prog: string): boolean {
  const p = prog.toLowerCase();
  return p.includes('nginx') || p.includes('httpd') || p.includes('apache') || p.includes('lighttpd') || p.includes('openresty') || p === 'www-data';
}

export type SyslogKind = 'asa' | 'netfilter' | 'sendmail' | 'postfix' | 'portsentry' | 'scanlogd' | 'apache_error' | 'syslog';

/**
 * Which member of the syslog family a line belongs to, judged from its content, not from the
 * file: a /var/log/messages mixes kernel firewall lines, sendmail and everything else.
 * Returns undefined when the line has no syslog header and no recognisable bare form.
 */
export function classifySyslogLine(line: Uint8Array, ctx: ParseContext): SyslogKind | undefined {
  const has = parseSyslogHeader(line, ctx, header);
  const from = has ? header.msgStart : 0;
  if (asaPosition(line, has, header) >= 0) return 'asa';
  if (netfilterPosition(line, has, header) >= 0) return 'netfilter';
  if (!has) return isPortsentryHistory(line) ? 'portsentry' : undefined;
  if (isSendmailProgram(line, header.progStart, header.progEnd)) return 'sendmail';
  const prog = header.progStart >= 0 ? latin1(line, header.progStart, header.progEnd) : '';
  if (prog.startsWith('postfix/')) return 'postfix';
  if (prog === 'portsentry') return 'portsentry';
  if (prog === 'scanlogd') return 'scanlogd';
  if (isApacheProgram(prog) && looksLikeApacheError(line, from)) return 'apache_error';
  return 'syslog';
}

/**
 * Parses any syslog-family line. A line the specific parser cannot use (a kernel line that is
 * not a firewall line, a sendmail line of unknown shape) still becomes a generic syslog record.
 */
export function parseSyslogFamily(line: Uint8Array, ctx: ParseContext): ParseOutcome {
  const has = parseSyslogHeader(line, ctx, header);
  return dispatch(line, ctx, has, header);
}

/**
 * A message whose header parts the caller already knows (journald keeps tag, host and time in
 * fields of their own): `h` holds their offsets in `line`. Dispatched as a syslog line would be.
 */
export function parseSyslogMessage(line: Uint8Array, ctx: ParseContext, h: SyslogHeader): ParseOutcome {
  return dispatch(line, ctx, true, h);
}

function dispatch(line: Uint8Array, ctx: ParseContext, has: boolean, head: SyslogHeader): ParseOutcome {
  const h = has ? head : undefined;
  const from = has ? head.msgStart : 0;
  const file = ctx.file;
  const no = ctx.lineNo;

  const asaAt = asaPosition(line, has, head);
  if (asaAt >= 0) {
    const rec = new AsaRecord(line, file, no, 'asa', h);
    if (fillAsa(rec, asaAt)) return rec;
  }
  const nf = netfilterPosition(line, has, head);
  if (nf >= 0) {
    const rec = new NetfilterRecord(line, file, no, 'netfilter', h);
    if (fillNetfilter(rec, nf)) return rec;
  }
  if (!has) {
    if (isPortsentryHistory(line)) {
      const rec = new ScanRecord(line, file, no, 'portsentry', undefined);
      if (fillPortsentry(rec, true)) return rec;
    }
    return NO_HEADER;
  }
  if (isSendmailProgram(line, head.progStart, head.progEnd)) {
    const rec = new SendmailRecord(line, file, no, 'sendmail', h);
    fillSendmail(rec);
    return rec;
  }
  const prog = head.progStart >= 0 ? latin1(line, head.progStart, head.progEnd) : '';
  if (prog.startsWith('postfix/')) {
    const rec = new SendmailRecord(line, file, no, 'postfix', h);
    fillPostfix(rec);
    return rec;
  }
  if (prog === 'portsentry') {
    const rec = new ScanRecord(line, file, no, 'portsentry', h);
    if (fillPortsentry(rec, false)) return rec;
  } else if (prog === 'scanlogd') {
    const rec = new ScanRecord(line, file, no, 'scanlogd', h);
    if (fillScanlogd(rec)) return rec;
  } else if (isApacheProgram(prog) && looksLikeApacheError(line, from)) {
    const rec = new ApacheErrorRecord(line, file, no, 'apache_error', h);
    if (fillApacheError(rec, from, ctx)) return rec;
  }
  // An access log line sent through syslog: an access record, with the syslog header's time and host.
  if (isWebServerProgram(prog)) {
    const rec = parseWrappedAccess(line, ctx, from, head);
    if (rec !== undefined) return rec;
  }
  const rec = new SyslogRecord(line, file, no, 'syslog', h);
  fillPeer(rec, prog);
  return rec;
}

/**
 * The remote peer of a few daemons whose log lines name it in a fixed place (sendmail and postfix
 * have their own modules). Only these layouts are read: guessing an address out of arbitrary
 * text would let attacker-chosen strings (user names, URLs) pose as the source.
 */
function fillPeer(rec: SyslogRecord, prog: string): void {
  if (prog === '') return;
  const msg = latin1(rec.line, rec.msgStart, rec.line.length);
  let ip: string | undefined;
  let port: string | undefined;
  let tcp = false;
  if (prog === 'sshd' || prog.startsWith('sshd-') || prog === 'dropbear') {
    // "... for invalid user X from 1.2.3.4 port 22 ssh2": the last "from <ip> port <n>" is sshd's own.
    tcp = true;
    const all = [...msg.matchAll(/ from ([0-9A-Fa-f.:]+) port (\d{1,5})\b/g)];
    const last = all[all.length - 1];
    if (last) {
      ip = last[1];
      port = last[2];
    } else {
      const m = / from ([0-9A-Fa-f.:]+)\s*$/.exec(msg) ?? /^refused connect from \S+ \(([0-9A-Fa-f.:]+)\)/.exec(msg);
      if (m) ip = m[1];
    }
  } else if (prog.startsWith('dovecot')) {
    // "user=<x>, method=PLAIN, rip=1.2.3.4, lip=...": the user name comes first, so the last rip= is dovecot's.
    const last = [...msg.matchAll(/, rip=([0-9A-Fa-f.:]+)/g)].pop();
    if (last) ip = last[1];
  } else {
    // pam_unix: "...; logname= uid=0 euid=0 tty=ssh ruser= rhost=1.2.3.4  user=root". Anchored on
    // pam's own layout to the end of the line, so a user name cannot smuggle in another rhost=.
    const m = /tty=\S* ruser=\S* rhost=([0-9A-Fa-f.:]+)(?:\s+user=\S*)?\s*$/.exec(msg);
    if (m) ip = m[1];
  }
  if (ip === undefined) return;
  const bytes = parseIpText(ip);
  if (!bytes) return;
  rec.src = bytes;
  if (port !== undefined && Number(port) <= 65535) rec.srcPort = Number(port);
  if (tcp) rec.proto = 6;
}

import type { BufferName } from '../../types/buffers.js';
import { isDigit, latin1, sub } from '../bytes.js';
import { parseIp } from '../ip.js';
import type { SmtpLogMeta } from '../record.js';
import { SyslogRecord } from './syslog-record.js';

/** Program names sendmail logs under (sm-mta, sm-msp-queue, sm-acceptingconnections, ...). */
export function isSendmailProgram(b: Uint8Array, s: number, e: number): boolean {
  if (s < 0) return false;
  const len = e - s;
  if (len === 8 && latin1(b, s, e) === 'sendmail') return true;
  return len > 3 && b[s] === 0x73 && b[s + 1] === 0x6d && b[s + 2] === 0x2d; // "sm-"
}

/** Keys whose value is free text running to the end of the line (sendmail prints them last). */
const TERMINAL_KEYS = new Set(['reject', 'stat', 'msg']);

function isKeyByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isDigit(c) || c === 0x5f;
}

/**
 * sendmail syslog lines: `QID: from=<a@b>, size=.., relay=host [1.2.3.4]`, `ruleset=check_rcpt,
 * arg1=<x>, relay=.., reject=550 ...`, and the free-text notices (`[ip]: EXPN root [rejected]`,
 * `host [ip] did not issue MAIL/EXPN/VRFY/ETRN`). Address fields become the SMTP buffers, so
 * the same smtp.mail_from / smtp.rcpt_to rules match mail logs and SMTP sessions.
 */
export class SendmailRecord extends SyslogRecord {
  qidStart = -1;
  qidEnd = -1;
  textStart = -1;
  textEnd = -1;
  /** Flat [keyStart, keyEnd, valueStart, valueEnd, ...]. */
  pairs: number[] = [];
  fromV = -1;
  rcptV = -1;
  heloV = -1;
  cmdStart = -1;
  cmdEnd = -1;

  private pairValue(idx: number): Uint8Array {
    return sub(this.line, this.pairs[idx * 4 + 2]!, this.pairs[idx * 4 + 3]!);
  }

  private pairText(idx: number): string {
    return latin1(this.line, this.pairs[idx * 4 + 2]!, this.pairs[idx * 4 + 3]!);
  }

  protected override makeBuffer(name: BufferName): Uint8Array | undefined {
    switch (name) {
      case 'smtp.mail_from':
        return this.fromV >= 0 ? this.pairValue(this.fromV) : undefined;
      case 'smtp.rcpt_to':
        return this.rcptV >= 0 ? this.pairValue(this.rcptV) : undefined;
      case 'smtp.helo':
        return this.heloV >= 0 ? this.pairValue(this.heloV) : undefined;
      case 'smtp.command':
        return this.cmdStart >= 0 ? sub(this.line, this.cmdStart, this.cmdEnd) : undefined;
      default:
        return super.makeBuffer(name);
    }
  }

  override get smtp(): SmtpLogMeta | undefined {
    if (this.fromV < 0 && this.rcptV < 0 && this.heloV < 0) return undefined;
    const meta: SmtpLogMeta = {};
    if (this.heloV >= 0) meta.helo = this.pairText(this.heloV);
    if (this.fromV >= 0) meta.mail_from = this.pairText(this.fromV);
    if (this.rcptV >= 0) meta.rcpt_to = this.pairText(this.rcptV).split(',').filter((s) => s.length > 0);
    return meta;
  }

  protected override collectFields(out: Record<string, string>): void {
    super.collectFields(out);
    if (this.qidStart >= 0) out.queue_id = this.text(this.qidStart, this.qidEnd);
    if (this.textStart >= 0 && this.textEnd > this.textStart) out.text = this.text(this.textStart, this.textEnd);
    const p = this.pairs;
    for (let k = 0; k < p.length; k += 4) out[this.text(p[k]!, p[k + 1]!)] = this.text(p[k + 2]!, p[k + 3]!);
    if (this.cmdStart >= 0) out.command = this.text(this.cmdStart, this.cmdEnd);
  }
}

/** `[1.2.3.4]` or `[IPv6:2001:db8::1]` inside b[s, e): the first bracketed address. */
function bracketedIp(b: Uint8Array, s: number, e: number): Uint8Array | undefined {
  let i = s;
  while (i < e) {
    const open = b.indexOf(0x5b, i);
    if (open < 0 || open >= e) return undefined;
    const close = b.indexOf(0x5d, open);
    if (close < 0 || close >= e) return undefined;
    let a = open + 1;
    if (close - a > 5 && latin1(b, a, a + 5).toLowerCase() === 'ipv6:') a += 5;
    const ip = parseIp(b, a, close);
    if (ip) return ip;
    i = close + 1;
  }
  return undefined;
}

export function fillSendmail(rec: SendmailRecord): void {
  const b = rec.line;
  const end = b.length;
  let i = rec.msgStart;
  rec.appProto = 'smtp';
  rec.proto = 6;

  // Queue id: alphanumeric token directly followed by ':'.
  let j = i;
  while (j < end && j - i <= 24 && ((b[j]! >= 0x30 && b[j]! <= 0x39) || ((b[j]! | 0x20) >= 0x61 && (b[j]! | 0x20) <= 0x7a))) j++;
  if (j - i >= 6 && b[j] === 0x3a && b[j + 1] === 0x20) {
    rec.qidStart = i;
    rec.qidEnd = j;
    i = j + 2;
  }

  // key=value pairs separated by ", "; the first may be preceded by free text.
  const pairs: number[] = [];
  let textEnd = end;
  let p = i;
  while (p < end) {
    // Pairs follow ", "; the first may also follow ": " ("possible SMTP attack: command=AUTH, count=5").
    const atBoundary =
      p === i || (b[p - 1] === 0x20 && (b[p - 2] === 0x2c || (pairs.length === 0 && b[p - 2] === 0x3a)));
    if (atBoundary && isKeyByte(b[p]!)) {
      let k = p;
      while (k < end && isKeyByte(b[k]!)) k++;
      if (b[k] === 0x3d && k - p <= 32) {
        if (pairs.length === 0) textEnd = p === i ? i : p - 2;
        const key = latin1(b, p, k);
        let v = k + 1;
        let ve = end;
        if (!TERMINAL_KEYS.has(key)) {
          while (v < end && !(b[v] === 0x2c && b[v + 1] === 0x20 && isKeyStartAt(b, v + 2, end))) v++;
          ve = v;
        }
        pairs.push(p, k, k + 1, ve);
        p = ve === end ? end : ve + 2;
        continue;
      }
    }
    p++;
  }
  rec.pairs = pairs;
  if (textEnd > i) {
    rec.textStart = i;
    rec.textEnd = textEnd;
  }

  let relay = -1;
  let arg1 = -1;
  let arg2 = -1;
  let ruleset = '';
  let hasTo = false;
  let hasStat = false;
  let hasFrom = false;
  for (let n = 0; n < pairs.length / 4; n++) {
    const key = latin1(b, pairs[n * 4]!, pairs[n * 4 + 1]!);
    switch (key) {
      // sendmail writes its own relay= after any client-supplied text (user=...), so the last one is trusted.
      case 'relay':
        relay = n;
        break;
      case 'from':
        rec.fromV = n;
        hasFrom = true;
        break;
      case 'to':
        rec.rcptV = n;
        hasTo = true;
        break;
      case 'helo':
        rec.heloV = n;
        break;
      case 'arg1':
        arg1 = n;
        break;
      case 'arg2':
        arg2 = n;
        break;
      case 'ruleset':
        ruleset = latin1(b, pairs[n * 4 + 2]!, pairs[n * 4 + 3]!);
        break;
      case 'stat':
        hasStat = true;
        break;
      case 'command': {
        rec.cmdStart = pairs[n * 4 + 2]!;
        rec.cmdEnd = pairs[n * 4 + 3]!;
        break;
      }
      default:
        break;
    }
  }
  if (arg1 >= 0 && ruleset === 'check_rcpt' && rec.rcptV < 0) rec.rcptV = arg1;
  if (arg1 >= 0 && ruleset === 'check_mail' && rec.fromV < 0) rec.fromV = arg1;

  // A delivery status line (to=..., stat=...) names the next hop in relay=, not the client.
  const relayIsPeerServer = hasTo && hasStat && !hasFrom;
  if (relay >= 0) {
    const vs = pairs[relay * 4 + 2]!;
    const ve = pairs[relay * 4 + 3]!;
    const ip = bracketedIp(b, vs, ve);
    if (relayIsPeerServer) {
      if (ip) rec.dst = ip;
    } else if (ip) rec.src = ip;
    else {
      const sp = b.indexOf(0x20, vs);
      rec.srcHost = latin1(b, vs, sp > vs && sp < ve ? sp : ve);
    }
  }
  if (!rec.src && arg2 >= 0) rec.src = parseIp(b, pairs[arg2 * 4 + 2]!, pairs[arg2 * 4 + 3]!);
  if (!rec.src && rec.textStart >= 0) rec.src = bracketedIp(b, rec.textStart, rec.textEnd);

  // "[ip]: EXPN root [rejected]" / "host [ip]: VRFY info [rejected]": the refused command itself.
  if (rec.textStart >= 0 && rec.cmdStart < 0) {
    const t = latin1(b, rec.textStart, rec.textEnd);
    const m = /\]: ((?:EXPN|VRFY|expn|vrfy|ETRN|etrn)\b.*?) \[rejected\]/.exec(t);
    if (m) {
      rec.cmdStart = rec.textStart + m.index + 3;
      rec.cmdEnd = rec.cmdStart + m[1]!.length;
    }
  }
}

function isKeyStartAt(b: Uint8Array, p: number, end: number): boolean {
  let k = p;
  while (k < end && isKeyByte(b[k]!)) k++;
  return k > p && k - p <= 32 && b[k] === 0x3d;
}

/** Bytes that end an unbracketed postfix value. */
const POSTFIX_VALUE_END = new Set([0x20, 0x2c, 0x3b]);

/**
 * Postfix lines (`postfix/smtpd[..]: NOQUEUE: reject: RCPT from host[1.2.3.4]:5678: 554 ...;
 * from=<a@b> to=<c@d> proto=ESMTP helo=<x>`, `QID: client=host[ip]`, `QID: to=<..>, relay=mx[ip]:25`):
 * the same SMTP buffers as sendmail. Values in angle brackets run to the closing bracket.
 */
export function fillPostfix(rec: SendmailRecord): void {
  const b = rec.line;
  const end = b.length;
  rec.appProto = 'smtp';
  rec.proto = 6;
  let i = rec.msgStart;
  let j = i;
  while (j < end && j - i <= 20 && ((b[j]! >= 0x30 && b[j]! <= 0x39) || (b[j]! >= 0x41 && b[j]! <= 0x5a))) j++;
  if (j - i >= 5 && b[j] === 0x3a) {
    rec.qidStart = i;
    rec.qidEnd = j;
    i = j + 1;
  }
  const pairs: number[] = [];
  let textEnd = end;
  for (let p = i; p < end; p++) {
    if (p > i && b[p - 1] !== 0x20 && b[p - 1] !== 0x2c && b[p - 1] !== 0x3b) continue;
    if (!isKeyByte(b[p]!)) continue;
    let k = p;
    while (k < end && isKeyByte(b[k]!)) k++;
    if (b[k] !== 0x3d || k - p > 32) continue;
    const v = k + 1;
    let ve: number;
    if (b[v] === 0x3c) {
      const close = b.indexOf(0x3e, v);
      ve = close < 0 ? end : close + 1;
    } else {
      ve = v;
      while (ve < end && !POSTFIX_VALUE_END.has(b[ve]!)) ve++;
    }
    if (pairs.length === 0) textEnd = p;
    pairs.push(p, k, v, ve);
    p = ve - 1;
  }
  rec.pairs = pairs;
  if (textEnd > i) {
    rec.textStart = i;
    rec.textEnd = textEnd;
    while (rec.textEnd > i && (b[rec.textEnd - 1] === 0x20 || b[rec.textEnd - 1] === 0x3b || b[rec.textEnd - 1] === 0x2c)) rec.textEnd--;
  }
  for (let n = 0; n < pairs.length / 4; n++) {
    const key = latin1(b, pairs[n * 4]!, pairs[n * 4 + 1]!);
    const vs = pairs[n * 4 + 2]!;
    const ve = pairs[n * 4 + 3]!;
    if (key === 'from') rec.fromV = n;
    else if (key === 'to') rec.rcptV = n;
    else if (key === 'helo') rec.heloV = n;
    else if (key === 'client' && !rec.src) setPeer(rec, vs, ve, true);
    else if (key === 'relay') setPeer(rec, vs, ve, false);
  }
  // "connect from host[ip]", "RCPT from host[ip]:port:", "lost connection after X from host[ip]".
  if (!rec.src) {
    const t = latin1(b, i, textEnd);
    const m = / from ([^\s[]*)\[([0-9A-Fa-f.:]+)\](?::(\d{1,5}))?/.exec(t);
    if (m) {
      rec.src = parseIp(Buffer.from(m[2]!, 'latin1'));
      if (m[3] !== undefined && Number(m[3]) <= 65535) rec.srcPort = Number(m[3]);
    }
  }
}

/** `host[ip]` or `host[ip]:port` as the client (source) or the next hop (destination). */
function setPeer(rec: SendmailRecord, vs: number, ve: number, client: boolean): void {
  const b = rec.line;
  const open = b.indexOf(0x5b, vs);
  if (open < 0 || open >= ve) return;
  const close = b.indexOf(0x5d, open);
  if (close < 0 || close >= ve) return;
  const ip = parseIp(b, open + 1, close);
  if (!ip) return;
  let port = -1;
  if (b[close + 1] === 0x3a) {
    let p = 0;
    let k = close + 2;
    while (k < ve && isDigit(b[k]!)) p = p * 10 + (b[k++]! - 0x30);
    if (k > close + 2 && p <= 65535) port = p;
  }
  if (client) {
    rec.src = ip;
    if (port >= 0) rec.srcPort = port;
  } else {
    rec.dst = ip;
    if (port >= 0) rec.dstPort = port;
  }
}

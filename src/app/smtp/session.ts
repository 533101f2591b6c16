import type { SmtpPhase } from '../../types/app.js';
import { ByteAccumulator, type MemoryBudget } from '../accumulator.js';
import type { SmtpAnomaly } from '../anomalies.js';
import { CR, HT, LF, SP, ascii, parseDecimal, skipOws, startsWithLower, trimEndWs } from '../bytes.js';
import { extractAttachments } from './mime.js';
import { SmtpUnit, type EnvelopeSnapshot } from './unit.js';

export interface SmtpLimits {
  /** Bytes of a command or reply line kept and parsed. */
  maxLineBytes: number;
  /** Bytes of a message's header section kept. */
  maxHeaderBytes: number;
  /** Bytes of a message body kept. */
  bodyLimit: number;
  /** Commands awaiting a reply before the oldest is dropped. */
  maxPendingCommands: number;
  /** Recipients remembered per transaction for output. */
  maxRecipients: number;
}

export interface SmtpStats {
  units: number;
  messages: number;
  encryptedSessions: number;
  /** Client lines sent while an AUTH exchange was in progress (credentials, not commands). */
  authLines: number;
  orphanReplies: number;
  invalidReplies: number;
  pendingEvicted: number;
  bytesAfterTls: number;
  /** MIME attachments decoded from messages. */
  attachments: number;
}

export function newSmtpStats(): SmtpStats {
  return { units: 0, messages: 0, encryptedSessions: 0, authLines: 0, orphanReplies: 0, invalidReplies: 0, pendingEvicted: 0, bytesAfterTls: 0, attachments: 0 };
}

export interface SmtpContext {
  readonly limits: SmtpLimits;
  readonly budget: MemoryBudget;
  readonly stats: SmtpStats;
  /** Units with each anomaly, by name (see AnomalyList). */
  readonly anomalies?: Record<string, number>;
  emit(unit: SmtpUnit, phase: SmtpPhase): void;
}

const C_COMMAND = 0;
const C_DATA = 1;
const C_BDAT = 2;
const C_TLS_PENDING = 3;
const C_DONE = 4;

/** Commands of RFC 5321 and its common extensions: anything else is reported as unknown. */
const KNOWN_VERBS = new Set([
  'HELO', 'EHLO', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'VRFY', 'EXPN',
  'HELP', 'AUTH', 'STARTTLS', 'TURN', 'ETRN', 'ATRN', 'SEND', 'SOML', 'SAML', 'VERB', 'ONEX',
  'XEXCH50', 'X-EXPS', 'X-LINK2STATE', 'XCLIENT', 'XFORWARD', 'BURL', 'LHLO',
]);

const FROM = ascii('from:');
const TO = ascii('to:');
const LAST = ascii('last');

/**
 * Splits a message into header section and body (at the first blank line), keeping both
 * within bounds. Header lines stay exactly as sent, folding included.
 */
class MessageBuilder {
  readonly header: ByteAccumulator;
  readonly body: ByteAccumulator;
  inHeader = true;
  private lineLen = 0;
  private lastByte = 0;
  longLine = false;
  total = 0;

  constructor(
    budget: MemoryBudget,
    private readonly limits: SmtpLimits,
  ) {
    this.header = new ByteAccumulator(budget, limits.maxHeaderBytes);
    this.body = new ByteAccumulator(budget, limits.bodyLimit);
  }

  feed(src: Uint8Array, s: number, e: number): void {
    this.total += e - s;
    while (s < e) {
      if (!this.inHeader) {
        this.body.append(src, s, e);
        return;
      }
      const nl = src.indexOf(LF, s);
      if (nl < 0 || nl >= e) {
        this.header.append(src, s, e);
        this.lineLen += e - s;
        this.lastByte = src[e - 1]!;
        if (this.lineLen > this.limits.maxLineBytes) this.longLine = true;
        return;
      }
      const before = this.lineLen + (nl - s);
      const endsInCr = nl > s ? src[nl - 1] === CR : this.lastByte === CR;
      if (before === 0 || (before === 1 && endsInCr)) {
        // Blank line: the header section is over (a CR already kept from a split line goes).
        if (before === 1 && nl === s) this.header.truncate(this.header.length - 1);
        this.inHeader = false;
        this.lineLen = 0;
        s = nl + 1;
        continue;
      }
      if (before > this.limits.maxLineBytes) this.longLine = true;
      this.header.append(src, s, nl + 1);
      this.lineLen = 0;
      this.lastByte = LF;
      s = nl + 1;
    }
  }

  feedByte(b: number): void {
    const one = new Uint8Array([b]);
    this.feed(one, 0, 1);
  }

  dispose(): void {
    this.header.reset();
    this.body.reset();
  }
}

/**
 * One SMTP session: client commands (with DATA/BDAT message transfer), server replies paired
 * with commands in order (pipelining), the envelope, and STARTTLS, after which nothing more
 * can be read.
 */
export class SmtpSession {
  private nextId = 0;
  /** Mail transactions completed (messages transferred): Suricata's tx_id of the next unit. */
  private mailTx = 0;
  private cstate = C_COMMAND;
  private readonly cline: ByteAccumulator;
  private clineOverflow = false;
  private readonly sline: ByteAccumulator;
  private slineOverflow = false;
  private inAuth = false;
  private bdatRemaining = 0;
  private bdatLast = false;
  private bdatUnit: SmtpUnit | null = null;
  private message: MessageBuilder | null = null;
  private dataUnit: SmtpUnit | null = null;
  private dAtLineStart = true;
  /** 0: nothing; 1: a line began with '.'; 2: then a CR. */
  private dotState = 0;
  private readonly pending: SmtpUnit[] = [];
  private bannerSeen = false;
  private clientGap = false;
  encrypted = false;
  // envelope
  private helo: Uint8Array | null = null;
  private mailFrom: Uint8Array | null = null;
  private rcptTo: Uint8Array[] = [];
  /** Anomalies seen on the server side before the reply could be paired. */
  private replyAnomaly: SmtpAnomaly | null = null;

  constructor(readonly ctx: SmtpContext) {
    this.cline = new ByteAccumulator(ctx.budget, ctx.limits.maxLineBytes);
    this.sline = new ByteAccumulator(ctx.budget, ctx.limits.maxLineBytes);
  }

  /**
   * Takes a chunk of one side; returns how many of its bytes were SMTP. After an accepted
   * STARTTLS the rest is TLS (counted in bytesAfterTls): the caller hands it to a TLS parser.
   */
  data(toServer: boolean, chunk: Uint8Array): number {
    if (this.encrypted) {
      this.ctx.stats.bytesAfterTls += chunk.length;
      return 0;
    }
    return toServer ? this.clientData(chunk) : this.serverData(chunk);
  }

  /** Bytes are missing before the next chunk; `length` is how many when known (else 0). */
  gap(toServer: boolean, length: number): void {
    if (toServer) {
      this.cline.reset();
      this.clineOverflow = false;
      this.clientGap = true;
      if (this.cstate === C_DATA || this.cstate === C_BDAT) {
        this.messageUnitAnomaly('smtp.gap');
      }
      if (this.cstate === C_BDAT && length > 0) {
        // The hole ate into the announced chunk: the next bytes start later in it (or after it).
        const lost = Math.min(length, this.bdatRemaining);
        this.bdatRemaining -= lost;
        if (this.bdatRemaining === 0) {
          this.cstate = C_COMMAND;
          if (this.bdatLast) this.finishMessage(true);
        }
      }
    } else {
      this.sline.reset();
      this.slineOverflow = false;
    }
  }

  end(): void {
    if (!this.encrypted) {
      if (this.cstate === C_COMMAND && this.cline.length > 0) this.commandLine();
      if ((this.cstate === C_DATA || this.cstate === C_BDAT) && this.message !== null) {
        this.messageUnitAnomaly('smtp.message_incomplete');
        this.finishMessage(false);
      }
      if (this.sline.length > 0) this.replyLine();
    }
    this.message?.dispose();
    this.message = null;
    this.cline.reset();
    this.sline.reset();
    this.pending.length = 0;
    this.cstate = C_DONE;
  }

  // ---- client ----

  private clientData(chunk: Uint8Array): number {
    let pos = 0;
    const n = chunk.length;
    while (pos < n && !this.encrypted) {
      switch (this.cstate) {
        case C_COMMAND:
          pos = this.readCommand(chunk, pos);
          break;
        case C_DATA:
          pos = this.readData(chunk, pos);
          break;
        case C_BDAT: {
          const k = Math.min(this.bdatRemaining, n - pos);
          this.message!.feed(chunk, pos, pos + k);
          this.bdatRemaining -= k;
          pos += k;
          if (this.bdatRemaining === 0) {
            this.cstate = C_COMMAND;
            if (this.bdatLast) this.finishMessage(true);
          }
          break;
        }
        case C_TLS_PENDING: {
          const b = chunk[pos]!;
          // A TLS record (handshake 0x16) or an SSLv2 hello: the session is encrypted now.
          if (b === 0x16 || b === 0x80) {
            this.setEncrypted();
            this.ctx.stats.bytesAfterTls += n - pos;
            return pos;
          }
          this.cstate = C_COMMAND;
          break;
        }
        default:
          return pos;
      }
    }
    return pos;
  }

  private readCommand(chunk: Uint8Array, pos: number): number {
    const nl = chunk.indexOf(LF, pos);
    const end = nl < 0 ? chunk.length : nl + 1;
    const kept = this.cline.append(chunk, pos, end);
    if (kept < end - pos) this.clineOverflow = true;
    if (nl >= 0) this.commandLine();
    return end;
  }

  private commandLine(): void {
    const raw = this.cline.take();
    const overflow = this.clineOverflow;
    this.clineOverflow = false;
    const line = raw.subarray(0, overflow ? raw.length : trimEol(raw));
    if (line.length === 0 && !overflow) return; // stray blank line
    const vs = skipOws(line, 0, line.length);
    let ve = vs;
    while (ve < line.length && line[ve] !== SP && line[ve] !== HT) ve++;
    const verb = ve - vs <= 16 ? upperAscii(line, vs, ve) : '';
    if (this.inAuth) {
      if (!KNOWN_VERBS.has(verb) || verb === 'AUTH') {
        this.ctx.stats.authLines++;
        return;
      }
      this.inAuth = false;
    }
    const unit = this.newUnit('command', verb.length > 0 ? verb : null);
    unit.line = line;
    if (overflow) unit.anomalyList.add('smtp.command_line_too_long');
    if (!KNOWN_VERBS.has(verb)) unit.anomalyList.add('smtp.unknown_command');
    const argStart = skipOws(line, ve, line.length);
    const argEnd = trimEndWs(line, argStart, line.length);
    switch (verb) {
      case 'HELO':
      case 'EHLO':
      case 'LHLO':
        this.helo = line.subarray(argStart, argEnd);
        unit.helo = this.helo;
        this.mailFrom = null;
        this.rcptTo = [];
        break;
      case 'MAIL': {
        const v = afterPrefix(line, argStart, argEnd, FROM);
        this.mailFrom = v;
        this.rcptTo = [];
        unit.mailFrom = v;
        break;
      }
      case 'RCPT': {
        const v = afterPrefix(line, argStart, argEnd, TO);
        unit.rcptTo = v;
        if (this.rcptTo.length < this.ctx.limits.maxRecipients) this.rcptTo = [...this.rcptTo, v];
        break;
      }
      case 'RSET':
        this.mailFrom = null;
        this.rcptTo = [];
        break;
      case 'AUTH':
        this.inAuth = true;
        break;
      case 'STARTTLS':
        this.cstate = C_TLS_PENDING;
        break;
      case 'DATA':
        this.startMessage();
        this.cstate = C_DATA;
        this.dAtLineStart = true;
        this.dotState = 0;
        break;
      case 'BDAT':
        this.bdat(unit, line, argStart, argEnd);
        break;
      default:
        break;
    }
    this.ctx.emit(unit, 'command');
    this.awaitReply(unit);
  }

  private bdat(unit: SmtpUnit, line: Uint8Array, s: number, e: number): void {
    let se = s;
    while (se < e && line[se] !== SP && line[se] !== HT) se++;
    const size = parseDecimal(line, s, se);
    const rest = skipOws(line, se, e);
    const last = rest < e && startsWithLower(line, rest, LAST) && trimEndWs(line, rest, e) - rest === LAST.length;
    if (size < 0 || (rest < e && !last)) {
      unit.anomalyList.add('smtp.bdat_invalid');
      return;
    }
    if (this.message === null) this.startMessage();
    this.bdatRemaining = size;
    this.bdatLast = last;
    if (last) this.bdatUnit = unit;
    if (size > 0) this.cstate = C_BDAT;
    else if (last) this.finishMessage(true);
  }

  private startMessage(): void {
    this.message?.dispose();
    this.message = new MessageBuilder(this.ctx.budget, this.ctx.limits);
    this.dataUnit = null;
  }

  /** DATA content: dot-unstuffing, up to the line holding a single '.'. */
  private readData(chunk: Uint8Array, pos: number): number {
    const n = chunk.length;
    const msg = this.message!;
    while (pos < n) {
      if (this.dAtLineStart) {
        const b = chunk[pos]!;
        if (this.dotState === 0) {
          if (b === 0x2e) {
            this.dotState = 1;
            pos++;
            continue;
          }
          this.dAtLineStart = false;
        } else if (this.dotState === 1) {
          if (b === LF) {
            this.finishMessage(false);
            return pos + 1;
          }
          if (b === CR) {
            this.dotState = 2;
            pos++;
            continue;
          }
          // A stuffed dot: dropped, the rest of the line is content.
          this.dotState = 0;
          this.dAtLineStart = false;
        } else {
          if (b === LF) {
            this.finishMessage(false);
            return pos + 1;
          }
          msg.feedByte(CR);
          this.dotState = 0;
          this.dAtLineStart = false;
        }
      }
      const nl = chunk.indexOf(LF, pos);
      const end = nl < 0 ? n : nl + 1;
      msg.feed(chunk, pos, end);
      if (nl >= 0) {
        this.dAtLineStart = true;
        this.dotState = 0;
      }
      pos = end;
    }
    return pos;
  }

  private finishMessage(viaBdat: boolean): void {
    const msg = this.message;
    this.message = null;
    this.cstate = C_COMMAND;
    if (msg === null) return;
    const unit = this.dataUnit ?? this.newUnit('message', null);
    this.dataUnit = null;
    const headerCut = msg.header.cut > 0;
    const budgetCut = msg.header.budgetCut || msg.body.budgetCut;
    unit.bodyTruncated = msg.body.cut > 0;
    const header = msg.header.take();
    const body = msg.body.take();
    unit.header = header.length > 0 ? header : undefined;
    unit.body = body.length > 0 ? body : undefined;
    unit.messageLength = msg.total;
    if (headerCut) unit.anomalyList.add('smtp.header_too_long');
    if (msg.longLine) unit.anomalyList.add('smtp.header_line_too_long');
    if (budgetCut) unit.anomalyList.add('smtp.memcap');
    const mime = extractAttachments(unit.header, unit.body, { mail: true });
    unit.files = mime.files;
    for (const a of mime.anomalies) unit.anomalyList.add(a);
    this.ctx.stats.messages++;
    this.ctx.stats.attachments += mime.files.length;
    // As in Suricata, a transaction runs from the greeting or the previous mail to a message's end.
    this.mailTx++;
    this.ctx.emit(unit, 'message');
    if (viaBdat) {
      if (this.bdatUnit !== null) this.bdatUnit.linkedMessage = unit;
      this.bdatUnit = null;
    } else {
      this.awaitReply(unit);
    }
  }

  /** The message unit in progress, created early so anomalies found mid-message have a home. */
  private messageUnitAnomaly(a: SmtpAnomaly): void {
    if (this.message === null) return;
    this.dataUnit ??= this.newUnit('message', null);
    this.dataUnit.anomalyList.add(a);
  }

  private newUnit(type: 'command' | 'message', verb: string | null): SmtpUnit {
    const env: EnvelopeSnapshot = { helo: this.helo, mailFrom: this.mailFrom, rcptTo: this.rcptTo };
    const unit = new SmtpUnit(this.nextId++, type, verb, env, this.ctx.anomalies);
    unit.mailTx = this.mailTx;
    if (this.clientGap) {
      unit.anomalyList.add('smtp.gap');
      this.clientGap = false;
    }
    this.ctx.stats.units++;
    return unit;
  }

  private awaitReply(unit: SmtpUnit): void {
    this.pending.push(unit);
    if (this.pending.length > this.ctx.limits.maxPendingCommands) {
      this.pending.shift();
      this.ctx.stats.pendingEvicted++;
    }
  }

  // ---- server ----

  private serverData(chunk: Uint8Array): number {
    let pos = 0;
    const n = chunk.length;
    while (pos < n && !this.encrypted) {
      const nl = chunk.indexOf(LF, pos);
      const end = nl < 0 ? n : nl + 1;
      const kept = this.sline.append(chunk, pos, end);
      if (kept < end - pos) this.slineOverflow = true;
      pos = end;
      if (nl >= 0) this.replyLine();
    }
    if (this.encrypted && pos < n) this.ctx.stats.bytesAfterTls += n - pos;
    return pos;
  }

  private replyLine(): void {
    const raw = this.sline.take();
    const overflow = this.slineOverflow;
    this.slineOverflow = false;
    const line = raw.subarray(0, overflow ? raw.length : trimEol(raw));
    if (line.length === 0) return;
    if (overflow) this.replyAnomaly = 'smtp.reply_line_too_long';
    let code = 0;
    for (let i = 0; i < 3; i++) {
      const d = (line[i] ?? 0) - 0x30;
      if (d < 0 || d > 9) {
        code = -1;
        break;
      }
      code = code * 10 + d;
    }
    const sep = line[3];
    if (code < 100 || (sep !== undefined && sep !== SP && sep !== 0x2d && sep !== HT)) {
      this.ctx.stats.invalidReplies++;
      this.replyAnomaly = 'smtp.invalid_reply';
      return;
    }
    if (sep === 0x2d) return; // "250-..." : more lines of the same reply follow
    this.finalReply(code, line.subarray(Math.min(4, line.length)));
  }

  private finalReply(code: number, text: Uint8Array): void {
    if (!this.bannerSeen) {
      this.bannerSeen = true;
      if (code === 220 || code === 554 || code === 421) {
        // The greeting answers the connection, not a command (clients wait for it).
        if (this.pending.length === 0 || this.pending[0]!.verb === 'EHLO' || this.pending[0]!.verb === 'HELO') {
          this.replyAnomaly = null;
          return;
        }
      }
    }
    const unit = this.pending.shift();
    if (unit === undefined) {
      this.ctx.stats.orphanReplies++;
      this.replyAnomaly = null;
      return;
    }
    unit.replyCode = code;
    unit.replyText = text;
    if (this.replyAnomaly !== null) unit.anomalyList.add(this.replyAnomaly);
    this.replyAnomaly = null;
    if (unit.verb === 'STARTTLS') {
      if (code === 220) this.setEncrypted();
      else {
        unit.anomalyList.add('smtp.tls_rejected');
        if (this.cstate === C_TLS_PENDING) this.cstate = C_COMMAND;
      }
    } else if (unit.verb === 'DATA' && code >= 400) {
      unit.anomalyList.add('smtp.data_rejected');
      // Refused before any content arrived: the client goes back to commands.
      if (this.cstate === C_DATA && this.message !== null && this.message.total === 0 && this.dAtLineStart && this.dotState === 0) {
        this.message.dispose();
        this.message = null;
        this.cstate = C_COMMAND;
      }
    } else if (unit.verb === 'AUTH' && code !== 334) {
      this.inAuth = false;
    }
    this.ctx.emit(unit, 'reply');
    const linked = unit.linkedMessage;
    if (linked !== null) {
      linked.replyCode = code;
      linked.replyText = text;
      this.ctx.emit(linked, 'reply');
    }
  }

  private setEncrypted(): void {
    if (this.encrypted) return;
    this.encrypted = true;
    this.ctx.stats.encryptedSessions++;
    this.cstate = C_DONE;
    this.cline.reset();
    this.sline.reset();
    this.message?.dispose();
    this.message = null;
  }
}

function trimEol(b: Uint8Array): number {
  let e = b.length;
  if (e > 0 && b[e - 1] === LF) e--;
  if (e > 0 && b[e - 1] === CR) e--;
  return e;
}

function upperAscii(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    out += String.fromCharCode(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
  }
  return out;
}

/**
 * The address after "FROM:" / "TO:" (any case; sendmail also took spaces before the colon):
 * up to the first space outside angle brackets, so ESMTP parameters ("SIZE=...") are left out,
 * as Suricata does, while an address full of brackets and spaces stays whole.
 */
function afterPrefix(line: Uint8Array, s: number, e: number, prefix: Uint8Array): Uint8Array {
  const word = prefix.subarray(0, prefix.length - 1);
  let i = s;
  if (startsWithLower(line, s, word)) {
    const c = skipOws(line, s + word.length, e);
    if (c < e && line[c] === 0x3a) i = skipOws(line, c + 1, e);
  }
  let depth = 0;
  let j = i;
  for (; j < e; j++) {
    const b = line[j]!;
    if (b === 0x3c) depth++;
    else if (b === 0x3e) depth--;
    else if ((b === SP || b === HT) && depth <= 0) break;
  }
  return line.subarray(i, j);
}

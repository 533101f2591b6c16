import type { BufferName } from '../../types/buffers.js';
import type { SmtpUnitView } from '../../types/app.js';
import { AnomalyList, type SmtpAnomaly } from '../anomalies.js';
import { eveText } from '../../types/eve-text.js';
import { emailAddresses, type MimeFile } from './mime.js';

/** The envelope as it stood when a unit was made (for output; shared arrays are never mutated). */
export interface EnvelopeSnapshot {
  helo: Uint8Array | null;
  mailFrom: Uint8Array | null;
  rcptTo: readonly Uint8Array[];
}

/**
 * One SMTP command line or one message. A command unit exposes smtp.command and the envelope
 * field its own command carries (HELO/EHLO: smtp.helo, MAIL: smtp.mail_from, RCPT: smtp.rcpt_to),
 * so each address is inspected once, when it is sent. A message unit exposes smtp.header and
 * smtp.body; its attachments (`files`, MIME decoded) are `file.data` and `file.name`, one at a
 * time through `withFile(i)`, as Suricata inspects each file of the transaction.
 */
export class SmtpUnit implements SmtpUnitView {
  readonly kind = 'smtp' as const;
  readonly anomalyList: AnomalyList<SmtpAnomaly>;
  replyCode: number | null = null;
  /** Text of the final reply line (after the code), when seen. */
  replyText: Uint8Array | null = null;
  /** Command line as sent, without its line end (bounded). */
  line: Uint8Array | null = null;
  helo: Uint8Array | undefined;
  mailFrom: Uint8Array | undefined;
  rcptTo: Uint8Array | undefined;
  header: Uint8Array | undefined;
  body: Uint8Array | undefined;
  /** Message bytes seen in total (header and body, after dot-unstuffing), kept or not. */
  messageLength = 0;
  bodyTruncated = false;
  /** For the last BDAT chunk's command: the message it completed (shares its reply). */
  linkedMessage: SmtpUnit | null = null;
  /** A message's attachments, their transfer encoding undone (empty for commands). */
  files: readonly MimeFile[] = [];
  /** The mail transaction the unit belongs to (Suricata's SMTP tx_id: one per mail, commands before it included). */
  mailTx = 0;

  constructor(
    readonly id: number,
    readonly type: 'command' | 'message',
    readonly verb: string | null,
    readonly envelope: EnvelopeSnapshot,
    anomalyCounts?: Record<string, number>,
  ) {
    this.anomalyList = new AnomalyList<SmtpAnomaly>(anomalyCounts);
  }

  get anomalies(): readonly string[] {
    return this.anomalyList.items;
  }

  buffer(name: BufferName): Uint8Array | undefined {
    switch (name) {
      case 'smtp.command':
        return this.line ?? undefined;
      case 'smtp.helo':
        return this.helo;
      case 'smtp.mail_from':
        return this.mailFrom;
      case 'smtp.rcpt_to':
        return this.rcptTo;
      case 'smtp.header':
        return this.header;
      case 'smtp.body':
        return this.body;
      default:
        return undefined;
    }
  }

  /**
   * Suricata's EVE `email` object for a message (its default fields: status, from, to, cc and
   * the attachments' names); undefined for a command, which has no message yet.
   */
  email(): Record<string, unknown> | undefined {
    if (this.type !== 'message') return undefined;
    const addr = emailAddresses(this.header);
    const e: Record<string, unknown> = { status: 'PARSE_DONE' };
    if (addr.from !== undefined) e['from'] = eveText(addr.from);
    if (addr.to.length > 0) e['to'] = addr.to.map(eveText);
    if (addr.cc.length > 0) e['cc'] = addr.cc.map(eveText);
    if (this.files.length > 0) e['attachment'] = this.files.map((f) => eveText(f.name));
    return e;
  }

  /** The message seen with its attachment i as `file.data` and `file.name`. */
  withFile(i: number): SmtpUnitView {
    return new SmtpFileView(this, this.files[i]!);
  }

  meta(): Record<string, unknown> {
    const m: Record<string, unknown> = {};
    // The envelope as this unit's own command leaves it (Suricata logs the transaction after
    // parsing the command): HELO starts a new one, MAIL a new mail, RCPT adds a recipient.
    const env = this.envelope;
    const helo = this.helo ?? env.helo;
    const fresh = this.helo !== undefined;
    const mailFrom = this.mailFrom ?? (fresh ? null : env.mailFrom);
    const rcpts = fresh || this.mailFrom !== undefined ? [] : [...env.rcptTo];
    if (this.rcptTo !== undefined) rcpts.push(this.rcptTo);
    if (helo !== null) m['helo'] = eveText(helo);
    if (mailFrom !== null) m['mail_from'] = eveText(mailFrom);
    if (rcpts.length > 0) m['rcpt_to'] = rcpts.map(eveText);
    if (this.verb !== null) m['command'] = this.verb;
    if (this.replyCode !== null) m['reply_code'] = this.replyCode;
    return m;
  }
}

/** A message unit with one of its attachments: the file's buffers, the message's for the rest. */
class SmtpFileView implements SmtpUnitView {
  readonly kind = 'smtp' as const;
  constructor(
    private readonly unit: SmtpUnit,
    private readonly file: MimeFile,
  ) {}

  get id(): number {
    return this.unit.id;
  }
  get type(): 'command' | 'message' {
    return this.unit.type;
  }
  get verb(): string | null {
    return this.unit.verb;
  }
  get replyCode(): number | null {
    return this.unit.replyCode;
  }
  get anomalies(): readonly string[] {
    return this.unit.anomalies;
  }
  get files(): readonly MimeFile[] {
    return this.unit.files;
  }
  get mailTx(): number {
    return this.unit.mailTx;
  }

  buffer(name: BufferName): Uint8Array | undefined {
    if (name === 'file.data') return this.file.data;
    if (name === 'file.name') return this.file.name;
    return this.unit.buffer(name);
  }

  withFile(i: number): SmtpUnitView {
    return this.unit.withFile(i);
  }

  email(): Record<string, unknown> | undefined {
    return this.unit.email();
  }

  meta(): Record<string, unknown> {
    return this.unit.meta();
  }
}

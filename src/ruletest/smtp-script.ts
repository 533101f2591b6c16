/**
 * SMTP sections: the client's side of a conversation written line by line, turned into
 * commands with the server's answers filled in, and lowered to the sends on the wire.
 */
import { concat, latin1Bytes, latin1Text } from './http-message.js';
import type { Delivery, Side, SmtpSection, SmtpStep } from './model.js';

export const DEFAULT_BANNER = '220 mail.example.com ESMTP';
export const DEFAULT_MESSAGE_REPLY = '250 2.0.0 Ok: queued';

const CRLF = new Uint8Array([0x0d, 0x0a]);

export interface ScriptLine {
  role: Side;
  text: Uint8Array;
  line: number;
}

export class ScriptError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** The verb of a command line, upper-cased ("MAIL" for "mail from:<a>"). */
export function verbOf(command: Uint8Array): string {
  const text = latin1Text(command).trimStart();
  const m = /^[A-Za-z]+/.exec(text);
  return m === null ? '' : m[0].toUpperCase();
}

/** What a server usually answers to a command. */
export function defaultReply(command: Uint8Array): string {
  switch (verbOf(command)) {
    case 'EHLO':
      return '250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME';
    case 'HELO':
      return '250 mail.example.com';
    case 'MAIL':
      return '250 2.1.0 Ok';
    case 'RCPT':
      return '250 2.1.5 Ok';
    case 'DATA':
      return '354 End data with <CR><LF>.<CR><LF>';
    case 'QUIT':
      return '221 2.0.0 Bye';
    case 'VRFY':
    case 'EXPN':
      return '252 2.0.0 Cannot VRFY user';
    default:
      return '250 2.0.0 Ok';
  }
}

function isDot(text: Uint8Array): boolean {
  return text.length === 1 && text[0] === 0x2e;
}

/** Reads the lines of an SMTP section into steps; server lines (S:) set the answer before them. */
export function parseSmtpScript(lines: readonly ScriptLine[], sectionLine: number): Pick<SmtpSection, 'steps' | 'banner'> {
  const steps: SmtpStep[] = [];
  let banner: string | undefined;
  let message: Uint8Array[] | null = null;
  let dataLine = 0;
  const append = (prev: string | undefined, text: Uint8Array): string => (prev === undefined ? latin1Text(text) : `${prev}\r\n${latin1Text(text)}`);
  for (const l of lines) {
    if (l.role === 'server') {
      if (message !== null) throw new ScriptError("a server line inside the message: end the message with a line holding a single '.'", l.line);
      const last = steps[steps.length - 1];
      if (last === undefined) banner = append(banner, l.text);
      else if (last.message !== undefined) last.messageReply = append(last.messageReply, l.text);
      else last.reply = append(last.reply, l.text);
      continue;
    }
    if (message !== null) {
      if (isDot(l.text)) {
        const parts: Uint8Array[] = [];
        for (const m of message) parts.push(m, CRLF);
        steps[steps.length - 1]!.message = concat(parts);
        message = null;
      } else {
        message.push(l.text);
      }
      continue;
    }
    steps.push({ command: l.text });
    if (verbOf(l.text) === 'DATA' && latin1Text(l.text).trim().length === 4) {
      message = [];
      dataLine = l.line;
    }
  }
  if (message !== null) throw new ScriptError("the message after DATA never ends: add a line holding a single '.'", dataLine);
  if (steps.length === 0) throw new ScriptError('an smtp section needs at least one client command', sectionLine);
  return banner === undefined ? { steps } : { steps, banner };
}

export interface Send {
  side: Side;
  data: Uint8Array;
  delivery: Delivery;
}

function line(text: string | Uint8Array): Uint8Array {
  return concat([typeof text === 'string' ? latin1Bytes(text) : text, CRLF]);
}

/**
 * The conversation on the wire: greeting, then each command and its answer, the message
 * (with its final ".") and its answer. `deliveries[i]` shapes the i-th send.
 */
export function smtpSends(section: Pick<SmtpSection, 'steps' | 'banner'>, deliveries: readonly Delivery[] = []): Send[] {
  const sends: Send[] = [];
  const push = (side: Side, data: Uint8Array): void => {
    sends.push({ side, data, delivery: deliveries[sends.length] ?? {} });
  };
  push('server', line(section.banner ?? DEFAULT_BANNER));
  for (const step of section.steps) {
    push('client', line(step.command));
    push('server', line(step.reply ?? defaultReply(step.command)));
    if (step.message !== undefined) {
      push('client', concat([step.message, latin1Bytes('.\r\n')]));
      push('server', line(step.messageReply ?? DEFAULT_MESSAGE_REPLY));
    }
  }
  return sends;
}

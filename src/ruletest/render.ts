/**
 * Writes a test case back in the case-file format: how generated counterexamples become
 * replayable files. The text is checked by parsing it again; a section that would not come
 * back byte for byte is written as raw TCP bytes instead, which always do.
 */
import { relative } from 'node:path';
import { streamSends } from './build.js';
import { latin1Text, messageFromLines, splitHttpMessage } from './http-message.js';
import { inputKind, type Delivery, type Section, type SmtpSection, type TestCase } from './model.js';
import { parseCaseText } from './parse.js';
import { DEFAULT_BANNER, DEFAULT_MESSAGE_REPLY, defaultReply } from './smtp-script.js';
import { decodeText, encodeHex, encodeText, looksLikeText } from './text.js';

export interface RenderOptions {
  /** Comment lines written above the case (without the leading "# "). */
  comments?: readonly string[];
  /** Directory the file will live in: pcap paths are written relative to it. */
  baseDir?: string;
}

const CRLF_TEXT = '\\r\\n';

/** A content line that the parser would read as a case or section header gets its first byte escaped. */
function guard(line: string): string {
  if (/^(===|---)/.test(line)) return (line[0] === '=' ? '\\x3d' : '\\x2d') + line.slice(1);
  return line;
}

function deliveryAttrs(d: Delivery): string {
  const parts: string[] = [];
  if (d.split !== undefined && d.split.length > 0) parts.push(`split=${d.split.join(',')}`);
  if (d.order !== undefined) parts.push(`order=${d.order.join(',')}`);
  if (d.dup !== undefined && d.dup.length > 0) parts.push(`dup=${d.dup.join(',')}`);
  if (d.overlap !== undefined && d.overlap.length > 0) parts.push(`overlap=${d.overlap.map(([a, b]) => `${a}-${b}`).join(',')}`);
  if (d.frag !== undefined && d.frag.length > 0) parts.push(`frag=${d.frag.join(',')}`);
  if (d.fragOrder !== undefined) parts.push(`fragorder=${d.fragOrder.join(',')}`);
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

function splitCrlf(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      out.push(bytes.subarray(at, i));
      at = i + 2;
      i++;
    }
  }
  out.push(bytes.subarray(at));
  return out;
}

/** Body lines: CRLF-separated pieces; CRLFs at the very end are written as escapes (blank lines at a section's end are dropped). */
function bodyLines(body: Uint8Array): string[] {
  if (body.length === 0) return [];
  const pieces = splitCrlf(body);
  let trailing = 0;
  while (pieces.length > 1 && pieces[pieces.length - 1]!.length === 0) {
    pieces.pop();
    trailing++;
  }
  const lines = pieces.map((p) => guard(encodeText(p)));
  lines[lines.length - 1] += CRLF_TEXT.repeat(trailing);
  return lines;
}

function httpLines(data: Uint8Array): string[] | null {
  const parts = splitHttpMessage(data);
  if (parts === null) return null;
  const head = [parts.startLine, ...parts.headers.flatMap((h) => splitCrlf(h))].map((l) => guard(encodeText(l)));
  if (head.some((l) => l.trim() === '')) return null;
  const body = bodyLines(parts.body);
  const lines = body.length > 0 ? [...head, '', ...body] : head;
  // Only if the parser makes the same bytes of it (Content-Length added, trailing blank lines, ...).
  const again = messageFromLines(lines.map((l) => decodeText(l)));
  if (again.length !== data.length || again.some((b, i) => b !== data[i])) return null;
  return lines;
}

function freeLines(data: Uint8Array, hex: boolean | undefined): { lines: string[]; hex: boolean } {
  if (hex === true || !looksLikeText(data)) return { lines: encodeHex(data), hex: true };
  const lines: string[] = [];
  let at = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a) {
      lines.push(guard(encodeText(data.subarray(at, i + 1))));
      at = i + 1;
    }
  }
  if (at < data.length) lines.push(guard(encodeText(data.subarray(at))));
  return { lines, hex: false };
}

function smtpLines(s: SmtpSection): string[] {
  const lines: string[] = [];
  const server = (reply: string): void => {
    for (const l of reply.split('\r\n')) lines.push(`S: ${encodeText(Uint8Array.from(l, (c) => c.charCodeAt(0) & 0xff))}`);
  };
  if (s.banner !== undefined && s.banner !== DEFAULT_BANNER) server(s.banner);
  for (const step of s.steps) {
    const cmd = encodeText(step.command);
    lines.push(/^[CS]:/.test(cmd) || /^(===|---)/.test(cmd) ? `C: ${cmd}` : cmd);
    if (step.reply !== undefined && step.reply !== defaultReply(step.command)) server(step.reply);
    if (step.message !== undefined) {
      const pieces = splitCrlf(step.message);
      pieces.pop(); // the message ends with CRLF
      for (const p of pieces) {
        const t = encodeText(p);
        lines.push(/^[CS]:/.test(t) ? `C: ${t}` : guard(t === '' ? '' : t));
      }
      lines.push('.');
      if (step.messageReply !== undefined && step.messageReply !== DEFAULT_MESSAGE_REPLY) server(step.messageReply);
    }
  }
  return lines;
}

function sectionText(s: Section): string[] {
  switch (s.kind) {
    case 'http': {
      const lines = httpLines(s.data);
      if (lines !== null) return [`--- http ${s.side === 'client' ? 'request' : 'response'}${deliveryAttrs(s.delivery)}`, ...lines];
      const free = freeLines(s.data, false);
      return [`--- tcp ${s.side}${free.hex ? ' hex' : ''}${deliveryAttrs(s.delivery)}`, ...free.lines];
    }
    case 'smtp':
      return ['--- smtp', ...smtpLines(s)];
    case 'tcp': {
      const free = freeLines(s.data, s.hex);
      return [`--- tcp ${s.side}${free.hex ? ' hex' : ''}${deliveryAttrs(s.delivery)}`, ...free.lines];
    }
    case 'udp':
    case 'icmp': {
      const free = freeLines(s.data, s.hex);
      const icmp = s.kind === 'icmp' ? ` type=${s.type} code=${s.code}` : '';
      return [`--- ${s.kind} ${s.side}${free.hex ? ' hex' : ''}${icmp}${deliveryAttrs(s.delivery)}`, ...free.lines];
    }
    case 'log':
      return [`--- log${s.format !== undefined ? ` ${s.format}` : ''}`, ...s.lines.map((l) => guard(encodeText(l)))];
  }
}

function fieldLines(c: TestCase, baseDir: string | undefined): string[] {
  const lines = [`sid: ${c.sids.join(', ')}`, `expect: ${c.expect}`];
  if (c.count !== undefined) lines.push(`count: ${c.count}`);
  if (c.fallback.length > 0) lines.push(`fallback: ${c.fallback.join(', ')}`);
  if (c.target !== 'any') lines.push(`target: ${c.target}`);
  if (c.client !== undefined) lines.push(`client: ${c.client}`);
  if (c.server !== undefined) lines.push(`server: ${c.server}`);
  if (c.ttl !== undefined) lines.push(`ttl: ${c.ttl}`);
  for (const [n, v] of c.vars) lines.push(`var: ${n}=${v}`);
  const sel = c.variants;
  if (sel.only !== undefined) lines.push(`variants: ${sel.only.length === 0 ? 'none' : sel.only.join(' ')}`);
  else if (sel.add.length + sel.remove.length > 0) lines.push(`variants: ${[...sel.add.map((f) => `+${f}`), ...sel.remove.map((f) => `-${f}`)].join(' ')}`);
  if (c.knownIssue !== undefined) lines.push(`known-issue: ${c.knownIssue}`);
  if (c.pcap !== undefined) lines.push(`pcap: ${baseDir !== undefined ? relative(baseDir, c.pcap) : c.pcap}`);
  return lines;
}

function compose(c: TestCase, sections: readonly Section[], options: RenderOptions): string {
  const out: string[] = [];
  for (const comment of options.comments ?? []) out.push(`# ${comment}`.trimEnd());
  out.push(`=== ${c.name}`, ...fieldLines(c, options.baseDir));
  for (const s of sections) out.push(...sectionText(s), '');
  return out.join('\n').trimEnd() + '\n';
}

/** The case as case-file text (ending with a newline). */
export function renderCase(c: TestCase, options: RenderOptions = {}): string {
  const text = compose(c, c.sections, options);
  if (sameTraffic(c, text)) return text;
  // Fall back to the bytes on the wire, one tcp/udp/icmp section per send.
  const lowered: Section[] =
    inputKind(c) === 'stream'
      ? streamSends(c).map((s) => ({ kind: 'tcp' as const, side: s.side, data: s.data, delivery: s.delivery, line: s.line, hex: true }))
      : c.sections.map((s) => (s.kind === 'udp' || s.kind === 'icmp' ? { ...s, hex: true } : s));
  return compose(c, lowered, options);
}

/** Whether the text parses back to a case with the same input. */
function sameTraffic(c: TestCase, text: string): boolean {
  const parsed = parseCaseText(text, c.file);
  const again = parsed.cases[0];
  if (parsed.diagnostics.length > 0 || again === undefined) return false;
  return fingerprint(again) === fingerprint(c);
}

/** Delivery settings in a fixed order, so equal settings compare equal. */
function canonical(d: Delivery): unknown[] {
  return [d.split ?? null, d.order ?? null, d.dup ?? null, d.overlap ?? null, d.frag ?? null, d.fragOrder ?? null];
}

function fingerprint(c: TestCase): string {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  switch (inputKind(c)) {
    case 'pcap':
      return `pcap:${c.pcap}`;
    case 'stream':
      return JSON.stringify(streamSends(c).map((s) => [s.side, hex(s.data), canonical(s.delivery)]));
    case 'datagrams':
    case 'log':
      return JSON.stringify(
        c.sections.map((s) =>
          s.kind === 'log' ? [s.format ?? null, s.lines.map(hex)] : s.kind === 'udp' || s.kind === 'icmp' ? [s.kind, s.side, hex(s.data), canonical(s.delivery), s.kind === 'icmp' ? [s.type, s.code] : null] : null,
        ),
      );
  }
}

/** A short file-name-safe form of a case name. */
export function slug(name: string): string {
  const s = latin1Text(Uint8Array.from(name, (ch) => ch.charCodeAt(0) & 0xff))
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, 48).replace(/-+$/, '') || 'case';
}

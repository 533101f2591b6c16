/**
 * Reads test-case files (see README.md for the format). Every problem is reported as
 * file:line:col and parsing goes on with the next case, so one run shows them all.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { codePointColumn, type Diagnostic } from '../rule/diagnostics.js';
import { logFormatByName } from '../logs/index.js';
import { parseEndpoint } from '../traffic/addr.js';
import { caseEndpoints, EndpointError, withPort } from './endpoints.js';
import { FAMILY_NAMES, isFamily } from './families.js';
import { messageFromLines } from './http-message.js';
import { inputKind, TARGETS, type Delivery, type Expectation, type Section, type Side, type Target, type TestCase, type VariantSelection } from './model.js';
import { parseSmtpScript, ScriptError, type ScriptLine } from './smtp-script.js';
import { decodeHex, decodeText, TextError } from './text.js';

export interface ParsedCaseFile {
  file: string;
  cases: TestCase[];
  diagnostics: Diagnostic[];
}

/** Raised for a problem on one line; caught per case. */
class CaseError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col = 1,
    readonly length = 1,
  ) {
    super(message);
  }
}

const CASE_HEADER = /^===(?:\s|$)/;
const SECTION_HEADER = /^---\s+(http|smtp|tcp|udp|icmp|log)\b/;
const FIELD = /^([A-Za-z][A-Za-z-]*)\s*:\s?(.*)$/;

const CASE_FIELDS = ['sid', 'expect', 'count', 'fallback', 'target', 'client', 'server', 'ttl', 'var', 'variants', 'pcap', 'known-issue'] as const;
type FieldName = (typeof CASE_FIELDS)[number];
/** Fields a file may set before its first case, as defaults for every case. */
const FILE_FIELDS: ReadonlySet<FieldName> = new Set<FieldName>(['fallback', 'target', 'client', 'server', 'ttl', 'var', 'variants']);

interface FieldValue {
  value: string;
  line: number;
  col: number;
}

type Fields = Map<FieldName, FieldValue[]>;

interface Block {
  name: string;
  line: number;
  fields: Fields;
  sections: RawSection[];
  /** A line of the case was reported: the case is checked to the end but not run (it is not what was meant). */
  broken?: boolean;
}

interface RawSection {
  header: string;
  line: number;
  content: { text: string; line: number }[];
}

export function parseCaseFile(path: string): ParsedCaseFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { file: path, cases: [], diagnostics: [diag(path, 1, 1, `cannot read test cases: ${reason}`, 1, '')] };
  }
  const text = bytes.toString('utf8');
  const parsed = parseCaseText(text, path);
  return text.includes('\ufffd') ? withoutInvalidUtf8(parsed, bytes, text) : parsed;
}

/**
 * Bytes that are not UTF-8 (a payload pasted raw) would reach the traffic as U+FFFD: each such
 * line is an error, and its case is not run, rather than tested on bytes nobody wrote.
 */
function withoutInvalidUtf8(parsed: ParsedCaseFile, bytes: Buffer, text: string): ParsedCaseFile {
  const strict = new TextDecoder('utf-8', { fatal: true });
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  const rawLines: Buffer[] = [];
  for (let start = 0, i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      rawLines.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  const badBlocks = new Set<number>();
  const diagnostics = [...parsed.diagnostics];
  let block = 0;
  for (let n = 0; n < rawLines.length; n++) {
    if (CASE_HEADER.test(lines[n] ?? '')) block = n + 1;
    try {
      strict.decode(rawLines[n]!);
    } catch {
      const col = (lines[n] ?? '').indexOf('\ufffd') + 1;
      diagnostics.push(diag(parsed.file, n + 1, Math.max(1, col), 'bytes that are not UTF-8 text: write them as \\xNN escapes (\\xff) or in a hex section, so the case holds the bytes meant', 1, lines[n]));
      badBlocks.add(block);
    }
  }
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return { file: parsed.file, cases: parsed.cases.filter((c) => !badBlocks.has(c.line)), diagnostics };
}

function diag(file: string, line: number, col: number, message: string, length: number, sourceLine: string | undefined): Diagnostic {
  const d: Diagnostic = { file, line, col: sourceLine === undefined ? col : codePointColumn(sourceLine, col), severity: 'error', message, length: Math.max(1, length) };
  if (sourceLine !== undefined) d.sourceLine = sourceLine;
  return d;
}

/** Parses case text; `file` names it in diagnostics and anchors relative pcap paths. */
export function parseCaseText(text: string, file: string): ParsedCaseFile {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  const diagnostics: Diagnostic[] = [];
  const cases: TestCase[] = [];
  const report = (e: unknown): void => {
    if (e instanceof CaseError) diagnostics.push(diag(file, e.line, e.col, e.message, e.length, lines[e.line - 1]));
    else throw e;
  };

  // Split into the preamble and the cases, each with its field lines and sections.
  const preamble: Fields = new Map();
  let current: Block | null = null;
  let section: RawSection | null = null;
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const lineNo = index + 1;
    if (CASE_HEADER.test(raw)) {
      const name = raw.slice(3).trim();
      current = { name, line: lineNo, fields: new Map(), sections: [] };
      blocks.push(current);
      section = null;
      if (name === '') report(new CaseError('a case needs a name after ===', lineNo, 1, 3));
      continue;
    }
    if (SECTION_HEADER.test(raw)) {
      if (current === null) {
        report(new CaseError('a section before the first case: start a case with "=== name"', lineNo, 1, raw.length));
        section = { header: raw, line: lineNo, content: [] }; // swallow its content
        continue;
      }
      section = { header: raw, line: lineNo, content: [] };
      current.sections.push(section);
      continue;
    }
    if (section !== null) {
      section.content.push({ text: raw, line: lineNo });
      continue;
    }
    if (/^\s*(#|$)/.test(raw)) continue;
    if (/^---/.test(raw)) {
      report(new CaseError('unknown section: sections are http, smtp, tcp, udp, icmp or log, as in "--- http request"', lineNo, 1, raw.length));
      if (current !== null) current.broken = true;
      continue;
    }
    const m = FIELD.exec(raw);
    if (m === null) {
      report(new CaseError('expected "key: value", a "--- section" or a "=== case"', lineNo, 1, raw.length));
      if (current !== null) current.broken = true;
      continue;
    }
    const key = m[1]!.toLowerCase();
    const valueCol = raw.length - m[2]!.length + 1;
    if (!(CASE_FIELDS as readonly string[]).includes(key)) {
      const hint = closest(key, CASE_FIELDS);
      report(new CaseError(`unknown field '${key}'${hint !== undefined ? `; did you mean '${hint}'?` : ''}`, lineNo, 1, m[1]!.length));
      if (current !== null) current.broken = true;
      continue;
    }
    const name = key as FieldName;
    const blockFields: Fields = current === null ? preamble : current.fields;
    if (current === null && !FILE_FIELDS.has(name)) {
      report(new CaseError(`'${name}' belongs to a case: start one with "=== name" first`, lineNo, 1, key.length));
      continue;
    }
    const list = blockFields.get(name) ?? [];
    list.push({ value: m[2]!.trim(), line: lineNo, col: valueCol });
    blockFields.set(name, list);
  }

  for (const block of blocks) {
    if (block.name === '') continue;
    try {
      const tc = buildCase(block, preamble, file);
      if (block.broken !== true) cases.push(tc);
    } catch (e) {
      report(e);
    }
  }
  // Report in line order whatever phase found them.
  diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
  return { file, cases, diagnostics };
}

function single(fields: Fields, preamble: Fields, name: FieldName): FieldValue | undefined {
  const own = fields.get(name);
  if (own !== undefined && own.length > 1 && name !== 'var') {
    throw new CaseError(`'${name}' is given twice`, own[1]!.line, 1, name.length);
  }
  return own?.[0] ?? preamble.get(name)?.at(-1);
}

function buildCase(block: Block, preamble: Fields, file: string): TestCase {
  const { fields } = block;
  const sidField = single(fields, preamble, 'sid');
  if (sidField === undefined) throw new CaseError(`case '${block.name}' has no 'sid:' line`, block.line, 1, 3);
  const sids = parseSidList(sidField, false);
  const expectField = single(fields, preamble, 'expect');
  if (expectField === undefined) throw new CaseError(`case '${block.name}' has no 'expect: positive' or 'expect: negative' line`, block.line, 1, 3);
  const expect = parseExpect(expectField);
  const tc: TestCase = {
    name: block.name,
    file,
    line: block.line,
    sids,
    expect,
    fallback: [],
    target: 'any',
    vars: [],
    variants: { add: [], remove: [] },
    sections: [],
  };
  const count = single(fields, preamble, 'count');
  if (count !== undefined) {
    if (expect !== 'positive') throw new CaseError("'count' applies to positive cases only", count.line, count.col, count.value.length);
    tc.count = parseIntIn(count, 1, 1_000_000, 'count');
  }
  const fallback = single(fields, preamble, 'fallback');
  if (fallback !== undefined) tc.fallback = parseSidList(fallback, true);
  const target = single(fields, preamble, 'target');
  if (target !== undefined) {
    const t = target.value.toLowerCase();
    if (!(TARGETS as readonly string[]).includes(t)) throw new CaseError(`target is one of ${TARGETS.join(', ')}`, target.line, target.col, target.value.length);
    tc.target = t as Target;
  }
  for (const which of ['client', 'server'] as const) {
    const f = single(fields, preamble, which);
    if (f !== undefined) {
      checkEndpoint(f);
      tc[which] = f.value;
    }
  }
  const ttl = single(fields, preamble, 'ttl');
  if (ttl !== undefined) tc.ttl = parseIntIn(ttl, 1, 255, 'ttl');
  for (const v of [...(preamble.get('var') ?? []), ...(fields.get('var') ?? [])]) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$/.exec(v.value);
    if (m === null) throw new CaseError('var is written NAME=VALUE, e.g. var: HOME_NET=192.168.0.0/16', v.line, v.col, Math.max(1, v.value.length));
    tc.vars = tc.vars.filter(([n]) => n !== m[1]);
    tc.vars.push([m[1]!, m[2]!.trim()]);
  }
  const variants = single(fields, preamble, 'variants');
  if (variants !== undefined) tc.variants = parseVariants(variants);
  const known = single(fields, preamble, 'known-issue');
  if (known !== undefined) {
    if (known.value === '') throw new CaseError('known-issue says what the weakness is', known.line, known.col);
    tc.knownIssue = known.value;
  }
  const pcap = single(fields, preamble, 'pcap');
  if (pcap !== undefined) {
    if (pcap.value === '') throw new CaseError('pcap needs a file name', pcap.line, pcap.col);
    tc.pcap = resolve(dirname(file), pcap.value);
  }

  tc.sections = block.sections.map((s) => parseSection(s));
  checkInputs(tc, block);
  checkServerPort(tc, single(fields, preamble, 'server'), block);
  return tc;
}

/** Traffic with no default port (tcp, udp) needs one on `server:`: said at that line, before any case runs. */
function checkServerPort(tc: TestCase, server: FieldValue | undefined, block: Block): void {
  const kind = inputKind(tc);
  if (kind !== 'stream' && kind !== 'datagrams') return;
  const kinds = kind === 'stream' ? (['stream'] as const) : [...new Set(tc.sections.map((s) => (s.kind === 'icmp' ? 'icmp' : 'udp') as 'udp' | 'icmp'))];
  for (const k of kinds) {
    try {
      caseEndpoints(tc, k);
    } catch (e) {
      if (!(e instanceof EndpointError)) throw e;
      if (server !== undefined) throw new CaseError(e.message, server.line, server.col, Math.max(1, server.value.length));
      throw new CaseError(e.message, block.line, 1, 3);
    }
  }
}

function parseExpect(f: FieldValue): Expectation {
  const v = f.value.toLowerCase();
  if (v === 'positive' || v === 'negative') return v;
  throw new CaseError("expect is 'positive' (the rules fire) or 'negative' (they stay silent)", f.line, f.col, Math.max(1, f.value.length));
}

function parseSidList(f: FieldValue, allowEmpty: boolean): number[] {
  const parts = f.value.split(/[\s,]+/).filter((p) => p !== '');
  if (parts.length === 0 && !allowEmpty) throw new CaseError('sid needs a number', f.line, f.col);
  const out: number[] = [];
  for (const p of parts) {
    const m = /^(?:1:)?(\d+)$/.exec(p);
    if (m === null || Number(m[1]) === 0 || Number(m[1]) > 0xffffffff) {
      throw new CaseError(`'${p}' is not a sid (a positive number)`, f.line, f.col + f.value.indexOf(p), p.length);
    }
    if (!out.includes(Number(m[1]))) out.push(Number(m[1]));
  }
  return out;
}

function parseIntIn(f: FieldValue, min: number, max: number, what: string): number {
  if (!/^\d+$/.test(f.value) || Number(f.value) < min || Number(f.value) > max) {
    throw new CaseError(`${what} is a whole number from ${min} to ${max}`, f.line, f.col, Math.max(1, f.value.length));
  }
  return Number(f.value);
}

function checkEndpoint(f: FieldValue): void {
  try {
    parseEndpoint(withPort(f.value, 1));
  } catch {
    throw new CaseError("an endpoint is IP:PORT, [IPv6]:PORT, or an address alone (the protocol's port)", f.line, f.col, Math.max(1, f.value.length));
  }
}

function parseVariants(f: FieldValue): VariantSelection {
  const words = f.value.split(/[\s,]+/).filter((w) => w !== '');
  const sel: VariantSelection = { add: [], remove: [] };
  if (words.length === 1 && (words[0] === 'none' || words[0] === 'all')) {
    if (words[0] === 'none') sel.only = [];
    return sel;
  }
  const signed = words.filter((w) => w.startsWith('+') || w.startsWith('-'));
  if (signed.length > 0 && signed.length !== words.length) {
    throw new CaseError('variants is either a list of families, or changes to the defaults (+family / -family), not both', f.line, f.col, f.value.length);
  }
  for (const w of words) {
    const name = signed.length > 0 ? w.slice(1) : w;
    if (!isFamily(name)) {
      const hint = closest(name, FAMILY_NAMES);
      throw new CaseError(`unknown variant family '${name}'${hint !== undefined ? `; did you mean '${hint}'?` : ''} (families: ${FAMILY_NAMES.join(', ')})`, f.line, f.col + f.value.indexOf(w), w.length);
    }
    if (signed.length === 0) (sel.only ??= []).push(name);
    else if (w.startsWith('+')) sel.add.push(name);
    else sel.remove.push(name);
  }
  return sel;
}

// ---------------------------------------------------------------------------------------------
// Sections

interface SectionHeader {
  words: string[];
  /** The 1-based column of each word. */
  wordCols: number[];
  attrs: Map<string, { value: string; col: number }>;
  line: number;
  text: string;
}

const DELIVERY_ATTRS = ['split', 'order', 'dup', 'overlap', 'frag', 'fragorder'] as const;

function readHeader(s: RawSection): SectionHeader {
  const words: string[] = [];
  const wordCols: number[] = [];
  const attrs = new Map<string, { value: string; col: number }>();
  const re = /\S+/g;
  re.lastIndex = 3; // after the "---"
  let m: RegExpExecArray | null;
  while ((m = re.exec(s.header)) !== null) {
    const w = m[0];
    const eq = w.indexOf('=');
    if (eq > 0) attrs.set(w.slice(0, eq).toLowerCase(), { value: w.slice(eq + 1), col: m.index + eq + 2 });
    else {
      words.push(w.toLowerCase());
      wordCols.push(m.index + 1);
    }
  }
  return { words, wordCols, attrs, line: s.line, text: s.header };
}

function numberList(h: SectionHeader, name: string, min: number): number[] | undefined {
  const a = h.attrs.get(name);
  if (a === undefined) return undefined;
  const parts = a.value.split(',').filter((p) => p !== '');
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p) || Number(p) < min) throw new CaseError(`${name}= takes a comma-separated list of numbers${min > 0 ? ` of at least ${min}` : ''}`, h.line, a.col, a.value.length);
    out.push(Number(p));
  }
  return out;
}

function readDelivery(h: SectionHeader, datagram: boolean): Delivery {
  const icmp = h.words[0] === 'icmp';
  for (const name of h.attrs.keys()) {
    if (!(DELIVERY_ATTRS as readonly string[]).includes(name) && !(icmp && (name === 'type' || name === 'code'))) {
      throw new CaseError(`unknown section setting '${name}=' (settings: ${DELIVERY_ATTRS.join(', ')})`, h.line, 1, 3);
    }
  }
  const d: Delivery = {};
  const split = numberList(h, 'split', 1);
  const order = numberList(h, 'order', 0);
  const dup = numberList(h, 'dup', 0);
  const frag = numberList(h, 'frag', 8);
  const fragOrder = numberList(h, 'fragorder', 0);
  if (datagram && (split ?? order ?? dup ?? h.attrs.get('overlap')) !== undefined) {
    throw new CaseError('datagrams are not cut into segments: use frag= and fragorder=', h.line, 1, 3);
  }
  if (!datagram && fragOrder !== undefined) throw new CaseError('fragorder= applies to udp and icmp sections', h.line, 1, 3);
  if (split !== undefined) d.split = split;
  if (order !== undefined) d.order = order;
  if (dup !== undefined) d.dup = dup;
  if (frag !== undefined) {
    const bad = frag.find((n) => n % 8 !== 0);
    if (bad !== undefined) throw new CaseError(`IP fragment sizes are multiples of 8 (got ${bad})`, h.line, h.attrs.get('frag')!.col, h.attrs.get('frag')!.value.length);
    d.frag = frag;
  }
  if (fragOrder !== undefined) d.fragOrder = fragOrder;
  const overlap = h.attrs.get('overlap');
  if (overlap !== undefined) {
    d.overlap = overlap.value.split(',').map((r) => {
      const m = /^(\d+)-(\d+)$/.exec(r);
      if (m === null || Number(m[2]) <= Number(m[1])) throw new CaseError('overlap= takes START-END byte ranges, e.g. overlap=10-40,100-120', h.line, overlap.col, overlap.value.length);
      return [Number(m[1]), Number(m[2])] as [number, number];
    });
  }
  return d;
}

function sideWord(h: SectionHeader, required: boolean, fallback: Side): Side {
  const w = h.words.find((x) => x === 'client' || x === 'server');
  if (w === undefined && required) throw new CaseError(`say which side sends it: "--- ${h.words[0]} client" or "--- ${h.words[0]} server"`, h.line, 1, h.text.length);
  return (w as Side | undefined) ?? fallback;
}

function checkWords(h: SectionHeader, allowed: readonly string[]): void {
  for (let k = 1; k < h.words.length; k++) {
    const w = h.words[k]!;
    if (allowed.includes(w)) continue;
    // `--- udp to 1434`: where the traffic goes is the case's business, not the section's.
    const hint = ENDPOINT_WORD.test(w) ? `; addresses and ports go in the case's "client:" and "server:" lines, e.g. "server: 192.168.1.10:1434"` : '';
    throw new CaseError(`unexpected '${w}' in a ${h.words[0]} section header (allowed: ${allowed.join(', ')})${hint}`, h.line, h.wordCols[k]!, w.length);
  }
}

/** Section-header words that try to name an address or port. */
const ENDPOINT_WORD = /^(?:to|from|port|dport|sport|:?\d+|\[?[0-9a-f.:]+\]?:\d+)$/;

/** Content lines without the trailing blank ones (spacing between cases). */
function contentLines(s: RawSection): { text: string; line: number }[] {
  const c = s.content.slice();
  while (c.length > 0 && c[c.length - 1]!.text.trim() === '') c.pop();
  return c;
}

function decodeLine(l: { text: string; line: number }, raw: boolean, hex = false): Uint8Array {
  try {
    return hex ? decodeHex(l.text) : decodeText(l.text, raw);
  } catch (e) {
    if (e instanceof TextError) throw new CaseError(e.message, l.line, e.col + 1, e.length);
    throw e;
  }
}

function concatLines(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * The role of an `--- http` section that names none, read off its first line as a server reads
 * it: a status line (`HTTP/1.1 200 OK`) is a response, a request line (`GET /x HTTP/1.1`) a request.
 */
function roleOfFirstLine(text: string | undefined): 'request' | 'response' | undefined {
  if (text === undefined) return undefined;
  if (/^HTTP\/\d/.test(text)) return 'response';
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S/.test(text) ? 'request' : undefined;
}

function parseSection(s: RawSection): Section {
  const h = readHeader(s);
  const kind = h.words[0]!;
  const raw = h.words.includes('raw');
  const hex = h.words.includes('hex');
  if (raw && hex) throw new CaseError("a section is either 'raw' or 'hex'", h.line, 1, h.text.length);
  const lines = contentLines(s);
  switch (kind) {
    case 'http': {
      checkWords(h, ['request', 'response', 'raw']);
      const role = h.words.find((w) => w === 'request' || w === 'response') ?? roleOfFirstLine(lines[0]?.text);
      if (role === undefined) {
        throw new CaseError('say "--- http request" or "--- http response" (or start the section with its request line or status line)', h.line, 1, h.text.length);
      }
      if (lines.length === 0 || lines[0]!.text.trim() === '') throw new CaseError(`an http ${role} starts with its ${role === 'request' ? 'request' : 'status'} line`, h.line, 1, h.text.length);
      const data = messageFromLines(lines.map((l) => decodeLine(l, raw)));
      return { kind: 'http', side: role === 'request' ? 'client' : 'server', data, delivery: readDelivery(h, false), line: h.line };
    }
    case 'smtp': {
      checkWords(h, ['raw']);
      if (h.attrs.size > 0) throw new CaseError('an smtp section takes no settings: write the conversation as tcp sections to shape its segments', h.line, 1, 3);
      const script: ScriptLine[] = lines.map((l) => {
        const m = /^([CS]):(?: |$)/.exec(l.text);
        const body = m === null ? l : { text: l.text.slice(m[0].length), line: l.line };
        return { role: m !== null && m[1] === 'S' ? 'server' : 'client', text: decodeLine(body, raw), line: l.line };
      });
      try {
        return { kind: 'smtp', line: h.line, ...parseSmtpScript(script, h.line) };
      } catch (e) {
        if (e instanceof ScriptError) throw new CaseError(e.message, e.line, 1, 1);
        throw e;
      }
    }
    case 'tcp':
    case 'udp':
    case 'icmp': {
      checkWords(h, ['client', 'server', 'raw', 'hex']);
      const side = sideWord(h, kind === 'tcp', 'client');
      const data = concatLines(lines.map((l) => decodeLine(l, raw, hex)));
      const delivery = readDelivery(h, kind !== 'tcp');
      const base = { side, data, delivery, line: h.line, ...(hex ? { hex: true } : {}) };
      if (kind === 'tcp') return { kind, ...base };
      if (kind === 'udp') return { kind, ...base };
      const type = h.attrs.get('type');
      const code = h.attrs.get('code');
      const num = (a: { value: string; col: number } | undefined, dflt: number, what: string): number => {
        if (a === undefined) return dflt;
        if (!/^\d+$/.test(a.value) || Number(a.value) > 255) throw new CaseError(`${what}= is a number from 0 to 255`, h.line, a.col, a.value.length);
        return Number(a.value);
      };
      return { kind, ...base, type: num(type, 8, 'type'), code: num(code, 0, 'code') };
    }
    case 'log': {
      if (h.attrs.size > 0) throw new CaseError('a log section takes no settings', h.line, 1, 3);
      const words = h.words.slice(1).filter((w) => w !== 'raw');
      if (words.length > 1) throw new CaseError('a log section names at most one format, as in "--- log apache"', h.line, 1, h.text.length);
      const format = words[0];
      if (format !== undefined && logFormatByName(format) === undefined) {
        throw new CaseError(`unknown log format '${format}'`, h.line, 1, h.text.length);
      }
      const logLines = lines.filter((l) => l.text.trim() !== '').map((l) => decodeLine(l, raw));
      if (logLines.length === 0) throw new CaseError('a log section needs at least one line', h.line, 1, h.text.length);
      return format === undefined ? { kind: 'log', lines: logLines, line: h.line } : { kind: 'log', format, lines: logLines, line: h.line };
    }
    default:
      throw new CaseError(`unknown section '${kind}'`, h.line, 1, h.text.length);
  }
}

/** One kind of input per case: a capture, log lines, one TCP connection, or datagrams. */
function checkInputs(tc: TestCase, block: { line: number; name: string }): void {
  const kinds = new Set(tc.sections.map((s) => s.kind));
  if (tc.pcap !== undefined) {
    if (tc.sections.length > 0) throw new CaseError("a case with 'pcap:' has no sections", tc.sections[0]!.line, 1, 3);
    return;
  }
  if (tc.sections.length === 0) throw new CaseError(`case '${block.name}' has no input: add 'pcap: FILE' or a section such as "--- http request"`, block.line, 1, 3);
  const stream = ['http', 'smtp', 'tcp'].filter((k) => kinds.has(k as Section['kind']));
  const datagram = ['udp', 'icmp'].filter((k) => kinds.has(k as Section['kind']));
  const groups = (stream.length > 0 ? 1 : 0) + (datagram.length > 0 ? 1 : 0) + (kinds.has('log') ? 1 : 0);
  const second = tc.sections.find((s) => s.kind !== tc.sections[0]!.kind) ?? tc.sections[0]!;
  if (groups > 1) throw new CaseError('a case is one TCP connection (http, smtp, tcp sections), datagrams (udp, icmp) or log lines: split it into cases', second.line, 1, 3);
  if (kinds.has('smtp') && (tc.sections.length > 1)) throw new CaseError('an smtp section is the whole conversation: write other traffic in its own case', second.line, 1, 3);
  if (kinds.has('log') && tc.sections.length > 1) throw new CaseError('one log section per case', second.line, 1, 3);
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

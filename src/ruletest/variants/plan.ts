/**
 * Variants of a whole case: a fast-check arbitrary of plans (plain data, so fast-check can
 * shrink them towards "change nothing") and the function that turns a plan into the variant
 * case, itself an ordinary test case that can be built, scanned and written to a file.
 */
import fc from 'fast-check';
import { caseEndpoints } from '../endpoints.js';
import type { Family } from '../families.js';
import {
  concat,
  escapeForAccessLog,
  joinFieldBlock,
  joinHttpMessage,
  joinRequestLine,
  latin1Bytes,
  latin1Text,
  splitFieldBlock,
  splitHttpMessage,
  splitLogRequest,
  splitRequestLine,
  type LogRequest,
} from '../http-message.js';
import type { HttpSection, LogSection, Section, SmtpSection, SmtpStep, TcpSection, TestCase } from '../model.js';
import { defaultReply, smtpSends, verbOf } from '../smtp-script.js';
import { encodeText } from '../text.js';
import { chunkMessage, rechunkable, type ChunkPlan } from './chunked.js';
import { applyHeaderPlan, HTTP_REQUEST_EXTRAS, MAIL_EXTRAS, type HeaderPlan } from './headers.js';
import { datagramDeliveryFor, deliveryFor, NO_TRANSPORT_CHANGE, type DatagramPlan, type TransportPlan } from './transport.js';
import {
  allowedEncodings,
  analyzeUri,
  encodeByte,
  ENC_DOUBLE,
  ENC_DOUBLE_BOTH,
  ENC_DOUBLE_HI,
  ENC_DOUBLE_LO,
  ENC_FULLWIDTH,
  ENC_OVERLONG2,
  ENC_OVERLONG3,
  ENC_OVERLONG_RAW,
  ENC_PCT_LOWER,
  ENC_PCT_UPPER,
  ENC_U,
  hexLetterPositions,
  pathLetterPositions,
  rewriteUri,
  slashPositions,
  type UriAnalysis,
} from './uri.js';

// ---------------------------------------------------------------------------------------------
// Plans

export type EncodingPlan = null | { mode: 'sparse'; picks: [number, number][] } | { mode: 'run'; start: number; length: number; kind: number };
export type CasePlanMode = 'lower' | 'upper' | number[];

export interface UriPlan {
  enc: EncodingPlan;
  hexCase: number[];
  tricks: [number, number][];
  pathCase: CasePlanMode | null;
}

export type SectionPlan =
  | { kind: 'request'; method: CasePlanMode | null; uri: UriPlan; chunked: ChunkPlan | null; headers: HeaderPlan; transport: TransportPlan }
  | { kind: 'response'; chunked: ChunkPlan | null; headers: HeaderPlan; transport: TransportPlan }
  | { kind: 'smtp'; commandCase: [number, number][]; commandSpace: [number, number, number][]; headers: HeaderPlan; sends: TransportPlan[] }
  | { kind: 'tcp'; transport: TransportPlan }
  | { kind: 'datagram'; datagram: DatagramPlan }
  /** Applied to the request of every access-log line of the section. */
  | { kind: 'log'; method: CasePlanMode | null; uri: UriPlan }
  | { kind: 'none' };

export interface CasePlan {
  sections: SectionPlan[];
}

export interface Variant {
  variant: TestCase;
  /** What the plan changed, in words (empty: the case as written). */
  changes: string[];
}

/** Most encoded characters in one URI (keeps 64 KB URIs from growing past what servers read). */
const MAX_ENCODED = 4096;

const ENCODINGS_BY_FAMILY: [Family, number[]][] = [
  ['percent', [ENC_PCT_UPPER, ENC_PCT_LOWER]],
  ['u-encoding', [ENC_U, ENC_FULLWIDTH]],
  ['overlong', [ENC_OVERLONG2, ENC_OVERLONG3, ENC_OVERLONG_RAW]],
  ['double-encoding', [ENC_DOUBLE, ENC_DOUBLE_HI, ENC_DOUBLE_LO, ENC_DOUBLE_BOTH]],
];

// ---------------------------------------------------------------------------------------------
// Arbitraries

const pick = fc.nat({ max: 0x3fffffff });
const pair = fc.tuple(pick, pick);

/** An optional part of a plan: absent in about half the variants, and what shrinking aims for. */
function maybe<T>(on: boolean, arb: fc.Arbitrary<T>, off: T): fc.Arbitrary<T> {
  return on ? fc.option(arb, { freq: 2, nil: null }).map((v) => (v === null ? off : v)) : fc.constant(off);
}

function list<T>(on: boolean, arb: fc.Arbitrary<T>, max: number): fc.Arbitrary<T[]> {
  return maybe(on, fc.array(arb, { minLength: 1, maxLength: max }), []);
}

function transportArb(f: ReadonlySet<Family>): fc.Arbitrary<TransportPlan> {
  return fc.record({
    splits: list(f.has('segment'), pick, 10),
    tiny: maybe(f.has('segment'), fc.integer({ min: 1, max: 8 }), 0),
    swaps: list(f.has('reorder'), pair, 4),
    dups: list(f.has('duplicate'), pick, 3),
    overlaps: list(f.has('overlap'), pair, 2),
    frag: maybe(f.has('fragment'), fc.array(fc.integer({ min: 1, max: 24 }).map((n) => n * 8), { minLength: 1, maxLength: 2 }), null as number[] | null),
  });
}

function headerArb(f: ReadonlySet<Family>, request: boolean): fc.Arbitrary<HeaderPlan> {
  return fc.record({
    nameCase: list(f.has('header-case'), fc.tuple(pick, fc.integer({ min: 1, max: 0x3fffffff })), 3),
    swaps: list(f.has('header-order'), pair, 4),
    extra: list(request && f.has('extra-headers'), pair, 3),
    fold: list(request && f.has('fold'), pair, 3),
  });
}

function chunkArb(on: boolean): fc.Arbitrary<ChunkPlan | null> {
  const plan: fc.Arbitrary<ChunkPlan | null> = fc.record({
    cuts: fc.array(pick, { maxLength: 12 }),
    dribble: fc.option(fc.tuple(pick, fc.integer({ min: 1, max: 4 })), { nil: null }),
    upper: fc.boolean(),
    zeros: fc.array(fc.tuple(pick, fc.integer({ min: 1, max: 7 })), { maxLength: 3 }),
    ext: fc.array(pair, { maxLength: 3 }),
  });
  return maybe(on, plan, null);
}

function caseModeArb(on: boolean): fc.Arbitrary<CasePlanMode | null> {
  return maybe(on, fc.oneof(fc.constant('lower' as const), fc.constant('upper' as const), fc.array(pick, { minLength: 1, maxLength: 6 })), null as CasePlanMode | null);
}

function uriArb(f: ReadonlySet<Family>): fc.Arbitrary<UriPlan> {
  const encodes = ENCODINGS_BY_FAMILY.some(([fam]) => f.has(fam));
  const enc: fc.Arbitrary<EncodingPlan> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ mode: fc.constant('sparse' as const), picks: fc.array(pair, { minLength: 1, maxLength: 12 }) }) },
    { weight: 1, arbitrary: fc.record({ mode: fc.constant('run' as const), start: pick, length: fc.integer({ min: 1, max: MAX_ENCODED }), kind: pick }) },
  );
  return fc.record({
    enc: maybe(encodes, enc, null as EncodingPlan),
    hexCase: list(f.has('percent'), pick, 4),
    tricks: list(f.has('path-tricks'), pair, 3),
    pathCase: caseModeArb(f.has('path-case')),
  });
}

// ---------------------------------------------------------------------------------------------
// Preparation: what is computed once per case

interface RequestModel {
  uri: UriAnalysis | null;
  /** Encodable raw positions of the target and the kinds each may take (families applied). */
  encodable: { index: number; kinds: number[] }[];
  /**
   * The encodable positions outside padding (runs of one byte or of a short pattern): where the
   * names, keywords and exploit bytes a rule looks for usually are. Odd picks draw from here.
   */
  distinct: { index: number; kinds: number[] }[];
  slashes: { index: number; tricks: number[] }[];
  pathLetters: number[];
  hexLetters: number[];
}

export interface PreparedCase {
  arbitrary: fc.Arbitrary<CasePlan>;
  apply(plan: CasePlan): Variant;
  /**
   * Plans that each change a little less than `plan` (one list element, half a list, one
   * setting dropped): a greedy pass over them finishes what fast-check's shrinking leaves.
   */
  simplify(plan: CasePlan): CasePlan[];
}

/** Builds the plan arbitrary of a case for the chosen families, and the plan applier. */
export function prepareVariants(c: TestCase, families: ReadonlySet<Family>): PreparedCase {
  const kinds = new Set(ENCODINGS_BY_FAMILY.filter(([fam]) => families.has(fam)).flatMap(([, k]) => k));
  const models = new Map<number, RequestModel>();
  const logModels = new Map<number, (LogLineModel | null)[]>();
  const sectionArbs = c.sections.map((s, i): fc.Arbitrary<SectionPlan> => {
    switch (s.kind) {
      case 'http':
        if (s.side === 'client') {
          models.set(i, requestModel(s, c, kinds));
          return fc.record({
            kind: fc.constant('request' as const),
            method: caseModeArb(families.has('method-case')),
            uri: uriArb(families),
            chunked: chunkArb(families.has('chunked') && rechunkable(c, i)),
            headers: headerArb(families, true),
            transport: transportArb(families),
          });
        }
        return fc.record({
          kind: fc.constant('response' as const),
          chunked: chunkArb(families.has('chunked') && rechunkable(c, i)),
          headers: headerArb(families, false),
          transport: transportArb(families),
        });
      case 'smtp': {
        const sends = smtpSends(s).length;
        return fc.record({
          kind: fc.constant('smtp' as const),
          commandCase: list(families.has('command-case'), fc.tuple(pick, fc.integer({ min: 1, max: 0x3fffffff })), 4),
          commandSpace: list(families.has('command-space'), fc.tuple(pick, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 })), 3),
          headers: headerArb(families, true),
          sends: fc.tuple(...Array.from({ length: sends }, () => transportArb(families))),
        });
      }
      case 'tcp':
        return fc.record({ kind: fc.constant('tcp' as const), transport: transportArb(families) });
      case 'udp':
      case 'icmp':
        return fc.record({
          kind: fc.constant('datagram' as const),
          datagram: fc.record({
            frag: maybe(families.has('fragment'), fc.array(fc.integer({ min: 1, max: 24 }).map((n) => n * 8), { minLength: 1, maxLength: 3 }), null as number[] | null),
            swaps: list(families.has('fragment'), pair, 3),
          }),
        });
      case 'log': {
        const lines = logLineModels(s, c, kinds);
        if (!lines.some((l) => l !== null)) return fc.constant({ kind: 'none' as const });
        logModels.set(i, lines);
        // The first request's model stands for the section when a plan is simplified.
        models.set(i, lines.find((l) => l !== null)!.model);
        return fc.record({ kind: fc.constant('log' as const), method: caseModeArb(families.has('method-case')), uri: uriArb(families) });
      }
    }
  });
  const arbitrary = fc.tuple(...sectionArbs).map((sections) => ({ sections }));
  return { arbitrary, apply: (plan) => applyPlan(c, plan, models, logModels), simplify: (plan) => simplifications(plan, models) };
}

/** An access-log line's request and the model of its target. */
interface LogLineModel {
  request: LogRequest;
  model: RequestModel;
}

function logLineModels(s: LogSection, c: TestCase, kinds: ReadonlySet<number>): (LogLineModel | null)[] {
  return s.lines.map((line) => {
    const request = splitLogRequest(line);
    return request === null ? null : { request, model: targetModel(request.target, c, kinds) };
  });
}

function requestModel(s: HttpSection, c: TestCase, kinds: ReadonlySet<number>): RequestModel {
  const parts = splitHttpMessage(s.data);
  const line = parts === null ? null : splitRequestLine(parts.startLine);
  if (line === null) return { uri: null, encodable: [], distinct: [], slashes: [], pathLetters: [], hexLetters: [] };
  return targetModel(line.target, c, kinds);
}

function targetModel(target: Uint8Array, c: TestCase, kinds: ReadonlySet<number>): RequestModel {
  const uri = analyzeUri(target);
  const encodable: { index: number; kinds: number[] }[] = [];
  for (const t of uri.tokens) {
    if (t.escape) continue;
    const allowed = allowedEncodings(uri, t.start, c.target).filter((k) => kinds.has(k));
    if (allowed.length > 0) encodable.push({ index: t.start, kinds: allowed });
  }
  const raw = uri.raw;
  const padding = (i: number): boolean => [1, 2, 4].some((p) => i >= p && i + p < raw.length && raw[i - p] === raw[i] && raw[i + p] === raw[i]);
  const distinct = encodable.filter((e) => !padding(e.index));
  return {
    uri,
    encodable,
    distinct: distinct.length > 0 ? distinct : encodable,
    slashes: slashPositions(uri),
    pathLetters: c.target === 'iis' ? pathLetterPositions(uri) : [],
    hexLetters: hexLetterPositions(uri),
  };
}

// ---------------------------------------------------------------------------------------------
// Applying a plan

function applyPlan(c: TestCase, plan: CasePlan, models: ReadonlyMap<number, RequestModel>, logModels: ReadonlyMap<number, readonly (LogLineModel | null)[]>): Variant {
  const changes: string[] = [];
  const sections: Section[] = [];
  c.sections.forEach((s, i) => {
    const p = plan.sections[i] ?? { kind: 'none' as const };
    const label = sectionLabel(c, i);
    if (s.kind === 'http' && p.kind === 'request') {
      const data = rewriteRequest(s.data, p, models.get(i)!, c, changes, label);
      sections.push({ ...s, data, delivery: deliveryFor(data.length, p.transport, `${label} delivery`, changes) });
    } else if (s.kind === 'http' && p.kind === 'response') {
      const split = splitHttpMessage(s.data);
      const parts = split === null || p.chunked === null ? split : chunkMessage(split, p.chunked, changes, label);
      const data = parts === null ? s.data : joinHttpMessage({ ...parts, headers: applyHeaderPlan(parts.headers, p.headers, [], changes, `${label} headers`) });
      sections.push({ ...s, data, delivery: deliveryFor(data.length, p.transport, `${label} delivery`, changes) });
    } else if (s.kind === 'smtp' && p.kind === 'smtp') {
      sections.push(...rewriteSmtp(s, p, changes));
    } else if (s.kind === 'tcp' && p.kind === 'tcp') {
      sections.push({ ...s, delivery: deliveryFor(s.data.length, p.transport, `${label} delivery`, changes) });
    } else if ((s.kind === 'udp' || s.kind === 'icmp') && p.kind === 'datagram') {
      sections.push({ ...s, delivery: datagramDeliveryFor(8 + s.data.length, p.datagram, label, changes) });
    } else if (s.kind === 'log' && p.kind === 'log') {
      const lines = logModels.get(i)!;
      const many = s.lines.length > 1;
      sections.push({ ...s, lines: s.lines.map((line, k) => (lines[k] === null ? line : rewriteLogLine(lines[k]!, p, c, changes, many ? `${label} line ${k + 1}` : `${label} line`))) });
    } else {
      sections.push(s);
    }
  });
  const variant: TestCase = { ...c, sections };
  if (c.sections.some((s) => s.kind === 'smtp')) {
    // Lowered to tcp sections, the conversation no longer says which port SMTP uses.
    const ends = caseEndpoints(c, 'stream');
    variant.client = ends.client;
    variant.server = ends.server;
  }
  return { variant, changes };
}

function sectionLabel(c: TestCase, i: number): string {
  const s = c.sections[i]!;
  const same = c.sections.filter((x) => x.kind === s.kind && ('side' in x ? x.side : '') === ('side' in s ? s.side : ''));
  const nth = same.length > 1 ? ` ${same.indexOf(s) + 1}` : '';
  switch (s.kind) {
    case 'http':
      return (s.side === 'client' ? 'request' : 'response') + nth;
    case 'tcp':
      return `tcp ${s.side}${nth}`;
    default:
      return `${s.kind}${nth}`;
  }
}

function applyCase(bytes: Uint8Array, positions: readonly number[], mode: CasePlanMode): { bytes: Uint8Array; changed: boolean } {
  const out = bytes.slice();
  let changed = false;
  const set = (i: number, upper: boolean): void => {
    const b = out[i]!;
    const isUpper = b >= 0x41 && b <= 0x5a;
    const isLower = b >= 0x61 && b <= 0x7a;
    if (upper && isLower) out[i] = b - 0x20;
    else if (!upper && isUpper) out[i] = b + 0x20;
    else return;
    changed = true;
  };
  if (mode === 'lower' || mode === 'upper') {
    for (const i of positions) set(i, mode === 'upper');
  } else if (positions.length > 0) {
    for (const p of mode) {
      const i = positions[p % positions.length]!;
      set(i, !(out[i]! >= 0x41 && out[i]! <= 0x5a));
    }
  }
  return { bytes: out, changed };
}

function lettersOf(bytes: Uint8Array): number[] {
  const out: number[] = [];
  bytes.forEach((b, i) => {
    if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) out.push(i);
  });
  return out;
}

/** The method with its letters' case changed as the plan says (and the change noted). */
function rewriteMethod(method: Uint8Array, mode: CasePlanMode | null, changes: string[], label: string): Uint8Array {
  if (mode === null) return method;
  const r = applyCase(method, lettersOf(method), mode);
  if (!r.changed) return method;
  changes.push(`${label} method written '${latin1Text(r.bytes)}'`);
  return r.bytes;
}

function rewriteRequest(data: Uint8Array, p: Extract<SectionPlan, { kind: 'request' }>, m: RequestModel, c: TestCase, changes: string[], label: string): Uint8Array {
  const split = splitHttpMessage(data);
  if (split === null) return data;
  const line = splitRequestLine(split.startLine);
  let startLine = split.startLine;
  if (line !== null) {
    const method = rewriteMethod(line.method, p.method, changes, label);
    const target = m.uri !== null ? rewriteTarget(m, p.uri, c, changes, label) : line.target;
    startLine = joinRequestLine({ method, target, version: line.version });
  }
  // Before the header plan: its picks then see the Transfer-Encoding field where Content-Length was.
  const parts = p.chunked === null ? split : chunkMessage(split, p.chunked, changes, label);
  const headers = applyHeaderPlan(parts.headers, p.headers, HTTP_REQUEST_EXTRAS, changes, `${label} headers`);
  return joinHttpMessage({ startLine, headers, body: parts.body });
}

/** An access-log line with its request rewritten as the plan says, escaped as the log writes it. */
function rewriteLogLine(m: LogLineModel, p: Extract<SectionPlan, { kind: 'log' }>, c: TestCase, changes: string[], label: string): Uint8Array {
  const r = m.request;
  const method = rewriteMethod(r.method, p.method, changes, label);
  const target = m.model.uri !== null ? rewriteTarget(m.model, p.uri, c, changes, label) : r.target;
  return concat([r.before, method, latin1Bytes(' '), escapeForAccessLog(target), r.after]);
}

function show(b: number): string {
  return b >= 0x21 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
}

function rewriteTarget(m: RequestModel, p: UriPlan, c: TestCase, changes: string[], label: string): Uint8Array {
  const a = m.uri!;
  const encode = new Map<number, number>();
  if (p.enc !== null && m.encodable.length > 0) {
    const n = m.encodable.length;
    if (p.enc.mode === 'sparse') {
      for (const [pos, kind] of p.enc.picks) {
        const pool = (pos & 1) === 1 ? m.distinct : m.encodable;
        const e = pool[(pos >>> 1) % pool.length]!;
        encode.set(e.index, e.kinds[kind % e.kinds.length]!);
      }
    } else {
      const start = p.enc.start % n;
      const end = Math.min(n, start + p.enc.length);
      for (let k = start; k < end; k++) {
        const e = m.encodable[k]!;
        encode.set(e.index, e.kinds[p.enc.kind % e.kinds.length]!);
      }
    }
  }
  const flipCase = new Set<number>();
  if (m.hexLetters.length > 0) for (const h of p.hexCase) flipCase.add(m.hexLetters[h % m.hexLetters.length]!);
  const hexFlips = flipCase.size;
  if (p.pathCase !== null && m.pathLetters.length > 0) {
    const r = applyCase(a.raw, m.pathLetters, p.pathCase);
    r.bytes.forEach((b, i) => {
      if (b !== a.raw[i]) flipCase.add(i);
    });
  }
  const tricks = new Map<number, number>();
  for (const [pos, kind] of p.tricks) {
    if (m.slashes.length === 0) break;
    const s = m.slashes[pos % m.slashes.length]!;
    tricks.set(s.index, s.tricks[kind % s.tricks.length]!);
  }
  const out = rewriteUri(a, c.target, { encode, flipCase, tricks });
  if (encode.size > 0) {
    const examples = [...encode].slice(0, 6).map(([i, k]) => {
      const b = flipCase.has(i) ? a.raw[i]! ^ 0x20 : a.raw[i]!;
      return `${show(b)} as ${latin1Text(Uint8Array.from(encodeByte(b, k)))}`;
    });
    changes.push(`${label} URI: ${encode.size} character${encode.size > 1 ? 's' : ''} encoded (${examples.join(', ')}${encode.size > 6 ? ', ...' : ''})`);
  }
  if (hexFlips > 0) changes.push(`${label} URI: case of hex digits in ${hexFlips} escape${hexFlips > 1 ? 's' : ''} changed`);
  if (flipCase.size > hexFlips) changes.push(`${label} URI: case of ${flipCase.size - hexFlips} letter${flipCase.size - hexFlips > 1 ? 's' : ''} in path names changed`);
  if (tricks.size > 0) changes.push(`${label} URI: ${[...tricks.values()].map((t) => (t === 0 ? '/./' : '//')).join(', ')} inserted`);
  if (encode.size + flipCase.size + tricks.size > 0) changes.push(`${label} URI is now ${excerpt(a.raw, out)}`);
  return out;
}

/** The rewritten URI, escaped; a long one as the stretch around its first change. */
function excerpt(before: Uint8Array, after: Uint8Array): string {
  if (after.length <= 160) return encodeText(after);
  let k = 0;
  while (k < before.length && k < after.length && before[k] === after[k]) k++;
  const from = Math.max(0, k - 40);
  const to = Math.min(after.length, k + 80);
  return `${from > 0 ? '...' : ''}${encodeText(after.subarray(from, to))}${to < after.length ? '...' : ''} (${after.length} bytes, first change at ${k})`;
}

const SMTP_KEYWORD = /^(\s*)(MAIL|RCPT)(\s+)(FROM|TO)(\s*):(\s*)/i;

/** Positions of the command verb's letters and, for MAIL/RCPT, of the FROM/TO keyword. */
function commandLetters(command: Uint8Array): number[] {
  const text = latin1Text(command);
  const out: number[] = [];
  const m = SMTP_KEYWORD.exec(text);
  if (m !== null) {
    const verbAt = m[1]!.length;
    for (let i = 0; i < 4; i++) out.push(verbAt + i);
    const kwAt = verbAt + 4 + m[3]!.length;
    for (let i = 0; i < m[4]!.length; i++) out.push(kwAt + i);
    return out;
  }
  const v = /^\s*[A-Za-z]+/.exec(text);
  if (v === null) return out;
  for (let i = v[0].length - verbOf(command).length; i < v[0].length; i++) out.push(i);
  return out;
}

/** Verbs of SMTP and its extensions, whose case servers ignore (RFC 5321 2.4). */
const SMTP_VERBS: ReadonlySet<string> = new Set([
  'HELO', 'EHLO', 'MAIL', 'RCPT', 'DATA', 'BDAT', 'RSET', 'NOOP', 'QUIT', 'VRFY', 'EXPN', 'HELP', 'AUTH',
  'STARTTLS', 'TURN', 'ETRN', 'ATRN', 'SEND', 'SOML', 'SAML', 'VERB', 'ONEX', 'XEXCH50', 'XCLIENT', 'XFORWARD', 'LHLO',
]);

/** Whether step i is a command: a known verb, and not the client's answer to a 334 challenge. */
function isSmtpCommand(steps: readonly SmtpStep[], i: number): boolean {
  if (!SMTP_VERBS.has(verbOf(steps[i]!.command))) return false;
  if (i === 0) return true;
  const prev = steps[i - 1]!;
  return !(prev.reply ?? defaultReply(prev.command)).startsWith('334');
}

/** An RFC 5322 header field line (`name: value`, name of printable characters), or a folded one. */
function isHeaderField(line: Uint8Array): boolean {
  let i = 0;
  while (i < line.length && line[i]! > 0x20 && line[i]! < 0x7f && line[i] !== 0x3a) i++;
  return i > 0 && line[i] === 0x3a;
}

function rewriteSmtp(s: SmtpSection, p: Extract<SectionPlan, { kind: 'smtp' }>, changes: string[]): TcpSection[] {
  const steps: SmtpStep[] = s.steps.map((x) => ({ ...x }));
  const addressSteps = steps.map((x, i) => [x, i] as const).filter(([x]) => SMTP_KEYWORD.test(latin1Text(x.command)));
  for (const [pickStep, between, after] of p.commandSpace) {
    if (addressSteps.length === 0) break;
    const [step] = addressSteps[pickStep % addressSteps.length]!;
    const text = latin1Text(step.command);
    const m = SMTP_KEYWORD.exec(text)!;
    const rebuilt = `${m[1]}${m[2]}${' '.repeat(between)}${m[4]}${m[5]}:${' '.repeat(after)}${text.slice(m[0].length)}`;
    if (rebuilt !== text) {
      step.command = Uint8Array.from(rebuilt, (ch) => ch.charCodeAt(0));
      changes.push(`smtp command written '${rebuilt.length > 80 ? `${rebuilt.slice(0, 77)}...` : rebuilt}'`);
    }
  }
  for (const [pickStep, mask] of p.commandCase) {
    const at = pickStep % steps.length;
    const step = steps[at]!;
    // Only commands: a line that answers the server's 334 (AUTH data, base64) is case-sensitive.
    if (!isSmtpCommand(steps, at)) continue;
    const letters = commandLetters(step.command);
    const out = step.command.slice();
    letters.forEach((at, k) => {
      if ((mask >>> k % 30) & 1) out[at] = out[at]! ^ 0x20;
    });
    if (letters.some((at) => out[at] !== step.command[at])) {
      step.command = out;
      const text = latin1Text(out);
      changes.push(`smtp command written '${text.length > 80 ? `${text.slice(0, 77)}...` : text}'`);
    }
  }
  for (const step of steps) {
    if (step.message === undefined) continue;
    const block = splitFieldBlock(step.message);
    // A message that does not open with header fields is all body: its lines are not reordered or folded.
    if (block === null || !block.fields.every(isHeaderField)) continue;
    const fields = applyHeaderPlan(block.fields, p.headers, MAIL_EXTRAS, changes, 'message headers');
    step.message = joinFieldBlock(fields, block.rest);
  }
  const mutated: SmtpSection = { ...s, steps };
  const sends = smtpSends(mutated);
  return sends.map((send, i) => ({
    kind: 'tcp' as const,
    side: send.side,
    data: send.data,
    delivery: deliveryFor(send.data.length, p.sends[i] ?? NO_TRANSPORT_CHANGE, `smtp send ${i + 1} (${send.side}: ${preview(send.data)})`, changes),
    line: s.line,
  }));
}

function preview(data: Uint8Array): string {
  const text = latin1Text(data.subarray(0, 24)).replace(/\r?\n[\s\S]*$/, '');
  return text.length < data.length ? `${text}...` : text;
}

// ---------------------------------------------------------------------------------------------
// Simplifying a failing plan

/** Shorter versions of a list: empty, each half, and each element left out (the first 16). */
function cuts<T>(l: readonly T[]): T[][] {
  if (l.length === 0) return [];
  const out: T[][] = [[]];
  if (l.length > 2) {
    const h = l.length >> 1;
    out.push(l.slice(h), l.slice(0, h));
  }
  if (l.length > 1) for (let i = 0; i < Math.min(l.length, 16); i++) out.push([...l.slice(0, i), ...l.slice(i + 1)]);
  return out;
}

/** An explicit toggle list equivalent to 'lower'/'upper' over these letters, so single letters can be dropped. */
function explicitCase(mode: CasePlanMode, bytes: Uint8Array | null, positions: readonly number[]): number[] | null {
  if (typeof mode !== 'string' || bytes === null) return null;
  const picks: number[] = [];
  positions.forEach((at, k) => {
    const b = bytes[at]!;
    const upper = b >= 0x41 && b <= 0x5a;
    if ((mode === 'upper') !== upper) picks.push(k);
  });
  return picks.length > 0 ? picks : null;
}

function caseModeCuts(mode: CasePlanMode | null, bytes: Uint8Array | null, positions: readonly number[]): (CasePlanMode | null)[] {
  if (mode === null) return [];
  const out: (CasePlanMode | null)[] = [null];
  const explicit = explicitCase(mode, bytes, positions);
  if (explicit !== null && explicit.length > 0) out.push(explicit);
  if (Array.isArray(mode)) for (const c of cuts(mode)) if (c.length > 0) out.push(c);
  return out;
}

function transportCuts(t: TransportPlan): TransportPlan[] {
  const out: TransportPlan[] = [];
  for (const key of ['splits', 'dups'] as const) for (const c of cuts(t[key])) out.push({ ...t, [key]: c });
  for (const key of ['swaps', 'overlaps'] as const) for (const c of cuts(t[key])) out.push({ ...t, [key]: c });
  if (t.frag !== null) {
    out.push({ ...t, frag: null });
    if (t.frag.length > 1) for (const f of t.frag) out.push({ ...t, frag: [f] });
  }
  return out;
}

function chunkCuts(p: ChunkPlan | null): (ChunkPlan | null)[] {
  if (p === null) return [];
  const out: (ChunkPlan | null)[] = [null];
  for (const c of cuts(p.cuts)) out.push({ ...p, cuts: c });
  if (p.dribble !== null) out.push({ ...p, dribble: null });
  if (p.upper) out.push({ ...p, upper: false });
  for (const c of cuts(p.zeros)) out.push({ ...p, zeros: c });
  for (const c of cuts(p.ext)) out.push({ ...p, ext: c });
  return out;
}

function headerCuts(h: HeaderPlan): HeaderPlan[] {
  const out: HeaderPlan[] = [];
  for (const key of ['nameCase', 'swaps', 'extra', 'fold'] as const) for (const c of cuts(h[key])) out.push({ ...h, [key]: c });
  return out;
}

function encodingCuts(enc: EncodingPlan, encodable: number): EncodingPlan[] {
  if (enc === null) return [];
  const out: EncodingPlan[] = [null];
  if (enc.mode === 'sparse') {
    for (const c of cuts(enc.picks)) if (c.length > 0) out.push({ mode: 'sparse', picks: c });
    return out;
  }
  if (encodable === 0) return out;
  const start = enc.start % encodable;
  const length = Math.min(enc.length, encodable - start);
  if (length <= 16) {
    out.push({ mode: 'sparse', picks: Array.from({ length }, (_, k) => [(start + k) * 2, enc.kind] as [number, number]) });
  } else {
    const h = length >> 1;
    out.push({ ...enc, start, length: h }, { ...enc, start: start + h, length: length - h });
  }
  return out;
}

/** URI plans that each change a little less than `u` (see simplifications). */
function uriCuts(u: UriPlan, m: RequestModel): UriPlan[] {
  const out: UriPlan[] = [];
  for (const x of encodingCuts(u.enc, m.encodable.length)) out.push({ ...u, enc: x });
  for (const x of cuts(u.hexCase)) out.push({ ...u, hexCase: x });
  for (const x of cuts(u.tricks)) out.push({ ...u, tricks: x });
  for (const x of caseModeCuts(u.pathCase, m.uri?.raw ?? null, m.pathLetters)) out.push({ ...u, pathCase: x });
  return out;
}

function sectionCuts(p: SectionPlan, model: RequestModel | undefined): SectionPlan[] {
  const out: SectionPlan[] = [];
  switch (p.kind) {
    case 'request': {
      for (const x of caseModeCuts(p.method, null, [])) out.push({ ...p, method: x });
      for (const x of uriCuts(p.uri, model!)) out.push({ ...p, uri: x });
      for (const x of chunkCuts(p.chunked)) out.push({ ...p, chunked: x });
      for (const h of headerCuts(p.headers)) out.push({ ...p, headers: h });
      for (const t of transportCuts(p.transport)) out.push({ ...p, transport: t });
      break;
    }
    case 'response':
      for (const x of chunkCuts(p.chunked)) out.push({ ...p, chunked: x });
      for (const h of headerCuts(p.headers)) out.push({ ...p, headers: h });
      for (const t of transportCuts(p.transport)) out.push({ ...p, transport: t });
      break;
    case 'smtp':
      for (const x of cuts(p.commandCase)) out.push({ ...p, commandCase: x });
      for (const x of cuts(p.commandSpace)) out.push({ ...p, commandSpace: x });
      for (const h of headerCuts(p.headers)) out.push({ ...p, headers: h });
      p.sends.forEach((t, i) => {
        for (const x of transportCuts(t)) out.push({ ...p, sends: p.sends.map((y, j) => (j === i ? x : y)) });
      });
      break;
    case 'tcp':
      for (const t of transportCuts(p.transport)) out.push({ ...p, transport: t });
      break;
    case 'datagram': {
      const d = p.datagram;
      if (d.frag !== null) out.push({ ...p, datagram: { frag: null, swaps: [] } });
      for (const x of cuts(d.swaps)) out.push({ ...p, datagram: { ...d, swaps: x } });
      break;
    }
    case 'log':
      for (const x of caseModeCuts(p.method, null, [])) out.push({ ...p, method: x });
      for (const x of uriCuts(p.uri, model!)) out.push({ ...p, uri: x });
      break;
    case 'none':
      break;
  }
  return out;
}

function simplifications(plan: CasePlan, models: ReadonlyMap<number, RequestModel>): CasePlan[] {
  const out: CasePlan[] = [];
  plan.sections.forEach((p, i) => {
    for (const x of sectionCuts(p, models.get(i))) out.push({ sections: plan.sections.map((y, j) => (j === i ? x : y)) });
  });
  return out;
}

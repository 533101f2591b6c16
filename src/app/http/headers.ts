import { COLON, CR, HT, LF, SP, allocBytes, ascii, isSpaceOrTab, isTchar, lowerAscii, skipOws, trimEndWs, viewOf } from '../bytes.js';
import type { AnomalyList, HttpAnomaly } from '../anomalies.js';

/** Header names the parser acts on or exposes as their own buffer; 0 is any other. */
export const H_OTHER = 0;
export const H_HOST = 1;
export const H_CONTENT_LENGTH = 2;
export const H_TRANSFER_ENCODING = 3;
export const H_CONTENT_ENCODING = 4;
export const H_COOKIE = 5;
export const H_SET_COOKIE = 6;
export const H_USER_AGENT = 7;
export const H_REFERER = 8;
export const H_CONTENT_TYPE = 9;
export const H_SERVER = 10;
export const H_LOCATION = 11;
export const H_ACCEPT = 12;
export const H_ACCEPT_ENCODING = 13;
export const H_ACCEPT_LANGUAGE = 14;
export const H_CONNECTION = 15;
export const H_UPGRADE = 16;
export const H_CONTENT_DISPOSITION = 17;

const KNOWN: readonly [string, number][] = [
  ['host', H_HOST],
  ['content-length', H_CONTENT_LENGTH],
  ['transfer-encoding', H_TRANSFER_ENCODING],
  ['content-encoding', H_CONTENT_ENCODING],
  ['cookie', H_COOKIE],
  ['set-cookie', H_SET_COOKIE],
  ['user-agent', H_USER_AGENT],
  ['referer', H_REFERER],
  ['content-type', H_CONTENT_TYPE],
  ['server', H_SERVER],
  ['location', H_LOCATION],
  ['accept', H_ACCEPT],
  ['accept-encoding', H_ACCEPT_ENCODING],
  ['accept-language', H_ACCEPT_LANGUAGE],
  ['connection', H_CONNECTION],
  ['upgrade', H_UPGRADE],
  ['content-disposition', H_CONTENT_DISPOSITION],
];

interface KnownName {
  readonly lower: Uint8Array;
  readonly id: number;
}

/** Known names grouped by length, so most lookups cost one length test. */
const BY_LENGTH: (KnownName[] | undefined)[] = [];
for (const [name, id] of KNOWN) (BY_LENGTH[name.length] ??= []).push({ lower: ascii(name), id });

/** Id of the header name in buf[start..end). Runs for every header line: indexed loops only. */
export function headerIdAt(buf: Uint8Array, start: number, end: number): number {
  const list = BY_LENGTH[end - start];
  if (list === undefined) return H_OTHER;
  const last = end - start - 1;
  for (let k = 0; k < list.length; k++) {
    const lower = list[k]!.lower;
    // Same-length names mostly differ at one end ("accept-encoding" / "accept-language").
    if (lowerAscii(buf[start + last]!) !== lower[last]) continue;
    let i = 0;
    while (i < lower.length && lowerAscii(buf[start + i]!) === lower[i]) i++;
    if (i === lower.length) return list[k]!.id;
  }
  return H_OTHER;
}

/**
 * A header line located in its message's head: offsets, not copies, so parsing a head costs
 * one small object per field. A value folded over several lines is joined into its own bytes.
 */
export interface HeaderField {
  /** Name bounds in the head (as sent, case kept, surrounding whitespace dropped). */
  ns: number;
  ne: number;
  /** Value bounds, leading/trailing whitespace dropped. */
  vs: number;
  ve: number;
  id: number;
  /** The value joined from obs-fold continuation lines (one space between parts), if any. */
  folded: Uint8Array | null;
}

export function fieldName(head: Uint8Array, f: HeaderField): Uint8Array {
  return viewOf(head, f.ns, f.ne);
}

export function fieldValue(head: Uint8Array, f: HeaderField): Uint8Array {
  return f.folded ?? viewOf(head, f.vs, f.ve);
}

/**
 * Where the lines of a header block end, as found while looking for the block's end, so that
 * parsing does not search for them again (a second indexOf per line was about a tenth of the
 * cost of parsing a head). Entry k is the offset of the k-th LF after the start line in the
 * array that was scanned; minus `shift` it is an offset in the head. Only the first
 * LineEnds.MAX are kept: parsing searches for the rest itself.
 */
export class LineEnds {
  static readonly MAX = 128;
  readonly at = new Int32Array(LineEnds.MAX);
  count = 0;
  shift = 0;
}

/**
 * Parses header lines in head[start..end) (the block after the start line, up to and including
 * the blank line, or cut short when the block exceeded its bound). Lines end in LF with an
 * optional CR. Every line is a field, as libhtp (htp_connp_REQ_HEADERS / RES_HEADERS and
 * htp_parse_*_header_generic) stores it:
 *
 * - a line without a colon is a field with an empty name, the whole line its value (Suricata's
 *   http.header shows it as ": line"); a line starting with a colon has an empty name too;
 * - a continuation line (obs-fold, leading SP or HT) is appended to the field before it as sent,
 *   its leading whitespace included and nothing in between ("one" + "\ttwo" is "one\ttwo");
 *   the value is trimmed only at its two ends;
 * - a continuation line as the first line has nothing to continue: its whitespace is dropped and
 *   it is read as a header line of its own (libhtp 0.5.41);
 * - with `colonFoldsSplit` (an HTTP/1.1 response), a continuation line holding a colon after a
 *   field holding one starts a new field instead (libhtp RES_HEADERS).
 */
export function parseHeaderFields(
  head: Uint8Array,
  start: number,
  end: number,
  anomalies: AnomalyList<HttpAnomaly>,
  known: LineEnds | null = null,
  colonFoldsSplit = false,
): HeaderField[] {
  const fields: HeaderField[] = [];
  /** The field whose continuation lines are being collected, and its raw pieces so far. */
  let foldField: HeaderField | null = null;
  let foldParts: Uint8Array[] | null = null;
  /** The last field's line: where it ended (before CR LF), whether it had a colon, whether its text so far has one. */
  let lastLineEnd = 0;
  let lastNamed = false;
  let lastHasColon = false;
  const knownLines = known === null ? 0 : known.count;
  let line = 0;
  let pos = start;
  while (pos < end) {
    const lineNo = line++;
    // One pass over the name finds the colon and the first byte a name may not hold (a token
    // character, the common case, costs one table lookup); the value is then skipped with
    // indexOf. Measured on Node 20: a byte loop costs about 2 ns a byte, indexOf about 35 ns a
    // call plus a fraction of that per byte, so the loop only pays for names (short) and
    // indexOf for values (agents, cookies, accept lists: tens to hundreds of bytes).
    let nl = pos;
    let colon = -1;
    let firstBad = -1;
    while (nl < end) {
      const b = head[nl]!;
      if (isTchar(b)) {
        nl++;
        continue;
      }
      if (b === COLON) {
        colon = nl;
        nl = lineNo < knownLines ? known!.at[lineNo]! - known!.shift : head.indexOf(LF, nl + 1);
        if (nl < 0 || nl > end) nl = end;
        break;
      }
      if (b === LF) break;
      if (firstBad < 0) firstBad = nl;
      nl++;
    }
    let lineEnd = nl;
    if (lineEnd > pos && head[lineEnd - 1] === CR) lineEnd--;
    if (lineEnd === pos) break; // blank line: end of the block
    if (colon >= lineEnd) colon = -1;
    let from = pos;
    const first = head[pos]!;
    if (first === SP || first === HT) {
      anomalies.add('http.header_folding');
      const prev = fields[fields.length - 1];
      if (prev !== undefined && !(colonFoldsSplit && colon >= 0 && lastHasColon)) {
        // The pieces are joined once, when the field ends: joining at each continuation line
        // made a header of many short folds quadratic.
        if (foldField !== prev) {
          finishFold(foldField, foldParts, lastNamed);
          foldField = prev;
          foldParts = [head.subarray(prev.vs, lastLineEnd)];
        }
        foldParts!.push(head.subarray(pos, lineEnd));
        if (colon >= 0) lastHasColon = true;
        pos = nl + 1;
        continue;
      }
      // Nothing to continue (the first line), or a response's folded "Name: value": a line of
      // its own, read without its leading whitespace.
      if (prev === undefined) anomalies.add('http.header_invalid');
      from = skipOws(head, pos, lineEnd);
      firstBad = firstNonToken(head, from, colon >= 0 ? colon : lineEnd);
    }
    finishFold(foldField, foldParts, lastNamed);
    foldField = null;
    foldParts = null;
    lastLineEnd = lineEnd;
    lastNamed = colon >= 0;
    lastHasColon = lastNamed;
    fields.push(colon < 0 ? unnamedField(from, lineEnd, anomalies) : namedField(head, from, colon, lineEnd, firstBad, anomalies));
    pos = nl + 1;
  }
  finishFold(foldField, foldParts, lastNamed);
  return fields;
}

/** A "Name: value" line head[from..lineEnd) whose colon is at `colon`. */
function namedField(head: Uint8Array, from: number, colon: number, lineEnd: number, firstBad: number, anomalies: AnomalyList<HttpAnomaly>): HeaderField {
  let nameEnd = colon;
  while (nameEnd > from && isSpaceOrTab(head[nameEnd - 1]!)) nameEnd--;
  if (nameEnd !== colon) anomalies.add('http.header_name_whitespace');
  // An empty name is kept, as libhtp keeps it (flagged, not dropped).
  if (nameEnd === from) anomalies.add('http.header_invalid');
  else if (firstBad >= 0 && firstBad < nameEnd) anomalies.add('http.header_name_whitespace'); // inside the name
  const vs = skipOws(head, colon + 1, lineEnd);
  const ve = trimEndWs(head, vs, lineEnd);
  return { ns: from, ne: nameEnd, vs, ve, id: headerIdAt(head, from, nameEnd), folded: null };
}

/** A line without a colon: libhtp stores it with an empty name and the whole line, untrimmed, as its value. */
function unnamedField(from: number, lineEnd: number, anomalies: AnomalyList<HttpAnomaly>): HeaderField {
  anomalies.add('http.header_invalid');
  return { ns: from, ne: from, vs: from, ve: lineEnd, id: H_OTHER, folded: null };
}

/** Offset of the first byte in buf[start..end) that is not a token character, or -1. */
function firstNonToken(buf: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; i++) if (!isTchar(buf[i]!)) return i;
  return -1;
}

/**
 * A folded field's value: its raw pieces (the first line's value, then each continuation line
 * with its leading whitespace) joined as they are, as libhtp joins them; a named field's value is
 * then trimmed at both ends, a nameless one's is kept whole.
 */
function finishFold(field: HeaderField | null, parts: Uint8Array[] | null, named: boolean): void {
  if (field === null || parts === null) return;
  const joined = joinWith(parts, EMPTY_SEP);
  if (!named) {
    field.folded = joined;
    return;
  }
  const vs = skipOws(joined, 0, joined.length);
  field.folded = joined.subarray(vs, trimEndWs(joined, vs, joined.length));
}

const EMPTY_SEP = new Uint8Array(0);

const COMMA_SP = ascii(', ');

/** Value of one header, repeated fields merged with ", " as libhtp does; undefined if absent. */
export function headerValue(head: Uint8Array, fields: readonly HeaderField[], id: number): Uint8Array | undefined {
  let first: Uint8Array | undefined;
  let parts: Uint8Array[] | undefined;
  for (const f of fields) {
    if (f.id !== id) continue;
    const v = fieldValue(head, f);
    if (first === undefined) first = v;
    else if (id !== H_CONTENT_LENGTH) (parts ??= [first]).push(v);
  }
  if (parts === undefined) return first;
  return joinWith(parts, COMMA_SP);
}

export function joinWith(parts: readonly Uint8Array[], sep: Uint8Array): Uint8Array {
  let total = sep.length * (parts.length - 1);
  for (const p of parts) total += p.length;
  const out = allocBytes(total);
  let o = 0;
  parts.forEach((p, i) => {
    if (i > 0) {
      out.set(sep, o);
      o += sep.length;
    }
    out.set(p, o);
    o += p.length;
  });
  return out;
}

/** A header as a pair of byte views (for building composite buffers). */
export interface NamedField {
  name: Uint8Array;
  value: Uint8Array;
  id: number;
}

/**
 * Fields merged by name (case-insensitive, first spelling and position kept), as libhtp stores
 * them and Suricata's http.header shows them. Linear in the field count, whatever the flood.
 */
export function mergedFields(head: Uint8Array, fields: readonly HeaderField[]): NamedField[] {
  const out: NamedField[] = [];
  const parts: (Uint8Array[] | undefined)[] = [];
  const index = new Map<string | number, number>();
  for (const f of fields) {
    const key = f.id !== H_OTHER ? f.id : lowerKey(head, f.ns, f.ne);
    const at = index.get(key);
    const value = fieldValue(head, f);
    if (at === undefined) {
      index.set(key, out.length);
      out.push({ name: fieldName(head, f), value, id: f.id });
      parts.push(undefined);
    } else if (f.id !== H_CONTENT_LENGTH) {
      // libhtp keeps a repeated Content-Length once (flagging a different value) rather than
      // joining it as it joins other repeated headers.
      (parts[at] ??= [out[at]!.value]).push(value);
    }
  }
  for (let i = 0; i < out.length; i++) {
    const p = parts[i];
    if (p !== undefined) out[i]!.value = joinWith(p, COMMA_SP);
  }
  return out;
}

function lowerKey(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(lowerAscii(buf[i]!));
  return s;
}

/**
 * Rewritings of a list of header fields (HTTP or mail) that every receiver reads the same way:
 * case of field names, order of fields with different names, extra fields of a kind the message
 * does not already carry, and values folded onto continuation lines at their whitespace.
 */
import { concat, headerName, latin1Bytes, latin1Text } from '../http-message.js';

export interface HeaderPlan {
  /** [field pick, bit mask]: letters of the picked field's name whose case flips. */
  nameCase: [number, number][];
  /** [field pick, field pick]: fields that trade places (never two of one name). */
  swaps: [number, number][];
  /** [pool pick, position pick]: benign fields inserted. */
  extra: [number, number][];
  /** [field pick, fold-point pick]: a value folded there. */
  fold: [number, number][];
}

export const NO_HEADER_CHANGE: HeaderPlan = { nameCase: [], swaps: [], extra: [], fold: [] };

export const HTTP_REQUEST_EXTRAS: readonly string[] = [
  'Accept: */*',
  'Accept-Language: en-us',
  'Accept-Encoding: gzip, deflate',
  'User-Agent: Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.0)',
  'Cache-Control: no-cache',
  'Pragma: no-cache',
  'Referer: http://www.example.com/index.html',
  'Cookie: ASPSESSIONIDQQGGGNCG=LKLDFMPAHDKBCJFAJJEFJMBN',
];

export const MAIL_EXTRAS: readonly string[] = [
  'X-Mailer: Microsoft Outlook Express 6.00.2600.0000',
  'X-Priority: 3',
  'X-MSMail-Priority: Normal',
  'Message-ID: <000801c2ec73$5d8a2f40$0a00a8c0@example.com>',
  'Date: Mon, 17 Mar 2003 09:00:00 +0000',
];

/** Fields whose folding changes how the message is framed or routed on real servers. */
const NEVER_FOLD = new Set(['host', 'content-length', 'transfer-encoding']);

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

function isLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * Where a field may be folded: before a space or tab of its value that has text after it on
 * its line (CRLF goes in front of it), or right after the colon (CRLF and a space go in).
 */
export function foldPoints(field: Uint8Array): number[] {
  const colon = field.indexOf(COLON);
  if (colon <= 0 || NEVER_FOLD.has(latin1Text(field.subarray(0, colon)).toLowerCase())) return [];
  const points: number[] = [];
  const textAfter = (p: number): boolean => {
    for (let k = p; k < field.length && field[k] !== CR; k++) if (field[k] !== SP && field[k] !== HT) return true;
    return false;
  };
  if (colon + 1 < field.length && field[colon + 1] !== SP && field[colon + 1] !== HT && textAfter(colon + 1)) points.push(colon + 1);
  for (let p = colon + 1; p < field.length; p++) {
    const b = field[p]!;
    if ((b === SP || b === HT) && field[p - 1] !== LF && textAfter(p)) points.push(p);
  }
  return points;
}

export function foldAt(field: Uint8Array, p: number): Uint8Array {
  const insert = field[p] === SP || field[p] === HT ? [CR, LF] : [CR, LF, SP];
  return concat([field.subarray(0, p), Uint8Array.from(insert), field.subarray(p)]);
}

function describe(field: Uint8Array): string {
  const name = headerName(field);
  return name === '' ? latin1Text(field.subarray(0, 20)) : name;
}

/** Applies a plan to a field list; what changed is added to `changes`. */
export function applyHeaderPlan(input: readonly Uint8Array[], plan: HeaderPlan, pool: readonly string[], changes: string[], what: string): Uint8Array[] {
  const fields = input.slice();
  const present = new Set(fields.map((f) => headerName(f).toLowerCase()));
  const added: string[] = [];
  for (const [pick, at] of plan.extra) {
    if (pool.length === 0) break;
    const line = pool[pick % pool.length]!;
    const name = line.slice(0, line.indexOf(':')).toLowerCase();
    if (present.has(name)) continue;
    present.add(name);
    fields.splice(at % (fields.length + 1), 0, latin1Bytes(line));
    added.push(line.slice(0, line.indexOf(':')));
  }
  if (added.length > 0) changes.push(`${what}: added ${added.join(', ')}`);

  const order = fields.slice();
  let swapped = 0;
  for (const [x, y] of plan.swaps) {
    if (fields.length < 2) break;
    const i = x % fields.length;
    const j = y % fields.length;
    if (i === j || headerName(fields[i]!).toLowerCase() === headerName(fields[j]!).toLowerCase()) continue;
    [fields[i], fields[j]] = [fields[j]!, fields[i]!];
    swapped++;
  }
  // Fields of one name are one list to the receiver ("a, b"): whatever the swaps did, they keep
  // their order among themselves.
  const slots = new Map<string, number[]>();
  fields.forEach((f, i) => {
    const key = headerName(f).toLowerCase();
    slots.set(key, [...(slots.get(key) ?? []), i]);
  });
  for (const [key, at] of slots) {
    const group = order.filter((f) => headerName(f).toLowerCase() === key);
    at.forEach((i, k) => (fields[i] = group[k]!));
  }
  if (swapped > 0) changes.push(`${what}: fields reordered (${fields.map(describe).join(', ')})`);

  const renamed: string[] = [];
  for (const [pick, mask] of plan.nameCase) {
    if (fields.length === 0) break;
    const i = pick % fields.length;
    const f = fields[i]!.slice();
    const colon = f.indexOf(COLON);
    if (colon <= 0) continue;
    let letter = 0;
    let changed = false;
    for (let k = 0; k < colon; k++) {
      if (!isLetter(f[k]!)) continue;
      if ((mask >>> letter % 30) & 1) {
        f[k] = f[k]! ^ 0x20;
        changed = true;
      }
      letter++;
    }
    if (changed) {
      fields[i] = f;
      renamed.push(headerName(f));
    }
  }
  if (renamed.length > 0) changes.push(`${what}: field names written ${renamed.map((n) => `'${n}'`).join(', ')}`);

  const folded: string[] = [];
  for (const [pick, point] of plan.fold) {
    if (fields.length === 0) break;
    const i = pick % fields.length;
    const points = foldPoints(fields[i]!);
    if (points.length === 0) continue;
    fields[i] = foldAt(fields[i]!, points[point % points.length]!);
    folded.push(describe(fields[i]!));
  }
  if (folded.length > 0) changes.push(`${what}: folded ${folded.join(', ')}`);
  return fields;
}

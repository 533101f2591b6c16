import type { KeywordContext, KeywordModule } from '../keyword.js';
import { checkByteCount, parseByteOptions, printByteOptions, type ByteOptionName, type ByteOptionState, type DigitBase, type Endian } from '../lib/byte-options.js';
import { parseIntOrVar, type IntOrVar } from '../lib/int-or-var.js';
import { requireValue, splitList } from '../lib/text.js';
import { applyBitmask, applyBitmaskExact, readExact, readNumber } from '../lib/byte-read.js';
import { IntSource } from '../lib/int-source.js';
import { ABORT, NO_MATCH, type Inspection, type PayloadMatcher, type VariableSlots } from '../matcher.js';
import type { ByteTestMatch } from '../rule-body.js';

export type ByteTestOp = '<' | '>' | '=' | '&' | '^' | '<=' | '>=';

export interface ByteTestValue {
  bytes: IntOrVar;
  op: ByteTestOp;
  /** `!op`: the test passes when the comparison fails. */
  negated: boolean;
  value: IntOrVar;
  offset: IntOrVar;
  relative: boolean;
  endian: Endian;
  /** `auto` when `string` has no base: strtoull's base 0 (`0x1f` hex, `017` octal, else decimal). */
  string?: DigitBase;
  bitmask?: number;
}

const OPTIONS: ReadonlySet<ByteOptionName> = new Set(['relative', 'endian', 'string', 'bitmask']);
const OPS: readonly string[] = ['<', '>', '=', '&', '^', '<=', '>='];
const EXAMPLE = 'byte_test:4,>,1000,0,relative;';

function parseByteTest(raw: string | null, ctx: KeywordContext): ByteTestValue | undefined {
  const v = requireValue('byte_test', raw, ctx, EXAMPLE);
  if (v === undefined || raw === null) return undefined;
  const parts = splitList(raw, ',', v.offset, v.offset + v.text.length);
  if (parts.length < 4) {
    ctx.error(`byte_test needs bytes, operator, value and offset: write ${EXAMPLE}`, v.offset, v.text.length);
    return undefined;
  }
  const [bytesP, opP, valueP, offsetP] = parts as [typeof parts[0], typeof parts[0], typeof parts[0], typeof parts[0]];
  const bytes = parseIntOrVar(bytesP, { what: 'byte_test byte count', min: 0, max: 10, variable: true }, ctx);
  if (bytes === undefined) return undefined;
  let opText = opP.text;
  let negated = false;
  if (opText.startsWith('!')) {
    negated = true;
    opText = opText.slice(1).trim();
    // `!` alone and `!=` both mean "not equal".
    if (opText === '') opText = '=';
  }
  if (!OPS.includes(opText)) {
    ctx.error(`byte_test operator must be one of < > = <= >= & ^ (with ! to negate), not "${opP.text}"`, opP.offset, Math.max(1, opP.text.length));
    return undefined;
  }
  const value = parseIntOrVar(valueP, { what: 'byte_test value', min: 0, max: Number.MAX_SAFE_INTEGER, variable: true }, ctx);
  if (value === undefined) return undefined;
  const offset = parseIntOrVar(offsetP, { what: 'byte_test offset', min: -65535, max: 65535, variable: true }, ctx);
  if (offset === undefined) return undefined;
  const state: ByteOptionState = { relative: false, endian: 'big' };
  if (!parseByteOptions('byte_test', parts.slice(4), OPTIONS, state, ctx, 'auto')) return undefined;
  if (typeof bytes === 'number' && !checkByteCount('byte_test', bytes, state.string !== undefined, bytesP, ctx)) return undefined;
  const out: ByteTestValue = { bytes, op: opText as ByteTestOp, negated, value, offset, relative: state.relative, endian: state.endian };
  if (state.string !== undefined) out.string = state.string;
  if (state.bitmask !== undefined) out.bitmask = state.bitmask;
  warnUnreachableValue(out, valueP, ctx);
  return out;
}

/**
 * `byte_test:1,>,300,...`: N bytes read as a number never exceed 2^(8N)-1, so a test that needs a
 * larger number never holds. Suricata loads it, hence a warning.
 */
function warnUnreachableValue(v: ByteTestValue, at: { offset: number; text: string }, ctx: KeywordContext): void {
  const { bytes, value } = v;
  // A string number or a masked one is not bounded by the byte count; 7 bytes and more exceed exact integers.
  if (typeof bytes !== 'number' || typeof value !== 'number' || bytes === 0 || bytes > 6 || v.string !== undefined || v.bitmask !== undefined) return;
  if (v.negated || (v.op !== '>' && v.op !== '>=' && v.op !== '=')) return;
  const max = 2 ** (8 * bytes) - 1;
  if (value < max || (value === max && v.op !== '>')) return;
  ctx.warning(
    `byte_test reads ${bytes} byte${bytes === 1 ? '' : 's'}, whose value is at most ${max}, so ${v.op}${value} never holds: the rule can never match; read more bytes or lower the value`,
    at.offset,
    at.text.length,
  );
}

/** `byte_test:bytes,[!]op,value,offset[,relative][,big|little|dce][,string,dec][,bitmask N];` */
export const byteTest: KeywordModule<ByteTestValue> = {
  keyword: 'byte_test',
  category: 'payload',
  takesValue: 'required',
  parse: parseByteTest,
  print(v) {
    const op = v.negated ? (v.op === '=' ? '!=' : `!${v.op}`) : v.op;
    return [String(v.bytes), op, String(v.value), String(v.offset), ...printByteOptions(v)].join(',');
  },
  payloadMatcher: (el, ctx) => new ByteTestMatcher(el as ByteTestMatch, ctx.slot),
};

/** byte_test: compares the number at (cursor if relative) + offset with a value; the cursor stays. */
export class ByteTestMatcher implements PayloadMatcher {
  readonly relative: boolean;
  readonly searches = false;
  readonly independent: boolean;
  readonly absolute: boolean;
  readonly advances = false;
  readonly readsAhead = true;
  /** Bytes needed past the cursor (relative) or the buffer start; undefined when a variable sets them. */
  readonly reach: number | undefined;
  private readonly nbytes: IntSource;
  private readonly value: IntSource;
  private readonly offset: IntSource;

  constructor(private readonly el: ByteTestMatch, slots: VariableSlots) {
    const v = el.value;
    this.nbytes = new IntSource(v.bytes, slots);
    this.value = new IntSource(v.value, slots);
    this.offset = new IntSource(v.offset, slots);
    this.relative = v.relative;
    this.independent = !v.relative && !this.nbytes.isVar && !this.value.isVar && !this.offset.isVar;
    this.absolute = !v.relative;
    this.reach = typeof v.bytes === 'number' && typeof v.offset === 'number' ? Math.max(0, v.offset + v.bytes) : undefined;
  }

  match(ins: Inspection, cursor: number, _from: number): number {
    const v = this.el.value;
    // Suricata casts a variable offset or count to int32: 0xffffffff is -1.
    const pos = (this.relative ? cursor : 0) + this.offset.int32(ins);
    const nbytes = this.nbytes.int32(ins);
    ins.readEnd = pos + nbytes;
    let x = readNumber(ins.buf, pos, nbytes, v.endian, v.string, ins.dceLittle);
    if (Number.isNaN(x)) return this.independent ? ABORT : NO_MATCH;
    const want = this.value.get(ins);
    let ok: boolean;
    if (x > Number.MAX_SAFE_INTEGER || want > Number.MAX_SAFE_INTEGER) {
      // 7 and 8-byte reads, strings starting with '-' (which wrap as in strtoull) and variables
      // past 2^53 are compared whole, as Suricata compares them in 64 bits.
      ok = compareExact(v, readExact(ins.buf, pos, nbytes, v.endian, v.string, ins.dceLittle)!, this.value.exact(ins));
      if (v.negated) ok = !ok;
      if (ok) return cursor;
      return this.independent ? ABORT : NO_MATCH;
    }
    if (v.bitmask !== undefined) x = applyBitmask(x, v.bitmask);
    switch (v.op) {
      case '<':
        ok = x < want;
        break;
      case '>':
        ok = x > want;
        break;
      case '=':
        ok = x === want;
        break;
      case '<=':
        ok = x <= want;
        break;
      case '>=':
        ok = x >= want;
        break;
      case '&':
        ok = bitAnd(x, want) !== 0;
        break;
      case '^':
        ok = x !== want;
        break;
    }
    if (v.negated) ok = !ok;
    if (ok) return cursor;
    return this.independent ? ABORT : NO_MATCH;
  }
}

function compareExact(v: ByteTestValue, read: bigint, want: bigint): boolean {
  const x = v.bitmask !== undefined ? applyBitmaskExact(read, v.bitmask) : read;
  switch (v.op) {
    case '<':
      return x < want;
    case '>':
      return x > want;
    case '=':
      return x === want;
    case '<=':
      return x <= want;
    case '>=':
      return x >= want;
    case '&':
      return (x & want) !== 0n;
    case '^':
      return x !== want;
  }
}

function bitAnd(a: number, b: number): number {
  if (a <= 0xffffffff && b <= 0xffffffff) return (a & b) >>> 0;
  return Number(BigInt(Math.trunc(a)) & BigInt(Math.trunc(b)));
}

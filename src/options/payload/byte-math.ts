import type { KeywordContext, KeywordModule } from '../keyword.js';
import { parseByteOptions, printByteOptions, type ByteOptionName, type ByteOptionState, type Endian, type NumberBase } from '../lib/byte-options.js';
import { parseIntOrVar, type IntOrVar } from '../lib/int-or-var.js';
import { isIdentifier, requireValue, splitList, splitWord, type Piece } from '../lib/text.js';
import { applyBitmaskExact, lastRead, readExact, readNumber } from '../lib/byte-read.js';
import { IntSource } from '../lib/int-source.js';
import { NO_MATCH, type Inspection, type PayloadMatcher, type VariableSlots } from '../matcher.js';
import type { ByteMathMatch } from '../rule-body.js';

export type ByteMathOp = '+' | '-' | '*' | '/' | '<<' | '>>';

export interface ByteMathValue {
  bytes: IntOrVar;
  offset: IntOrVar;
  oper: ByteMathOp;
  rvalue: IntOrVar;
  /** The variable the result is stored in, usable by later options like a byte_extract variable. */
  result: string;
  relative: boolean;
  endian: Endian;
  string?: NumberBase;
  bitmask?: number;
}

const OPTIONS: ReadonlySet<ByteOptionName> = new Set(['relative', 'endian', 'string', 'bitmask']);
const OPERS: readonly string[] = ['+', '-', '*', '/', '<<', '>>'];
const EXAMPLE = 'byte_math:bytes 2, offset 0, oper +, rvalue 10, result total;';

function parseByteMath(raw: string | null, ctx: KeywordContext): ByteMathValue | undefined {
  const v = requireValue('byte_math', raw, ctx, EXAMPLE);
  if (v === undefined || raw === null) return undefined;
  const found = new Map<string, Piece>();
  const rest: Piece[] = [];
  for (const p of splitList(raw, ',', v.offset, v.offset + v.text.length)) {
    const { word, rest: arg } = splitWord(p);
    if (['bytes', 'offset', 'oper', 'rvalue', 'result'].includes(word.text)) {
      if (found.has(word.text)) {
        ctx.error(`byte_math has ${word.text} twice: remove one`, p.offset, p.text.length);
        return undefined;
      }
      if (arg.text === '') {
        ctx.error(`byte_math ${word.text} needs a value: write ${EXAMPLE}`, p.offset, p.text.length);
        return undefined;
      }
      found.set(word.text, arg);
    } else rest.push(p);
  }
  for (const need of ['bytes', 'offset', 'oper', 'rvalue', 'result']) {
    if (!found.has(need)) {
      ctx.error(`byte_math needs ${need}: write ${EXAMPLE}`, v.offset, v.text.length);
      return undefined;
    }
  }
  const bytes = parseIntOrVar(found.get('bytes')!, { what: 'byte_math bytes', min: 1, max: 10, variable: true }, ctx);
  const offset = bytes === undefined ? undefined : parseIntOrVar(found.get('offset')!, { what: 'byte_math offset', min: -65535, max: 65535, variable: true }, ctx);
  if (bytes === undefined || offset === undefined) return undefined;
  const operP = found.get('oper')!;
  if (!OPERS.includes(operP.text)) {
    ctx.error(`byte_math oper must be one of + - * / << >>, not "${operP.text}"`, operP.offset, operP.text.length);
    return undefined;
  }
  const rvalue = parseIntOrVar(found.get('rvalue')!, { what: 'byte_math rvalue', min: 0, max: 0xffffffff, variable: true }, ctx);
  if (rvalue === undefined) return undefined;
  const resultP = found.get('result')!;
  if (!isIdentifier(resultP.text)) {
    ctx.error(`byte_math result "${resultP.text}" must be a variable name (letters, digits and _)`, resultP.offset, resultP.text.length);
    return undefined;
  }
  const state: ByteOptionState<NumberBase> = { relative: false, endian: 'big' };
  if (!parseByteOptions('byte_math', rest, OPTIONS, state, ctx)) return undefined;
  const out: ByteMathValue = { bytes, offset, oper: operP.text as ByteMathOp, rvalue, result: resultP.text, relative: state.relative, endian: state.endian };
  if (state.string !== undefined) out.string = state.string;
  if (state.bitmask !== undefined) out.bitmask = state.bitmask;
  return out;
}

/** `byte_math:bytes N, offset N, oper +, rvalue N, result name[, relative][, endian big|little][, string dec][, dce][, bitmask N];` */
export const byteMath: KeywordModule<ByteMathValue> = {
  keyword: 'byte_math',
  category: 'payload',
  takesValue: 'required',
  parse: parseByteMath,
  print: (v) =>
    [`bytes ${v.bytes}`, `offset ${v.offset}`, `oper ${v.oper}`, `rvalue ${v.rvalue}`, `result ${v.result}`, ...printByteOptions(v, 'keyed')].join(', '),
  payloadMatcher: (el, ctx) => new ByteMathMatcher(el as ByteMathMatch, ctx.slot),
};

/**
 * byte_math: reads a number at (cursor if relative) + offset, combines it with rvalue, applies
 * the bitmask to the result and stores it in a variable; the cursor moves past the bytes read
 * (Suricata). Division by zero does not match.
 */
export class ByteMathMatcher implements PayloadMatcher {
  readonly relative: boolean;
  readonly searches = false;
  readonly independent = false;
  readonly absolute: boolean;
  readonly advances = true;
  private readonly nbytes: IntSource;
  private readonly offset: IntSource;
  private readonly rvalue: IntSource;
  private readonly slot: number;

  constructor(private readonly el: ByteMathMatch, slots: VariableSlots) {
    this.nbytes = new IntSource(el.value.bytes, slots);
    this.offset = new IntSource(el.value.offset, slots);
    this.rvalue = new IntSource(el.value.rvalue, slots);
    this.slot = slots(el.value.result);
    this.relative = el.value.relative;
    this.absolute = !el.value.relative;
  }

  match(ins: Inspection, cursor: number, _from: number): number {
    const v = this.el.value;
    // Suricata keeps a variable count's low 8 bits (a uint8_t); a variable offset is read as
    // byte_test and byte_jump read theirs, as an int32.
    const n = this.nbytes.uint32(ins) & 0xff;
    const pos = (this.relative ? cursor : 0) + this.offset.int32(ins);
    if (this.relative && pos >= ins.buf.length) return NO_MATCH;
    const read = readNumber(ins.buf, pos, n, v.endian, v.string, ins.dceLittle);
    if (Number.isNaN(read)) return NO_MATCH;
    // A string number moves the cursor past the characters it used, not the whole count.
    const end = lastRead.end;
    let x = read <= Number.MAX_SAFE_INTEGER ? BigInt(read) : readExact(ins.buf, pos, n, v.endian, v.string, ins.dceLittle)!;
    const r = this.rvalue.exact(ins);
    // Suricata computes in unsigned 64 bits: 5 - 10 is 2^64 - 5, not -5.
    switch (v.oper) {
      case '+':
        x += r;
        break;
      case '-':
        x -= r;
        break;
      case '*':
        x *= r;
        break;
      case '/':
        if (r === 0n) return NO_MATCH;
        x /= r;
        break;
      // C leaves a shift by 64 or more undefined; the x86-64 and AArch64 shift instructions
      // Suricata's builds use take the count modulo 64.
      case '<<':
        x <<= r & 63n;
        break;
      case '>>':
        x >>= r & 63n;
        break;
    }
    x = BigInt.asUintN(64, x);
    if (v.bitmask !== undefined) x = applyBitmaskExact(x, v.bitmask);
    ins.setVarExact(this.slot, x);
    return end;
  }
}

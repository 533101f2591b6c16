import type { KeywordContext, KeywordModule } from '../keyword.js';
import { checkByteCount, parseByteOptions, printByteOptions, type ByteOptionName, type ByteOptionState, type Endian, type NumberBase } from '../lib/byte-options.js';
import { parseIntOrVar } from '../lib/int-or-var.js';
import { isIdentifier, requireValue, splitList } from '../lib/text.js';
import { applyBitmask, applyBitmaskExact, lastRead, readExact, readNumber } from '../lib/byte-read.js';
import { NO_MATCH, type Inspection, type PayloadMatcher, type VariableSlots } from '../matcher.js';
import type { ByteExtractMatch } from '../rule-body.js';

export interface ByteExtractValue {
  bytes: number;
  offset: number;
  /** The variable later options of the rule may name (offset, depth, byte_test value, ...). */
  name: string;
  relative: boolean;
  endian: Endian;
  string?: NumberBase;
  multiplier?: number;
  align?: number;
  bitmask?: number;
}

const OPTIONS: ReadonlySet<ByteOptionName> = new Set(['relative', 'endian', 'string', 'bitmask', 'multiplier', 'alignN']);
const EXAMPLE = 'byte_extract:2,0,len,relative;';

function parseByteExtract(raw: string | null, ctx: KeywordContext): ByteExtractValue | undefined {
  const v = requireValue('byte_extract', raw, ctx, EXAMPLE);
  if (v === undefined || raw === null) return undefined;
  const parts = splitList(raw, ',', v.offset, v.offset + v.text.length);
  if (parts.length < 3) {
    ctx.error(`byte_extract needs bytes, offset and a variable name: write ${EXAMPLE}`, v.offset, v.text.length);
    return undefined;
  }
  const bytes = parseIntOrVar(parts[0]!, { what: 'byte_extract byte count', min: 0, max: 10 }, ctx);
  if (bytes === undefined) return undefined;
  const offset = parseIntOrVar(parts[1]!, { what: 'byte_extract offset', min: -65535, max: 65535 }, ctx);
  if (offset === undefined) return undefined;
  const nameP = parts[2]!;
  if (!isIdentifier(nameP.text)) {
    ctx.error(`byte_extract variable name "${nameP.text}" must start with a letter or _ and hold only letters, digits and _`, nameP.offset, Math.max(1, nameP.text.length));
    return undefined;
  }
  const state: ByteOptionState<NumberBase> = { relative: false, endian: 'big' };
  if (!parseByteOptions('byte_extract', parts.slice(3), OPTIONS, state, ctx)) return undefined;
  if (!checkByteCount('byte_extract', bytes as number, state.string !== undefined, parts[0]!, ctx)) return undefined;
  const out: ByteExtractValue = { bytes: bytes as number, offset: offset as number, name: nameP.text, relative: state.relative, endian: state.endian };
  if (state.string !== undefined) out.string = state.string;
  if (state.multiplier !== undefined) out.multiplier = state.multiplier;
  if (typeof state.align === 'number') out.align = state.align;
  if (state.bitmask !== undefined) out.bitmask = state.bitmask;
  return out;
}

/** `byte_extract:bytes,offset,name[,relative][,multiplier N][,big|little|dce][,string,dec][,align 2|4][,bitmask N];` */
export const byteExtract: KeywordModule<ByteExtractValue> = {
  keyword: 'byte_extract',
  category: 'payload',
  takesValue: 'required',
  parse: parseByteExtract,
  print: (v) => [String(v.bytes), String(v.offset), v.name, ...printByteOptions(v)].join(','),
  payloadMatcher: (el, ctx) => new ByteExtractMatcher(el as ByteExtractMatch, ctx.slot),
};

/**
 * byte_extract: reads a number at (cursor if relative) + offset into a variable (bitmask,
 * multiplier and align applied) and moves the cursor past the bytes read, as Suricata does.
 */
export class ByteExtractMatcher implements PayloadMatcher {
  readonly relative: boolean;
  readonly searches = false;
  readonly independent = false;
  readonly absolute: boolean;
  readonly advances = true;
  private readonly slot: number;

  constructor(private readonly el: ByteExtractMatch, slots: VariableSlots) {
    this.slot = slots(el.value.name);
    this.relative = el.value.relative;
    this.absolute = !el.value.relative;
  }

  match(ins: Inspection, cursor: number, _from: number): number {
    const v = this.el.value;
    const pos = (this.relative ? cursor : 0) + v.offset;
    let x = readNumber(ins.buf, pos, v.bytes, v.endian, v.string, ins.dceLittle);
    if (Number.isNaN(x)) return NO_MATCH;
    // A string number moves the cursor past the characters it used, not the whole count.
    const end = lastRead.end;
    const multiplier = v.multiplier ?? 1;
    const align = v.align ?? 0;
    if (x * multiplier + align > Number.MAX_SAFE_INTEGER) {
      // Past exact numbers: Suricata's unsigned 64-bit arithmetic, whole.
      let e = readExact(ins.buf, pos, v.bytes, v.endian, v.string, ins.dceLittle)!;
      if (v.bitmask !== undefined) e = applyBitmaskExact(e, v.bitmask);
      e = BigInt.asUintN(64, e * BigInt(multiplier));
      const a = BigInt(align);
      if (align > 1 && e % a !== 0n) e += a - (e % a);
      ins.setVarExact(this.slot, e);
      return end;
    }
    if (v.bitmask !== undefined) x = applyBitmask(x, v.bitmask);
    x *= multiplier;
    if (align > 1 && x % align !== 0) x += align - (x % align);
    ins.setVar(this.slot, x);
    return end;
  }
}

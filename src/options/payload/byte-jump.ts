import type { KeywordContext, KeywordModule } from '../keyword.js';
import { checkByteCount, parseByteOptions, printByteOptions, type ByteOptionName, type ByteOptionState, type DigitBase, type Endian } from '../lib/byte-options.js';
import { parseIntOrVar, type IntOrVar } from '../lib/int-or-var.js';
import { requireValue, splitList } from '../lib/text.js';
import { applyBitmask, lastRead, readNumber } from '../lib/byte-read.js';
import { IntSource } from '../lib/int-source.js';
import { NO_MATCH, type Inspection, type PayloadMatcher, type VariableSlots } from '../matcher.js';
import type { ByteJumpMatch } from '../rule-body.js';

export interface ByteJumpValue {
  bytes: IntOrVar;
  offset: IntOrVar;
  relative: boolean;
  endian: Endian;
  /** `auto` when `string` has no base: strtoull's base 0 (`0x1f` hex, `017` octal, else decimal). */
  string?: DigitBase;
  multiplier?: number;
  /** Round the jump up to a multiple of 4. */
  align: boolean;
  /** Jump from the buffer start (Snort) or end (Suricata) instead of from after the bytes read. */
  from?: 'beginning' | 'end';
  postOffset?: number;
  bitmask?: number;
}

const OPTIONS: ReadonlySet<ByteOptionName> = new Set(['relative', 'endian', 'string', 'bitmask', 'multiplier', 'align', 'from', 'post_offset']);
const EXAMPLE = 'byte_jump:4,0,relative;';

function parseByteJump(raw: string | null, ctx: KeywordContext): ByteJumpValue | undefined {
  const v = requireValue('byte_jump', raw, ctx, EXAMPLE);
  if (v === undefined || raw === null) return undefined;
  const parts = splitList(raw, ',', v.offset, v.offset + v.text.length);
  if (parts.length < 2) {
    ctx.error(`byte_jump needs bytes and offset: write ${EXAMPLE}`, v.offset, v.text.length);
    return undefined;
  }
  const bytes = parseIntOrVar(parts[0]!, { what: 'byte_jump byte count', min: 0, max: 10, variable: true }, ctx);
  if (bytes === undefined) return undefined;
  const offset = parseIntOrVar(parts[1]!, { what: 'byte_jump offset', min: -65535, max: 65535, variable: true }, ctx);
  if (offset === undefined) return undefined;
  const state: ByteOptionState = { relative: false, endian: 'big' };
  if (!parseByteOptions('byte_jump', parts.slice(2), OPTIONS, state, ctx, 'auto')) return undefined;
  // 0 bytes reads nothing: the jump is by offset and post_offset alone (Suricata and Snort 3 accept it).
  if (typeof bytes === 'number' && bytes !== 0 && !checkByteCount('byte_jump', bytes, state.string !== undefined, parts[0]!, ctx)) return undefined;
  const out: ByteJumpValue = { bytes, offset, relative: state.relative, endian: state.endian, align: state.align === true };
  if (state.string !== undefined) out.string = state.string;
  if (state.multiplier !== undefined) out.multiplier = state.multiplier;
  if (state.from !== undefined) out.from = state.from;
  if (state.postOffset !== undefined) out.postOffset = state.postOffset;
  if (state.bitmask !== undefined) out.bitmask = state.bitmask;
  return out;
}

/** `byte_jump:bytes,offset[,relative][,multiplier N][,big|little|dce][,string,dec][,align][,from_beginning|from_end][,post_offset N][,bitmask N];` */
export const byteJump: KeywordModule<ByteJumpValue> = {
  keyword: 'byte_jump',
  category: 'payload',
  takesValue: 'required',
  parse: parseByteJump,
  print: (v) => [String(v.bytes), String(v.offset), ...printByteOptions(v)].join(','),
  payloadMatcher: (el, ctx) => new ByteJumpMatcher(el as ByteJumpMatch, ctx.slot),
};

/**
 * byte_jump: reads a number at (cursor if relative) + offset and moves the cursor by it:
 * (value * multiplier, rounded up to 4 with align, + post_offset) from after the bytes read,
 * or from the buffer start (from_beginning) or end (from_end). A target past the buffer's end
 * fails; one before its start is the start. A count of 0 reads nothing (value 0): the cursor moves by the
 * offsets alone.
 */
export class ByteJumpMatcher implements PayloadMatcher {
  readonly relative: boolean;
  readonly searches = false;
  readonly independent = false;
  readonly absolute: boolean;
  readonly advances = true;
  private readonly nbytes: IntSource;
  private readonly offset: IntSource;

  constructor(private readonly el: ByteJumpMatch, slots: VariableSlots) {
    this.nbytes = new IntSource(el.value.bytes, slots);
    this.offset = new IntSource(el.value.offset, slots);
    this.relative = el.value.relative;
    this.absolute = !el.value.relative;
  }

  match(ins: Inspection, cursor: number, _from: number): number {
    const v = this.el.value;
    const buf = ins.buf;
    // Suricata casts a variable count or offset to int32: 0xffffffff is -1.
    const n = this.nbytes.int32(ins);
    const pos = (this.relative ? cursor : 0) + this.offset.int32(ins);
    if (n === 0 && (pos < 0 || pos > buf.length)) return NO_MATCH;
    let x = n === 0 ? 0 : readNumber(buf, pos, n, v.endian, v.string, ins.dceLittle);
    if (Number.isNaN(x)) return NO_MATCH;
    // A string number moves the cursor past the characters it used, not the whole count.
    const readEnd = n === 0 ? pos : lastRead.end;
    if (v.bitmask !== undefined) x = applyBitmask(x, v.bitmask);
    x *= v.multiplier ?? 1;
    if (v.align && x % 4 !== 0) x += 4 - (x % 4);
    x += v.postOffset ?? 0;
    const target = v.from === 'beginning' ? x : v.from === 'end' ? buf.length + x : readEnd + x;
    if (target > buf.length) return NO_MATCH;
    // Before the buffer's start: the start, as Suricata (since 7) resets a jump there.
    return target < 0 ? 0 : target;
  }
}

import type { KeywordContext } from '../keyword.js';
import { parseDecOrHex, splitWord, type Piece } from './text.js';

/** The trailing options byte_test, byte_jump, byte_extract and byte_math share. */
export type Endian = 'big' | 'little' | 'dce';
export type NumberBase = 'hex' | 'dec' | 'oct';
/** `string` with no base: strtoull's base 0, the digits say (`0x1f` hex, `017` octal, else decimal). */
export type DigitBase = NumberBase | 'auto';

export interface ByteOptionState<B extends DigitBase = DigitBase> {
  relative: boolean;
  endian: Endian;
  /** Set when `string` was given: the digits' base. */
  string?: B;
  bitmask?: number;
  multiplier?: number;
  align?: boolean | number;
  from?: 'beginning' | 'end';
  postOffset?: number;
}

export type ByteOptionName =
  | 'relative'
  | 'endian'
  | 'string'
  | 'bitmask'
  | 'multiplier'
  | 'align'
  | 'alignN'
  | 'from'
  | 'post_offset';

const BASES = new Set(['hex', 'dec', 'oct']);

/**
 * Parses `pieces` as options of `keyword`; `allowed` says which it takes, `bareString` what
 * `string` without a base reads (Suricata: byte_test and byte_jump leave the base to strtoull,
 * byte_extract and byte_math read decimal). Reports at the offending piece; returns false after an error.
 */
export function parseByteOptions(
  keyword: string,
  pieces: readonly Piece[],
  allowed: ReadonlySet<ByteOptionName>,
  state: ByteOptionState<NumberBase>,
  ctx: KeywordContext,
): boolean;
export function parseByteOptions(
  keyword: string,
  pieces: readonly Piece[],
  allowed: ReadonlySet<ByteOptionName>,
  state: ByteOptionState,
  ctx: KeywordContext,
  bareString: 'auto',
): boolean;
export function parseByteOptions(
  keyword: string,
  pieces: readonly Piece[],
  allowed: ReadonlySet<ByteOptionName>,
  state: ByteOptionState,
  ctx: KeywordContext,
  bareString: 'dec' | 'auto' = 'dec',
): boolean {
  const seen = new Set<string>();
  let endianWritten: Piece | undefined;
  let stringWritten: Piece | undefined;
  let baseWritten: Piece | undefined;
  let base: NumberBase | undefined;
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k]!;
    const { word, rest } = splitWord(p);
    const w = word.text;
    const once = (name: string): boolean => {
      if (seen.has(name)) {
        ctx.error(`${keyword} has ${name} twice: remove one`, p.offset, p.text.length);
        return false;
      }
      seen.add(name);
      return true;
    };
    const noArg = (): boolean => {
      if (rest.text !== '') {
        ctx.error(`${keyword} option ${w} takes no argument`, rest.offset, rest.text.length);
        return false;
      }
      return true;
    };
    const numArg = (min: number, max: number, signed = false): number | undefined => {
      let t = rest.text;
      let neg = false;
      if (signed && t.startsWith('-')) {
        neg = true;
        t = t.slice(1);
      }
      const v = parseDecOrHex(t);
      if (v === undefined || (neg ? -v : v) < min || (neg ? -v : v) > max) {
        ctx.error(`${keyword} ${w} needs a number from ${min} to ${max}${rest.text ? `, not "${rest.text}"` : `: write ${w} ${Math.max(min, 1)}`}`, rest.text ? rest.offset : p.offset, Math.max(1, rest.text ? rest.text.length : p.text.length));
        return undefined;
      }
      return neg ? -v : v;
    };
    if (w === '') {
      ctx.error(`empty ${keyword} option: remove the extra comma`, p.offset, 1);
      return false;
    }
    if (w === 'relative' && allowed.has('relative')) {
      if (!once('relative') || !noArg()) return false;
      state.relative = true;
    } else if ((w === 'big' || w === 'little' || w === 'dce') && allowed.has('endian')) {
      if (!noArg()) return false;
      if (endianWritten !== undefined) {
        ctx.error(
          w === 'dce' || state.endian === 'dce'
            ? `${keyword}: dce takes the byte order from the DCE/RPC header; drop ${endianWritten.text === 'dce' ? w : endianWritten.text}`
            : `${keyword} has both ${endianWritten.text} and ${w}: keep one byte order`,
          p.offset,
          p.text.length,
        );
        return false;
      }
      endianWritten = p;
      state.endian = w;
    } else if (w === 'endian' && allowed.has('endian')) {
      // byte_math's `endian big|little`
      if (rest.text !== 'big' && rest.text !== 'little') {
        ctx.error(`${keyword} endian must be big or little`, rest.text ? rest.offset : p.offset, Math.max(1, rest.text.length));
        return false;
      }
      if (endianWritten !== undefined) {
        ctx.error(`${keyword} has two byte orders: keep one`, p.offset, p.text.length);
        return false;
      }
      endianWritten = p;
      state.endian = rest.text;
    } else if (w === 'string' && allowed.has('string')) {
      // `string,dec` (Snort and Suricata) or byte_math's `string dec`.
      if (!once('string')) return false;
      stringWritten = p;
      if (rest.text !== '') {
        if (!BASES.has(rest.text)) {
          ctx.error(`${keyword} string base must be hex, dec or oct, not "${rest.text}"`, rest.offset, rest.text.length);
          return false;
        }
        if (!once('base')) return false;
        base = rest.text as NumberBase;
      }
    } else if (BASES.has(w) && allowed.has('string')) {
      if (!once('base') || !noArg()) return false;
      baseWritten = p;
      base = w as NumberBase;
    } else if (w === 'bitmask' && allowed.has('bitmask')) {
      if (!once('bitmask')) return false;
      const v = numArg(1, 0xffffffff);
      if (v === undefined) return false;
      state.bitmask = v;
    } else if (w === 'multiplier' && allowed.has('multiplier')) {
      if (!once('multiplier')) return false;
      const v = numArg(1, 65535);
      if (v === undefined) return false;
      state.multiplier = v;
    } else if (w === 'align' && (allowed.has('align') || allowed.has('alignN'))) {
      if (!once('align')) return false;
      if (allowed.has('alignN')) {
        const v = numArg(2, 4);
        if (v === undefined) return false;
        if (v !== 2 && v !== 4) {
          ctx.error(`${keyword} align must be 2 or 4`, rest.offset, rest.text.length);
          return false;
        }
        state.align = v;
      } else {
        if (!noArg()) return false;
        state.align = true;
      }
    } else if ((w === 'from_beginning' || w === 'from_end') && allowed.has('from')) {
      if (!noArg()) return false;
      if (state.from !== undefined) {
        ctx.error(`${keyword} takes only one of from_beginning and from_end`, p.offset, p.text.length);
        return false;
      }
      state.from = w === 'from_beginning' ? 'beginning' : 'end';
    } else if (w === 'post_offset' && allowed.has('post_offset')) {
      if (!once('post_offset')) return false;
      const v = numArg(-65535, 65535, true);
      if (v === undefined) return false;
      state.postOffset = v;
    } else {
      ctx.error(`unknown ${keyword} option "${w}": ${describe(allowed)}`, p.offset, p.text.length);
      return false;
    }
  }
  if (stringWritten !== undefined) state.string = base ?? bareString;
  else if (baseWritten !== undefined) {
    ctx.error(`${keyword}: ${baseWritten.text} reads digits and needs string: write string,${baseWritten.text}`, baseWritten.offset, baseWritten.text.length);
    return false;
  }
  if (state.endian === 'dce' && state.string !== undefined) {
    ctx.error(`${keyword}: dce reads binary numbers; drop string or dce`, pieces[0]?.offset ?? 0, 1);
    return false;
  }
  return true;
}

function describe(allowed: ReadonlySet<ByteOptionName>): string {
  const names: string[] = [];
  if (allowed.has('relative')) names.push('relative');
  if (allowed.has('endian')) names.push('big', 'little', 'dce');
  if (allowed.has('string')) names.push('string,hex|dec|oct');
  if (allowed.has('multiplier')) names.push('multiplier N');
  if (allowed.has('align')) names.push('align');
  if (allowed.has('alignN')) names.push('align 2|4');
  if (allowed.has('from')) names.push('from_beginning', 'from_end');
  if (allowed.has('post_offset')) names.push('post_offset N');
  if (allowed.has('bitmask')) names.push('bitmask N');
  return `use ${names.join(', ')}`;
}

/** The options in canonical order and spelling (defaults left out). */
export function printByteOptions(s: ByteOptionState, endianStyle: 'bare' | 'keyed' = 'bare'): string[] {
  const out: string[] = [];
  if (s.relative) out.push('relative');
  if (s.multiplier !== undefined) out.push(`multiplier ${s.multiplier}`);
  if (s.endian !== 'big') out.push(endianStyle === 'keyed' && s.endian !== 'dce' ? `endian ${s.endian}` : s.endian);
  if (s.string === 'auto') out.push('string');
  else if (s.string !== undefined) out.push(endianStyle === 'keyed' ? `string ${s.string}` : `string,${s.string}`);
  if (s.align === true) out.push('align');
  else if (typeof s.align === 'number') out.push(`align ${s.align}`);
  if (s.from !== undefined) out.push(`from_${s.from}`);
  if (s.postOffset !== undefined) out.push(`post_offset ${s.postOffset}`);
  if (s.bitmask !== undefined) out.push(`bitmask 0x${s.bitmask.toString(16).toUpperCase()}`);
  return out;
}

/** Byte count limits: binary reads are 1-8 bytes, string reads up to 10 digits (0: the rest of the buffer). */
export function checkByteCount(keyword: string, bytes: number, string: boolean, at: Piece, ctx: KeywordContext): boolean {
  if (string) {
    if (bytes > 10) {
      ctx.error(`${keyword} can read at most 10 digits with string: use 1 to 10`, at.offset, at.text.length);
      return false;
    }
    return true;
  }
  if (bytes < 1 || bytes > 8) {
    ctx.error(`${keyword} reads 1 to 8 bytes (more only with string): use 1, 2, 4 or 8`, at.offset, at.text.length);
    return false;
  }
  return true;
}

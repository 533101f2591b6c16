/**
 * A literal that every match of a pcre pattern must contain, so a rule whose only positive
 * payload keywords are pcres still gets a prefilter pattern (and is evaluated only on buffers
 * holding the literal, rather than on every inspection).
 *
 * The analysis is deliberately conservative: it reads the pattern's top-level sequence only and
 * gives up (null) on anything it does not fully understand: top-level alternation, inline
 * option settings, `\Q..\E`, the extended flag, odd braces. Groups, classes, anchors and
 * escapes that are not single bytes end a literal run; an atom made optional by its quantifier
 * is removed from the run, one repeated at least once ends it.
 */

export interface PcreLiteral {
  bytes: Uint8Array;
  nocase: boolean;
}

class GiveUp extends Error {}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c, e: 0x1b, a: 0x07 };

function isAlnum(c: string): boolean {
  return /^[0-9A-Za-z]$/.test(c);
}

function isHex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c);
}

/** The longest necessary literal of `pattern` (at least `minLength` bytes), or null. */
export function requiredPcreLiteral(pattern: string, flags: string, minLength = 2): PcreLiteral | null {
  if (flags.includes('x')) return null;
  const nocase = flags.includes('i');
  try {
    const best = longestRun(pattern, nocase);
    if (best.length < minLength) return null;
    return { bytes: Uint8Array.from(best), nocase };
  } catch (e) {
    if (e instanceof GiveUp) return null;
    throw e;
  }
}

function longestRun(p: string, nocase: boolean): number[] {
  let best: number[] = [];
  let run: number[] = [];
  /** The previous atom was a single byte, appended to `run` (a quantifier may take it back). */
  let lastWasByte = false;
  const endRun = (): void => {
    if (run.length > best.length) best = run;
    run = [];
    lastWasByte = false;
  };
  const addByte = (b: number): void => {
    // Case-insensitive JS matching folds Latin-1 letters too; the prefilter folds ASCII only.
    if (b > 0xff || (nocase && b >= 0x80)) {
      endRun();
      return;
    }
    run.push(b);
    lastWasByte = true;
  };
  let i = 0;
  const n = p.length;
  while (i < n) {
    const c = p[i]!;
    if (c === '|') throw new GiveUp();
    if (c === '(') {
      if (p[i + 1] === '?') {
        const k = p[i + 2];
        const lookbehind = k === '<' && (p[i + 3] === '=' || p[i + 3] === '!');
        const named = k === '<' && !lookbehind && p[i + 3] !== undefined && /[A-Za-z_]/.test(p[i + 3]!);
        if (!(k === ':' || k === '=' || k === '!' || lookbehind || named)) throw new GiveUp();
      }
      endRun();
      i = skipGroup(p, i);
      i = skipQuantifier(p, i);
      continue;
    }
    if (c === '[') {
      endRun();
      i = skipClass(p, i);
      i = skipQuantifier(p, i);
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      const q = readQuantifier(p, i);
      if (q === null) throw new GiveUp();
      if (lastWasByte) {
        if (q.min === 0) run.pop();
        endRun();
      } else endRun();
      i = q.end;
      continue;
    }
    if (c === '.' || c === '^' || c === '$' || c === ')') {
      if (c === ')') throw new GiveUp();
      endRun();
      i++;
      continue;
    }
    if (c === '\\') {
      const e = p[i + 1];
      if (e === undefined) throw new GiveUp();
      if (e === 'Q' || e === 'E' || e === 'c') throw new GiveUp();
      if (e === 'x') {
        if (p[i + 2] === '{') {
          const close = p.indexOf('}', i + 3);
          if (close < 0) throw new GiveUp();
          const hex = p.slice(i + 3, close);
          if (!/^[0-9A-Fa-f]{1,2}$/.test(hex)) throw new GiveUp();
          addByte(parseInt(hex, 16));
          i = close + 1;
          continue;
        }
        if (!isHex(p[i + 2])) throw new GiveUp();
        let len = 1;
        if (isHex(p[i + 3])) len = 2;
        addByte(parseInt(p.slice(i + 2, i + 2 + len), 16));
        i += 2 + len;
        continue;
      }
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        addByte(simple);
        i += 2;
        continue;
      }
      if (isAlnum(e)) {
        // Classes (\d \w \s ...), assertions (\b \A \z ...), back-references, octal: not a byte we can name.
        endRun();
        i += 2;
        continue;
      }
      addByte(e.charCodeAt(0));
      i += 2;
      continue;
    }
    // A raw non-ASCII character: how the rule file's encoding maps it to bytes is not ours to guess.
    if (c.charCodeAt(0) >= 0x80) endRun();
    else addByte(c.charCodeAt(0));
    i++;
  }
  endRun();
  return best;
}

/** Index after the group opened at `open`. */
function skipGroup(p: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      if (p[i + 1] === 'Q') throw new GiveUp();
      i += 2;
      continue;
    }
    if (c === '[') {
      i = skipClass(p, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  throw new GiveUp();
}

/** Index after the character class opened at `open`. */
function skipClass(p: string, open: number): number {
  let i = open + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++; // a leading ] is literal
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      if (p[i + 1] === 'Q') throw new GiveUp();
      i += 2;
      continue;
    }
    if (c === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      if (close < 0) throw new GiveUp();
      i = close + 2;
      continue;
    }
    if (c === ']') return i + 1;
    i++;
  }
  throw new GiveUp();
}

function skipQuantifier(p: string, i: number): number {
  const c = p[i];
  if (c !== '*' && c !== '+' && c !== '?' && c !== '{') return i;
  const q = readQuantifier(p, i);
  if (q === null) throw new GiveUp();
  return q.end;
}

/** A quantifier at `i` (with its lazy/possessive suffix), or null when `{` does not start one. */
function readQuantifier(p: string, i: number): { min: number; end: number } | null {
  const c = p[i]!;
  let min: number;
  let end: number;
  if (c === '*' || c === '?') {
    min = 0;
    end = i + 1;
  } else if (c === '+') {
    min = 1;
    end = i + 1;
  } else {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
    if (m === null) return null;
    min = Number(m[1]);
    end = i + m[0].length;
  }
  if (p[end] === '?' || p[end] === '+') end++;
  return { min, end };
}

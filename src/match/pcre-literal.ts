/**
 * Literals that every match of a pcre pattern must contain, at least one of them, so a rule
 * whose only positive payload keywords are pcres still gets prefilter patterns: it is evaluated
 * only on buffers holding one of the literals, rather than on every inspection. A set, not a
 * single literal, because the attack patterns analysts write are mostly alternations of
 * encodings (`(?:\.|%2e|%u002e){2}`, `(?:%c0|\xc0)[\x2e\x2f]`, a list of WebDAV methods), which
 * share no literal at all.
 *
 * The analysis reads the pattern as a tree of sequences, alternations, groups, classes and
 * quantifiers, and keeps for each node the finite set of strings it can match (when small) and
 * the best set of literals one of which every match of it contains. It gives up (null) on
 * anything it does not fully read: inline option settings, `\Q..\E`, the extended flag,
 * conditionals and recursion, odd braces. Lookarounds, anchors and other zero-width items
 * consume nothing and add nothing; back-references, `.`, and classes of many bytes end a run
 * of literals. Under the `i` flag every literal is case-insensitive and bytes above 0x7f end a
 * run (JS folds Latin-1 letters there, the prefilter folds ASCII only). A case-sensitive class
 * holding both cases of a letter becomes that letter, case-insensitive: the prefilter then
 * finds a superset of the subjects, which is all a prefilter may do.
 */

import { PCRE_NESTING_LIMIT } from '../options/lib/pcre-translate.js';

export interface PcreLiteral {
  bytes: Uint8Array;
  nocase: boolean;
}

/** Literals per set: a rule adds at most this many prefilter patterns. */
export const MAX_LITERALS = 64;
/** Members of a class read as its bytes; a larger class ends a run. */
const MAX_CLASS = 32;
/** Repetitions a quantifier may expand into (`x{2,3}` into xx and xxx). */
const MAX_REPEAT = 4;

class GiveUp extends Error {}

/**
 * The literal set of `pattern`: every subject it matches contains one of them (each at least
 * `minLength` bytes), or null when the analysis finds none.
 */
export function requiredPcreLiterals(pattern: string, flags: string, minLength = 2): PcreLiteral[] | null {
  if (flags.includes('x')) return null;
  try {
    const parser = new PatternReader(pattern, flags.includes('i'), minLength);
    const top = parser.alternation();
    if (parser.pos !== pattern.length) return null;
    const best = top.best ?? (top.exact !== null && usable(top.exact, minLength) ? top.exact : null);
    if (best === null) return null;
    return [...best.values()].map((l) => ({ bytes: Uint8Array.from(l.text, (c) => c.charCodeAt(0)), nocase: l.fold }));
  } catch (e) {
    if (e instanceof GiveUp) return null;
    throw e;
  }
}

/** Whether literal set a screens better than b (see ranksAbove). */
export function screensBetter(a: readonly PcreLiteral[], b: readonly PcreLiteral[]): boolean {
  const shortestOf = (set: readonly PcreLiteral[]): number => Math.min(...set.map((l) => l.bytes.length));
  return ranksAbove(shortestOf(a), a.length, shortestOf(b), b.length);
}

/**
 * Whether a set of `countA` literals, the shortest `shortestA` bytes, screens better than the
 * other: the longer shortest literal up to six bytes (past that, chance matches are rare either
 * way), then fewer literals, then the longer shortest one.
 */
function ranksAbove(shortestA: number, countA: number, shortestB: number, countB: number): boolean {
  const ca = Math.min(shortestA, 6);
  const cb = Math.min(shortestB, 6);
  if (ca !== cb) return ca > cb;
  if (countA !== countB) return countA < countB;
  return shortestA > shortestB;
}

/** A literal: latin1 text, lower-cased when `fold` (then matched ignoring ASCII case). */
interface Lit {
  text: string;
  fold: boolean;
}

/** Literals by key (fold flag + text): a set without duplicates. */
type LitSet = Map<string, Lit>;

interface Summary {
  /** Every string the node can match, when that set is small (may hold ''); else null. */
  exact: LitSet | null;
  /** The best set of literals one of which every match contains; null when none is known. */
  best: LitSet | null;
  /** Such a set with the fewest literals (for alternations, whose sets add up); null as best. */
  small: LitSet | null;
  /** When exact is null: strings every match begins with, and ends with (a repeated atom's first and last repetitions). */
  edges?: LitSet;
}

const EMPTY_ONLY: LitSet = new Map([['e', { text: '', fold: false }]]);
const OPAQUE: Summary = { exact: null, best: null, small: null };
const ZERO_WIDTH: Summary = { exact: EMPTY_ONLY, best: null, small: null };

function lower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Folding a literal without letters changes nothing: such literals are kept exact, so they do not make a product fold. */
function makeLit(text: string, fold: boolean): Lit {
  return fold && /[A-Za-z]/.test(text) ? { text: lower(text), fold: true } : { text, fold: false };
}

function addLit(set: LitSet, l: Lit): void {
  const key = (l.fold ? 'f' : 'e') + l.text;
  if (!set.has(key)) set.set(key, l);
}

/** a x b, or null past MAX_LITERALS. */
function product(a: LitSet, b: LitSet): LitSet | null {
  if (a.size * b.size > MAX_LITERALS) return null;
  const out: LitSet = new Map();
  for (const x of a.values()) for (const y of b.values()) addLit(out, makeLit(x.text + y.text, x.fold || y.fold));
  return out;
}

function union(sets: readonly LitSet[]): LitSet | null {
  const out: LitSet = new Map();
  for (const s of sets) {
    for (const l of s.values()) addLit(out, l);
    if (out.size > MAX_LITERALS) return null;
  }
  return out;
}

function usable(set: LitSet, minLength: number): boolean {
  if (set.size === 0 || set.size > MAX_LITERALS) return false;
  for (const l of set.values()) if (l.text.length < minLength) return false;
  return true;
}

/** Which of two usable sets screens better (see ranksAbove). */
function better(a: LitSet, b: LitSet | null): boolean {
  return b === null || ranksAbove(shortest(a), a.size, shortest(b), b.size);
}

/** Whether a has fewer literals than b (then the longer shortest one). */
function smaller(a: LitSet, b: LitSet | null): boolean {
  if (b === null) return true;
  if (a.size !== b.size) return a.size < b.size;
  return shortest(a) > shortest(b);
}

function shortest(set: LitSet): number {
  let m = Infinity;
  for (const l of set.values()) if (l.text.length < m) m = l.text.length;
  return m;
}

/** set repeated k times for each k in [min, max], or null when too many. */
function repeat(set: LitSet, min: number, max: number): LitSet | null {
  const parts: LitSet[] = [];
  let power: LitSet | null = EMPTY_ONLY;
  for (let k = 0; k <= max; k++) {
    if (k >= min) parts.push(power);
    if (k === max) break;
    power = product(power, set);
    if (power === null) return null;
  }
  return union(parts);
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c, e: 0x1b, a: 0x07 };
const DIGITS = range(0x30, 0x39);
const WORD = [...range(0x30, 0x39), ...range(0x41, 0x5a), ...range(0x61, 0x7a), 0x5f];
const SPACE = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20];

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let c = lo; c <= hi; c++) out.push(c);
  return out;
}

/** A recursive-descent reader of the pattern, summarising each node as it goes. */
class PatternReader {
  pos = 0;
  private depth = 0;
  constructor(
    private readonly p: string,
    private readonly nocase: boolean,
    private readonly minLength: number,
  ) {}

  alternation(): Summary {
    const branches: Summary[] = [this.sequence()];
    while (this.p[this.pos] === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    if (branches.length === 1) return branches[0]!;
    const exacts = branches.map((b) => b.exact);
    const exact = exacts.every((e) => e !== null) ? union(exacts as LitSet[]) : null;
    // Each branch must give a set; a match of the alternation is a match of one branch. The
    // branches' best sets when their union is small enough, else their smallest ones.
    const bests: LitSet[] = [];
    const smalls: LitSet[] = [];
    for (const b of branches) {
      const whole = b.exact !== null && usable(b.exact, this.minLength) ? b.exact : null;
      const own = b.best ?? whole;
      if (own === null) return { exact, best: null, small: null };
      bests.push(own);
      smalls.push(b.small ?? own);
    }
    const small = union(smalls);
    const best = union(bests) ?? small;
    return {
      exact,
      best: best !== null && usable(best, this.minLength) ? best : null,
      small: small !== null && usable(small, this.minLength) ? small : null,
    };
  }

  sequence(): Summary {
    let all: LitSet | null = EMPTY_ONLY;
    let run: LitSet = EMPTY_ONLY;
    let single: Lit | null = { text: '', fold: false };
    let best: LitSet | null = null;
    let small: LitSet | null = null;
    const consider = (set: LitSet | null): void => {
      if (set === null || !usable(set, this.minLength)) return;
      if (better(set, best)) best = set;
      if (smaller(set, small)) small = set;
    };
    const endSingle = (): void => {
      if (single !== null && single.text.length > 0) consider(new Map([['x', single]]));
      single = { text: '', fold: false };
    };
    while (this.pos < this.p.length && this.p[this.pos] !== '|' && this.p[this.pos] !== ')') {
      const item = this.quantified();
      consider(item.best);
      consider(item.small);
      const e = item.exact;
      all = all !== null && e !== null ? product(all, e) : null;
      if (e === null) {
        // The run goes on into what the item must begin with, and starts again with what it must end with.
        const edges = item.edges;
        consider(edges !== undefined ? product(run, edges) : run);
        consider(run);
        const edge = edges !== undefined && edges.size === 1 ? edges.values().next().value! : null;
        if (edge !== null && single !== null) single = makeLit(single.text + edge.text, single.fold || edge.fold);
        endSingle();
        run = edges ?? EMPTY_ONLY;
        if (edge !== null) single = edge;
        continue;
      }
      const next = product(run, e);
      if (next === null) {
        consider(run);
        run = e;
      } else run = next;
      // Every prefix of a run is required too, and a shorter one may hold fewer literals.
      consider(run);
      const only = e.size === 1 ? e.values().next().value! : null;
      if (only !== null && single !== null) single = makeLit(single.text + only.text, single.fold || only.fold);
      else endSingle();
    }
    consider(run);
    endSingle();
    return { exact: all, best, small };
  }

  /** An atom with its quantifier, if any. */
  private quantified(): Summary {
    const atom = this.atom();
    const q = this.quantifier();
    if (q === null) return atom;
    const { min, max } = q;
    if (max === 0) return ZERO_WIDTH;
    const exact = atom.exact !== null && max <= MAX_REPEAT ? repeat(atom.exact, min, max) : null;
    if (min === 0) return { exact, best: null, small: null };
    // At least one repetition: what the atom requires, its repeated prefix, or all it can match.
    let best = atom.best;
    let small = atom.small;
    // The first (and last) repetitions: a prefix and a suffix of every match.
    let prefix: LitSet | null = null;
    for (let k = Math.min(min, MAX_REPEAT); k >= 1 && prefix === null && atom.exact !== null; k--) prefix = repeat(atom.exact, k, k);
    for (const set of [prefix, exact]) {
      if (set === null || !usable(set, this.minLength)) continue;
      if (better(set, best)) best = set;
      if (smaller(set, small)) small = set;
    }
    return exact === null && prefix !== null ? { exact, best, small, edges: prefix } : { exact, best, small };
  }

  private quantifier(): { min: number; max: number } | null {
    const p = this.p;
    const c = p[this.pos];
    let min: number;
    let max: number;
    if (c === '*' || c === '?' || c === '+') {
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
      this.pos++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(this.pos, this.pos + 24));
      if (m === null) throw new GiveUp();
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.pos += m[0].length;
    } else return null;
    if (p[this.pos] === '?' || p[this.pos] === '+') this.pos++;
    return { min, max };
  }

  private atom(): Summary {
    const p = this.p;
    const c = p[this.pos]!;
    if (c === '(') return this.group();
    if (c === '[') return this.bytesSummary(this.classBytes());
    if (c === '*' || c === '+' || c === '?' || c === '{') throw new GiveUp();
    if (c === '^' || c === '$') {
      this.pos++;
      return ZERO_WIDTH;
    }
    if (c === '.') {
      this.pos++;
      return OPAQUE;
    }
    if (c === '\\') return this.escape();
    this.pos++;
    // A raw non-ASCII character: how the rule file's encoding maps it to bytes is not ours to guess.
    if (c.charCodeAt(0) >= 0x80) return OPAQUE;
    return this.bytesSummary([c.charCodeAt(0)]);
  }

  private group(): Summary {
    // Patterns reach here translated, so nested at most as deep as PCRE allows; still bounded.
    if (++this.depth > PCRE_NESTING_LIMIT) throw new GiveUp();
    const summary = this.groupAt();
    this.depth--;
    return summary;
  }

  private groupAt(): Summary {
    const p = this.p;
    let i = this.pos + 1;
    let zeroWidth = false;
    if (p[i] === '?') {
      const k = p[i + 1];
      if (k === ':' || k === '>' || k === '|') i += 2;
      else if (k === '=' || k === '!') {
        zeroWidth = true;
        i += 2;
      } else if (k === '<' && (p[i + 2] === '=' || p[i + 2] === '!')) {
        zeroWidth = true;
        i += 3;
      } else if (k === '#') {
        const close = p.indexOf(')', i);
        if (close < 0) throw new GiveUp();
        this.pos = close + 1;
        return ZERO_WIDTH;
      } else {
        const named = /^\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(p.slice(i, i + 40));
        if (named === null) throw new GiveUp(); // inline options, conditionals, recursion
        i += named[0].length;
      }
    }
    this.pos = i;
    const inner = this.alternation();
    if (p[this.pos] !== ')') throw new GiveUp();
    this.pos++;
    return zeroWidth ? ZERO_WIDTH : inner;
  }

  private escape(): Summary {
    const p = this.p;
    const e = p[this.pos + 1];
    if (e === undefined) throw new GiveUp();
    if (e === 'Q' || e === 'E') throw new GiveUp();
    const b = this.escapedByte();
    if (b !== null) return this.bytesSummary([b]);
    this.pos += 2;
    switch (e) {
      case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G': case 'K':
        return ZERO_WIDTH;
      case 'd':
        return this.bytesSummary(DIGITS);
      case 'w':
        return this.bytesSummary(WORD);
      case 's':
        return this.bytesSummary(SPACE);
      case 'c':
        this.pos++;
        return OPAQUE;
      case 'g': case 'k': case 'p': case 'P': case 'x': case 'o':
        // Back-references and properties with arguments: skip a braced or bracketed argument.
        if (p[this.pos] === '{' || p[this.pos] === '<' || p[this.pos] === "'") {
          const close = p.indexOf(p[this.pos] === '{' ? '}' : p[this.pos] === '<' ? '>' : "'", this.pos + 1);
          if (close < 0) throw new GiveUp();
          this.pos = close + 1;
        } else if (e === 'g' || e === 'p' || e === 'P') this.pos++;
        return OPAQUE;
      default:
        if (/[1-9]/.test(e)) while (/[0-9]/.test(p[this.pos] ?? '')) this.pos++;
        return OPAQUE;
    }
  }

  /**
   * The byte of the escape at pos, advancing past it; null (pos unchanged) when it is not a
   * single byte (classes, assertions, back-references).
   */
  private escapedByte(): number | null {
    const p = this.p;
    const e = p[this.pos + 1]!;
    if (e === 'x') {
      if (p[this.pos + 2] === '{') {
        const close = p.indexOf('}', this.pos + 3);
        if (close < 0) throw new GiveUp();
        const hex = p.slice(this.pos + 3, close);
        if (!/^[0-9A-Fa-f]{1,2}$/.test(hex)) return null;
        this.pos = close + 1;
        return parseInt(hex, 16);
      }
      let len = 0;
      while (len < 2 && /[0-9A-Fa-f]/.test(p[this.pos + 2 + len] ?? '')) len++;
      const v = len === 0 ? 0 : parseInt(p.slice(this.pos + 2, this.pos + 2 + len), 16);
      this.pos += 2 + len;
      return v;
    }
    if (e === '0') {
      let len = 0;
      while (len < 2 && /[0-7]/.test(p[this.pos + 2 + len] ?? '')) len++;
      const v = len === 0 ? 0 : parseInt(p.slice(this.pos + 2, this.pos + 2 + len), 8);
      this.pos += 2 + len;
      return v;
    }
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    if (/[0-9A-Za-z]/.test(e) || e.charCodeAt(0) >= 0x80) return null;
    this.pos += 2;
    return e.charCodeAt(0);
  }

  /** The bytes of the class at pos (null: not read as bytes), advancing past it. */
  private classBytes(): number[] | null {
    const p = this.p;
    let i = this.pos + 1;
    let negated = false;
    if (p[i] === '^') {
      negated = true;
      i++;
    }
    const members = new Set<number>();
    let readable = true;
    let first = true;
    for (;;) {
      if (i >= p.length) throw new GiveUp();
      if (p[i] === ']' && !first) {
        i++;
        break;
      }
      first = false;
      const lo = this.classMember(i);
      i = lo.next;
      if (lo.bytes === null) {
        readable = false;
        continue;
      }
      // A range: a single byte, '-', a single byte (a '-' before ']' is itself).
      if (lo.bytes.length === 1 && lo.single && p[i] === '-' && p[i + 1] !== ']' && i + 1 < p.length) {
        const hi = this.classMember(i + 1);
        if (hi.bytes === null || !hi.single) throw new GiveUp();
        if (hi.bytes[0]! < lo.bytes[0]!) throw new GiveUp();
        for (let x = lo.bytes[0]!; x <= hi.bytes[0]!; x++) members.add(x);
        i = hi.next;
        continue;
      }
      for (const b of lo.bytes) members.add(b);
    }
    this.pos = i;
    if (!readable) return null;
    if (!negated) return [...members];
    const out: number[] = [];
    for (let x = 0; x < 256; x++) if (!members.has(x)) out.push(x);
    return out;
  }

  /** One member of a class at i: its bytes (null: not readable), whether it is one byte, and where it ends. */
  private classMember(i: number): { bytes: number[] | null; single: boolean; next: number } {
    const p = this.p;
    const c = p[i]!;
    if (c === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      if (close < 0) throw new GiveUp();
      return { bytes: null, single: false, next: close + 2 };
    }
    if (c !== '\\') {
      const b = c.charCodeAt(0);
      return { bytes: b >= 0x80 ? null : [b], single: true, next: i + 1 };
    }
    const e = p[i + 1];
    if (e === undefined || e === 'Q' || e === 'E') throw new GiveUp();
    if (e === 'b') return { bytes: [0x08], single: true, next: i + 2 };
    const save = this.pos;
    this.pos = i;
    const b = this.escapedByte();
    let next = this.pos;
    this.pos = save;
    if (b !== null) return { bytes: [b], single: true, next };
    next = i + 2;
    if (e === 'd') return { bytes: DIGITS, single: false, next };
    if (e === 'w') return { bytes: WORD, single: false, next };
    if (e === 's') return { bytes: SPACE, single: false, next };
    if ((e === 'p' || e === 'P' || e === 'x') && p[next] === '{') {
      const close = p.indexOf('}', next);
      if (close < 0) throw new GiveUp();
      next = close + 1;
    } else if (e === 'p' || e === 'P') next++;
    return { bytes: null, single: false, next };
  }

  /** One byte out of `bytes` (null: unknown), as a summary. */
  private bytesSummary(bytes: readonly number[] | null): Summary {
    if (bytes === null) return OPAQUE;
    const set: LitSet = new Map();
    const have = new Set(bytes);
    for (const b of have) {
      const letter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a;
      if (this.nocase && b >= 0x80) return OPAQUE;
      // Both cases of a letter, or any letter under i: the letter, case-insensitive.
      const fold = letter && (this.nocase || have.has(b ^ 0x20));
      addLit(set, makeLit(String.fromCharCode(b), fold));
      if (set.size > MAX_CLASS) return OPAQUE;
    }
    if (set.size === 0) return OPAQUE;
    return { exact: set, best: null, small: null };
  }
}

/**
 * A backtracking matcher with a step budget, for the translated pcre patterns that neither
 * linear-time engine accepts (back-references, lookaround). It runs the JavaScript regex syntax
 * that src/options/lib/pcre-translate.ts produces, over binary strings (one character per byte),
 * and gives up after `stepLimit` steps the way PCRE's match_limit does: a pattern written to
 * backtrack catastrophically costs a bounded amount of work and is counted as cut off, never a
 * hung scan.
 *
 * It matches with JavaScript's semantics except in how repeats and captures interact, where it
 * follows PCRE: the source stands for a PCRE pattern, and every pattern with a back-reference
 * (which is where captures show) runs here, as neither linear-time engine takes one:
 * - a back-reference to a group that has not matched fails (JavaScript matches the empty string);
 * - a group inside a repeat keeps what it captured in an earlier iteration when a later one does
 *   not set it (JavaScript clears it at the start of each iteration);
 * - an iteration of a repeat that matches the empty string ends the repeat and counts, captures
 *   included (JavaScript rejects it and backtracks into it): `(a*)?\1` matches, `(|a)*` matches
 *   the empty string at the start of `a`.
 */

export class RegexLimitExceeded extends Error {}

/** How pcre-translate.ts spells PCRE's multiline `^`, and the lookaround inside it. */
const ML_CARET = '(?:^|(?<=\\n)(?=[\\s\\S]))';
const ML_CARET_LOOKS = '(?<=\\n)(?=[\\s\\S])';

const enum K {
  Set,
  Seq,
  Alt,
  Group,
  Look,
  Backref,
  Start,
  End,
  WordB,
  NotWordB,
  Repeat,
}

type Node =
  | { k: K.Set; set: Uint8Array }
  | { k: K.Seq; items: Node[] }
  | { k: K.Alt; alts: Node[] }
  | { k: K.Group; index: number; body: Node }
  | { k: K.Look; behind: boolean; negate: boolean; body: Node; minLen: number; maxLen: number; captures: boolean; at: number; end: number }
  | { k: K.Backref; index: number }
  | { k: K.Start }
  | { k: K.End }
  | { k: K.WordB }
  | { k: K.NotWordB }
  | { k: K.Repeat; body: Node; min: number; max: number; greedy: boolean };

type Cont = (pos: number) => boolean;

class ParseError extends Error {}

/** Case-insensitive canonical form of each byte, as JavaScript's non-Unicode `i` flag folds. */
const CANON: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let c = 0; c < 256; c++) {
    const u = String.fromCharCode(c).toUpperCase();
    const cu = u.length === 1 ? u.charCodeAt(0) : c;
    t[c] = c >= 128 && cu < 128 ? c : cu;
  }
  return t;
})();

function isWord(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

class Parser {
  private i = 0;
  groups = 0;

  constructor(
    private readonly s: string,
    private readonly caseless: boolean,
  ) {}

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.s.length) throw new ParseError(`unexpected ${this.s[this.i]} at ${this.i}`);
    return n;
  }

  private alternation(): Node {
    const alts: Node[] = [this.sequence()];
    while (this.s[this.i] === '|') {
      this.i++;
      alts.push(this.sequence());
    }
    return alts.length === 1 ? alts[0]! : { k: K.Alt, alts };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s[this.i] !== '|' && this.s[this.i] !== ')') {
      let atom = this.atom();
      atom = this.quantified(atom);
      items.push(atom);
    }
    return items.length === 1 ? items[0]! : { k: K.Seq, items };
  }

  private quantified(atom: Node): Node {
    const s = this.s;
    const c = s[this.i];
    let min: number;
    let max: number;
    if (c === '*') {
      min = 0;
      max = Infinity;
      this.i++;
    } else if (c === '+') {
      min = 1;
      max = Infinity;
      this.i++;
    } else if (c === '?') {
      min = 0;
      max = 1;
      this.i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i, this.i + 24));
      if (m === null) return atom; // a literal brace
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.i += m[0].length;
    } else return atom;
    let greedy = true;
    if (s[this.i] === '?') {
      greedy = false;
      this.i++;
    }
    return { k: K.Repeat, body: atom, min, max, greedy };
  }

  private atom(): Node {
    const s = this.s;
    const c = s[this.i]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '^':
        this.i++;
        return { k: K.Start };
      case '$':
        this.i++;
        return { k: K.End };
      case '.':
        this.i++;
        return this.setNode(rangeSet([[0x0a, 0x0a], [0x0d, 0x0d]], true));
      case '\\':
        return this.escape();
      default: {
        this.i++;
        const code = c.charCodeAt(0);
        if (code > 0xff) throw new ParseError('character outside the byte range');
        return this.literalNode(code);
      }
    }
  }

  private setNode(set: Uint8Array): Node {
    return { k: K.Set, set: this.caseless ? foldSet(set) : set };
  }

  /** A one-byte literal: sets are shared (they are never written after construction). */
  private literalNode(code: number): Node {
    return { k: K.Set, set: (this.caseless ? SINGLE_FOLDED : SINGLE)[code]! };
  }

  private escape(): Node {
    const s = this.s;
    this.i++;
    const c = s[this.i];
    if (c === undefined) throw new ParseError('trailing backslash');
    this.i++;
    switch (c) {
      case 'b':
        return { k: K.WordB };
      case 'B':
        return { k: K.NotWordB };
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        return this.setNode(classEscape(c));
      default: {
        if (c >= '1' && c <= '9') {
          let j = this.i;
          while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
          const n = Number(s.slice(this.i - 1, j));
          this.i = j;
          return { k: K.Backref, index: n };
        }
        return this.literalNode(this.escapedChar(c));
      }
    }
  }

  /** The byte an escape (other than a class escape) stands for; `c` is the character after `\`. */
  private escapedChar(c: string): number {
    switch (c) {
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 't':
        return 0x09;
      case 'f':
        return 0x0c;
      case 'v':
        return 0x0b;
      case '0':
        return 0;
      case 'x': {
        const h = this.s.slice(this.i, this.i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new ParseError('bad \\x escape');
        this.i += 2;
        return parseInt(h, 16);
      }
      case 'u':
        throw new ParseError('\\u escapes are not produced for byte patterns');
      default: {
        const code = c.charCodeAt(0);
        if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) throw new ParseError(`unknown escape \\${c}`);
        return code;
      }
    }
  }

  private group(): Node {
    const s = this.s;
    const at = this.i;
    this.i++;
    if (s[this.i] === '?') {
      const kind = s.slice(this.i, this.i + 3);
      let look: { behind: boolean; negate: boolean } | null = null;
      if (kind.startsWith('?:')) {
        this.i += 2;
        const body = this.alternation();
        this.close();
        return body;
      }
      if (kind.startsWith('?=')) look = { behind: false, negate: false };
      else if (kind.startsWith('?!')) look = { behind: false, negate: true };
      else if (kind === '?<=') look = { behind: true, negate: false };
      else if (kind === '?<!') look = { behind: true, negate: true };
      if (look === null) throw new ParseError(`unsupported group (${kind}`);
      this.i += look.behind ? 3 : 2;
      const body = this.alternation();
      this.close();
      const [minLen, maxLen] = lengthRange(body);
      return { k: K.Look, behind: look.behind, negate: look.negate, body, minLen, maxLen, captures: hasGroup(body), at, end: this.i };
    }
    const index = ++this.groups;
    const body = this.alternation();
    this.close();
    return { k: K.Group, index, body };
  }

  private close(): void {
    if (this.s[this.i] !== ')') throw new ParseError('missing )');
    this.i++;
  }

  private charClass(): Node {
    const s = this.s;
    this.i++;
    let negate = false;
    if (s[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const set = new Uint8Array(256);
    let first = true;
    for (;;) {
      const c = s[this.i];
      if (c === undefined) throw new ParseError('unterminated class');
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      let lo: number;
      if (c === '\\') {
        const e = s[this.i + 1];
        if (e === undefined) throw new ParseError('unterminated class');
        if ('dDwWsS'.includes(e)) {
          this.i += 2;
          const cls = classEscape(e);
          for (let b = 0; b < 256; b++) if (cls[b]) set[b] = 1;
          continue;
        }
        this.i += 2;
        lo = e === 'b' ? 0x08 : this.escapedChar(e);
      } else {
        lo = c.charCodeAt(0);
        this.i++;
      }
      if (s[this.i] === '-' && s[this.i + 1] !== ']' && s[this.i + 1] !== undefined) {
        this.i++;
        let hi: number;
        const h = s[this.i]!;
        if (h === '\\') {
          const e = s[this.i + 1]!;
          this.i += 2;
          hi = this.escapedChar(e);
        } else {
          hi = h.charCodeAt(0);
          this.i++;
        }
        for (let b = lo; b <= Math.min(hi, 255); b++) set[b] = 1;
      } else if (lo <= 255) set[lo] = 1;
    }
    if (this.caseless) {
      const folded = foldSet(set);
      set.set(folded);
    }
    if (negate) for (let b = 0; b < 256; b++) set[b] = set[b] ? 0 : 1;
    return { k: K.Set, set };
  }
}

function single(code: number): Uint8Array {
  const set = new Uint8Array(256);
  set[code] = 1;
  return set;
}

const SINGLE: readonly Uint8Array[] = Array.from({ length: 256 }, (_, b) => single(b));
// Filled once FOLD_PEERS exists (below).
let SINGLE_FOLDED: readonly Uint8Array[] = [];

function rangeSet(ranges: Array<[number, number]>, negate: boolean): Uint8Array {
  const set = new Uint8Array(256);
  for (const [lo, hi] of ranges) for (let b = lo; b <= hi; b++) set[b] = 1;
  if (negate) for (let b = 0; b < 256; b++) set[b] = set[b] ? 0 : 1;
  return set;
}

function classEscape(e: string): Uint8Array {
  switch (e) {
    case 'd':
    case 'D':
      return rangeSet([[0x30, 0x39]], e === 'D');
    case 'w':
    case 'W':
      return rangeSet([[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a], [0x5f, 0x5f]], e === 'W');
    default:
      // JavaScript's \s over bytes: \t \n \v \f \r, space, and U+00A0.
      return rangeSet([[0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0]], e === 'S');
  }
}

/** For each byte, the bytes sharing its case-insensitive canonical form (itself included). */
const FOLD_PEERS: readonly (readonly number[])[] = (() => {
  const byCanon = new Map<number, number[]>();
  for (let b = 0; b < 256; b++) {
    const list = byCanon.get(CANON[b]!) ?? [];
    list.push(b);
    byCanon.set(CANON[b]!, list);
  }
  return Array.from({ length: 256 }, (_, b) => byCanon.get(CANON[b]!)!);
})();

SINGLE_FOLDED = SINGLE.map((set) => foldSet(set));

/** Adds to a set every byte that folds to the same canonical form as a member. */
function foldSet(set: Uint8Array): Uint8Array {
  const out = set.slice();
  for (let b = 0; b < 256; b++) if (set[b]) for (const p of FOLD_PEERS[b]!) out[p] = 1;
  return out;
}

/**
 * The bytes a non-empty match of a node can begin with, or null when that is not known
 * (back-references). Zero-width nodes (anchors, lookaround) begin with nothing.
 */
/**
 * The source without its redundant lookaheads: a positive lookahead of one byte set, `(?=[av])`,
 * directly followed by an item that cannot match empty and whose every match begins with a byte
 * of that set (written as a hint for backtracking engines). Dropping it changes no match, and a
 * pattern without lookaround may run on a faster engine. Returns the source unchanged when
 * there is none or it cannot be parsed.
 */
export function withoutRedundantLookaheads(source: string, flags: string): string {
  // Most patterns have no such lookahead (the one in the multiline ^ is not one): no parse.
  if (!source.split(ML_CARET_LOOKS).join('').includes('(?=[')) return source;
  let root: Node;
  try {
    root = new Parser(source, flags.includes('i')).parse();
  } catch {
    return source;
  }
  const cuts: [number, number][] = [];
  const visit = (n: Node): void => {
    switch (n.k) {
      case K.Seq:
        for (let i = 0; i < n.items.length; i++) {
          const it = n.items[i]!;
          const next = n.items[i + 1];
          if (it.k === K.Look && !it.behind && !it.negate && it.body.k === K.Set && next !== undefined && lengthRange(next)[0] > 0) {
            const lead = leadSet(next);
            const allowed = it.body.set;
            let covered = lead !== null;
            for (let b = 0; covered && b < 256; b++) if (lead![b] === 1 && allowed[b] !== 1) covered = false;
            if (covered) cuts.push([it.at, it.end]);
          }
          visit(it);
        }
        return;
      case K.Alt:
        for (const a of n.alts) visit(a);
        return;
      case K.Group:
      case K.Look:
      case K.Repeat:
        visit(n.body);
        return;
      default:
        return;
    }
  };
  visit(root);
  if (cuts.length === 0) return source;
  cuts.sort((a, b) => a[0] - b[0]);
  let out = '';
  let from = 0;
  for (const [at, end] of cuts) {
    out += source.slice(from, at);
    from = end;
  }
  return out + source.slice(from);
}

/** Whether a capturing group occurs in the node. */
function hasGroup(n: Node): boolean {
  switch (n.k) {
    case K.Group:
      return true;
    case K.Seq:
      return n.items.some(hasGroup);
    case K.Alt:
      return n.alts.some(hasGroup);
    case K.Look:
    case K.Repeat:
      return hasGroup(n.body);
    default:
      return false;
  }
}

function leadSet(n: Node): Uint8Array | null {
  switch (n.k) {
    case K.Set:
      return n.set;
    case K.Group:
      return leadSet(n.body);
    case K.Repeat:
      return n.max === 0 ? new Uint8Array(256) : leadSet(n.body);
    case K.Alt: {
      const out = new Uint8Array(256);
      for (const a of n.alts) {
        const l = leadSet(a);
        if (l === null) return null;
        for (let b = 0; b < 256; b++) out[b] |= l[b]!;
      }
      return out;
    }
    case K.Seq: {
      // Items that may match empty let the next one begin the match too.
      const out = new Uint8Array(256);
      for (const it of n.items) {
        const l = leadSet(it);
        if (l === null) return null;
        for (let b = 0; b < 256; b++) out[b] |= l[b]!;
        if (lengthRange(it)[0] > 0) break;
      }
      return out;
    }
    case K.Backref:
      return null;
    default:
      return new Uint8Array(256);
  }
}

/** Shortest and longest match length of a node (Infinity when unbounded or not fixed by syntax). */
function lengthRange(n: Node): [number, number] {
  switch (n.k) {
    case K.Set:
      return [1, 1];
    case K.Seq: {
      let lo = 0;
      let hi = 0;
      for (const it of n.items) {
        const [a, b] = lengthRange(it);
        lo += a;
        hi += b;
      }
      return [lo, hi];
    }
    case K.Alt: {
      let lo = Infinity;
      let hi = 0;
      for (const a of n.alts) {
        const [x, y] = lengthRange(a);
        lo = Math.min(lo, x);
        hi = Math.max(hi, y);
      }
      return [lo, hi];
    }
    case K.Group:
      return lengthRange(n.body);
    case K.Repeat: {
      const [a, b] = lengthRange(n.body);
      return [a * n.min, n.max === Infinity ? (b === 0 ? 0 : Infinity) : b * n.max];
    }
    case K.Backref:
      return [0, Infinity];
    default:
      return [0, 0];
  }
}

/**
 * The shortest match a translated source can have (a lower bound), or 0 when the source is
 * outside this matcher's syntax. A subject shorter than this cannot match, whatever the engine.
 */
export function minMatchLength(source: string, flags: string): number {
  try {
    const min = lengthRange(new Parser(source, flags.includes('i')).parse())[0];
    return Number.isFinite(min) ? min : 0;
  } catch {
    return 0;
  }
}

/** Bytes of back-reference comparison and repeat scanning allowed per step of the limit. */
const WORK_PER_STEP = 64;

/**
 * A compiled pattern. `exec` finds the leftmost match at or after `from` (at `from` only when
 * sticky); throws RegexLimitExceeded when the step budget runs out.
 */
export class BacktrackRegex {
  readonly groupCount: number;
  start = -1;
  end = -1;
  private readonly root: Node;
  private readonly sticky: boolean;
  private readonly caseless: boolean;
  private caps: Int32Array;
  /**
   * Bytes a match can start with (every match is non-empty), or null: start positions not in it
   * are skipped. Worked out on the first exec (undefined until then).
   */
  private lead: Uint8Array | null | undefined = undefined;
  /** Every match begins with PCRE's multiline `^`: only line starts are tried. */
  private readonly lineStart: boolean;
  private subject = '';
  private steps = 0;
  private limit = 0;
  /**
   * Bytes compared by back-references and scanned by single-byte repeats, which count as one
   * step each (as PCRE counts its match calls) but cost their length: bounded apart, at
   * WORK_PER_STEP times the step limit, so `(a+)\1b` on a long run of `a` gives up in
   * milliseconds instead of seconds.
   */
  private work = 0;
  private workLimit = 0;

  constructor(source: string, flags: string) {
    const p = new Parser(source, flags.includes('i'));
    this.root = p.parse();
    this.groupCount = p.groups;
    this.sticky = flags.includes('y');
    this.caseless = flags.includes('i');
    this.caps = new Int32Array((p.groups + 1) * 2).fill(-1);
    // The translator's spelling of multiline `^` leading a pattern with no top-level `|`.
    this.lineStart = source.startsWith(ML_CARET) && this.root.k === K.Seq && this.root.items[0]!.k === K.Alt;
  }

  /** Whether a source can be compiled (the syntax subset the pcre translator produces). */
  static supports(source: string, flags: string): string | null {
    try {
      new BacktrackRegex(source, flags);
      return null;
    } catch (e) {
      return e instanceof ParseError ? e.message : String(e);
    }
  }

  exec(subject: string, from: number, stepLimit: number): boolean {
    this.subject = subject;
    this.steps = 0;
    this.limit = stepLimit;
    this.work = 0;
    this.workLimit = stepLimit * WORK_PER_STEP;
    const last = this.sticky ? from : subject.length;
    if (this.lead === undefined) this.lead = lengthRange(this.root)[0] > 0 ? leadSet(this.root) : null;
    const lead = this.lead;
    const lineStart = this.lineStart;
    for (let s = from; s <= last; s++) {
      // Multiline `^` holds at the subject start, and after a newline that is not the last byte.
      if (lineStart && s > 0 && (s >= subject.length || subject.charCodeAt(s - 1) !== 0x0a)) continue;
      if (lead !== null) {
        if (s >= subject.length) break;
        const c = subject.charCodeAt(s);
        if (c < 256 && lead[c] !== 1) continue;
      }
      this.caps.fill(-1);
      let endAt = -1;
      const done = (p: number): boolean => {
        endAt = p;
        return true;
      };
      // At a line start the leading multiline `^` (zero-width, no group) holds: match what follows it.
      const ok = lineStart ? this.seq((this.root as Extract<Node, { k: K.Seq }>).items, 1, s, done) : this.m(this.root, s, done);
      if (ok) {
        this.start = s;
        this.end = endAt;
        return true;
      }
    }
    return false;
  }

  private tick(): void {
    if (++this.steps > this.limit) throw new RegexLimitExceeded('pcre step limit');
  }

  private charge(bytes: number): void {
    this.work += bytes;
    if (this.work > this.workLimit) throw new RegexLimitExceeded('pcre step limit');
  }

  private m(n: Node, pos: number, k: Cont): boolean {
    this.tick();
    const s = this.subject;
    switch (n.k) {
      case K.Set:
        return pos < s.length && n.set[s.charCodeAt(pos)] === 1 && k(pos + 1);
      case K.Seq:
        return this.seq(n.items, 0, pos, k);
      case K.Alt:
        for (const a of n.alts) if (this.m(a, pos, k)) return true;
        return false;
      case K.Group: {
        const caps = this.caps;
        const i = n.index * 2;
        const oldS = caps[i]!;
        const oldE = caps[i + 1]!;
        const ok = this.m(n.body, pos, (p) => {
          const ps = caps[i]!;
          const pe = caps[i + 1]!;
          caps[i] = pos;
          caps[i + 1] = p;
          if (k(p)) return true;
          caps[i] = ps;
          caps[i + 1] = pe;
          return false;
        });
        if (!ok) {
          caps[i] = oldS;
          caps[i + 1] = oldE;
        }
        return ok;
      }
      case K.Look:
        return this.look(n, pos, k);
      case K.Backref: {
        const a = this.caps[n.index * 2]!;
        const b = this.caps[n.index * 2 + 1]!;
        if (a < 0 || b < 0) return false;
        const len = b - a;
        if (pos + len > s.length) return false;
        this.charge(len);
        if (this.caseless) {
          for (let j = 0; j < len; j++) if (CANON[s.charCodeAt(a + j)] !== CANON[s.charCodeAt(pos + j)]) return false;
        } else {
          for (let j = 0; j < len; j++) if (s.charCodeAt(a + j) !== s.charCodeAt(pos + j)) return false;
        }
        return k(pos + len);
      }
      case K.Start:
        return pos === 0 && k(pos);
      case K.End:
        return pos === s.length && k(pos);
      case K.WordB:
      case K.NotWordB: {
        const before = pos > 0 && isWord(s.charCodeAt(pos - 1));
        const after = pos < s.length && isWord(s.charCodeAt(pos));
        return (before !== after) === (n.k === K.WordB) && k(pos);
      }
      case K.Repeat:
        return n.body.k === K.Set ? this.repeatSet(n.body.set, n, pos, k) : this.repeat(n, pos, 0, k);
    }
  }

  private seq(items: Node[], i: number, pos: number, k: Cont): boolean {
    if (i === items.length) return k(pos);
    return this.m(items[i]!, pos, (p) => this.seq(items, i + 1, p, k));
  }

  private look(n: Extract<Node, { k: K.Look }>, pos: number, k: Cont): boolean {
    // Without a group inside, the assertion cannot change the captures: nothing to restore.
    const saved = n.captures ? this.caps.slice() : null;
    let found: boolean;
    if (!n.behind) {
      found = this.m(n.body, pos, () => true);
    } else {
      found = false;
      const lo = n.maxLen === Infinity ? 0 : Math.max(0, pos - n.maxLen);
      const hi = pos - n.minLen;
      // Nearest start first, as a backward match would find it.
      for (let st = hi; st >= lo && !found; st--) found = this.m(n.body, st, (p) => p === pos);
    }
    if (n.negate) {
      if (saved !== null) this.caps.set(saved);
      return !found && k(pos);
    }
    if (!found) {
      if (saved !== null) this.caps.set(saved);
      return false;
    }
    if (k(pos)) return true;
    if (saved !== null) this.caps.set(saved);
    return false;
  }

  /** A repeated single-byte set: count the run once, then hand each length to the continuation. */
  private repeatSet(set: Uint8Array, n: Extract<Node, { k: K.Repeat }>, pos: number, k: Cont): boolean {
    const s = this.subject;
    let run = 0;
    const cap = n.max === Infinity ? s.length - pos : Math.min(n.max, s.length - pos);
    while (run < cap && set[s.charCodeAt(pos + run)] === 1) run++;
    this.charge(run);
    if (run < n.min) return false;
    if (n.greedy) {
      for (let c = run; c >= n.min; c--) {
        this.tick();
        if (k(pos + c)) return true;
      }
    } else {
      for (let c = n.min; c <= run; c++) {
        this.tick();
        if (k(pos + c)) return true;
      }
    }
    return false;
  }

  private repeat(n: Extract<Node, { k: K.Repeat }>, pos: number, count: number, k: Cont): boolean {
    const again = (): boolean => {
      if (count >= n.max) return false;
      // Captures from earlier iterations stay until this one sets them (PCRE semantics); each
      // group puts its previous value back when what follows it fails.
      return this.m(n.body, pos, (p) => {
        // An iteration past the minimum that matched nothing ends the loop (no infinite repeat)
        // and stands, with what it captured, as in PCRE: JavaScript rejects it instead.
        if (p === pos && count + 1 > n.min) return k(p);
        return this.repeat(n, p, count + 1, k);
      });
    };
    if (count < n.min) return again();
    if (n.greedy) return again() || k(pos);
    return k(pos) || again();
  }
}

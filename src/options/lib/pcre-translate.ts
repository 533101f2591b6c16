/**
 * Translates a PCRE pattern (as Snort and Suricata compile it: 8-bit, non-UTF) into the source of
 * a JavaScript RegExp that runs over "binary" strings (one character per byte, 0-255), and
 * checks its syntax on the way, with the offset of each error inside the pattern.
 *
 * Why a translator rather than `new RegExp(pattern)`: JS lacks possessive quantifiers, atomic
 * groups, `\A \Z \z`, `(?i)`-style inline flags, `\Q..\E`, `\h \v \R`, `(?P<name>)`, and differs
 * on `.`, `\s`, `$`, octal and `\x{..}` escapes. Each is rewritten here into JS that means the
 * same thing over bytes, so the matcher can use V8's regex engine directly.
 *
 * Conventions of the produced source (the matcher relies on them):
 * - the subject is a binary string; `^`/`\A` mean the start of the subject, so a relative match
 *   passes the slice after the cursor as the subject;
 * - the `A` (anchored) flag becomes the JS `y` flag (match at lastIndex only);
 * - the JS `m` and `s` flags are never used (their PCRE meaning is spelled out in the source);
 * - `i` is spelled out as `[aA]` classes, except for patterns whose back-references must compare
 *   case-insensitively: those use the JS `i` flag (which also folds Latin-1 letters such as
 *   é/É, where PCRE without UTF folds ASCII only).
 * Constructs JS cannot express (recursion, conditionals, backtracking verbs, `\K`, Unicode
 * properties) make the pattern unsupported (the rule is skipped), never silently approximated.
 */

export interface PcreOptions {
  caseless: boolean;
  dotall: boolean;
  multiline: boolean;
  extended: boolean;
  anchored: boolean;
  dollarEndOnly: boolean;
  ungreedy: boolean;
}

export interface JsRegexSource {
  source: string;
  flags: string;
}

export type PcreTranslation =
  | { kind: 'ok'; regex: JsRegexSource; captureCount: number }
  | { kind: 'error'; message: string; offset: number; length: number }
  | { kind: 'unsupported'; reason: string; offset: number };

class SyntaxFailure {
  constructor(
    readonly message: string,
    readonly offset: number,
    readonly length = 1,
  ) {}
}

class UnsupportedFailure {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {}
}

interface OpenTok {
  open: true;
}
interface RefTok {
  /** A user group number or name, or one of the translator's own groups. */
  ref: number | string | OpenTok;
  offset: number;
  length: number;
}
type OutPiece = string | OpenTok | RefTok;

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
  x: boolean;
  U: boolean;
  n: boolean;
}

/** 256-bit byte set, 32 bytes per word. */
type ByteSet = Uint32Array;

const newSet = (): ByteSet => new Uint32Array(8);

function has(set: ByteSet, c: number): boolean {
  return (set[c >> 5]! & (1 << (c & 31))) !== 0;
}

function add(set: ByteSet, c: number): void {
  set[c >> 5]! |= 1 << (c & 31);
}

function setRange(set: ByteSet, lo: number, hi: number): void {
  for (let c = lo; c <= hi; c++) set[c >> 5]! |= 1 << (c & 31);
}

function addSet(into: ByteSet, from: ByteSet, negate: boolean): void {
  for (let w = 0; w < 8; w++) into[w]! |= negate ? ~from[w]! : from[w]!;
}

const SET_DIGIT = newSet();
setRange(SET_DIGIT, 0x30, 0x39);
const SET_WORD = newSet();
setRange(SET_WORD, 0x30, 0x39);
setRange(SET_WORD, 0x41, 0x5a);
setRange(SET_WORD, 0x61, 0x7a);
add(SET_WORD, 0x5f);
const SET_SPACE = newSet();
for (const c of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]) add(SET_SPACE, c);
const SET_HSPACE = newSet();
for (const c of [0x09, 0x20, 0xa0]) add(SET_HSPACE, c);
const SET_VSPACE = newSet();
for (const c of [0x0a, 0x0b, 0x0c, 0x0d, 0x85]) add(SET_VSPACE, c);

const POSIX: ReadonlyMap<string, (s: ByteSet) => void> = new Map(Object.entries({
  alnum: (s) => {
    setRange(s, 0x30, 0x39);
    setRange(s, 0x41, 0x5a);
    setRange(s, 0x61, 0x7a);
  },
  alpha: (s) => {
    setRange(s, 0x41, 0x5a);
    setRange(s, 0x61, 0x7a);
  },
  ascii: (s) => setRange(s, 0, 0x7f),
  blank: (s) => {
    add(s, 0x09);
    add(s, 0x20);
  },
  cntrl: (s) => {
    setRange(s, 0, 0x1f);
    add(s, 0x7f);
  },
  digit: (s) => setRange(s, 0x30, 0x39),
  graph: (s) => setRange(s, 0x21, 0x7e),
  lower: (s) => setRange(s, 0x61, 0x7a),
  print: (s) => setRange(s, 0x20, 0x7e),
  punct: (s) => {
    setRange(s, 0x21, 0x2f);
    setRange(s, 0x3a, 0x40);
    setRange(s, 0x5b, 0x60);
    setRange(s, 0x7b, 0x7e);
  },
  space: (s) => addSet(s, SET_SPACE, false),
  upper: (s) => setRange(s, 0x41, 0x5a),
  word: (s) => addSet(s, SET_WORD, false),
  xdigit: (s) => {
    setRange(s, 0x30, 0x39);
    setRange(s, 0x41, 0x46);
    setRange(s, 0x61, 0x66);
  },
} as Record<string, (s: ByteSet) => void>));

const HEX = '0123456789abcdef';
const hexByte = (b: number): string => '\\x' + HEX[b >> 4]! + HEX[b & 15]!;

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

function isAsciiLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

function isAlnum(b: number): boolean {
  return isAsciiLetter(b) || (b >= 0x30 && b <= 0x39);
}

/** Each byte as a JS regex atom outside classes, and its case-insensitive spelling. */
const LITERAL: readonly string[] = Array.from({ length: 256 }, (_, b) => {
  if (isAlnum(b) || b === 0x5f) return String.fromCharCode(b);
  if (b >= 0x20 && b <= 0x7e) {
    // Punctuation: escaped when it is a JS regex metacharacter, as-is otherwise.
    return '\\^$.|?*+()[]{}/-'.includes(String.fromCharCode(b)) ? '\\' + String.fromCharCode(b) : String.fromCharCode(b);
  }
  return hexByte(b);
});
const LITERAL_CASELESS: readonly string[] = LITERAL.map((js, b) =>
  isAsciiLetter(b) ? `[${String.fromCharCode(b & ~0x20)}${String.fromCharCode(b | 0x20)}]` : js,
);

/** Characters outside classes that stand for themselves in PCRE (no metacharacters, ASCII only). */
const PLAIN_RUN = /[^\\^$.|?*+()[\]{}\u0080-\uffff]+/y;
/** Runs that JS reads the same way without any escaping. */
const SAFE_RUN = /^[A-Za-z0-9_ !"#%&',:;<=>@`~]*$/;
/** PCRE's default bound on nested parentheses (PARENS_NEST_LIMIT); it also bounds the parsers' recursion. */
export const PCRE_NESTING_LIMIT = 250;

function literalJs(b: number): string {
  return LITERAL[b]!;
}

function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

/**
 * Rendered classes by content: the same few classes recur across thousands of rules. Keyed by
 * a hash of the set's words (entries hold their words to confirm): a text key would cost eight
 * number-to-string conversions per class.
 */
const classCache = new Map<number, { words: Uint32Array; js: string }[]>();
let classCacheSize = 0;

function renderClass(set: ByteSet): string {
  let h = 0x2545f491;
  for (let k = 0; k < 8; k++) h = Math.imul(h ^ set[k]!, 0x01000193);
  let bucket = classCache.get(h);
  if (bucket !== undefined) {
    for (const e of bucket) {
      const w = e.words;
      if (w[0] === set[0] && w[1] === set[1] && w[2] === set[2] && w[3] === set[3] && w[4] === set[4] && w[5] === set[5] && w[6] === set[6] && w[7] === set[7]) return e.js;
    }
  }
  const js = renderClassUncached(set);
  if (classCacheSize >= 4096) {
    classCache.clear();
    classCacheSize = 0;
    bucket = undefined;
  }
  if (bucket === undefined) classCache.set(h, (bucket = []));
  bucket.push({ words: set.slice(), js });
  classCacheSize++;
  return js;
}

function renderClassUncached(set: ByteSet): string {
  let count = 0;
  for (let c = 0; c < 256; c++) if (has(set, c)) count++;
  if (count === 256) return '[\\s\\S]';
  if (count === 0) return '[^\\s\\S]';
  const pos = runs(set, 1);
  const neg = runs(set, 0);
  if (pos.length === 1 && pos[0]![0] === pos[0]![1]) return literalJs(pos[0]![0]);
  const body = (rs: Array<[number, number]>): string =>
    rs.map(([lo, hi]) => (lo === hi ? classJs(lo) : hi === lo + 1 ? classJs(lo) + classJs(hi) : `${classJs(lo)}-${classJs(hi)}`)).join('');
  return neg.length < pos.length ? `[^${body(neg)}]` : `[${body(pos)}]`;
}

function classJs(b: number): string {
  return isAlnum(b) || b === 0x5f ? String.fromCharCode(b) : hexByte(b);
}

function runs(set: ByteSet, want: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const wanted = want === 1;
  let c = 0;
  while (c < 256) {
    if (has(set, c) !== wanted) {
      c++;
      continue;
    }
    const lo = c;
    while (c < 256 && has(set, c) === wanted) c++;
    out.push([lo, c - 1]);
  }
  return out;
}

function foldAscii(set: ByteSet): void {
  // Word 2 holds 0x40-0x5f, word 3 holds 0x60-0x7f: the letters sit on the same bits 1-26.
  const letters = (set[2]! | set[3]!) & 0x07fffffe;
  set[2]! |= letters;
  set[3]! |= letters;
}

type Escape =
  | { t: 'byte'; v: number }
  | { t: 'set'; set: ByteSet; js: string }
  | { t: 'anchor'; js: string }
  | { t: 'atom'; js: string }
  | { t: 'ref'; ref: number | string }
  | { t: 'quote' }
  | { t: 'none' };

class Translator {
  private i = 0;
  private out: OutPiece[] = [];
  private flags: Flags;
  private userGroups = 0;
  private readonly groupToks: OpenTok[] = [];
  private readonly names = new Map<string, number>();
  private readonly refs: RefTok[] = [];
  caselessBackref = false;
  inlineCaseChange = false;
  /** (*BSR_ANYCRLF): \R matches \r, \n and \r\n only. */
  private bsrAnyCrlf = false;

  constructor(
    private readonly p: string,
    private readonly opts: PcreOptions,
    private readonly jsCaseless: boolean,
  ) {
    this.flags = { i: opts.caseless, s: opts.dotall, m: opts.multiline, x: opts.extended, U: opts.ungreedy, n: false };
  }

  run(): { source: string; captureCount: number } {
    this.startVerbs();
    this.alternation();
    if (this.i < this.p.length) throw new SyntaxFailure('unmatched closing parenthesis: remove it or escape it as \\)', this.i);
    for (const r of this.refs) {
      if (typeof r.ref === 'object') continue;
      if (typeof r.ref === 'string') {
        if (!this.names.has(r.ref)) throw new SyntaxFailure(`reference to non-existent subpattern "${r.ref}"`, r.offset, r.length);
      } else if (r.ref > this.userGroups || r.ref <= 0) {
        throw new SyntaxFailure(`reference to non-existent subpattern ${r.ref}: the pattern has ${this.userGroups} capturing group(s)`, r.offset, r.length);
      }
    }
    return { source: this.render(), captureCount: this.userGroups };
  }

  private render(): string {
    const jsNumber = new Map<OpenTok, number>();
    let n = 0;
    for (const piece of this.out) if (typeof piece !== 'string' && 'open' in piece) jsNumber.set(piece, ++n);
    let s = '';
    for (const piece of this.out) {
      if (typeof piece === 'string') s += piece;
      else if ('open' in piece) s += '(';
      else {
        const ref = piece.ref;
        const tok = typeof ref === 'object' ? ref : this.groupToks[(typeof ref === 'string' ? this.names.get(ref)! : ref) - 1]!;
        s += `(?:\\${jsNumber.get(tok)!})`;
      }
    }
    return s;
  }

  /** `(*UTF8)`, `(*LIMIT_MATCH=n)`, ... at the very start. */
  private startVerbs(): void {
    const p = this.p;
    while (p.startsWith('(*', this.i)) {
      const close = p.indexOf(')', this.i);
      if (close < 0) return;
      const verb = p.slice(this.i + 2, close);
      if (/^(UTF8?|UCP)$/.test(verb)) throw new UnsupportedFailure(`(*${verb}) switches PCRE to Unicode mode, which kanshi does not evaluate`, this.i);
      if (/^(CR|CRLF|ANYCRLF|ANY|NUL)$/.test(verb)) throw new UnsupportedFailure(`(*${verb}) changes the newline convention, which kanshi does not evaluate`, this.i);
      if (!/^(LF|NO_START_OPT|NO_AUTO_POSSESS|NO_DOTSTAR_ANCHOR|NO_JIT|BSR_ANYCRLF|BSR_UNICODE|LIMIT_(MATCH|RECURSION|DEPTH|HEAP)=\d+)$/.test(verb)) return;
      if (verb === 'BSR_ANYCRLF' || verb === 'BSR_UNICODE') this.bsrAnyCrlf = verb === 'BSR_ANYCRLF';
      this.i = close + 1;
    }
  }

  private fail(message: string, offset = this.i, length = 1): never {
    throw new SyntaxFailure(message, offset, length);
  }

  private skipExtended(): void {
    if (!this.flags.x) return;
    const p = this.p;
    while (this.i < p.length) {
      const c = p.charCodeAt(this.i);
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) this.i++;
      else if (c === 0x23 /* # */) {
        while (this.i < p.length && p.charCodeAt(this.i) !== 0x0a) this.i++;
      } else break;
    }
  }

  /** Parses alternatives up to a `)` (not consumed) or the end. */
  private alternation(): void {
    const p = this.p;
    for (;;) {
      this.skipExtended();
      if (this.i >= p.length) return;
      const c = p.charCodeAt(this.i);
      if (c === 0x7c /* | */) {
        this.out.push('|');
        this.i++;
        continue;
      }
      // A `)` ends the group being parsed; at the top level run() reports it as unmatched.
      if (c === 0x29 /* ) */) return;
      this.item();
    }
  }

  /** One atom and its quantifier. */
  private item(): void {
    const p = this.p;
    if (!this.flags.x && this.literalRun()) return;
    const c = p.charCodeAt(this.i);
    const itemOffset = this.i;
    let atomStart = this.out.length;
    let kind: 'repeatable' | 'assertion' | 'anchor' | 'nothing' = 'repeatable';
    switch (c) {
      case 0x28 /* ( */:
        kind = this.group();
        break;
      case 0x5b /* [ */:
        if (p.startsWith('[[:<:]]', this.i) || p.startsWith('[[:>:]]', this.i)) {
          // PCRE reads these as \b(?=\w) and \b(?<=\w), not as classes; a quantifier binds to the lookaround.
          const start = p[this.i + 3] === '<';
          this.i += 7;
          this.out.push('\\b');
          atomStart = this.out.length;
          this.out.push(start ? '(?=\\w)' : '(?<=\\w)');
          kind = 'assertion';
          break;
        }
        this.out.push(this.charClass());
        break;
      case 0x5c /* \ */: {
        const e = this.escape(false);
        switch (e.t) {
          case 'byte':
            this.out.push(this.literal(e.v));
            break;
          case 'set':
            this.out.push(e.js);
            break;
          case 'anchor':
            this.out.push(e.js);
            kind = 'anchor';
            break;
          case 'atom':
            this.out.push(e.js);
            break;
          case 'ref': {
            const tok: RefTok = { ref: e.ref, offset: itemOffset, length: this.i - itemOffset };
            if (this.flags.i) this.caselessBackref = true;
            this.refs.push(tok);
            this.out.push(tok);
            break;
          }
          case 'quote':
            atomStart = this.quoted();
            if (atomStart < 0) return;
            break;
          case 'none':
            return;
        }
        break;
      }
      case 0x2e /* . */:
        this.i++;
        this.out.push(this.flags.s ? '[\\s\\S]' : '[^\\n]');
        break;
      case 0x5e /* ^ */:
        this.i++;
        // PCRE multiline `^` matches after an internal newline but not after a final one.
        this.out.push(this.flags.m ? '(?:^|(?<=\\n)(?=[\\s\\S]))' : '^');
        kind = 'anchor';
        break;
      case 0x24 /* $ */:
        this.i++;
        this.out.push(this.flags.m ? '(?=\\n|$)' : this.opts.dollarEndOnly ? '$' : '(?=\\n?$)');
        kind = 'anchor';
        break;
      case 0x2a /* * */:
      case 0x2b /* + */:
      case 0x3f /* ? */:
        this.fail('quantifier does not follow a repeatable item: escape it (\\' + p[this.i] + ') to match it literally');
        break;
      case 0x7b /* { */:
        if (this.quantifierAhead()) this.fail('quantifier does not follow a repeatable item: escape it (\\{) to match it literally');
        this.i++;
        this.out.push('\\{');
        break;
      default: {
        if (c < 0x80) {
          this.i++;
          this.out.push(this.literal(c));
          break;
        }
        const cp = p.codePointAt(this.i)!;
        this.i += cp > 0xffff ? 2 : 1;
        const bytes = utf8Bytes(cp);
        // Without UTF mode PCRE sees the bytes: a quantifier binds to the last one.
        for (let k = 0; k < bytes.length - 1; k++) this.out.push(this.literal(bytes[k]!));
        atomStart = this.out.length;
        this.out.push(this.literal(bytes[bytes.length - 1]!));
      }
    }
    if (kind === 'nothing') return;
    this.skipExtended();
    const q = this.quantifier();
    if (q === null) return;
    if (this.lookbehind > 0 && (q.text === '*' || q.text === '+' || q.text.endsWith(',}'))) {
      // JS accepts any lookbehind; every PCRE version refuses one without a bounded length.
      this.fail('lookbehind assertion is not fixed length: PCRE refuses an unbounded repeat inside (?<= or (?<!: give it a fixed count ({3}) or move it out of the lookbehind', q.offset, q.length);
    }
    if (kind === 'anchor') this.fail('quantifier does not follow a repeatable item: an anchor cannot be repeated', q.offset, q.length);
    if (kind === 'assertion') {
      // JS only repeats lookaheads; a group around the assertion repeats the same way.
      this.out.splice(atomStart, 0, '(?:');
      this.out.push(')');
    }
    if (q.possessive) {
      // Possessive = atomic: (?=(X))\N keeps what X matched and never backtracks into it.
      const tok: OpenTok = { open: true };
      this.out.splice(atomStart, 0, '(?=', tok);
      this.out.push(q.text, ')', ')', this.internalRef(tok));
    } else {
      this.out.push(q.text + (q.lazy !== this.flags.U ? '?' : ''));
    }
  }

  /**
   * Copies a run of plain literal characters in one step (patterns are mostly literal text),
   * leaving a last character that a quantifier follows to item(). True when the run ends the item.
   */
  private literalRun(): boolean {
    const p = this.p;
    PLAIN_RUN.lastIndex = this.i;
    const m = PLAIN_RUN.exec(p);
    if (m === null) return false;
    const run = m[0];
    const after = this.i + run.length;
    const q = p.charCodeAt(after);
    const quantified = q === 0x2a || q === 0x2b || q === 0x3f || (q === 0x7b && this.quantifierAt(after));
    const take = quantified ? run.length - 1 : run.length;
    if (take === 0) return false;
    const text = run.length === take ? run : run.slice(0, take);
    if (this.flags.i && !this.jsCaseless) {
      let js = '';
      for (let k = 0; k < take; k++) js += LITERAL_CASELESS[text.charCodeAt(k)]!;
      this.out.push(js);
    } else if (SAFE_RUN.test(text)) {
      this.out.push(text);
    } else {
      let js = '';
      for (let k = 0; k < take; k++) js += LITERAL[text.charCodeAt(k)]!;
      this.out.push(js);
    }
    this.i += take;
    return !quantified;
  }

  private quantifierAt(at: number): boolean {
    const save = this.i;
    this.i = at;
    const q = this.readBraces();
    this.i = save;
    return q !== null;
  }

  private internalRef(tok: OpenTok): RefTok {
    return { ref: tok, offset: 0, length: 0 };
  }

  private literal(b: number): string {
    return this.flags.i && !this.jsCaseless ? LITERAL_CASELESS[b]! : LITERAL[b]!;
  }

  /** `\Q...\E`: returns where the last literal starts (the quantifier binds to it), or -1 when empty. */
  private quoted(): number {
    const p = this.p;
    let last = -1;
    while (this.i < p.length) {
      if (p.startsWith('\\E', this.i)) {
        this.i += 2;
        break;
      }
      const cp = p.codePointAt(this.i)!;
      this.i += cp > 0xffff ? 2 : 1;
      for (const b of utf8Bytes(cp)) {
        last = this.out.length;
        this.out.push(this.literal(b));
      }
    }
    return last;
  }

  private quantifierAhead(): boolean {
    const save = this.i;
    const q = this.readBraces();
    this.i = save;
    return q !== null;
  }

  private readBraces(): { min: number; max: number | undefined; start: number } | null {
    const p = this.p;
    const start = this.i;
    if (p.charCodeAt(this.i) !== 0x7b) return null;
    let j = this.i + 1;
    const d1 = j;
    while (j < p.length && p.charCodeAt(j) >= 0x30 && p.charCodeAt(j) <= 0x39) j++;
    if (j === d1) return null;
    const min = Number(p.slice(d1, j));
    let max: number | undefined = min;
    if (p.charCodeAt(j) === 0x2c) {
      j++;
      const d2 = j;
      while (j < p.length && p.charCodeAt(j) >= 0x30 && p.charCodeAt(j) <= 0x39) j++;
      max = j === d2 ? undefined : Number(p.slice(d2, j));
    }
    if (p.charCodeAt(j) !== 0x7d) return null;
    this.i = j + 1;
    return { min, max, start };
  }

  private quantifier(): { text: string; lazy: boolean; possessive: boolean; offset: number; length: number } | null {
    const p = this.p;
    const offset = this.i;
    const c = p.charCodeAt(this.i);
    let text: string;
    if (c === 0x2a || c === 0x2b || c === 0x3f) {
      text = p[this.i]!;
      this.i++;
    } else if (c === 0x7b) {
      const b = this.readBraces();
      if (b === null) return null;
      if (b.min > 65535 || (b.max !== undefined && b.max > 65535)) this.fail('number too big in {} quantifier: the limit is 65535', b.start, this.i - b.start);
      if (b.max !== undefined && b.max < b.min) this.fail(`numbers out of order in {} quantifier: write {${b.max},${b.min}}`, b.start, this.i - b.start);
      text = b.max === b.min ? `{${b.min}}` : `{${b.min},${b.max ?? ''}}`;
    } else return null;
    let lazy = false;
    let possessive = false;
    if (p.charCodeAt(this.i) === 0x3f) {
      lazy = true;
      this.i++;
    } else if (p.charCodeAt(this.i) === 0x2b) {
      possessive = true;
      this.i++;
    }
    return { text, lazy, possessive, offset, length: this.i - offset };
  }

  /** Groups open around the current position (see PCRE_NESTING_LIMIT). */
  private depth = 0;
  /** Lookbehind assertions open around the current position. */
  private lookbehind = 0;

  /** At `(`; returns what kind of atom the group is. */
  private group(): 'repeatable' | 'assertion' | 'nothing' {
    if (++this.depth > PCRE_NESTING_LIMIT) {
      this.fail(`parentheses nested more than ${PCRE_NESTING_LIMIT} deep, which PCRE refuses: flatten the pattern (a group inside a group can often be one group)`, this.i);
    }
    const kind = this.groupAt();
    this.depth--;
    return kind;
  }

  private groupAt(): 'repeatable' | 'assertion' | 'nothing' {
    const p = this.p;
    const open = this.i;
    this.i++;
    const saved = { ...this.flags };
    let kind: 'repeatable' | 'assertion' = 'repeatable';
    let behind = false;
    if (p.charCodeAt(this.i) === 0x2a /* * */) return this.verb(open);
    if (p.charCodeAt(this.i) !== 0x3f /* ? */) {
      if (this.flags.n) this.out.push('(?:');
      else this.capture();
    } else {
      this.i++;
      const c = p[this.i];
      if (c === '#') {
        const end = p.indexOf(')', this.i);
        if (end < 0) this.fail('missing ) after (?# comment', open, p.length - open);
        this.i = end + 1;
        return 'nothing';
      } else if (c === ':') {
        this.i++;
        this.out.push('(?:');
      } else if (c === '=' || c === '!') {
        this.i++;
        this.out.push('(?' + c);
        kind = 'assertion';
      } else if (c === '<' && (p[this.i + 1] === '=' || p[this.i + 1] === '!')) {
        this.out.push('(?<' + p[this.i + 1]);
        this.i += 2;
        kind = 'assertion';
        behind = true;
        this.lookbehind++;
      } else if (c === '<' || c === "'" || (c === 'P' && p[this.i + 1] === '<')) {
        if (c === 'P') this.i++;
        const term = p[this.i] === "'" ? "'" : '>';
        this.i++;
        const name = this.groupName(term);
        if (this.names.has(name)) this.fail(`two named subpatterns have the same name "${name}": rename one`, open, this.i - open);
        this.capture();
        this.names.set(name, this.userGroups);
      } else if (c === 'P' && p[this.i + 1] === '=') {
        this.i += 2;
        const name = this.groupName(')');
        const tok: RefTok = { ref: name, offset: open, length: this.i - open };
        if (this.flags.i) this.caselessBackref = true;
        this.refs.push(tok);
        this.out.push(tok);
        return 'repeatable';
      } else if ((c === 'P' && p[this.i + 1] === '>') || c === '&' || c === 'R' || (c !== undefined && /[0-9+-]/.test(c) && this.isRecursion())) {
        throw new UnsupportedFailure('recursion and subroutine calls ((?R), (?1), (?&name)) cannot be evaluated', open);
      } else if (c === '>') {
        this.i++;
        // Atomic group (?>X) = (?=(X))\N in JS, grouped so that a quantifier repeats all of it.
        const tok: OpenTok = { open: true };
        this.out.push('(?:(?=', tok);
        this.alternation();
        this.closeGroup(open);
        this.out.push(')', ')', this.internalRef(tok), ')');
        this.flags = saved;
        return 'repeatable';
      } else if (c === '|') {
        throw new UnsupportedFailure('branch reset groups (?|...) cannot be evaluated', open);
      } else if (c === '(') {
        throw new UnsupportedFailure('conditional groups (?(...)...) cannot be evaluated', open);
      } else if (c === 'C') {
        throw new UnsupportedFailure('callouts (?C) cannot be evaluated', open);
      } else {
        // Option setting: (?imsxnU-imsx) or (?imsx-imsx:...)
        let on = true;
        const next = { ...this.flags };
        for (;;) {
          const f = p[this.i];
          if (f === undefined) this.fail('missing ) after (? option setting', open, p.length - open);
          if (f === ')' || f === ':') break;
          if (f === '-') on = false;
          else if (f === '^') {
            next.i = next.m = next.s = next.x = next.n = false;
          } else if (f === 'i' || f === 'm' || f === 's' || f === 'x' || f === 'U' || f === 'n') {
            if (f === 'i' && next.i !== on) this.inlineCaseChange = true;
            next[f] = on;
          } else if (f === 'J' || f === 'X') {
            // Duplicate names / extra strictness: no effect on what matches.
          } else {
            this.fail(`unrecognized character after (? or (?-: "${f}"`, this.i);
          }
          this.i++;
        }
        if (p[this.i] === ')') {
          // Applies to the rest of the enclosing group.
          this.i++;
          this.flags = next;
          return 'nothing';
        }
        this.i++;
        this.flags = next;
        this.out.push('(?:');
      }
    }
    this.alternation();
    this.closeGroup(open);
    if (behind) this.lookbehind--;
    this.out.push(')');
    this.flags = saved;
    return kind;
  }

  private isRecursion(): boolean {
    const m = /^[+-]?\d+\)/.exec(this.p.slice(this.i, this.i + 8));
    return m !== null;
  }

  private closeGroup(open: number): void {
    if (this.p.charCodeAt(this.i) !== 0x29) this.fail('missing ) to close the group opened here', open, 1);
    this.i++;
  }

  private capture(): void {
    const tok: OpenTok = { open: true };
    this.userGroups++;
    this.groupToks.push(tok);
    this.out.push(tok);
  }

  private groupName(term: string): string {
    const p = this.p;
    const start = this.i;
    while (this.i < p.length && /[A-Za-z0-9_]/.test(p[this.i]!)) this.i++;
    const name = p.slice(start, this.i);
    if (name === '' || /^[0-9]/.test(name)) this.fail('a subpattern name must start with a letter or _', start);
    if (name.length > 32) this.fail('subpattern name is too long (maximum 32 characters)', start, name.length);
    if (p[this.i] !== term) this.fail(`syntax error in subpattern name (missing terminator ${term})`, this.i);
    this.i++;
    return name;
  }

  private verb(open: number): 'repeatable' {
    const p = this.p;
    const close = p.indexOf(')', open);
    if (close < 0) this.fail('missing ) after (*VERB', open, p.length - open);
    const verb = p.slice(open + 2, close);
    if (verb === 'FAIL' || verb === 'F') {
      this.i = close + 1;
      this.out.push('(?!)');
      return 'repeatable';
    }
    if (/^(ACCEPT|COMMIT|PRUNE|SKIP|THEN|MARK|:)/.test(verb) || verb.startsWith(':')) {
      throw new UnsupportedFailure(`backtracking control verb (*${verb}) cannot be evaluated`, open);
    }
    this.fail(`(*VERB) not recognized: (*${verb})`, open, close - open + 1);
  }

  private charClass(): string {
    const p = this.p;
    const open = this.i;
    this.i++;
    let negate = false;
    if (p[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const set = newSet();
    let first = true;
    for (;;) {
      if (this.i >= p.length) this.fail('missing terminating ] for character class', open, p.length - open);
      const c = p[this.i]!;
      if (c === ']' && !first) {
        this.i++;
        break;
      }
      first = false;
      if (c === '[' && (p[this.i + 1] === ':' || p[this.i + 1] === '.' || p[this.i + 1] === '=')) {
        const posix = this.posixClass();
        if (posix !== null) {
          addSet(set, posix, false);
          continue;
        }
      }
      const startOffset = this.i;
      const lo = this.classAtom(set);
      if (lo === null) continue;
      // A range `lo-hi`, unless the `-` is last or followed by a class escape (then it is literal).
      if (p[this.i] === '-' && p[this.i + 1] !== ']' && this.i + 1 < p.length) {
        const save = this.i;
        this.i++;
        if (p[this.i] === '[' && (p[this.i + 1] === ':' || p[this.i + 1] === '.' || p[this.i + 1] === '=')) {
          this.i = save;
          add(set, lo);
          continue;
        }
        const hiSet = newSet();
        const hi = this.classAtom(hiSet);
        if (hi === null) {
          // `[a-\d]`: PCRE1 takes the hyphen literally.
          add(set, lo);
          add(set, 0x2d);
          addSet(set, hiSet, false);
          continue;
        }
        if (hi < lo) this.fail('range out of order in character class: write the smaller character first', startOffset, this.i - startOffset);
        setRange(set, lo, hi);
        continue;
      }
      add(set, lo);
    }
    if (this.flags.i) foldAscii(set);
    if (negate) {
      for (let w = 0; w < 8; w++) set[w] = ~set[w]!;
    }
    return renderClass(set);
  }

  private posixClass(): ByteSet | null {
    const p = this.p;
    const kind = p[this.i + 1]!;
    const end = p.indexOf(kind + ']', this.i + 2);
    if (end < 0) return null;
    const inner = p.slice(this.i + 2, end);
    if (!/^\^?[a-z]+$/.test(inner)) return null;
    if (kind !== ':') this.fail('POSIX collating elements are not supported', this.i, end + 2 - this.i);
    const neg = inner.startsWith('^');
    const name = neg ? inner.slice(1) : inner;
    const fill = POSIX.get(name);
    if (fill === undefined) this.fail(`unknown POSIX class name "${name}"`, this.i, end + 2 - this.i);
    const s = newSet();
    fill(s);
    this.i = end + 2;
    if (!neg) return s;
    const n = newSet();
    addSet(n, s, true);
    return n;
  }

  /** One class member: returns its byte, or null after adding a class escape (\d, \s, ...) to `set`. */
  private classAtom(set: ByteSet): number | null {
    const p = this.p;
    const c = p[this.i]!;
    if (c === '\\') {
      const e = this.escape(true);
      switch (e.t) {
        case 'byte':
          return e.v;
        case 'set':
          addSet(set, e.set, false);
          return null;
        case 'quote': {
          let last: number | null = null;
          while (this.i < p.length && !p.startsWith('\\E', this.i)) {
            const cp = p.codePointAt(this.i)!;
            this.i += cp > 0xffff ? 2 : 1;
            const bytes = utf8Bytes(cp);
            for (const b of bytes) {
              if (last !== null) add(set, last);
              last = b;
            }
          }
          if (p.startsWith('\\E', this.i)) this.i += 2;
          if (last !== null) add(set, last);
          return null;
        }
        case 'none':
          return null;
        default:
          this.fail('escape sequence is invalid in character class', this.i - 2, 2);
      }
    }
    const code = p.charCodeAt(this.i);
    if (code < 0x80) {
      this.i++;
      return code;
    }
    const cp = p.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    const bytes = utf8Bytes(cp);
    // Non-UTF PCRE sees a multi-byte character as separate bytes in the class.
    for (let k = 0; k < bytes.length - 1; k++) add(set, bytes[k]!);
    return bytes[bytes.length - 1]!;
  }

  /** At `\`; consumes the escape. */
  private escape(inClass: boolean): Escape {
    const p = this.p;
    const start = this.i;
    this.i++;
    if (this.i >= p.length) this.fail('\\ at end of pattern: escape it as \\\\', start);
    const c = p[this.i]!;
    this.i++;
    switch (c) {
      case 'd':
        return ESC_D_POS;
      case 'D':
        return ESC_D_NEG;
      case 'w':
        return ESC_W_POS;
      case 'W':
        return ESC_W_NEG;
      case 's':
        return ESC_S_POS;
      case 'S':
        return ESC_S_NEG;
      case 'h':
        return ESC_H_POS;
      case 'H':
        return ESC_H_NEG;
      case 'v':
        return ESC_V_POS;
      case 'V':
        return ESC_V_NEG;
      case 'n':
        return { t: 'byte', v: 0x0a };
      case 'r':
        return { t: 'byte', v: 0x0d };
      case 't':
        return { t: 'byte', v: 0x09 };
      case 'f':
        return { t: 'byte', v: 0x0c };
      case 'a':
        return { t: 'byte', v: 0x07 };
      case 'e':
        return { t: 'byte', v: 0x1b };
      case 'b':
        return inClass ? { t: 'byte', v: 0x08 } : { t: 'anchor', js: '\\b' };
      case 'B':
        return inClass ? this.fail('escape sequence is invalid in character class', start, 2) : { t: 'anchor', js: '\\B' };
      case 'A':
      case 'G':
        // \G: the start of the match attempt, which is the subject start for every match kanshi runs.
        return inClass ? this.fail('escape sequence is invalid in character class', start, 2) : { t: 'anchor', js: '^' };
      case 'z':
        return inClass ? this.fail('escape sequence is invalid in character class', start, 2) : { t: 'anchor', js: '$' };
      case 'Z':
        return inClass ? this.fail('escape sequence is invalid in character class', start, 2) : { t: 'anchor', js: '(?=\\n?$)' };
      case 'R':
        // \R is atomic in PCRE: it never gives back the \n of a \r\n to what follows it.
        if (inClass) this.fail('escape sequence is invalid in character class', start, 2);
        return { t: 'atom', js: this.bsrAnyCrlf ? '(?:\\r\\n|\\r(?!\\n)|\\n)' : '(?:\\r\\n|\\r(?!\\n)|[\\n\\x0b\\x0c\\x85])' };
      case 'N':
        return inClass ? this.fail('escape sequence is invalid in character class', start, 2) : { t: 'atom', js: '[^\\n]' };
      case 'X':
      case 'p':
      case 'P':
      case 'C':
        throw new UnsupportedFailure(`\\${c} (Unicode property or code unit) cannot be evaluated without UTF mode`, start);
      case 'K':
        throw new UnsupportedFailure('\\K (reset match start) cannot be evaluated', start);
      case 'Q':
        return { t: 'quote' };
      case 'E':
        return { t: 'none' };
      case 'x':
        return { t: 'byte', v: this.hexEscape(start) };
      case 'o':
        return { t: 'byte', v: this.braceOctal(start) };
      case 'c': {
        const n = p.charCodeAt(this.i);
        if (Number.isNaN(n) || n < 0x20 || n > 0x7e) this.fail('\\c must be followed by a printable ASCII character', start, 2);
        this.i++;
        const up = n >= 0x61 && n <= 0x7a ? n - 0x20 : n;
        return { t: 'byte', v: up ^ 0x40 };
      }
      case 'g':
        if (inClass) this.fail('escape sequence is invalid in character class', start, 2);
        return this.gReference(start);
      case 'k':
        if (inClass) this.fail('escape sequence is invalid in character class', start, 2);
        return this.kReference(start);
      default:
        break;
    }
    const code = c.charCodeAt(0);
    if (code >= 0x30 && code <= 0x39) return this.digitEscape(start, inClass);
    if (isAsciiLetter(code)) this.fail(`unrecognized character follows \\: \\${c} has no meaning in PCRE; write ${c} without the backslash`, start, 2);
    // Any other escaped character stands for itself.
    const cp = p.codePointAt(this.i - 1)!;
    if (cp > 0xffff) this.i++;
    const bytes = utf8Bytes(cp);
    if (bytes.length === 1) return { t: 'byte', v: bytes[0]! };
    return { t: 'atom', js: bytes.map(literalJs).join('') };
  }

  private hexEscape(start: number): number {
    const p = this.p;
    if (p[this.i] === '{') {
      const end = p.indexOf('}', this.i);
      const digits = end < 0 ? '' : p.slice(this.i + 1, end);
      if (end < 0 || !/^[0-9a-fA-F]+$/.test(digits)) this.fail('malformed \\x{...}: write \\x{hh} with hex digits', start, Math.max(2, (end < 0 ? p.length : end + 1) - start));
      const v = parseInt(digits, 16);
      if (v > 0xff) this.fail('character code point value in \\x{} is too large: without UTF mode the limit is \\x{ff}', start, end + 1 - start);
      this.i = end + 1;
      return v;
    }
    let v = 0;
    let n = 0;
    while (n < 2 && this.i < p.length) {
      const d = hexDigit(p.charCodeAt(this.i));
      if (d < 0) break;
      v = v * 16 + d;
      this.i++;
      n++;
    }
    return v;
  }

  private braceOctal(start: number): number {
    const p = this.p;
    if (p[this.i] !== '{') this.fail('\\o must be followed by {...} with octal digits', start, 2);
    const end = p.indexOf('}', this.i);
    const digits = end < 0 ? '' : p.slice(this.i + 1, end);
    if (end < 0 || !/^[0-7]+$/.test(digits)) this.fail('malformed \\o{...}: write octal digits between the braces', start, 2);
    const v = parseInt(digits, 8);
    if (v > 0xff) this.fail('octal value is greater than \\377 (not allowed without UTF mode)', start, end + 1 - start);
    this.i = end + 1;
    return v;
  }

  private digitEscape(start: number, inClass: boolean): Escape {
    const p = this.p;
    let j = start + 1;
    while (j < p.length && /[0-9]/.test(p[j]!)) j++;
    const digits = p.slice(start + 1, j);
    if (!inClass && digits[0] !== '0') {
      const n = Number(digits);
      if (n < 10 || digits[0] === '8' || digits[0] === '9' || n <= this.userGroups) {
        this.i = j;
        return { t: 'ref', ref: n };
      }
    }
    // Octal: \0 plus up to two digits, or up to three octal digits.
    let k = start + 1;
    let v = 0;
    while (k < p.length && k - (start + 1) < 3 && /[0-7]/.test(p[k]!)) {
      v = v * 8 + Number(p[k]);
      k++;
    }
    if (k === start + 1) {
      // \8 or \9 in a class: the digit itself.
      this.i = start + 2;
      return { t: 'byte', v: p.charCodeAt(start + 1) };
    }
    if (v > 0xff) this.fail('octal value is greater than \\377 (not allowed without UTF mode)', start, k - start);
    this.i = k;
    return { t: 'byte', v };
  }

  private gReference(start: number): Escape {
    const p = this.p;
    let body: string;
    if (p[this.i] === '{') {
      const end = p.indexOf('}', this.i);
      if (end < 0) this.fail('\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number', start, 2);
      body = p.slice(this.i + 1, end);
      this.i = end + 1;
    } else if (p[this.i] === '<' || p[this.i] === "'") {
      throw new UnsupportedFailure('subroutine calls (\\g<...>) cannot be evaluated', start);
    } else {
      const m = /^-?\d+/.exec(p.slice(this.i, this.i + 6));
      if (m === null) this.fail('\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number', start, 2);
      body = m[0];
      this.i += body.length;
    }
    if (/^-\d+$/.test(body)) {
      const n = this.userGroups + 1 + Number(body);
      if (n <= 0) this.fail('reference to non-existent subpattern', start, this.i - start);
      return { t: 'ref', ref: n };
    }
    if (/^\+\d+$/.test(body)) return { t: 'ref', ref: this.userGroups + Number(body.slice(1)) };
    if (/^\d+$/.test(body)) return { t: 'ref', ref: Number(body) };
    if (/^[A-Za-z_]\w*$/.test(body)) return { t: 'ref', ref: body };
    this.fail('\\g{...} must hold a group number or name', start, this.i - start);
  }

  private kReference(start: number): Escape {
    const p = this.p;
    const open = p[this.i];
    const term = open === '<' ? '>' : open === "'" ? "'" : open === '{' ? '}' : undefined;
    if (term === undefined) this.fail('\\k is not followed by a braced, angle-bracketed, or quoted name', start, 2);
    this.i++;
    const name = this.groupName(term);
    return { t: 'ref', ref: name };
  }
}

function negated(set: ByteSet): ByteSet {
  const n = newSet();
  addSet(n, set, true);
  return n;
}

function classEscape(set: ByteSet): Escape {
  return { t: 'set', set, js: renderClass(set) };
}

const ESC_D_POS = classEscape(SET_DIGIT);
const ESC_D_NEG = classEscape(negated(SET_DIGIT));
const ESC_W_POS = classEscape(SET_WORD);
const ESC_W_NEG = classEscape(negated(SET_WORD));
const ESC_S_POS = classEscape(SET_SPACE);
const ESC_S_NEG = classEscape(negated(SET_SPACE));
const ESC_H_POS = classEscape(SET_HSPACE);
const ESC_H_NEG = classEscape(negated(SET_HSPACE));
const ESC_V_POS = classEscape(SET_VSPACE);
const ESC_V_NEG = classEscape(negated(SET_VSPACE));

/** Syntax check and translation; never throws. */
export function translatePcre(pattern: string, opts: PcreOptions): PcreTranslation {
  try {
    let t = new Translator(pattern, opts, false);
    let result = t.run();
    let jsCaseless = false;
    if (t.caselessBackref) {
      // Back-references compare case-insensitively only with the engine's own i flag,
      // which can be used when case-insensitivity covers the whole pattern.
      if (!opts.caseless || t.inlineCaseChange) {
        return { kind: 'unsupported', reason: 'a back-reference inside a case-insensitive (?i) group cannot be evaluated', offset: 0 };
      }
      t = new Translator(pattern, opts, true);
      result = t.run();
      jsCaseless = true;
    }
    const flags = (jsCaseless ? 'i' : '') + (opts.anchored ? 'y' : '');
    try {
      new RegExp(result.source, flags);
    } catch (e) {
      return { kind: 'unsupported', reason: `the JavaScript regex engine rejects the translated pattern (${(e as Error).message})`, offset: 0 };
    }
    return { kind: 'ok', regex: { source: result.source, flags }, captureCount: result.captureCount };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { kind: 'error', message: e.message, offset: e.offset, length: e.length };
    if (e instanceof UnsupportedFailure) return { kind: 'unsupported', reason: e.reason, offset: e.offset };
    throw e;
  }
}

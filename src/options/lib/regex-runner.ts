/**
 * Runs a translated pcre pattern (pcre-translate.ts) so that no pattern can
 * hang a scan, choosing per pattern the fastest engine that keeps each match's cost bounded:
 *
 * 1. `irregexp`: V8's own engine, when V8's linear-time engine can also run the pattern. The
 *    process runs with V8's `--enable-experimental-regexp-engine-on-excessive-backtracks`
 *    (set below), so a match that backtracks more than V8's limit is finished by the
 *    linear-time engine instead: catastrophic patterns cost linear time, ordinary ones run at
 *    full irregexp speed. A greedy loop that gives back what it consumed (`[^\r\n]*`, `.*`,
 *    `\w+`) counts as little as one backtrack for a whole run, so under V8's default limit
 *    (50,000) a search can retry a long run from thousands of start positions: quadratic time.
 *    `foo[^\r\n]*bar` over a 200 KB body of `foofoo...` took 17 s. The limit is lowered to
 *    BACKTRACKS_BEFORE_LINEAR: that body now takes 0.9 s (2 s at a limit of 1,000; lower limits
 *    gain nothing more, the linear engine's own cost is what is left), and ordinary searches,
 *    which give up at few positions, stay on irregexp: 20 copies of a 300 KB minified script
 *    against ET Open cost 0.25% more instructions than under the default limit.
 * 2. `re2`: re2js (linear time) for patterns it accepts once PCRE's end-of-line idioms are
 *    rewritten into RE2 syntax (V8's linear engine refuses large counted repeats; RE2 does not).
 * 3. `backtrack`: the rest (back-references, lookaround) run on kanshi's backtracking matcher
 *    with a step budget, like PCRE's match_limit; a match cut off by the budget counts as no
 *    match and is reported (stats kanshi.detect.pcre_limit).
 *
 * Subjects are binary strings (one character per byte). Tiers 2 and 3 cost more per byte, so
 * their subjects are cut to `maxSubject` bytes (also counted as a limit hit).
 */
import v8 from 'node:v8';
import { RE2JS, type Matcher } from 're2js';
import { DEFAULT_REGEX_LIMITS, type RegexLimits } from '../matcher.js';
import { BacktrackRegex, RegexLimitExceeded, withoutRedundantLookaheads } from './pcre-backtrack.js';

let flagsSet = false;
let linearProbe = false;

/** V8's backtracks in one search before the search goes to its linear-time engine. */
export const BACKTRACKS_BEFORE_LINEAR = 300;

/** Turns on V8's linear-time fallback for runaway backtracking (process-wide, harmless to other code). */
function ensureV8Flags(): void {
  if (flagsSet) return;
  flagsSet = true;
  try {
    v8.setFlagsFromString('--enable-experimental-regexp-engine');
    v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
    v8.setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACKS_BEFORE_LINEAR}`);
    new RegExp('a', 'l');
    linearProbe = true;
  } catch {
    // Without V8's linear engine every pattern goes to tiers 2 and 3: slower, still bounded.
    linearProbe = false;
  }
}

export type RegexTier = 'irregexp' | 're2' | 'backtrack';

/** One pattern, ready to search binary strings. */
export interface RegexRunner {
  readonly tier: RegexTier;
  /** Leftmost match starting at or after `from` (exactly at `from` when anchored). */
  exec(subject: string, from: number): boolean;
  /** The last match, as offsets in the subject. */
  start: number;
  end: number;
  /** The last exec was cut short (subject bound or step budget); its result is "no match". */
  limited: boolean;
}

class IrregexpRunner implements RegexRunner {
  readonly tier = 'irregexp' as const;
  start = -1;
  end = -1;
  limited = false;
  private readonly re: RegExp;

  constructor(
    source: string,
    flags: string,
    /** Groups that hold a final newline the match took for PCRE's `$` (see finalNewlineDollar). */
    private readonly finalNl: readonly number[] = NO_GROUPS,
  ) {
    this.re = new RegExp(source, flags.includes('y') ? flags : flags + 'g');
  }

  exec(subject: string, from: number): boolean {
    const re = this.re;
    re.lastIndex = from;
    const m = re.exec(subject);
    if (m === null) return false;
    this.start = m.index;
    let end = m.index + m[0].length;
    for (const g of this.finalNl) {
      const nl = m[g];
      if (nl !== undefined) {
        end -= nl.length;
        break;
      }
    }
    this.end = end;
    return true;
  }
}

const NO_GROUPS: readonly number[] = [];

/**
 * Patterns that begin with PCRE's multiline `^` and/or end with its multiline `$`, written
 * without the lookaround the translator spells them with, so V8's linear engine takes them:
 * a match starts at the subject start or right after a `\n` (never after a final one), and ends
 * where `\n` or the subject end follows.
 */
class LineRunner implements RegexRunner {
  readonly tier = 'irregexp' as const;
  start = -1;
  end = -1;
  limited = false;
  /** Match at the subject start (sticky). */
  private readonly atStart: RegExp;
  /** Match after a newline, the newline included (global); null without the leading `^`. */
  private readonly afterNewline: RegExp | null;

  constructor(
    body: string,
    flags: string,
    private readonly lineStart: boolean,
    lineEnd: boolean,
  ) {
    const core = lineEnd ? `(${body})(?:\\n|$)` : `(${body})`;
    const f = flags.replace('y', '');
    this.atStart = new RegExp(lineStart ? `^${core}` : core, f + (lineStart ? 'y' : 'g'));
    this.afterNewline = lineStart ? new RegExp(`\\n${core}`, f + 'g') : null;
  }

  exec(subject: string, from: number): boolean {
    const len = subject.length;
    if (!this.lineStart) {
      const re = this.atStart;
      re.lastIndex = from;
      const m = re.exec(subject);
      if (m === null) return false;
      this.start = m.index;
      this.end = m.index + m[1]!.length;
      return true;
    }
    if (from === 0) {
      const re = this.atStart;
      re.lastIndex = 0;
      const m = re.exec(subject);
      if (m !== null) {
        this.start = 0;
        this.end = m[1]!.length;
        return true;
      }
    }
    const re = this.afterNewline!;
    re.lastIndex = Math.max(0, from - 1);
    for (;;) {
      const m = re.exec(subject);
      if (m === null) return false;
      const start = m.index + 1;
      // PCRE's multiline ^ does not match after a newline that ends the subject.
      if (start < len) {
        this.start = start;
        this.end = start + m[1]!.length;
        return true;
      }
      re.lastIndex = m.index + 1;
    }
  }
}

class Re2Runner implements RegexRunner {
  readonly tier = 're2' as const;
  start = -1;
  end = -1;
  limited = false;
  private readonly re: RE2JS;
  private readonly anchored: boolean;

  constructor(
    source: string,
    flags: string,
    /** Groups that hold a final newline the match took for PCRE's `$` (see finalNewlineDollar). */
    private readonly finalNl: readonly number[],
    private readonly maxSubject: number,
  ) {
    this.re = RE2JS.compile(source, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
    this.anchored = flags.includes('y');
  }

  exec(subject: string, from: number): boolean {
    this.limited = false;
    if (subject.length > this.maxSubject) {
      subject = subject.slice(0, this.maxSubject);
      this.limited = true;
    }
    if (from > subject.length) return false;
    return this.run(this.re.matcher(subject), from);
  }

  private run(m: Matcher, from: number): boolean {
    if (!m.find(from)) return false;
    const s = m.start();
    if (this.anchored && s !== from) return false;
    this.start = s;
    let end = m.end();
    for (const g of this.finalNl) {
      const nlStart = m.start(g);
      if (nlStart >= 0) {
        end = nlStart;
        break;
      }
    }
    this.end = end;
    return true;
  }
}

class BacktrackRunner implements RegexRunner {
  readonly tier = 'backtrack' as const;
  start = -1;
  end = -1;
  limited = false;
  private readonly re: BacktrackRegex;

  constructor(
    source: string,
    flags: string,
    private readonly limits: RegexLimits,
  ) {
    this.re = new BacktrackRegex(source, flags);
  }

  exec(subject: string, from: number): boolean {
    this.limited = false;
    if (subject.length > this.limits.maxSubject) {
      subject = subject.slice(0, this.limits.maxSubject);
      this.limited = true;
    }
    try {
      if (!this.re.exec(subject, from, this.limits.backtrackSteps)) return false;
    } catch (e) {
      if (e instanceof RegexLimitExceeded || e instanceof RangeError) {
        this.limited = true;
        return false;
      }
      throw e;
    }
    this.start = this.re.start;
    this.end = this.re.end;
    return true;
  }
}

// The translator's spellings of PCRE's default `$`, and of multiline `^` and `$`.
const DOLLAR_NL = '(?=\\n?$)';
const ML_CARET = '(?:^|(?<=\\n)(?=[\\s\\S]))';
const ML_DOLLAR = '(?=\\n|$)';

/**
 * Rewrites the translator's spellings of PCRE line anchors into RE2 syntax. Returns null when
 * the pattern holds a construct RE2 has no equivalent for. `dollarNl` is set when PCRE's
 * default `$` (end, or before a final newline) was rewritten to RE2's `$` (end only), which
 * no longer matches before a final newline: chooseTier only hands sources to RE2 after
 * finalNewlineDollar has taken that `$` out.
 */
export function toRe2Source(source: string): { source: string; dollarNl: boolean } | null {
  let out = '';
  let dollarNl = false;
  let plainDollar = false;
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      out += source.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '[') {
      // Classes hold no anchors; copy through the closing bracket (which may come first).
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (source.startsWith(DOLLAR_NL, i)) {
      out += '$';
      dollarNl = true;
      i += DOLLAR_NL.length;
      continue;
    }
    if (source.startsWith(ML_CARET, i)) {
      out += '(?m:^)';
      i += ML_CARET.length;
      continue;
    }
    if (source.startsWith(ML_DOLLAR, i)) {
      out += '(?m:$)';
      i += ML_DOLLAR.length;
      continue;
    }
    if (c === '$') plainDollar = true;
    out += c;
    i++;
  }
  // Neither `$` can then be told from the other by its RE2 spelling.
  if (dollarNl && plainDollar) return null;
  return { source: out, dollarNl };
}

/**
 * PCRE's default `$` where nothing can follow it in a match (the end of the pattern, or of a
 * branch or plain group that ends it), written as `(\n?)$`: the greedy `\n?` takes a final
 * newline, so each path through the pattern succeeds exactly where PCRE's `$` lets it, in the
 * same order, and the match found is PCRE's. The match then ends before the newline the group
 * took. `groups` numbers those groups; null when a `$` is followed by more of the pattern (or
 * sits in a lookaround or a repeated group), or the pattern has a back-reference, whose
 * numbering the new groups would shift: lookaround is the only exact spelling there.
 */
export function finalNewlineDollar(source: string): { source: string; groups: number[] } | null {
  if (!source.includes(DOLLAR_NL)) return { source, groups: [] };
  const n = source.length;
  // For each `(`, whether it is a plain group; for each `)`, its `(`; for each `|`, the `)`
  // that closes its group (n at the top level).
  const openOf = new Map<number, number>();
  const plainOpen = new Set<number>();
  const altEnd = new Map<number, number>();
  const dollars: number[] = [];
  const stack: { at: number; alts: number[] }[] = [];
  const top: number[] = [];
  let i = 0;
  while (i < n) {
    const c = source[i]!;
    if (c === '\\') {
      if (/[1-9]/.test(source[i + 1] ?? '')) return null;
      i += 2;
    } else if (c === '[') {
      i = closingBracket(source, i, n) + 1;
    } else if (c === '(') {
      if (source.startsWith(DOLLAR_NL, i)) {
        dollars.push(i);
        i += DOLLAR_NL.length;
        continue;
      }
      if (source[i + 1] !== '?' || source[i + 2] === ':') plainOpen.add(i);
      stack.push({ at: i, alts: [] });
      i++;
    } else if (c === ')') {
      const g = stack.pop();
      if (g === undefined) return null;
      openOf.set(i, g.at);
      for (const a of g.alts) altEnd.set(a, i);
      i++;
    } else {
      if (c === '|') (stack.length > 0 ? stack[stack.length - 1]!.alts : top).push(i);
      i++;
    }
  }
  if (stack.length > 0) return null;
  for (const a of top) altEnd.set(a, n);
  for (const d of dollars) {
    let k = d + DOLLAR_NL.length;
    while (k < n) {
      const c = source[k];
      if (c === '|') k = altEnd.get(k)!;
      else if (c === ')') {
        const q = source[k + 1];
        if (!plainOpen.has(openOf.get(k)!) || q === '*' || q === '+' || q === '?' || q === '{') return null;
        k++;
      } else return null;
    }
  }
  // Groups are numbered by their `(` in the new source, the inserted ones included.
  let out = '';
  let from = 0;
  let captures = 0;
  const groups: number[] = [];
  for (const d of dollars) {
    captures += countCaptures(source, from, d);
    out += source.slice(from, d) + '(\\n?)$';
    groups.push(++captures);
    from = d + DOLLAR_NL.length;
  }
  return { source: out + source.slice(from), groups };
}

/** Capturing `(` in source[from, to), outside classes and escapes. */
function countCaptures(source: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') i = closingBracket(source, i, to);
    else if (c === '(' && source[i + 1] !== '?') count++;
  }
  return count;
}

export interface RegexChoice {
  runner: RegexRunner;
  /** Why the faster tiers were not used (for diagnostics), when tier is not irregexp. */
  note?: string;
}

/**
 * Constructs that RE2 has no equivalent for (lookaround, back-references, possessive
 * emulation), or counted repeats over RE2's limit of 1000.
 */
function re2Refuses(source: string): boolean {
  if (/\(\?<?[=!]/.test(source) || /\(\?:\\\d/.test(source)) return true;
  const counts = /\{(\d+)(?:,(\d*))?\}/g;
  for (let m = counts.exec(source); m !== null; m = counts.exec(source)) {
    if (Number(m[1]) > 1000 || (m[2] !== undefined && m[2] !== '' && Number(m[2]) > 1000)) return true;
  }
  return false;
}

/** re2js compiles slowly (about a millisecond a pattern): done on the pattern's first use. */
class LazyRe2Runner implements RegexRunner {
  readonly tier = 're2' as const;
  start = -1;
  end = -1;
  limited = false;
  private inner: RegexRunner | null = null;

  constructor(
    private readonly re2: { source: string; finalNl: readonly number[] },
    private readonly jsSource: string,
    private readonly flags: string,
    private readonly limits: RegexLimits,
  ) {}

  exec(subject: string, from: number): boolean {
    let r = this.inner;
    if (r === null) {
      try {
        r = new Re2Runner(this.re2.source, this.flags, this.re2.finalNl, this.limits.maxSubject);
      } catch {
        // RE2 refused it after all: the bounded backtracking matcher runs it.
        r = new BacktrackRunner(this.jsSource, this.flags, this.limits);
      }
      this.inner = r;
    }
    const found = r.exec(subject, from);
    this.start = r.start;
    this.end = r.end;
    this.limited = r.limited;
    return found;
  }
}

/** Runners by pattern: rule sets repeat patterns, and a runner holds no per-rule state. */
const runnerCache = new Map<string, RegexChoice>();

/**
 * Compiles a translated pattern on the fastest bounded tier. Throws when no tier can run it
 * (the caller skips the rule and says why).
 */
export function compileRegex(source: string, flags: string, limits: RegexLimits = DEFAULT_REGEX_LIMITS): RegexChoice {
  ensureV8Flags();
  const key = `${limits.maxSubject}/${limits.backtrackSteps}/${flags}/${source}`;
  let choice = runnerCache.get(key);
  if (choice === undefined) {
    choice = chooseTier(source, flags, limits);
    if (runnerCache.size > 100_000) runnerCache.clear();
    runnerCache.set(key, choice);
  }
  return choice;
}

/**
 * Picks the tier on the pattern's first search rather than at load: a large rule set holds
 * thousands of distinct patterns, and most of their rules are never candidates in a given scan.
 * Only made for patterns the bounded backtracking matcher is known to accept (see
 * `backtrackAccepts`), so deciding late can never turn a load-time error into a scan-time one.
 */
class LazyTierRunner implements RegexRunner {
  start = -1;
  end = -1;
  limited = false;
  private inner: RegexRunner | null = null;

  constructor(
    private readonly source: string,
    private readonly flags: string,
    private readonly limits: RegexLimits,
  ) {}

  get tier(): RegexTier {
    return this.resolve().tier;
  }

  private resolve(): RegexRunner {
    return (this.inner ??= compileRegex(this.source, this.flags, this.limits).runner);
  }

  exec(subject: string, from: number): boolean {
    const r = this.inner ?? this.resolve();
    const found = r.exec(subject, from);
    this.start = r.start;
    this.end = r.end;
    this.limited = r.limited;
    return found;
  }
}

/**
 * Runners handed out by regexRunner, by limits and flags, then by pattern (so a lookup hashes the
 * rule's own pattern string rather than a new key string): rule sets repeat patterns, and a
 * runner holds no per-rule state.
 */
const sharedRunners = new Map<string, Map<string, RegexRunner>>();
let sharedCount = 0;

/**
 * A runner for a translated pattern whose tier is chosen on first use when that is safe, else
 * right away (as compileRegex, which throws when no tier can run the pattern).
 */
export function regexRunner(source: string, flags: string, limits: RegexLimits = DEFAULT_REGEX_LIMITS): RegexRunner {
  ensureV8Flags();
  const outer = `${limits.maxSubject}/${limits.backtrackSteps}/${flags}`;
  let bySource = sharedRunners.get(outer);
  if (bySource === undefined) sharedRunners.set(outer, (bySource = new Map()));
  let runner = bySource.get(source);
  if (runner === undefined) {
    runner = backtrackAccepts(source) ? new LazyTierRunner(source, flags, limits) : compileRegex(source, flags, limits).runner;
    if (sharedCount++ > 100_000) {
      sharedRunners.clear();
      sharedCount = 0;
      sharedRunners.set(outer, bySource);
      bySource.clear();
    }
    bySource.set(source, runner);
  }
  return runner;
}

const MAX_LAZY_NESTING = 32;

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Length of the escape at `i` (a backslash) that the backtracking matcher's parser takes as one
 * byte, or 0 when it may refuse it. `allowed` lists the further letters accepted after the
 * backslash where the escape stands (class escapes, and \b \B as assertions outside classes).
 */
function byteEscapeLength(s: string, i: number, allowed: string): number {
  if (i + 1 >= s.length) return 0;
  const e = s.charCodeAt(i + 1);
  if (e === 0x78 /* x */) return i + 3 < s.length && isHexDigit(s.charCodeAt(i + 2)) && isHexDigit(s.charCodeAt(i + 3)) ? 4 : 0;
  if (!isAsciiLetter(e)) return e < 0x80 ? 2 : 0;
  return 'nrtfv'.includes(s[i + 1]!) || allowed.includes(s[i + 1]!) ? 2 : 0;
}

/**
 * A quick, conservative syntax check: true only when the backtracking matcher's parser
 * (pcre-backtrack.ts) accepts the pattern, so compileRegex cannot fail on it. False means
 * "not known", not "refused". The redundant-lookahead rewrite compileRegex may apply first only
 * drops whole unquantified lookahead items from a pattern the parser accepted, which the parser
 * still accepts. Deep nesting is left to the eager path (the parser recurses per group).
 */
export function backtrackAccepts(s: string): boolean {
  let depth = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return false;
    if (c === 0x5c /* \ */) {
      const n = byteEscapeLength(s, i, 'bBdDwWsS');
      if (n === 0) return false;
      i += n;
    } else if (c === 0x28 /* ( */) {
      if (s.charCodeAt(i + 1) === 0x3f /* ? */) {
        const kind = s.slice(i + 1, i + 4);
        if (kind.startsWith('?:') || kind.startsWith('?=') || kind.startsWith('?!')) i += 3;
        else if (kind === '?<=' || kind === '?<!') i += 4;
        else return false;
      } else i++;
      if (++depth > MAX_LAZY_NESTING) return false;
    } else if (c === 0x29 /* ) */) {
      if (--depth < 0) return false;
      i++;
    } else if (c === 0x5b /* [ */) {
      i = classEnd(s, i);
      if (i < 0) return false;
    } else i++;
  }
  return depth === 0;
}

/** Index after the class starting at `i`, or -1 when the parser may refuse it. */
function classEnd(s: string, i: number): number {
  i++;
  if (s[i] === '^') i++;
  let first = true;
  for (;;) {
    if (i >= s.length) return -1;
    const c = s[i];
    if (c === ']' && !first) return i + 1;
    first = false;
    if (c === '\\') {
      const e = s[i + 1];
      if (e !== undefined && 'dDwWsS'.includes(e)) {
        i += 2;
        continue;
      }
      const n = byteEscapeLength(s, i, 'b');
      if (n === 0) return -1;
      i += n;
    } else i++;
    if (s[i] === '-' && s[i + 1] !== ']' && s[i + 1] !== undefined) {
      i++;
      if (s[i] === '\\') {
        const n = byteEscapeLength(s, i, '');
        if (n === 0) return -1;
        i += n;
      } else i++;
    }
  }
}

function linearCapable(source: string, flags: string): boolean {
  if (!linearProbe) return false;
  try {
    new RegExp(source, flags.replace('y', '') + 'l');
    return true;
  } catch {
    return false;
  }
}

/** Whether the source has a `|` outside groups and classes (then a leading anchor binds to one branch only). */
function hasTopLevelAlternation(source: string): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') i = closingBracket(source, i, source.length);
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/** The index of the `]` closing the class opened at source[open] (a leading `]` or `^]` is a member), or `to`. */
function closingBracket(source: string, open: number, to: number): number {
  let i = open + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  while (i < to && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i;
}

/** Ends with `tail` not escaped by a backslash. */
function endsWithUnescaped(source: string, tail: string): boolean {
  if (!source.endsWith(tail)) return false;
  let n = 0;
  for (let i = source.length - tail.length - 1; i >= 0 && source[i] === '\\'; i--) n++;
  return n % 2 === 0;
}

/** A pattern framed by PCRE multiline anchors, run without lookaround (see LineRunner), or null. */
function lineRunner(source: string, flags: string): LineRunner | null {
  if (flags.includes('y')) return null;
  let body = source;
  const lineStart = body.startsWith(ML_CARET);
  if (lineStart) body = body.slice(ML_CARET.length);
  const lineEnd = endsWithUnescaped(body, ML_DOLLAR);
  if (lineEnd) body = body.slice(0, -ML_DOLLAR.length);
  if ((!lineStart && !lineEnd) || hasTopLevelAlternation(body)) return null;
  if (!linearCapable(`\\n(${body})(?:\\n|$)`, flags)) return null;
  return new LineRunner(body, flags, lineStart, lineEnd);
}

/** How pcre-translate.ts writes a back-reference. */
const BACKREF = /\(\?:\\[1-9]/;

function chooseTier(original: string, flags: string, limits: RegexLimits): RegexChoice {
  // `(?=[av])(audio|video)`: a hint for backtracking engines that would keep the faster tiers away.
  const source = withoutRedundantLookaheads(original, flags);
  // V8's linear engine takes a back-reference inside its own group (JavaScript reads it as the
  // empty string; PCRE as the previous iteration's capture, failing on the first): only the
  // backtracker reads back-references as PCRE does.
  return (BACKREF.test(source) ? null : fastTier(source, flags, limits)) ?? backtrackTier(source, flags, limits);
}

/** A linear-time tier for the source, or null. */
function fastTier(source: string, flags: string, limits: RegexLimits): RegexChoice | null {
  if (linearCapable(source, flags)) return { runner: new IrregexpRunner(source, flags) };
  const lines = lineRunner(source, flags);
  if (lines !== null) return { runner: lines };
  // PCRE's default `$` is a lookahead in JavaScript, which V8's linear engine refuses; at the
  // end of the pattern it has a spelling without one. Elsewhere only the backtracker runs it.
  const tail = finalNewlineDollar(source);
  if (tail !== null) {
    if (tail.groups.length > 0 && linearCapable(tail.source, flags)) {
      return { runner: new IrregexpRunner(tail.source, flags, tail.groups) };
    }
    const re2 = toRe2Source(tail.source);
    if (re2 !== null && !re2Refuses(re2.source)) {
      return { runner: new LazyRe2Runner({ source: re2.source, finalNl: tail.groups }, source, flags, limits), note: 'run by re2js' };
    }
  }
  return null;
}

function backtrackTier(source: string, flags: string, limits: RegexLimits): RegexChoice {
  let runner: BacktrackRunner;
  try {
    runner = new BacktrackRunner(source, flags, limits);
  } catch (e) {
    throw new Error(`the pattern cannot be run with a bounded cost (${(e as Error).message})`);
  }
  return { runner, note: 'run by the bounded backtracking matcher' };
}


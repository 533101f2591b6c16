import type { KeywordContext, KeywordModule } from '../keyword.js';
import { translatePcre, type JsRegexSource, type PcreOptions, type PcreTranslation } from '../lib/pcre-translate.js';
import { isBlank, skipBlanks } from '../lib/text.js';
import { unquotedAdvice } from '../lib/quoted.js';
import { minMatchLength } from '../lib/pcre-backtrack.js';
import { regexRunner, type RegexRunner } from '../lib/regex-runner.js';
import { ABORT, DEFAULT_REGEX_LIMITS, MatcherUnavailable, NO_MATCH, type Inspection, type PayloadMatcher, type RegexLimits } from '../matcher.js';
import type { PcreMatch } from '../rule-body.js';

export interface PcreValue {
  negated: boolean;
  /** The pattern between the delimiters, exactly as written (PCRE reads `\"` and `\;` as `"` and `;`). */
  pattern: string;
  /** The modifier letters after the closing `/`, as written. */
  flags: string;
  /** Suricata capture targets after the flags (`pkt:name`, `flow:name`). */
  captures: string[];
  options: PcreOptions;
  /** R: match from the end of the previous match in the same buffer. */
  relative: boolean;
  /** B: inspect the raw packet rather than a decoded buffer. */
  rawbytes: boolean;
  /** O: do not apply the configured match limit. */
  overrideMatchLimit: boolean;
  /** The buffer a flag such as U or H selects (the Snort 2 form of a sticky buffer). */
  buffer?: string;
  /** The pattern as a JS RegExp over binary strings; null when it cannot be evaluated (see unsupported). */
  compiled: JsRegexSource | null;
  captureCount: number;
  /** Why the pattern cannot be evaluated (the rule is skipped), when compiled is null. */
  unsupported?: string;
}

/** Buffer-selecting flags (Snort's and Suricata's). */
export const PCRE_BUFFER_FLAGS: ReadonlyMap<string, string> = new Map(Object.entries({
  U: 'http.uri',
  I: 'http.uri.raw',
  P: 'http.request_body',
  Q: 'file.data',
  H: 'http.header',
  D: 'http.header.raw',
  M: 'http.method',
  C: 'http.cookie',
  // The raw cookie: kanshi never normalises cookies, so the same buffer as C.
  K: 'http.cookie',
  S: 'http.stat_code',
  Y: 'http.stat_msg',
  V: 'http.user_agent',
  W: 'http.host',
  Z: 'http.host.raw',
}));

const FLAG_HELP = 'use i s m x A E G (PCRE options), R (relative), B (rawbytes), O (no match limit) or a buffer flag U I P Q H D M C K S Y V W Z';

/** Translations are shared by every rule with the same pattern and options (ET repeats many). */
const cache = new Map<string, PcreTranslation>();

function translateCached(pattern: string, o: PcreOptions): PcreTranslation {
  const key =
    (o.caseless ? 'i' : '') + (o.dotall ? 's' : '') + (o.multiline ? 'm' : '') + (o.extended ? 'x' : '') +
    (o.anchored ? 'A' : '') + (o.dollarEndOnly ? 'E' : '') + (o.ungreedy ? 'G' : '') + '/' + pattern;
  let t = cache.get(key);
  if (t === undefined) {
    t = translatePcre(pattern, o);
    if (cache.size >= 50_000) cache.clear();
    cache.set(key, t);
  }
  return t;
}

/** Index of the `,` that starts a Suricata capture list (`, pkt:a, flow:b`), or -1. */
function captureListStart(inner: string): number {
  let from = 0;
  for (;;) {
    const c = inner.indexOf(',', from);
    if (c < 0) return -1;
    const after = skipBlanks(inner, c + 1);
    if (inner.startsWith('pkt:', after) || inner.startsWith('flow:', after)) {
      // Valid only right after the flags: /.../flags<blanks>,
      let k = c;
      while (k > 0 && isBlank(inner.charCodeAt(k - 1))) k--;
      while (k > 0 && /[A-Za-z]/.test(inner[k - 1]!)) k--;
      if (k > 1 && inner[k - 1] === '/') return c;
    }
    from = c + 1;
  }
}

function hasUppercaseLiteral(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c >= 0x41 && c <= 0x5a) return true;
  }
  return false;
}

function parsePcre(raw: string | null, ctx: KeywordContext): PcreValue | undefined {
  const example = 'pcre:"/pattern/flags";';
  if (raw === null) {
    ctx.error(`pcre needs a quoted pattern: write ${example}`);
    return undefined;
  }
  let i = skipBlanks(raw, 0);
  let negated = false;
  if (raw[i] === '!') {
    negated = true;
    i = skipBlanks(raw, i + 1);
  }
  if (i >= raw.length) {
    ctx.error(`pcre needs a quoted pattern: write ${example}`, 0, Math.max(1, raw.length));
    return undefined;
  }
  // Suricata also reads the pattern without quotes (`pcre:/x/U;`); it prints with them.
  const quoted = raw[i] === '"';
  if (!quoted && raw[i] !== '/') {
    ctx.error(unquotedAdvice('pcre', raw.slice(i).trim(), negated ? '!' : ''), i, raw.length - i);
    return undefined;
  }
  const open = i;
  let close = raw.length;
  while (close > open && isBlank(raw.charCodeAt(close - 1))) close--;
  if (quoted) {
    close--;
    if (close <= open || raw[close] !== '"' || isEscaped(raw, close)) {
      ctx.error('unterminated string: add the closing " to the pcre', open, raw.length - open);
      return undefined;
    }
  }
  let start = quoted ? open + 1 : open;
  if (quoted && raw[start] === '!') {
    if (negated) {
      ctx.error('pcre is negated twice: write the ! once, before the quote', start, 1);
      return undefined;
    }
    negated = true;
    start++;
  }
  if (raw[start] !== '/') {
    ctx.error(`a pcre pattern starts with /: write ${example}`, start, 1);
    return undefined;
  }
  const inner = raw.slice(start, close);
  const capStart = captureListStart(inner);
  const delimited = capStart < 0 ? inner : inner.slice(0, capStart).trimEnd();
  const last = delimited.lastIndexOf('/');
  if (last <= 0) {
    ctx.error(`pcre needs a closing / after the pattern: write ${example}`, close, 1);
    return undefined;
  }
  const pattern = delimited.slice(1, last);
  const flags = delimited.slice(last + 1);
  const flagsAt = start + last + 1;
  const captures: string[] = [];
  if (capStart >= 0) {
    for (const part of inner.slice(capStart + 1).split(',')) {
      const name = part.trim();
      if (!/^(pkt|flow):[A-Za-z0-9_.\-/]+$/.test(name)) {
        ctx.error(`bad pcre capture target "${name}": write pkt:name or flow:name`, start + capStart, inner.length - capStart);
        return undefined;
      }
      captures.push(name);
    }
  }
  for (let k = pattern.indexOf(';'); k >= 0; k = pattern.indexOf(';', k + 1)) {
    if (!isEscaped(pattern, k)) {
      ctx.error('a ; inside pcre must be escaped: write \\;', start + 1 + k, 1);
      return undefined;
    }
  }

  const options: PcreOptions = {
    caseless: false,
    dotall: false,
    multiline: false,
    extended: false,
    anchored: false,
    dollarEndOnly: false,
    ungreedy: false,
  };
  let relative = false;
  let rawbytes = false;
  let overrideMatchLimit = false;
  let buffer: string | undefined;
  let bufferFlag = '';
  for (let k = 0; k < flags.length; k++) {
    const f = flags[k]!;
    switch (f) {
      case 'i':
        options.caseless = true;
        break;
      case 's':
        options.dotall = true;
        break;
      case 'm':
        options.multiline = true;
        break;
      case 'x':
        options.extended = true;
        break;
      case 'A':
        options.anchored = true;
        break;
      case 'E':
        options.dollarEndOnly = true;
        break;
      case 'G':
        options.ungreedy = true;
        break;
      case 'R':
        relative = true;
        break;
      case 'B':
        rawbytes = true;
        break;
      case 'O':
        overrideMatchLimit = true;
        break;
      default: {
        const b = PCRE_BUFFER_FLAGS.get(f);
        if (b === undefined) {
          const shown = isBlank(f.charCodeAt(0)) ? 'a space' : `'${f}'`;
          ctx.error(`unknown pcre flag ${shown}: ${FLAG_HELP}`, flagsAt + k, 1);
          return undefined;
        }
        if (buffer !== undefined && b !== buffer) {
          ctx.error(`pcre flags ${bufferFlag} and ${f} select two buffers (${buffer} and ${b}): keep one, or split the pcre in two`, flagsAt + k, 1);
          return undefined;
        }
        buffer = b;
        bufferFlag = f;
      }
    }
  }
  if (rawbytes && buffer !== undefined) {
    ctx.error(`pcre flag B (rawbytes) cannot be combined with buffer flag ${bufferFlag}: drop one of them`, flagsAt, flags.length);
    return undefined;
  }
  if (buffer === 'http.host' && !options.caseless && hasUppercaseLiteral(pattern)) {
    ctx.error('pcre with flag W inspects http.host, which is lower-cased: an upper-case letter can never match; write the pattern in lower case or add the i flag', start + 1, pattern.length);
    return undefined;
  }

  const t = translateCached(pattern, options);
  if (t.kind === 'error') {
    ctx.error(`invalid pcre: ${t.message}`, start + 1 + t.offset, t.length);
    return undefined;
  }
  const value: PcreValue = {
    negated,
    pattern,
    flags,
    captures,
    options,
    relative,
    rawbytes,
    overrideMatchLimit,
    compiled: t.kind === 'ok' ? t.regex : null,
    captureCount: t.kind === 'ok' ? t.captureCount : 0,
  };
  if (buffer !== undefined) value.buffer = buffer;
  if (t.kind === 'unsupported') value.unsupported = t.reason;
  return value;
}

/** True when the character at `k` is preceded by an odd number of backslashes. */
function isEscaped(text: string, k: number): boolean {
  let n = 0;
  while (k - 1 - n >= 0 && text.charCodeAt(k - 1 - n) === 0x5c) n++;
  return n % 2 === 1;
}

/** `pcre:[!]"/pattern/flags";` a Perl-compatible regular expression on the current buffer. */
export const pcre: KeywordModule<PcreValue> = {
  keyword: 'pcre',
  category: 'payload',
  takesValue: 'required',
  parse: parsePcre,
  print(v) {
    return `${v.negated ? '!' : ''}"/${v.pattern}/${v.flags}${v.captures.length > 0 ? ', ' + v.captures.join(', ') : ''}"`;
  },
  payloadMatcher: (el, ctx) => new PcreMatcher(el as PcreMatch, ctx.regexLimits),
};


/**
 * pcre as Suricata runs it: over the whole buffer, or with R over the bytes after the cursor
 * (so `^` means "at the cursor"); a match moves the cursor to its end; when a later keyword
 * fails, the next match (starting after this one's start) is tried; `!` passes when nothing
 * matches. Buffer flags (U, H, ...) were resolved to the element's buffer by the rule model.
 */
export class PcreMatcher implements PayloadMatcher {
  readonly relative: boolean;
  readonly searches: boolean;
  readonly independent: boolean;
  readonly absolute: boolean;
  readonly advances: boolean;
  readonly runner: RegexRunner;
  private readonly negated: boolean;
  /** No match is shorter: a subject with fewer bytes from the start position is not searched (-1: not computed yet). */
  private minLength = -1;
  private readonly maxSubject: number;
  private readonly source: string;
  private readonly flags: string;

  constructor(el: PcreMatch, limits: RegexLimits = DEFAULT_REGEX_LIMITS) {
    const v = el.value;
    if (v.compiled === null) throw new MatcherUnavailable(v.unsupported ?? 'the pattern cannot be evaluated');
    try {
      // The engine tier is chosen on first use where that cannot hide a load-time error.
      this.runner = regexRunner(v.compiled.source, v.compiled.flags, limits);
    } catch (e) {
      throw new MatcherUnavailable(`pcre: ${(e as Error).message}`);
    }
    // The shortest match is worked out on first use: most rules of a large set never run.
    this.source = v.compiled.source;
    this.flags = v.compiled.flags;
    this.maxSubject = limits.maxSubject;
    this.negated = v.negated;
    this.relative = v.relative;
    this.searches = !v.negated;
    this.independent = !v.relative;
    // A pattern that can only match at the subject start (or is anchored) positions itself from the buffer start.
    this.absolute = !v.relative && (v.compiled.flags.includes('y') || v.compiled.source.startsWith('^'));
    this.advances = !v.negated;
  }

  match(ins: Inspection, cursor: number, from: number): number {
    const base = this.relative ? cursor : 0;
    const start = from < 0 ? 0 : from - base;
    const r = this.runner;
    const subjectLength = ins.buf.length - base;
    if (this.minLength < 0) this.minLength = minMatchLength(this.source, this.flags);
    let found = false;
    let limited = false;
    // Too few bytes left for the shortest match: no search (and no subject string to build).
    if (subjectLength - start >= this.minLength || subjectLength > this.maxSubject) {
      const text = ins.text();
      const subject = base === 0 ? text : text.substring(base);
      found = start <= subject.length && r.exec(subject, start);
      limited = r.limited;
      if (limited) ins.pcreLimitHits++;
    }
    if (this.negated) {
      if (found) return this.independent ? ABORT : NO_MATCH;
      return cursor;
    }
    if (!found) return this.independent && from < 0 && !limited ? ABORT : NO_MATCH;
    ins.matchStart = base + r.start;
    return base + r.end;
  }
}

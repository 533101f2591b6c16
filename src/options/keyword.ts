import type { DiagnosticSink } from '../rule/diagnostics.js';
import type { HeaderMatcher, MatcherContext, PayloadMatcher } from './matcher.js';
import type { PayloadElement } from './rule-body.js';

/**
 * The contract every rule keyword module in this folder fulfils (one file per keyword,
 * listed in registry.ts). The grammar only splits a rule into `keyword[:value]` options;
 * everything about a keyword's value lives in its module.
 */
export type KeywordCategory =
  | 'meta' // msg, sid, rev, classtype, reference, metadata, priority, level, ...
  | 'payload' // content, pcre, byte_test, isdataat, ...
  | 'modifier' // nocase, depth, offset, http_uri, fast_pattern, ... (modify the previous content/pcre)
  | 'sticky-buffer' // http.uri, file.data, pkt_data, ...
  | 'transform' // to_lowercase, dotprefix, ... (rewrite the current sticky buffer before inspection)
  | 'non-payload' // flags, ttl, dsize, flow, flowbits, ...
  | 'post-detection'; // threshold, detection_filter, tag, noalert

export interface KeywordContext extends DiagnosticSink {
  /** Variables (`$NAME`) visible to the rule, for keywords whose values may name one. */
  readonly lookupVar?: (name: string) => string | undefined;
}

/** What a content keyword's element starts as (see KeywordModule.contentElement). */
export interface ContentStart {
  bytes: Uint8Array;
  nocase: boolean;
  endsWith: boolean;
}

export interface KeywordModule<V = unknown> {
  readonly keyword: string;
  /** Other spellings that mean the same keyword (printed as `keyword`). */
  readonly aliases?: readonly string[];
  readonly category: KeywordCategory;
  /** Whether `keyword:value` or bare `keyword;` is written. */
  readonly takesValue: 'none' | 'required' | 'optional';
  /**
   * False when kanshi recognises the keyword and checks its syntax but cannot evaluate it
   * yet: a rule using it is skipped with a warning naming the keyword, never half-evaluated.
   * Absent means evaluable.
   */
  readonly evaluable?: boolean;
  /** At most one per rule (sid, msg, flow, threshold, ...); a second one is an error. */
  readonly singleUse?: boolean;
  /**
   * Sticky buffers and buffer content modifiers (`http.uri`, `http_uri`): the buffer they
   * select, by its Suricata sticky-buffer name (see src/types/buffers.ts for the evaluable ones).
   */
  readonly buffer?: string;
  /**
   * Parse and validate the raw value text (exactly as written between ':' and ';', untrimmed,
   * or null when the keyword was written bare). Report problems with offsets relative to `raw`.
   * Returns undefined when the value is unusable.
   * Non-ASCII characters are taken as the UTF-8 bytes of the rules file (as Snort and Suricata read it).
   */
  parse(raw: string | null, ctx: KeywordContext): V | undefined;
  /** Canonical value text (null for a bare keyword). parse(print(v)) must give back v. */
  print(value: V): string | null;
  /**
   * Header and flow conditions (ttl, flags, itype, ...): the value compiled into a test of the
   * fields of a packet or log record (matcher.ts). Absent for keywords that are not conditions.
   */
  condition?(value: V): HeaderMatcher;
  /**
   * Payload keywords (content, pcre, byte_test, ...): the rule's element for this option (its
   * value with the modifiers folded in, and its buffer, see rule-body.ts) compiled into one step
   * of a buffer's inspection (matcher.ts). May throw MatcherUnavailable.
   */
  payloadMatcher?(element: PayloadElement, ctx: MatcherContext): PayloadMatcher;
  /**
   * Content keywords that name their own buffer (uricontent, filename, fileext): the content
   * element their value starts as, before any modifier (Suricata's filename matches in any case,
   * fileext as the end of the name after a dot). Absent for `content`, which inspects the
   * current sticky buffer as written.
   */
  contentElement?(value: V): ContentStart;
  /**
   * Conditions measured on a buffer rather than on header fields (urilen): the buffer and the
   * step that inspects it, added to the rule's program for that buffer.
   */
  bufferCondition?(value: V): { buffer: string; matcher: PayloadMatcher };
  /**
   * Transforms (to_lowercase, dotprefix, ...): the rewrite of the current sticky buffer that the
   * payload keywords after it inspect. Pure: the same bytes in, equal bytes out (the input is
   * never modified).
   */
  transform?(value: V): (buf: Uint8Array) => Uint8Array;
  /**
   * Why this particular value cannot be evaluated (an event kanshi never raises, ...), or
   * undefined: a rule with such a value is skipped with the reason, as for `evaluable: false`.
   */
  unevaluatedValue?(value: V): string | undefined;
}

import type { KeywordContext, KeywordModule } from '../options/keyword.js';
import type { RuleBody } from '../options/rule-body.js';
import type { PositionMap } from './diagnostics.js';
import type { IpSet } from './ip-set.js';
import type { PortSet } from './port-set.js';

/** Where something was written: 1-based line and column. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

/** One `keyword[:value];` of a rule, as written and as its keyword module read it. */
export interface RuleOption {
  /** Canonical keyword (the module's), or the name as written when no module knows it. */
  keyword: string;
  /** The name as written (may be an alias). */
  written: string;
  /** The value text between ':' and ';', untrimmed; null for a bare `keyword;`. */
  raw: string | null;
  /** Undefined for keywords kanshi does not implement. */
  module: KeywordModule | undefined;
  /** The module's parsed value; undefined when the value was rejected or there is no module. */
  value: unknown;
  /**
   * Offsets in the rule's logical line (see Rule.source and locate()): the option from its
   * keyword to before its ';', and where its value starts (after ':'). Offsets rather than
   * line/column objects: a large rule set has half a million options.
   */
  offset: number;
  length: number;
  valueOffset: number;
  /**
   * Reports at this option (offsets relative to the value; none = the whole option). Defined
   * when a module knows the keyword; such an option is the OptionInstance given to buildRuleBody.
   */
  readonly ctx?: KeywordContext | undefined;
}

/** Address and port sets of a rule header, evaluated with the variables in force. */
export interface CompiledHeader {
  src: IpSet;
  srcPort: PortSet;
  dst: IpSet;
  dstPort: PortSet;
  /** `<>`: the rule also applies with source and destination swapped. */
  bidirectional: boolean;
}

/**
 * - loaded: valid, and kanshi evaluates everything it asks for
 * - skipped: valid, but uses a keyword or protocol kanshi does not evaluate yet
 * - disabled: commented out (`# alert ...`): parsed, never evaluated
 * - invalid: has errors; not evaluated
 */
export type RuleStatus = 'loaded' | 'skipped' | 'disabled' | 'invalid';

export interface Rule {
  enabled: boolean;
  action: string;
  protocol: string;
  /** Header specs as written, without blanks (they carry no meaning inside a spec). */
  src: string;
  srcPort: string;
  direction: '->' | '<>';
  dst: string;
  dstPort: string;
  options: RuleOption[];
  /** Built from the options when every option was read; see src/options/rule-body.ts. */
  body: RuleBody | undefined;
  /** Evaluated when the header specs are valid. */
  header: CompiledHeader | undefined;
  status: RuleStatus;
  /** What makes a skipped rule skipped: keyword names, or `protocol NAME`. */
  unsupported: string[];
  /** Position of the action. */
  loc: SourceLoc;
  /** The logical line the rule was read from; maps option offsets to positions. */
  source: PositionMap;
}

/** Source position of an offset in a rule's logical line (e.g. an option's offset). */
export function locate(rule: Rule, offset: number): SourceLoc {
  const p = rule.source.locate(offset);
  return { file: rule.source.file, line: p.line, col: p.col };
}

/** Convenience accessors over body.meta. */
export function ruleSid(rule: Rule): number | undefined {
  return rule.body?.meta.sid;
}

export function ruleGid(rule: Rule): number {
  return rule.body?.meta.gid ?? 1;
}

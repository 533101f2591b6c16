import type { DiagnosticSink } from '../rule/diagnostics.js';
import type { Level } from '../types/level.js';
import type { KeywordContext, KeywordModule } from './keyword.js';
import type { IntOrVar } from './lib/int-or-var.js';
import type { NumericRange } from './lib/range.js';
import { rangeMax } from './lib/range-match.js';
import type { MetadataEntry } from './meta/metadata.js';
import type { ReferenceValue } from './meta/reference.js';
import type { TargetValue } from './meta/target.js';
import type { FastPatternValue } from './modifiers/fast-pattern.js';
import type { FlowValue } from './non-payload/flow.js';
import type { FlowbitsValue } from './non-payload/flowbits.js';
import type { XbitsValue } from './non-payload/xbits.js';
import type { FlowintValue } from './non-payload/flowint.js';
import type { ByteExtractValue } from './payload/byte-extract.js';
import type { ByteJumpValue } from './payload/byte-jump.js';
import type { ByteMathValue } from './payload/byte-math.js';
import type { ByteTestValue } from './payload/byte-test.js';
import type { ContentValue } from './payload/content.js';
import type { IsDataAtValue } from './payload/isdataat.js';
import type { PcreValue } from './payload/pcre.js';
import type { DetectionFilterValue } from './post/detection-filter.js';
import type { TagValue } from './post/tag.js';
import type { ThresholdValue } from './post/threshold.js';
import { repeatedOption } from './repeated-options.js';

/** One option of a rule after its module parsed the value. */
export interface OptionInstance {
  module: KeywordModule;
  /** Canonical keyword (module.keyword), whatever alias was written. */
  keyword: string;
  /** The parsed value; undefined when the module rejected it (its error is already reported). */
  value: unknown;
  raw: string | null;
  /** Reports at this option's position (for context errors such as a modifier with no content). */
  ctx: KeywordContext;
}

export interface RuleMeta {
  sid?: number;
  gid: number;
  rev: number;
  msg?: string;
  classtype?: string;
  priority?: number;
  level?: Level;
  references: ReferenceValue[];
  metadata: MetadataEntry[];
  target?: TargetValue;
}

/** A transform applied to a sticky buffer before the payload keywords after it inspect it. */
export interface TransformStep {
  keyword: string;
  value: unknown;
  option: OptionInstance;
}

interface PayloadBase {
  /** The buffer inspected, by its sticky-buffer name; `pkt_data` when the rule selected none. */
  buffer: string;
  /** Transforms of the buffer, in order (empty for most rules). */
  transforms: readonly TransformStep[];
  /** The option the element came from (its ctx reports at its position). */
  option: OptionInstance;
}

/** A content with every modifier that followed it folded in. */
export interface ContentMatch extends PayloadBase, ContentValue {
  kind: 'content';
  nocase: boolean;
  rawbytes: boolean;
  startsWith: boolean;
  endsWith: boolean;
  offset?: IntOrVar;
  depth?: IntOrVar;
  distance?: IntOrVar;
  within?: IntOrVar;
  fastPattern?: FastPatternValue;
  /**
   * How the buffer was chosen: none (pkt_data), a sticky buffer, an http_* modifier, or the
   * content keyword itself (uricontent; Suricata's filename and fileext on file.name).
   */
  bufferFrom: 'default' | 'sticky' | 'modifier' | 'keyword';
}

export interface PcreMatch extends PayloadBase {
  kind: 'pcre';
  value: PcreValue;
}
export interface ByteTestMatch extends PayloadBase {
  kind: 'byte_test';
  value: ByteTestValue;
}
export interface ByteJumpMatch extends PayloadBase {
  kind: 'byte_jump';
  value: ByteJumpValue;
}
export interface ByteExtractMatch extends PayloadBase {
  kind: 'byte_extract';
  value: ByteExtractValue;
}
export interface ByteMathMatch extends PayloadBase {
  kind: 'byte_math';
  value: ByteMathValue;
}
export interface IsDataAtMatch extends PayloadBase {
  kind: 'isdataat';
  value: IsDataAtValue;
}
export interface BsizeMatch extends PayloadBase {
  kind: 'bsize';
  value: NumericRange;
}
/** Other payload keywords (base64_decode, asn1, ...), interpreted by their own module. */
export interface OtherPayload extends PayloadBase {
  kind: 'other';
  keyword: string;
  value: unknown;
}

export type PayloadElement =
  | ContentMatch
  | PcreMatch
  | ByteTestMatch
  | ByteJumpMatch
  | ByteExtractMatch
  | ByteMathMatch
  | IsDataAtMatch
  | BsizeMatch
  | OtherPayload;

/** A header or flow condition (ttl, flags, dsize, urilen, ...), interpreted by its own module. */
export interface Condition {
  keyword: string;
  value: unknown;
  option: OptionInstance;
}

export interface RuleDetection {
  /** Payload keywords in rule order, each with its buffer. */
  payload: PayloadElement[];
  /** Header and flow conditions other than flow and flowbits. */
  conditions: Condition[];
  flow?: FlowValue;
  flowbits: FlowbitsValue[];
  /** xbits commands other than noalert, in rule order. */
  xbits: XbitsValue[];
  /** flowint operations, in rule order. */
  flowints: FlowintValue[];
  threshold?: ThresholdValue;
  detectionFilter?: DetectionFilterValue;
  tag?: TagValue;
  /** noalert, flowbits:noalert or xbits:noalert: the rule never alerts (it may still set flowbits). */
  noalert: boolean;
  /** The content marked fast_pattern, if any. */
  fastPattern?: ContentMatch;
  /** Variables defined by byte_extract and byte_math, in rule order. */
  variables: string[];
}

export interface SkipReason {
  keyword: string;
  reason: string;
  option: OptionInstance;
}

/** The semantic model of a rule's options, built in rule order. */
export interface RuleBody {
  meta: RuleMeta;
  detection: RuleDetection;
  /** Keywords that are recognised but not evaluated yet: the rule is skipped (the caller warns). */
  unsupported: string[];
  /** Why, per option, with its position. */
  skipReasons: SkipReason[];
}

/** The modifier options attached to a content (a handful at most), for the checks after the walk. */
interface ContentSources {
  modifiers: OptionInstance[];
  /** Present (undefined) from the start: one object shape whether or not a modifier moves the content. */
  bufferOption: OptionInstance | undefined;
}

function modifierOf(src: ContentSources, keyword: string): OptionInstance | undefined {
  for (const o of src.modifiers) if (o.keyword === keyword) return o;
  return undefined;
}

/**
 * Stands for a keyword kanshi recognises only by name (src/rule/foreign-keywords.ts): it makes
 * the rule skipped, and whatever it does with the buffer selected before it is unknown.
 */
const FOREIGN: KeywordModule<undefined> = {
  keyword: 'foreign',
  category: 'payload',
  takesValue: 'optional',
  evaluable: false,
  parse: () => undefined,
  print: () => null,
};

/** The option instance of a keyword that has no module (see FOREIGN), for its place in the rule. */
export function foreignOption(keyword: string, ctx: KeywordContext): OptionInstance {
  return { module: FOREIGN, keyword, value: undefined, raw: null, ctx };
}

/**
 * Walks the options in order, checks how they combine, and builds the rule's model.
 * Problems with one option are reported at that option (its ctx); rule-level problems
 * (missing sid or msg) go to `ruleCtx`. Options whose value failed to parse are skipped
 * quietly (their module reported why) without triggering follow-on errors.
 */
export function buildRuleBody(options: readonly OptionInstance[], ruleCtx?: DiagnosticSink): RuleBody {
  return new RuleBodyBuilder(options).build(ruleCtx);
}

/** The walk's state; a class so that a rule costs a few objects, not a closure per helper. */
class RuleBodyBuilder {
  // Optional fields present (undefined) from the start: one object shape for every rule.
  private readonly meta: RuleMeta = {
    sid: undefined,
    gid: 1,
    rev: 1,
    msg: undefined,
    classtype: undefined,
    priority: undefined,
    level: undefined,
    references: [],
    metadata: [],
    target: undefined,
  };
  private readonly detection: RuleDetection = {
    payload: [],
    conditions: [],
    flow: undefined,
    flowbits: [],
    xbits: [],
    flowints: [],
    threshold: undefined,
    detectionFilter: undefined,
    tag: undefined,
    noalert: false,
    fastPattern: undefined,
    variables: [],
  };
  private readonly unsupported: string[] = [];
  private readonly skipReasons: SkipReason[] = [];
  private readonly singleSeen: string[] = [];
  /** Created with the first content (a fifth of the rules in a large set have none). */
  private sources: Map<ContentMatch, ContentSources> | undefined;
  private sticky: { buffer: string; option: OptionInstance } | undefined;
  /** Whether a payload keyword (valid or not) came after the current sticky buffer. */
  private stickyUsed = false;
  private transforms: readonly TransformStep[] = NO_TRANSFORMS;
  /** The content the next modifier applies to; null when a broken content absorbs them. */
  private lastContent: ContentMatch | null | undefined;
  /** The last element that set the cursor, for the buffer of relative keywords. */
  private lastMatch: PayloadElement | undefined;
  /** Contents marked fast_pattern after the first (rare: see settleFastPatterns). */
  private moreFastPatterns: ContentMatch[] | undefined;
  /** Whether a content has fast_pattern:only (what relativeToOnly looks for). */
  private onlyFastPattern = false;
  /** Whether the rule already got its "Suricata 7 refuses this rule" warning. */
  private refusalReported = false;
  private thresholdOption: OptionInstance | undefined;
  /** pcre elements placed in a sticky buffer (a relative one may then start at the buffer start). */
  private stickyPcres: Set<PcreMatch> | undefined;

  constructor(private readonly options: readonly OptionInstance[]) {}

  build(ruleCtx: DiagnosticSink | undefined): RuleBody {
    for (const o of this.options) this.option(o);
    this.settleFastPatterns();
    // As Suricata, which rejects such a rule ("setup buffer ... but didn't add matches to it"):
    // a trailing sticky buffer usually means the Snort 2 modifier form was meant.
    const sticky = this.sticky;
    if (sticky !== undefined && !this.stickyUsed) {
      const kw = sticky.option.keyword;
      sticky.option.ctx.error(`${kw} selects the buffer of the payload keywords after it, but none follows: move it before the content or pcre it is meant for, e.g. ${kw}; content:"...";`);
    }
    checkContents(this.detection.payload, this.sources, this.options, this.stickyPcres);
    checkSizeLimits(this.detection.payload, this.detection.conditions);
    const mix = this.detection.conditions.length > 0 ? packetAndTransaction(this.detection) : undefined;
    if (mix !== undefined) {
      this.refusedBySuricata(mix.packet.option, `it combines ${mix.packet.keyword}, a test of one packet, with ${mix.app}, which Suricata inspects per transaction; kanshi evaluates the rule as written`);
    }
    if (ruleCtx !== undefined) {
      if (this.meta.sid === undefined && !this.singleSeen.includes('sid')) {
        ruleCtx.error('rule has no sid: add sid:N; with a number unique among your rules (local rules usually use 1000000 and above)');
      }
      if (this.meta.msg === undefined && !this.singleSeen.includes('msg')) {
        ruleCtx.warning('rule has no msg: add msg:"..."; so its alerts say what they detect');
      }
    }
    const meta = this.meta;
    const d = this.detection;
    // The model lives as long as the rule: no spare capacity, no empty list of its own.
    meta.references = exactSize(meta.references);
    d.payload = exactSize(d.payload);
    d.conditions = exactSize(d.conditions);
    d.flowbits = exactSize(d.flowbits);
    d.xbits = exactSize(d.xbits);
    d.flowints = exactSize(d.flowints);
    d.variables = exactSize(d.variables);
    return { meta, detection: d, unsupported: exactSize(this.unsupported), skipReasons: exactSize(this.skipReasons) };
  }

  private option(o: OptionInstance): void {
    const m = o.module;
    // Suricata lets a keyword kanshi does not evaluate (dataset, lua, ...) consume the sticky buffer.
    if (m.category === 'payload' || (m.evaluable === false && m.category !== 'transform' && m.category !== 'sticky-buffer')) this.stickyUsed = true;
    if (m.evaluable === false) this.skip(o, `${o.keyword} is recognised but not evaluated yet`);
    if (m.singleUse) {
      if (!this.singleSeen.includes(o.keyword)) this.singleSeen.push(o.keyword);
      else if (!repeatedOption(o, this.meta, this.detection)) return;
    }
    const value = o.value;
    if (value === undefined) {
      if (makesContent(m)) this.lastContent = null;
      return;
    }
    const why = m.unevaluatedValue?.(value);
    if (why !== undefined) this.skip(o, why);
    switch (m.category) {
      case 'meta':
        applyMeta(this.meta, o);
        return;
      case 'sticky-buffer':
        if (o.keyword === 'base64_data' && !this.detection.payload.some((el) => el.kind === 'other' && el.keyword === 'base64_decode')) {
          o.ctx.error('base64_data inspects what base64_decode decoded: put a base64_decode before it, e.g. base64_decode:relative; base64_data;');
          return;
        }
        if (this.sticky !== undefined && !this.stickyUsed) unusedSticky(this.sticky.option, o);
        this.sticky = o.keyword === 'pkt_data' ? undefined : { buffer: m.buffer ?? o.keyword, option: o };
        this.stickyUsed = false;
        this.transforms = NO_TRANSFORMS;
        // Suricata looks for a modifier's content in the current sticky buffer only; pkt_data
        // selects no buffer of its own, so a modifier after it still finds the last content.
        if (o.keyword !== 'pkt_data') this.lastContent = undefined;
        return;
      case 'transform':
        if (this.sticky === undefined) {
          o.ctx.error(`${o.keyword} must follow a sticky buffer such as http.uri; (a transform rewrites the current buffer)`);
          return;
        }
        // Suricata transforms the whole buffer, matches written before the transform included, and
        // expects transforms right after the sticky buffer; ET Open ships a few written later, so
        // this is a warning (kanshi applies the transform to what follows it).
        if (this.stickyUsed) {
          const kw = this.sticky.option.keyword;
          o.ctx.warning(`${o.keyword} after a match in ${kw}: a transform rewrites the whole buffer, so put it right after the sticky buffer, as ${kw}; ${o.keyword}; content:"...";`);
        }
        this.transforms = [...this.transforms, { keyword: o.keyword, value, option: o }];
        return;
      case 'payload':
        if (makesContent(m)) this.content(o, value as ContentValue);
        else this.payload(o, value);
        return;
      case 'modifier':
        this.modifier(o, value);
        return;
      case 'non-payload':
        if (o.keyword === 'flow') this.detection.flow = value as FlowValue;
        else if (o.keyword === 'flowbits') {
          const fb = value as FlowbitsValue;
          if (fb.cmd === 'noalert') this.detection.noalert = true;
          this.detection.flowbits.push(fb);
        } else if (o.keyword === 'xbits') {
          const xb = value as XbitsValue;
          if (xb.cmd === 'noalert') this.detection.noalert = true;
          else this.detection.xbits.push(xb);
        } else if (o.keyword === 'flowint') this.detection.flowints.push(value as FlowintValue);
        else this.detection.conditions.push({ keyword: o.keyword, value, option: o });
        return;
      case 'post-detection':
        this.post(o, value);
        return;
    }
  }

  private skip(o: OptionInstance, reason: string): void {
    if (!this.unsupported.includes(o.keyword)) this.unsupported.push(o.keyword);
    this.skipReasons.push({ keyword: o.keyword, reason, option: o });
  }

  private checkVar(o: OptionInstance, v: IntOrVar | undefined, what: string): void {
    if (typeof v !== 'string' || this.detection.variables.includes(v)) return;
    o.ctx.error(`${what} uses variable "${v}", which no earlier byte_extract or byte_math defines: define it first, e.g. byte_extract:2,0,${v};`);
  }

  private define(name: string): void {
    // Snort lets a later byte_extract reuse a name: the newer value replaces the older one.
    if (!this.detection.variables.includes(name)) this.detection.variables.push(name);
  }

  /** The buffer a payload keyword other than content inspects. */
  private bufferFor(relative: boolean): string {
    if (this.sticky !== undefined) return this.sticky.buffer;
    // Without a sticky buffer a relative keyword inspects the buffer of the previous match
    // (Suricata attaches it to that match's list), otherwise the packet payload.
    if (relative && this.lastMatch !== undefined) return this.lastMatch.buffer;
    return 'pkt_data';
  }

  private content(o: OptionInstance, cv: ContentValue): void {
    // uricontent, filename and fileext name their buffer and how they start; content inspects the sticky one.
    const start = o.module.contentElement?.(cv);
    const fixed = start !== undefined ? o.module.buffer : undefined;
    const sticky = this.sticky;
    const el: ContentMatch = {
      kind: 'content',
      bytes: start?.bytes ?? cv.bytes,
      negated: cv.negated,
      buffer: fixed ?? (sticky !== undefined ? sticky.buffer : 'pkt_data'),
      transforms: fixed !== undefined ? NO_TRANSFORMS : this.transforms,
      option: o,
      nocase: start?.nocase ?? false,
      rawbytes: false,
      startsWith: false,
      endsWith: start?.endsWith ?? false,
      // Every slot a modifier may fill, present from the start: one object shape for all
      // contents, instead of one per order in which a rule writes its modifiers.
      offset: undefined,
      depth: undefined,
      distance: undefined,
      within: undefined,
      fastPattern: undefined,
      bufferFrom: fixed !== undefined ? 'keyword' : sticky !== undefined ? 'sticky' : 'default',
    };
    (this.sources ??= new Map()).set(el, { modifiers: [], bufferOption: undefined });
    this.detection.payload.push(el);
    this.lastContent = el;
    this.lastMatch = el;
  }

  private payload(o: OptionInstance, value: unknown): void {
    const d = this.detection;
    switch (o.keyword) {
      case 'pcre': {
        const v = value as PcreValue;
        const sticky = this.sticky;
        let buffer: string;
        if (v.buffer !== undefined) {
          if (sticky !== undefined && !sameBuffer(v.buffer, sticky.buffer)) {
            o.ctx.error(
              `this pcre's buffer flag selects ${v.buffer}, but the rule is inspecting ${sticky.buffer} here (after ${sticky.option.keyword};): drop the flag, or move the pcre before ${sticky.option.keyword};`,
            );
            return;
          }
          buffer = sticky?.buffer ?? v.buffer;
        } else buffer = this.bufferFor(v.relative);
        if (v.compiled === null) this.skip(o, `pcre: ${v.unsupported ?? 'the pattern cannot be evaluated'}`);
        const el: PcreMatch = { kind: 'pcre', value: v, buffer, transforms: v.buffer !== undefined && sticky === undefined ? NO_TRANSFORMS : this.transforms, option: o };
        if (sticky !== undefined) (this.stickyPcres ??= new Set()).add(el);
        d.payload.push(el);
        this.lastMatch = el;
        return;
      }
      case 'byte_test': {
        const v = value as ByteTestValue;
        this.checkVar(o, v.bytes, 'byte_test');
        this.checkVar(o, v.value, 'byte_test');
        this.checkVar(o, v.offset, 'byte_test');
        d.payload.push({ kind: 'byte_test', value: v, option: o, transforms: this.transforms, buffer: this.bufferFor(v.relative) });
        return;
      }
      case 'byte_jump': {
        const v = value as ByteJumpValue;
        this.checkVar(o, v.bytes, 'byte_jump');
        this.checkVar(o, v.offset, 'byte_jump');
        const el: ByteJumpMatch = { kind: 'byte_jump', value: v, option: o, transforms: this.transforms, buffer: this.bufferFor(v.relative) };
        d.payload.push(el);
        this.lastMatch = el;
        return;
      }
      case 'byte_extract': {
        const v = value as ByteExtractValue;
        this.define(v.name);
        const el: ByteExtractMatch = { kind: 'byte_extract', value: v, option: o, transforms: this.transforms, buffer: this.bufferFor(v.relative) };
        d.payload.push(el);
        this.lastMatch = el;
        return;
      }
      case 'byte_math': {
        const v = value as ByteMathValue;
        this.checkVar(o, v.bytes, 'byte_math');
        this.checkVar(o, v.offset, 'byte_math');
        this.checkVar(o, v.rvalue, 'byte_math');
        this.define(v.result);
        const el: ByteMathMatch = { kind: 'byte_math', value: v, option: o, transforms: this.transforms, buffer: this.bufferFor(v.relative) };
        d.payload.push(el);
        this.lastMatch = el;
        return;
      }
      case 'isdataat': {
        const v = value as IsDataAtValue;
        this.checkVar(o, v.offset, 'isdataat');
        d.payload.push({ kind: 'isdataat', value: v, option: o, transforms: this.transforms, buffer: this.bufferFor(v.relative) });
        return;
      }
      case 'bsize':
        if (this.sticky === undefined) {
          o.ctx.error('bsize must follow a sticky buffer such as http.uri; (it measures that buffer)');
          return;
        }
        d.payload.push({ kind: 'bsize', value: value as NumericRange, option: o, transforms: this.transforms, buffer: this.sticky.buffer });
        return;
      default: {
        const relative = typeof value === 'object' && value !== null && (value as { relative?: unknown }).relative === true;
        d.payload.push({ kind: 'other', keyword: o.keyword, value, option: o, transforms: this.transforms, buffer: this.bufferFor(relative) });
      }
    }
  }

  private modifier(o: OptionInstance, value: unknown): void {
    const kw = o.keyword;
    const el = this.lastContent;
    if (el === undefined) {
      const pcre = this.lastMatch?.kind === 'pcre' ? this.lastMatch : undefined;
      if (kw === 'nocase' && pcre !== undefined) {
        o.ctx.error(`nocase applies to a content, not to a pcre: give the pcre the i flag instead, as pcre:${withCaselessFlag(pcre.option.raw ?? '')};`);
        return;
      }
      const written = `${kw}${o.raw !== null && o.raw.trim() !== '' ? ':' + o.raw.trim() : ''}`;
      const sticky = o.module.buffer === undefined ? this.sticky?.option.keyword : undefined;
      if (sticky === undefined) o.ctx.error(`${kw} must follow a content option; write content:"..."; ${written};`);
      else if (kw === 'rawbytes') o.ctx.error(`rawbytes cannot be used after ${sticky}: rawbytes inspects the raw packet; remove it`);
      else if (kw === 'fast_pattern' && this.sources !== undefined) {
        // Suricata 7 loads it, choosing only what screens the rule: nothing a match depends on.
        o.ctx.warning(`fast_pattern must follow a content in ${sticky}: Suricata 7 gives it to the last content before ${sticky} instead, and kanshi ignores it; write ${sticky}; content:"..."; fast_pattern;`);
      } else o.ctx.error(`${kw} must follow a content in ${sticky}: write ${sticky}; content:"..."; ${written};`);
      return;
    }
    if (el === null) return;
    const src = this.sources!.get(el)!;
    if (o.module.buffer !== undefined) {
      // Snort 2's file_data is a cursor that an http_* modifier overrides; other sticky buffers are final.
      const overridable = el.bufferFrom === 'default' || (el.bufferFrom === 'sticky' && el.buffer === 'file.data');
      if (!overridable) {
        const by =
          el.bufferFrom === 'keyword'
            ? el.option.keyword
            : el.bufferFrom === 'sticky'
              ? `the sticky buffer ${this.sticky?.option.keyword ?? el.buffer}`
              : src.bufferOption!.keyword;
        o.ctx.error(`${kw} cannot apply here: this content already inspects ${el.buffer} (selected by ${by}); remove ${kw}`);
        return;
      }
      // Snort 2 reads file_data as a cursor that an http_* modifier overrides; Suricata 7
      // refuses the modifier while a sticky buffer is set.
      if (el.bufferFrom === 'sticky') {
        this.refusedBySuricata(o, `${kw} after a content in file_data, which is a sticky buffer there; kanshi reads it as Snort 2 does and moves ${shownOption(el.option)} to ${o.module.buffer}; for Suricata, write pkt_data; before that content`);
      }
      el.buffer = o.module.buffer;
      el.bufferFrom = 'modifier';
      el.transforms = NO_TRANSFORMS;
      src.bufferOption = o;
      return;
    }
    if (modifierOf(src, kw) !== undefined) {
      // Suricata sets endswith again without complaint; every other repeat it refuses.
      if (kw === 'endswith') o.ctx.warning('endswith is already set for this content: remove one');
      else o.ctx.error(`${kw} is already set for this content: remove one`);
      return;
    }
    src.modifiers.push(o);
    switch (kw) {
      case 'nocase':
        el.nocase = true;
        return;
      case 'rawbytes':
        el.rawbytes = true;
        return;
      case 'startswith':
        el.startsWith = true;
        return;
      case 'endswith':
        el.endsWith = true;
        return;
      case 'fast_pattern':
        el.fastPattern = value as FastPatternValue;
        if (el.fastPattern.kind === 'only') this.onlyFastPattern = true;
        // Which of several wins is settled once every content has its final buffer (settleFastPatterns).
        if (this.detection.fastPattern === undefined) this.detection.fastPattern = el;
        else (this.moreFastPatterns ??= []).push(el);
        return;
      // One named store per keyword: a store keyed by `kw` would be a megamorphic keyed store.
      case 'offset':
        this.checkVar(o, value as IntOrVar, kw);
        el.offset = value as IntOrVar;
        return;
      case 'depth':
        this.checkVar(o, value as IntOrVar, kw);
        el.depth = value as IntOrVar;
        return;
      case 'distance':
        this.checkVar(o, value as IntOrVar, kw);
        if (this.onlyFastPattern) this.relativeToOnly(o, el);
        el.distance = value as IntOrVar;
        return;
      case 'within':
        this.checkVar(o, value as IntOrVar, kw);
        if (this.onlyFastPattern) this.relativeToOnly(o, el);
        el.within = value as IntOrVar;
        return;
      default:
        // A modifier module this builder has no slot for: keep it out of the model, loudly.
        o.ctx.error(`${kw} cannot be combined with content here`);
    }
  }

  /**
   * Suricata refuses distance or within when the match before their content, in the buffer it
   * is in when they are read, has fast_pattern:only ("relative keywords around a fast_pattern
   * only content"). Snort 2 rules do that; kanshi evaluates them as Snort does, and says so.
   */
  private relativeToOnly(o: OptionInstance, el: ContentMatch): void {
    if (this.refusalReported) return;
    const p = this.detection.payload;
    for (let k = p.lastIndexOf(el) - 1; k >= 0; k--) {
      const prev = p[k]!;
      if ((prev.kind !== 'content' && prev.kind !== 'pcre') || prev.buffer !== el.buffer) continue;
      if (prev.kind === 'content' && prev.fastPattern?.kind === 'only') {
        this.refusedBySuricata(
          o,
          `it reads ${o.keyword} next to ${shownOption(prev.option)}, which has fast_pattern:only, and allows no relative keyword around such a content; kanshi evaluates the rule as written (for Suricata, write fast_pattern; instead of fast_pattern:only)`,
        );
      }
      return;
    }
  }

  /**
   * A Snort 2 form that kanshi evaluates and Suricata 7 refuses to load: said once per rule,
   * for a rule checked before it goes to a Suricata sensor.
   */
  private refusedBySuricata(o: OptionInstance, why: string): void {
    if (this.refusalReported) return;
    this.refusalReported = true;
    o.ctx.warning(`Suricata 7 refuses this rule: ${why}`);
  }

  /**
   * Suricata 7 screens a rule by one fast_pattern content: the one on pkt_data if any (it
   * refuses one written after that), else the first. Others are accepted and ignored.
   */
  private settleFastPatterns(): void {
    const more = this.moreFastPatterns;
    if (more === undefined) return;
    const all = [this.detection.fastPattern!, ...more];
    const raw = all.findIndex((el) => el.buffer === 'pkt_data');
    const chosen = all[Math.max(0, raw)]!;
    this.detection.fastPattern = chosen;
    for (let k = 0; k < all.length; k++) {
      const el = all[k]!;
      if (el === chosen) continue;
      const fp = modifierOf(this.sources!.get(el)!, 'fast_pattern')!;
      if (raw >= 0 && k > raw) fp.ctx.error('only one content per rule can be the fast_pattern: remove this one (an earlier content already has fast_pattern)');
      else {
        fp.ctx.warning(
          `fast_pattern on a second content: Suricata 7 accepts it, but screens the rule by ${shownOption(chosen.option)} in ${chosen.buffer} alone, as kanshi does; remove the fast_pattern it does not use`,
        );
      }
    }
  }

  private post(o: OptionInstance, value: unknown): void {
    const d = this.detection;
    switch (o.keyword) {
      case 'threshold':
      case 'detection_filter':
        if (this.thresholdOption !== undefined && this.thresholdOption.keyword !== o.keyword) {
          o.ctx.error('threshold and detection_filter cannot be used in the same rule: keep one');
          return;
        }
        this.thresholdOption = o;
        if (o.keyword === 'threshold' && (value as ThresholdValue).type === 'backoff') {
          this.skip(o, 'kanshi does not evaluate threshold type backoff (Suricata 8); type limit, threshold or both is evaluated');
          return;
        }
        if (o.keyword === 'threshold') d.threshold = value as ThresholdValue;
        else d.detectionFilter = value as DetectionFilterValue;
        return;
      case 'tag':
        d.tag = value as TagValue;
        return;
      case 'noalert':
        d.noalert = true;
        return;
      case 'filestore':
        // What to do after a match (store the file), nothing of what matches: see its module.
        return;
      default:
        d.conditions.push({ keyword: o.keyword, value, option: o });
    }
  }
}

/** A pcre value with the `i` flag added: `"/admin/"` gives `"/admin/i"`. */
function withCaselessFlag(raw: string): string {
  const text = raw.trim();
  const close = text.lastIndexOf('"');
  return close > 0 && !text.slice(text.lastIndexOf('/', close) + 1, close).includes('i') ? `${text.slice(0, close)}i${text.slice(close)}` : text;
}

/** Keywords that each make one content element (see content()): content and those naming their buffer. */
function makesContent(m: KeywordModule): boolean {
  return m.keyword === 'content' || m.contentElement !== undefined;
}

/** `content:"abc"` as written, cut short when long, for naming a content in a message. */
function shownOption(o: OptionInstance): string {
  const text = `${o.keyword}:${(o.raw ?? '').trim()}`;
  return text.length > 48 ? `${text.slice(0, 45)}..."` : text;
}

/**
 * A sticky buffer followed by another with nothing between them: Suricata refuses the rule
 * ("previous sticky buffer has no matches"); most often the content meant for the first was lost.
 */
function unusedSticky(first: OptionInstance, next: OptionInstance): void {
  const kw = first.keyword;
  if (kw === next.keyword) first.ctx.error(`${kw} is written twice in a row, with nothing to match between: remove one`);
  else first.ctx.error(`${kw} has nothing to match before ${next.keyword}: remove ${kw}, or add the content meant for it, as ${kw}; content:"..."; ${next.keyword};`);
}

const NO_TRANSFORMS: readonly TransformStep[] = Object.freeze([]);

/** Shared by every rule with nothing in a list: the model is read, never changed, once built. */
const NO_ITEMS: readonly never[] = Object.freeze([]);

/** The shared empty list, or a copy without the spare capacity that growing the list left. */
function exactSize<T>(list: T[]): T[] {
  return list.length === 0 ? (NO_ITEMS as never[]) : list.slice();
}

function applyMeta(meta: RuleMeta, o: OptionInstance): void {
  const v = o.value;
  switch (o.keyword) {
    case 'sid':
      meta.sid = v as number;
      break;
    case 'gid':
      meta.gid = v as number;
      break;
    case 'rev':
      meta.rev = v as number;
      break;
    case 'msg':
      meta.msg = v as string;
      break;
    case 'classtype':
      meta.classtype = v as string;
      break;
    case 'priority':
      meta.priority = v as number;
      break;
    case 'level':
      meta.level = v as Level;
      break;
    case 'reference':
      meta.references.push(v as ReferenceValue);
      break;
    case 'metadata':
      // Entry lists are immutable and shared (one per distinct metadata text): no copy for the common single option.
      meta.metadata = meta.metadata.length === 0 ? (v as MetadataEntry[]) : meta.metadata.concat(v as MetadataEntry[]);
      break;
    case 'target':
      meta.target = v as TargetValue;
      break;
  }
}

/** Where flag `f` of a pcre's flags sits in the option's value (the flags end the quoted pattern), for a caret under it. */
function flagAt(raw: string | null, flags: string, f: string): [number, number] | [] {
  if (raw === null) return [];
  const start = raw.lastIndexOf(flags, raw.lastIndexOf('"'));
  const k = flags.indexOf(f);
  return start < 0 || k < 0 ? [] : [start + k, 1];
}

/** Checks that need a content's final buffer and all of its modifiers. */
function checkContents(
  payload: readonly PayloadElement[],
  /** Undefined when the rule has no content. */
  sources: ReadonlyMap<ContentMatch, ContentSources> | undefined,
  options: readonly OptionInstance[],
  stickyPcres: ReadonlySet<PcreMatch> | undefined,
): void {
  /** Buffers in which something has matched so far (what relative keywords measure from). */
  const anchored: string[] = [];
  for (const el of payload) {
    if (el.kind === 'pcre') {
      const v = el.value;
      if (v.relative && !anchored.includes(el.buffer) && stickyPcres?.has(el) !== true) {
        el.option.ctx.error(`pcre flag R needs an earlier content or pcre match in ${el.buffer} to be relative to; drop R to search the whole buffer`, ...flagAt(el.option.raw, v.flags, 'R'));
      }
      if (!anchored.includes(el.buffer)) anchored.push(el.buffer);
      continue;
    }
    if (el.kind === 'byte_jump' || el.kind === 'byte_extract' || el.kind === 'byte_math') {
      if (!anchored.includes(el.buffer)) anchored.push(el.buffer);
      continue;
    }
    if (el.kind !== 'content') continue;
    checkCaseTransform(el);
    if (el.bytes.length !== 32 && HASH_BUFFERS.has(el.buffer)) checkHashLength(el, payload);
    const src = sources!.get(el)!;
    if (src.modifiers.length === 0 && el.buffer !== 'http.host') {
      if (!anchored.includes(el.buffer)) anchored.push(el.buffer);
      continue;
    }
    const len = el.bytes.length;

    // Each modifier at most once per content (modifier() rejects repeats): one pass finds them all.
    let offsetO: OptionInstance | undefined;
    let depthO: OptionInstance | undefined;
    let distanceO: OptionInstance | undefined;
    let withinO: OptionInstance | undefined;
    let fp: OptionInstance | undefined;
    let raw: OptionInstance | undefined;
    let starts: OptionInstance | undefined;
    for (const m of src.modifiers) {
      switch (m.keyword) {
        case 'offset':
          offsetO = m;
          break;
        case 'depth':
          depthO = m;
          break;
        case 'distance':
          distanceO = m;
          break;
        case 'within':
          withinO = m;
          break;
        case 'fast_pattern':
          fp = m;
          break;
        case 'rawbytes':
          raw = m;
          break;
        case 'startswith':
          starts = m;
          break;
      }
    }
    // The first in the order offset, depth, distance, within.
    const positional = offsetO ?? depthO ?? distanceO ?? withinO;
    const absolute = offsetO ?? depthO;
    const relative = distanceO ?? withinO;
    if (absolute !== undefined && relative !== undefined) {
      const later = options.indexOf(absolute) > options.indexOf(relative) ? absolute : relative;
      later.ctx.error(
        `${later.keyword} cannot be combined with ${later === absolute ? relative.keyword : absolute.keyword} on the same content: use offset/depth (from the buffer start) or distance/within (from the previous match), not both`,
      );
    }
    if (el.startsWith && positional !== undefined) {
      for (const o of [offsetO, depthO, distanceO, withinO]) {
        if (o !== undefined) o.ctx.error(`${o.keyword} cannot be combined with startswith on the same content: startswith already fixes the position at the buffer start`);
      }
    }
    if (depthO !== undefined && typeof el.depth === 'number' && el.depth < len) {
      depthO.ctx.error(`depth:${el.depth} is shorter than the content (${len} bytes), so it can never match: use depth:${len} or more`);
    }
    if (withinO !== undefined && typeof el.within === 'number' && el.within < len) {
      withinO.ctx.error(`within:${el.within} is shorter than the content (${len} bytes), so it can never match: use within:${len} or more`);
    }
    if (relative !== undefined && !anchored.includes(el.buffer)) {
      // Snort and Suricata accept this and count from the buffer start; say so, and how to write it.
      const alt = relative.keyword === 'distance' ? 'offset' : 'depth';
      relative.ctx.warning(
        `${relative.keyword} has no earlier content or pcre match in ${el.buffer} to be relative to, so it counts from the buffer start: write ${alt}:${String(relative.value)} to say so`,
      );
    }
    if (fp !== undefined && el.fastPattern !== undefined) {
      // startswith is a depth to Suricata.
      if (el.negated) negatedFastPattern(el.fastPattern, fp, positional ?? starts);
      else if (el.fastPattern.kind === 'chop' && el.fastPattern.offset + el.fastPattern.length > len) {
        fp.ctx.error(`fast_pattern:${el.fastPattern.offset},${el.fastPattern.length} reaches past the end of the content (${len} bytes)`);
      } else if (el.fastPattern.kind === 'only') {
        const fixed = positional ?? starts;
        if (fixed !== undefined) {
          fp.ctx.error(`fast_pattern:only cannot be combined with ${fixed.keyword}: the prefilter match alone cannot check a position; write fast_pattern; instead`);
        }
      }
    }
    if (raw !== undefined && el.buffer !== 'pkt_data') {
      raw.ctx.error(`rawbytes cannot be used on a content in ${el.buffer}: rawbytes inspects the raw packet; remove one of them`);
    }
    if (el.buffer === 'http.host') checkHostCase(el, src);
    if (!anchored.includes(el.buffer)) anchored.push(el.buffer);
  }
}

/** Buffers that hold an MD5 hash as 32 hex characters. */
const HASH_BUFFERS: ReadonlySet<string> = new Set(['ja3.hash', 'ja3s.hash', 'ssh.hassh', 'ssh.hassh.server']);

/**
 * Suricata refuses a hash buffer whose first content is not 32 characters long, since it can
 * never match (DetectTlsJa3HashValidateCallback and the like); a transform makes another buffer.
 */
function checkHashLength(el: ContentMatch, payload: readonly PayloadElement[]): void {
  if (el.transforms.length > 0) return;
  for (const other of payload) {
    if (other === el) break;
    if (other.kind === 'content' && other.buffer === el.buffer && other.transforms.length === 0) return;
  }
  el.option.ctx.error(`${el.buffer} is an MD5 hash written as 32 hex characters, so a content of ${el.bytes.length} bytes can never match it: write the whole hash`);
}

/**
 * fast_pattern on a negated content: Suricata 7 accepts it unless the content also has a
 * position, but the prefilter cannot screen by a pattern the rule wants absent, so the engine
 * screens by another content (src/match chooseFastPattern) and the mark only misleads.
 */
function negatedFastPattern(v: FastPatternValue, fp: OptionInstance, positional: OptionInstance | undefined): void {
  if (v.kind === 'only') fp.ctx.error('fast_pattern:only cannot be used on a negated content: put it on a content without !');
  else if (positional !== undefined) {
    fp.ctx.error(`fast_pattern cannot be used on a negated content with ${positional.keyword}: remove fast_pattern, or put it on a content without !`);
  } else {
    fp.ctx.warning('fast_pattern on a negated content cannot screen the rule (the rule must be checked wherever the pattern is absent): put it on a content without !');
  }
}

/**
 * http.host holds the host in lower case. Suricata refuses nocase there (the buffer is lower
 * case already) and an upper-case content; a transform makes another buffer of it, which
 * Suricata does not check, and checkCaseTransform handles the case-changing ones.
 */
function checkHostCase(el: ContentMatch, src: ContentSources): void {
  const nocase = el.transforms.length === 0 ? modifierOf(src, 'nocase') : undefined;
  if (nocase !== undefined) {
    nocase.ctx.error('nocase cannot be used on http.host: the host buffer is lower case already, so write the content in lower case without nocase');
    return;
  }
  if (el.nocase || !hasUpper(el.bytes) || !keepsCase(el.transforms)) return;
  (src.bufferOption ?? el.option).ctx.error('http.host is lower-cased, so a content with upper-case letters can never match it: write the content in lower case');
}

/** Transforms that keep the case of every letter, so an earlier case change still holds after them. */
const CASE_KEEPING: ReadonlySet<string> = new Set(['compress_whitespace', 'strip_whitespace', 'dotprefix']);

/**
 * A content with upper-case letters after to_lowercase (lower-case after to_uppercase) never
 * matches; Suricata refuses such a content as incompatible with the transform.
 */
function checkCaseTransform(el: ContentMatch): void {
  if (el.transforms.length === 0) return;
  const kw = lastCaseTransform(el);
  const wrong = kw === 'to_lowercase' ? hasUpper(el.bytes) : kw === 'to_uppercase' ? hasLower(el.bytes) : false;
  if (!wrong) return;
  const cased = kw === 'to_lowercase' ? 'lower' : 'upper';
  const other = cased === 'lower' ? 'upper' : 'lower';
  // Suricata checks the content as written, before nocase: it refuses it with nocase too.
  el.option.ctx.error(
    el.nocase
      ? `${kw} makes ${el.buffer} ${cased} case, and Suricata refuses a content with ${other}-case letters after it even with nocase: write the content in ${cased} case, without nocase`
      : `${kw} makes ${el.buffer} ${cased} case, so a content with ${other}-case letters can never match it: write the content in ${cased} case`,
  );
}

/** Whether every transform keeps the case of the letters (so http.host stays lower case). */
function keepsCase(transforms: readonly TransformStep[]): boolean {
  for (const t of transforms) if (!CASE_KEEPING.has(t.keyword)) return false;
  return true;
}

/** The last transform of a content's buffer that sets the case of its letters, if any. */
function lastCaseTransform(el: ContentMatch): string | undefined {
  for (let k = el.transforms.length - 1; k >= 0; k--) {
    const kw = el.transforms[k]!.keyword;
    if (!CASE_KEEPING.has(kw)) return kw === 'to_lowercase' || kw === 'to_uppercase' ? kw : undefined;
  }
  return undefined;
}

/**
 * A content that needs more bytes than bsize (same buffer) or dsize (the packet payload) allows.
 * Suricata refuses both at load: the content's length, with its offset, exceeds the size value.
 */
function checkSizeLimits(payload: readonly PayloadElement[], conditions: readonly Condition[]): void {
  const dsize = conditions.find((c) => c.keyword === 'dsize');
  const dsizeMax = dsize === undefined ? undefined : rangeMax(dsize.value as NumericRange);
  for (const el of payload) {
    if (el.kind !== 'content' || el.negated) continue;
    const needed = el.bytes.length + (typeof el.offset === 'number' ? el.offset : 0);
    const bsize = payload.find((b): b is BsizeMatch => b.kind === 'bsize' && b.buffer === el.buffer && b.transforms === el.transforms);
    const bsizeMax = bsize === undefined ? undefined : rangeMax(bsize.value);
    if (bsize !== undefined && bsizeMax !== undefined && needed > bsizeMax) tooLong(el, needed, `bsize:${bsize.option.raw!.trim()}`, bsizeMax);
    else if (dsize !== undefined && dsizeMax !== undefined && el.buffer === 'pkt_data' && needed > dsizeMax) tooLong(el, needed, `dsize:${dsize.option.raw!.trim()}`, dsizeMax);
  }
}

/** Header keywords Suricata counts as matches on a single packet. */
const PACKET_KEYWORDS: ReadonlySet<string> = new Set(['flags', 'fragbits', 'fragoffset', 'dsize', 'ttl', 'tos', 'id', 'ipopts', 'ack', 'seq', 'window', 'sameip', 'itype', 'icode', 'icmp_id', 'icmp_seq', 'icmpv6.mtu']);

/**
 * A test of a single packet (flags, dsize, ttl, ...) beside one of a transaction's buffer
 * (http.uri, file.data, ...): Suricata 7 inspects the two at different times and refuses the
 * rule. Snort 2 rules do it; kanshi evaluates both on the packet.
 */
function packetAndTransaction(d: RuleDetection): { packet: Condition; app: string } | undefined {
  let packet: Condition | undefined;
  for (const c of d.conditions) {
    if (PACKET_KEYWORDS.has(c.keyword)) {
      packet = c;
      break;
    }
  }
  if (packet === undefined) return undefined;
  let app: string | undefined;
  for (const el of d.payload) {
    if (el.buffer !== 'pkt_data' && el.buffer !== 'base64_data') {
      app = `the ${el.buffer} buffer`;
      break;
    }
  }
  if (app === undefined && d.conditions.some((c) => c.keyword === 'urilen')) app = 'urilen';
  return app === undefined ? undefined : { packet, app };
}

function tooLong(el: ContentMatch, needed: number, limit: string, max: number): void {
  const what = needed === el.bytes.length ? `this content is ${needed} bytes` : `this content needs ${needed} bytes (offset ${String(el.offset)} and ${el.bytes.length} of content)`;
  el.option.ctx.error(`${what}, but ${limit} allows at most ${max}, so it can never match: shorten the content or change ${limit.slice(0, limit.indexOf(':'))}`);
}

/** A pcre buffer flag agrees with the sticky buffer (Q names the HTTP response body as file data). */
function sameBuffer(a: string, b: string): boolean {
  if (a === b) return true;
  const body = (x: string): boolean => x === 'file.data' || x === 'http.response_body';
  return body(a) && body(b);
}

function hasUpper(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x41 && bytes[i]! <= 0x5a) return true;
  return false;
}

function hasLower(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x61 && bytes[i]! <= 0x7a) return true;
  return false;
}

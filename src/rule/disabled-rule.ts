import type { CompiledHeader, Rule, RuleOption, RuleStatus, SourceLoc } from './ast.js';
import { buildRule, type RuleReporter } from './build.js';
import { parseLine, type RuleNode } from './line-parser.js';
import type { RuleBody } from '../options/rule-body.js';
import type { LogicalLine } from './source.js';
import type { VariableTable } from './variables.js';

/** Commented-out rules are parsed for their structure only: their problems are not reported. */
const QUIET: RuleReporter = { report: () => undefined };

/**
 * A commented-out rule (`# alert ...`). The loader only needs to know that the line parses as a
 * rule: a disabled rule reports nothing and is never evaluated, and rule sets ship thousands of
 * them (ET Open: 6,579 of 30,214). So its options are read when something first asks for them
 * (a printer, a listing of sids), with the variables as they stood at its line, giving the same
 * Rule as reading it at load would.
 */
export class DisabledRule implements Rule {
  readonly enabled = false;
  status: RuleStatus = 'disabled';
  readonly loc: SourceLoc;
  private built: Rule | undefined = undefined;

  constructor(
    /** The line from the action on (the comment marker cut off), known to parse as a rule. */
    readonly source: LogicalLine,
    actionOffset: number,
    /** The variables in force at the line; not changed afterwards (the loader hands a snapshot). */
    private vars: VariableTable | undefined,
  ) {
    const at = source.locate(actionOffset);
    this.loc = { file: source.file, line: at.line, col: at.col };
  }

  private get rule(): Rule {
    if (this.built === undefined) {
      const parsed = parseLine(this.source.text);
      if (!parsed.ok || parsed.node.kind !== 'rule') throw new Error('a disabled rule no longer parses as a rule');
      this.built = buildRule(parsed.node as RuleNode, this.source.text, this.source, { vars: this.vars!, enabled: false, reporter: QUIET }).rule;
      this.vars = undefined;
    }
    return this.built;
  }

  get action(): string {
    return this.rule.action;
  }
  set action(v: string) {
    this.rule.action = v;
  }
  get protocol(): string {
    return this.rule.protocol;
  }
  set protocol(v: string) {
    this.rule.protocol = v;
  }
  get src(): string {
    return this.rule.src;
  }
  set src(v: string) {
    this.rule.src = v;
  }
  get srcPort(): string {
    return this.rule.srcPort;
  }
  set srcPort(v: string) {
    this.rule.srcPort = v;
  }
  get direction(): '->' | '<>' {
    return this.rule.direction;
  }
  set direction(v: '->' | '<>') {
    this.rule.direction = v;
  }
  get dst(): string {
    return this.rule.dst;
  }
  set dst(v: string) {
    this.rule.dst = v;
  }
  get dstPort(): string {
    return this.rule.dstPort;
  }
  set dstPort(v: string) {
    this.rule.dstPort = v;
  }
  get options(): RuleOption[] {
    return this.rule.options;
  }
  set options(v: RuleOption[]) {
    this.rule.options = v;
  }
  get body(): RuleBody | undefined {
    return this.rule.body;
  }
  set body(v: RuleBody | undefined) {
    this.rule.body = v;
  }
  get header(): CompiledHeader | undefined {
    return this.rule.header;
  }
  set header(v: CompiledHeader | undefined) {
    this.rule.header = v;
  }
  get unsupported(): string[] {
    return this.rule.unsupported;
  }
  set unsupported(v: string[]) {
    this.rule.unsupported = v;
  }
}

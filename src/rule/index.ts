/** The rule front's public API: load and check rules, print them, evaluate header specs. */
import type { Rule } from './ast.js';
import { DiagnosticCollector, type Diagnostic } from './diagnostics.js';
import { RuleLoader, type LoadCounts } from './loader.js';
import { VariableTable } from './variables.js';

export type { Rule, RuleOption, RuleStatus, CompiledHeader, SourceLoc } from './ast.js';
export { ruleSid, ruleGid, locate } from './ast.js';
export { RuleLoader, type LoadCounts, type LoaderOptions } from './loader.js';
export { printRule, printOption } from './printer.js';
export { VariableTable } from './variables.js';
export { IpSet, parseAddressText } from './ip-set.js';
export { PortSet, parsePortText } from './port-set.js';
export { DiagnosticCollector, formatDiagnostic, type Diagnostic, type DiagnosticSink } from './diagnostics.js';

export interface ParsedRules {
  rules: Rule[];
  diagnostics: Diagnostic[];
  counts: LoadCounts;
  errors: number;
  warnings: number;
}

/** Parses rules text held in memory (includes resolve relative to `file`). */
export function parseRules(text: string, options: { file?: string; vars?: VariableTable } = {}): ParsedRules {
  const collector = new DiagnosticCollector();
  const loader = new RuleLoader({ vars: options.vars ?? VariableTable.withDefaults(), collector });
  loader.loadText(options.file ?? '<text>', text);
  return { rules: loader.rules, diagnostics: collector.list, counts: loader.counts(), errors: collector.errors, warnings: collector.warnings };
}

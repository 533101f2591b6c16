/**
 * `kanshi check`'s warnings about rules that load but can never match: a flowbit that rules check
 * but no loaded rule sets, as Suricata warns "flowbit is checked but not set" at load (usually a
 * misspelt name, or the rules that set it left out), and parts that contradict each other, which
 * Suricata refuses at load (match/compile.ts, ruleContradiction).
 */
import { ruleContradiction } from '../match/compile.js';
import type { FlowbitsValue } from '../options/non-payload/flowbits.js';
import type { Rule } from '../rule/ast.js';
import { diagnosticAt, type DiagnosticCollector } from '../rule/diagnostics.js';

const SETTERS: ReadonlySet<string> = new Set(['set', 'setx', 'toggle']);

/** Adds a warning at each check of a bit no loaded rule sets; returns how many were added. */
export function addUnsetFlowbitWarnings(rules: readonly Rule[], out: DiagnosticCollector): number {
  const active = rules.filter((r) => r.status === 'loaded' && r.enabled);
  const set = new Set<string>();
  for (const r of active) {
    for (const o of r.options) {
      const v = o.keyword === 'flowbits' ? (o.value as FlowbitsValue | undefined) : undefined;
      if (v !== undefined && SETTERS.has(v.cmd)) for (const n of v.names) set.add(n);
    }
  }
  let n = 0;
  for (const r of active) {
    for (const o of r.options) {
      const v = o.keyword === 'flowbits' ? (o.value as FlowbitsValue | undefined) : undefined;
      if (v === undefined || (v.cmd !== 'isset' && v.cmd !== 'isnotset') || v.ofGroup === true) continue;
      const missing = v.names.filter((name) => !set.has(name));
      if (missing.length === 0) continue;
      const names = missing.map((m) => `'${m}'`).join(', ');
      out.add(
        diagnosticAt(
          r.source,
          'warning',
          `flowbit ${names} is checked but no loaded rule sets it: check the spelling, or load the rules that set it`,
          o.valueOffset,
          Math.max(1, o.raw?.length ?? 1),
        ),
      );
      n++;
    }
  }
  return n;
}

/** Adds a warning at each loaded rule whose parts contradict each other; returns how many. */
export function addContradictionWarnings(rules: readonly Rule[], out: DiagnosticCollector): number {
  let n = 0;
  for (const r of rules) {
    if (r.status !== 'loaded' || !r.enabled) continue;
    const why = ruleContradiction(r);
    if (why === undefined) continue;
    out.add(diagnosticAt(r.source, 'warning', why, 0, r.action.length));
    n++;
  }
  return n;
}

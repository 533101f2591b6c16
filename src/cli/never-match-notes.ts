/**
 * `kanshi check`'s warnings about rules that load but can never match: a flowbit that rules check
 * but no loaded rule sets, as Suricata warns "flowbit is checked but not set" at load (usually a
 * misspelt name, or the rules that set it left out), and parts that contradict each other, which
 * Suricata refuses at load (match/compile.ts, ruleContradiction).
 */
import { ruleContradiction, type ContradictionSite } from '../match/compile.js';
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
          `flowbit ${names} is checked but no loaded rule sets it: ${spellingAdvice(missing, set)}`,
          o.valueOffset,
          Math.max(1, o.raw?.length ?? 1),
        ),
      );
      n++;
    }
  }
  return n;
}

/**
 * Names differ by case only when one is a slip of the other (bits are case-sensitive): say which
 * set bit was meant, or else what to check.
 */
function spellingAdvice(missing: readonly string[], set: ReadonlySet<string>): string {
  for (const m of missing) {
    const lower = m.toLowerCase();
    for (const name of set) if (name.toLowerCase() === lower) return `did you mean '${name}'? (flowbit names are case-sensitive)`;
  }
  return 'check the spelling, or load the rules that set it';
}

/** Adds a warning at each loaded rule whose parts contradict each other; returns how many. */
export function addContradictionWarnings(rules: readonly Rule[], out: DiagnosticCollector): number {
  let n = 0;
  for (const r of rules) {
    if (r.status !== 'loaded' || !r.enabled) continue;
    const why = ruleContradiction(r);
    if (why === undefined) continue;
    const at = siteSpan(r, why.at);
    out.add(diagnosticAt(r.source, 'warning', why.message, at.offset, at.length));
    n++;
  }
  return n;
}

/** Where a contradiction is underlined: the word in the option's value, or the header's protocol. */
function siteSpan(r: Rule, at: ContradictionSite): { offset: number; length: number } {
  if (at === 'protocol') return protocolSpan(r);
  const o = at.option;
  const k = at.word === '' ? -1 : (o.raw ?? '').indexOf(at.word);
  return k < 0 ? { offset: o.offset, length: o.length } : { offset: o.valueOffset + k, length: at.word.length };
}

/** The protocol is the header's second word: found in the rule's line when the source keeps it. */
function protocolSpan(r: Rule): { offset: number; length: number } {
  const text = (r.source as { text?: unknown }).text;
  const m = typeof text === 'string' ? /^\s*\S+\s+/.exec(text) : null;
  return m === null ? { offset: 0, length: r.action.length } : { offset: m[0].length, length: r.protocol.length };
}

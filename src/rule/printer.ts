import type { Rule, RuleOption } from './ast.js';

/**
 * Canonical text of rules: single blanks between header fields, header specs without blanks,
 * options as `keyword:value;` separated by one blank, values as their keyword module prints
 * them. Options kanshi cannot read are printed as written (value trimmed).
 * Disabled rules print as `# rule`.
 */
export function printRule(rule: Rule): string {
  const head = `${rule.action} ${rule.protocol} ${rule.src} ${rule.srcPort} ${rule.direction} ${rule.dst} ${rule.dstPort}`;
  const text = `${head} (${rule.options.map(printOption).join(' ')})`;
  return rule.enabled ? text : `# ${text}`;
}

export function printOption(o: RuleOption): string {
  if (o.module !== undefined && o.value !== undefined) {
    const v = o.module.print(o.value);
    return v === null ? `${o.module.keyword};` : `${o.module.keyword}:${v};`;
  }
  return o.raw === null ? `${o.keyword};` : `${o.keyword}:${o.raw.trim()};`;
}

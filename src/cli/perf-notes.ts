/**
 * `kanshi check --perf`: rules the multi-pattern prefilter screens poorly, as warnings at the
 * rule, the way Suricata's engine analysis points them out. A rule whose payload options have no
 * fast pattern runs them on every inspection its header lets through; one whose fast pattern is
 * a byte or two is a candidate on nearly all traffic. Header-only rules are left alone: their
 * header tests are cheap and need no pattern.
 */
import { Ruleset } from '../match/ruleset.js';
import { printContentBytes } from '../options/lib/content-string.js';
import type { ContentMatch } from '../options/rule-body.js';
import type { Rule, RuleOption } from '../rule/ast.js';
import { diagnosticAt, type DiagnosticCollector } from '../rule/diagnostics.js';

/** Fast patterns this short (bytes) occur in most traffic. */
const SHORT_PATTERN = 2;
/**
 * A rule for this few ports (either side) meets only its service's traffic, where a short
 * pattern such as a request type byte (`content:"|04|"; depth:1;` on 1434/udp) is the natural
 * screen: not flagged.
 */
const FEW_PORTS = 8;

/** Adds a warning per poorly screened loaded rule; returns how many were added. */
export function addPerfWarnings(rules: readonly Rule[], out: DiagnosticCollector): number {
  const ruleset = new Ruleset(rules.filter((r) => r.status === 'loaded'));
  let n = 0;
  for (const c of ruleset.rules) {
    if (c.kind === 'header') continue;
    const rule = c.rule;
    const fp = c.fastPattern;
    if (fp === null) {
      out.add(
        diagnosticAt(
          rule.source,
          'warning',
          'no fast pattern: the prefilter cannot screen this rule, so its payload options run on every inspection its header lets through; add a content the attack always contains, or a pcre literal it requires',
          0,
          rule.action.length,
        ),
      );
      n++;
      continue;
    }
    const lengths = [fp.bytes.length, ...(fp.alternatives ?? []).map((a) => a.bytes.length)];
    const shortest = Math.min(...lengths);
    if (shortest > SHORT_PATTERN || Math.min(c.srcPort.size, c.dstPort.size) <= FEW_PORTS) continue;
    // Point at the content the pattern came from, when it is one (a pcre's literals are not).
    const from = rule.body?.detection.payload.find((el): el is ContentMatch => el.kind === 'content' && el.buffer === fp.buffer && Buffer.compare(el.bytes, fp.bytes) === 0);
    const at = from !== undefined ? (from.option as unknown as RuleOption) : undefined;
    const bytes = `${shortest} byte${shortest === 1 ? '' : 's'}`;
    // Several alternatives are a pcre's literals (any one may stand for the match).
    const message =
      lengths.length > 1
        ? `fast pattern in ${fp.buffer}: the pcre's ${lengths.length} literals include one of ${bytes}, so most traffic holds one and the prefilter lets this rule through nearly always; add a longer content the attack always contains`
        : `fast pattern in ${fp.buffer}: ${printContentBytes(fp.bytes)} is ${bytes} long, so most traffic holds it and the prefilter lets this rule through nearly always; mark a longer, rarer content with fast_pattern`;
    out.add(
      diagnosticAt(
        rule.source,
        'warning',
        message,
        at?.offset ?? 0,
        at?.length ?? rule.action.length,
      ),
    );
    n++;
  }
  return n;
}

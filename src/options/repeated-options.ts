import { lookupClassification } from './lib/classifications.js';
import type { FlowValue } from './non-payload/flow.js';
import type { OptionInstance, RuleDetection, RuleMeta } from './rule-body.js';

/** The priority of an alert whose classtype is unknown and which sets none (Suricata's default). */
const DEFAULT_PRIORITY = 3;

/**
 * A second instance of an option a rule takes once (`singleUse`). Suricata 7 accepts a few and
 * resolves them its own way, which kanshi follows with a warning; it refuses the rest.
 * Returns whether the repeat is then applied as a first instance would be.
 */
export function repeatedOption(o: OptionInstance, meta: RuleMeta, detection: RuleDetection): boolean {
  switch (o.keyword) {
    case 'classtype':
      return meta.classtype === undefined || (o.value !== undefined && repeatedClasstype(o, o.value as string, meta));
    case 'priority':
      return meta.priority === undefined || (o.value !== undefined && repeatedPriority(o, o.value as number, meta));
    case 'gid':
      if (o.value !== undefined) o.ctx.warning(`gid given twice: Suricata keeps the last one, here gid:${String(o.value)}; remove the other`);
      return true;
    case 'flow':
      return detection.flow === undefined || (o.value !== undefined && repeatedFlow(o, o.value as FlowValue, detection));
    case 'flags':
      return o.value === undefined || repeatedFlags(o, detection);
    case 'dsize':
      o.ctx.error('duplicate dsize: a rule takes one dsize option (Suricata refuses a second); write one range instead, as dsize:10<>100;');
      return false;
    default:
      o.ctx.error(`duplicate ${o.keyword}: a rule takes one ${o.keyword} option; remove this one`);
      return false;
  }
}

/**
 * Suricata keeps the class of highest priority (the first of equal ones), or, once a priority
 * option has been read, the later class; a class it does not know never replaces one.
 */
function repeatedClasstype(o: OptionInstance, next: string, meta: RuleMeta): false {
  const prev = meta.classtype!;
  const nextPriority = lookupClassification(next)?.priority;
  const explicit = meta.priority !== undefined;
  if (nextPriority !== undefined && (explicit || nextPriority < (lookupClassification(prev)?.priority ?? DEFAULT_PRIORITY))) meta.classtype = next;
  o.ctx.warning(
    explicit
      ? `classtype given twice: after a priority option Suricata keeps the later class, here classtype:${meta.classtype}; remove the other`
      : `classtype given twice: Suricata keeps the class of highest priority (the first of equal ones), here classtype:${meta.classtype}; remove the other`,
  );
  return false;
}

function repeatedPriority(o: OptionInstance, next: number, meta: RuleMeta): false {
  meta.priority = Math.min(meta.priority!, next);
  o.ctx.warning(`priority given twice: Suricata keeps the highest (the smallest number), here priority:${meta.priority}; remove the other`);
  return false;
}

/**
 * Suricata takes a flow option that gives only a direction as a direction of the rule, not as
 * its flow match, so a later flow option is accepted beside it; any other repeat it refuses.
 */
function repeatedFlow(o: OptionInstance, next: FlowValue, detection: RuleDetection): false {
  const prev = detection.flow!;
  const directionOnly = prev.state === undefined && prev.frag === undefined;
  if (!directionOnly || (prev.direction !== undefined && next.direction !== undefined && prev.direction !== next.direction)) {
    o.ctx.error('duplicate flow: a rule takes one flow option; combine them, e.g. flow:established,to_server;');
    return false;
  }
  const merged: FlowValue = { ...prev, ...next };
  detection.flow = merged;
  o.ctx.warning(`flow given twice: Suricata combines a flow option that gives only a direction with a later one, here as flow:${o.module.print(merged) ?? ''}; write that one option`);
  return false;
}

/** Suricata tests every flags option: a packet must match them all. */
function repeatedFlags(o: OptionInstance, detection: RuleDetection): true {
  const first = detection.conditions.find((c) => c.keyword === 'flags');
  if (first === undefined) return true;
  const shown = (x: OptionInstance): string => `flags:${(x.raw ?? '').trim()}`;
  o.ctx.warning(`flags given twice: Suricata tests both, so a packet must match ${shown(first.option)} and ${shown(o)}; write one flags option`);
  return true;
}

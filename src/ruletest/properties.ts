/**
 * `--properties`: for each case, variants an attacker (positive cases) or a benign client and
 * network (negative cases) could produce, checked with fast-check. A failing variant is shrunk
 * to the smallest plan that still fails, which is what gets reported and written out.
 */
import fc from 'fast-check';
import type { Alert } from '../types/alert.js';
import { buildInput } from './build.js';
import type { Detector } from './detect.js';
import { applicableFamilies, selectedFamilies, type Family } from './families.js';
import type { TestCase } from './model.js';
import { explainVerdict } from './explain.js';
import { judge } from './runner.js';
import { prepareVariants, type CasePlan, type PreparedCase } from './variants/plan.js';

export interface PropertyOptions {
  /** The run's seed; each case derives its own from it and its name. */
  seed: number;
  /** Variants per case. */
  runs: number;
  /** Scans spent on shrinking a failure before the smallest failure found so far is reported. */
  shrinkBudget?: number;
  /** Scans spent on the greedy pass after shrinking. */
  simplifyBudget?: number;
}

export interface PropertyFailure {
  /** The variant, as a case. */
  variant: TestCase;
  /** What the variant changed, in words. */
  changes: string[];
  problems: string[];
  alerts: Alert[];
  /** fast-check's seed for the case, and the path of its shrunk counterexample (before the greedy pass). */
  caseSeed: number;
  path: string;
  shrinks: number;
  /** Set when the variant could not be built or scanned (a defect, not a rule weakness). */
  error?: string;
  /** What the failing rules read and found in the variant (explain.ts). */
  why?: string[];
}

export interface PropertyResult {
  families: Family[];
  /** Variants generated and scanned before the verdict (shrinking not counted). */
  variants: number;
  /** Why no variant was generated. */
  skipped?: string;
  failure?: PropertyFailure;
}

/** FNV-1a of the run seed and the case identity: a case's variants do not depend on its neighbours. */
export function caseSeed(seed: number, c: TestCase): number {
  let h = 0x811c9dc5;
  const text = `${seed}|${c.name}|${c.sids.join(',')}|${c.expect}`;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h | 0;
}

interface Outcome {
  problems: string[];
  alerts: Alert[];
  error?: string;
}

async function evaluate(variant: TestCase, detector: Detector): Promise<Outcome> {
  try {
    const alerts = await detector.detect(buildInput(variant));
    return { problems: judge(variant, alerts, true), alerts };
  } catch (e) {
    const msg = (e as Error).message;
    return { problems: [`variant could not be built or scanned: ${msg}`], alerts: [], error: msg };
  }
}

/**
 * Greedy pass over a shrunk plan: take any simpler plan that still fails, until none does (or
 * the budget is spent). Returns the plan and how many simplifications were taken.
 */
async function simplify(plan: CasePlan, prepared: PreparedCase, detector: Detector, budget: number): Promise<{ plan: CasePlan; steps: number }> {
  let best = plan;
  let steps = 0;
  let spent = 0;
  for (;;) {
    let improved = false;
    for (const candidate of prepared.simplify(best)) {
      if (spent++ >= budget) return { plan: best, steps };
      const outcome = await evaluate(prepared.apply(candidate).variant, detector);
      if (outcome.problems.length > 0 && outcome.error === undefined) {
        best = candidate;
        steps++;
        improved = true;
        break;
      }
    }
    if (!improved) return { plan: best, steps };
  }
}

export async function checkProperties(c: TestCase, detector: Detector, options: PropertyOptions): Promise<PropertyResult> {
  const families = [...selectedFamilies(c)];
  if (families.length === 0) {
    const why =
      c.pcap !== undefined ? 'a capture file is replayed as is'
      : c.sections[0]?.kind === 'log' && applicableFamilies(c).length === 0 ? 'only the requests of web-server log lines have variants'
      : 'no variant family selected';
    return { families, variants: 0, skipped: why };
  }
  const prepared = prepareVariants(c, new Set(families));
  const budget = options.shrinkBudget ?? 400;
  let failed = false;
  let afterFailure = 0;
  let generated = 0;
  const property = fc.asyncProperty(prepared.arbitrary, async (plan: CasePlan) => {
    if (!failed) generated++;
    else if (++afterFailure > budget) return true; // stop shrinking: the smallest failure so far stands
    const { variant } = prepared.apply(plan);
    const outcome = await evaluate(variant, detector);
    if (outcome.problems.length > 0) failed = true;
    return outcome.problems.length === 0;
  });
  const seed = caseSeed(options.seed, c);
  const details = await fc.check(property, { seed, numRuns: options.runs, endOnFailure: false });
  if (!details.failed || details.counterexample === null) return { families, variants: generated };
  const [shrunk] = details.counterexample;
  const { plan, steps } = await simplify(shrunk, prepared, detector, options.simplifyBudget ?? 300);
  const { variant, changes } = prepared.apply(plan);
  const outcome = await evaluate(variant, detector);
  const failure: PropertyFailure = {
    variant,
    changes,
    problems: outcome.problems.length > 0 ? outcome.problems : [`failed while checked: ${String(details.errorInstance ?? 'unknown error')}`],
    alerts: outcome.alerts,
    caseSeed: seed,
    path: details.counterexamplePath ?? '',
    shrinks: details.numShrinks + steps,
  };
  if (outcome.error !== undefined) failure.error = outcome.error;
  else if (outcome.problems.length > 0) failure.why = await explainVerdict(variant, detector, outcome.alerts);
  return { families, variants: generated, failure };
}

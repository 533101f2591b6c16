/** Public surface of rule testing: case files, the runner, variants, counterexamples. */
export type { TestCase, Section, Delivery, Expectation, Target, Side } from './model.js';
export { parseCaseFile, parseCaseText, type ParsedCaseFile } from './parse.js';
export { buildInput, casePackets, BuildError, type DetectInput } from './build.js';
export { loadRules, rulesFiles, type Detector, type LoadedRules, type RuleInfo } from './detect.js';
export { runCase, judge, expectation, describeAlerts, type Verdict } from './runner.js';
export { checkProperties, caseSeed, type PropertyOptions, type PropertyResult, type PropertyFailure } from './properties.js';
export { renderCase, type RenderOptions } from './render.js';
export { runSuite, caseFiles, rulesFor, writeCounterexample, CASE_EXTENSION, type SuiteOptions, type SuiteReport, type CaseReport } from './suite.js';
export { FAMILIES, FAMILY_NAMES, applicableFamilies, selectedFamilies, type Family } from './families.js';
export { prepareVariants, type CasePlan, type PreparedCase, type Variant } from './variants/plan.js';

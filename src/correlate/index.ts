/** Public API of the correlation stage (see README.md). */
export { Correlator, httpServer, httpUrl } from './correlator.js';
export type { CorrelationStats, CorrelatorOptions, StatementStats } from './correlator.js';
export type { ActionChange, CorrelatedEvent, CorrelationInfo, HitFacts, LevelChange } from './events.js';
export { defaultLevel, levelFromClasstype, levelFromPriority, classtypeLevels } from './levels.js';
export type { DefaultLevel, LevelSource } from './levels.js';
export { classtypeOfCategory } from './classifications.js';
export { Policy, parsePolicy, loadPolicyFile, loadDefaultPolicy, defaultPolicyPath, emptyPolicy } from './policy.js';
export type { PolicyLoad, PolicyOptions } from './policy.js';
export type { Statement, StatementOrigin, ScanKind } from './policy-types.js';
export { ScanDetector, SCAN_GID, SCAN_SIGNATURES, tcpFlagAnomaly } from './scan-detector.js';
export type { PacketObservation, ScanStats } from './scan-detector.js';
export { parseEveLine, parseEveTimestamp, correlateEveStream, correlateEveFiles } from './eve-input.js';
export type { EveCorrelation, EveCorrelateOptions, EveInputStats, EveLine } from './eve-input.js';

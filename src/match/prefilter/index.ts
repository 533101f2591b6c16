export { CandidateSet, MAX_ID_LIMIT } from './candidate-set.js';
export type { PrefilterPattern } from './patterns.js';
export { Prefilter, type PrefilterEngine, type PrefilterOptions } from './prefilter.js';
export { PrefilterStream } from './stream.js';

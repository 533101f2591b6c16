/** The stream stage's public surface. */
export { StreamEngine, type StreamSink } from './stream-engine.js';
export type { FlowIdCounter } from './flow-table.js';
export type { DatagramBase, IpDatagramDecoder } from './defrag.js';
export { defaultStreamConfig, resolveStreamConfig, type ChecksumMode, type StreamConfig, type StreamOptions } from './config.js';
export { createStreamStats, streamCounters, STREAM_COUNTER_NAMES, type StreamStats } from './stats.js';
export type { StreamEventKind } from './events.js';
export { DEFRAG_POLICIES, isDefragPolicy, type DefragPolicy } from './defrag-policy.js';
export type { TcpOverlapPolicy } from './tcp-reassembly.js';

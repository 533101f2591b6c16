/**
 * Public API of the log stage: log lines in, records out. Records expose the same named buffers
 * as packets and app-layer transactions, so match/ runs the same rules over both.
 */
export { detectLogFormat, LogParser, parseLogLines, DEFAULT_MAX_LINE_BYTES, type LogParseOptions } from './parse.js';
export { isGzipMagic, readLogFile, readLogRecords, readLogStream, LineSplitter, LogReadError, type LogRecordIterable } from './read.js';
export type { LogRecord, LogOrigin, LogFormatName, HttpLogMeta, SmtpLogMeta } from './record.js';
export { emptyLogStats, mergeLogStats, logStatsCounters, type LogStats, type MalformedLine } from './stats.js';
export { logFormatByName, logFormatNames } from './formats/registry.js';
export { ZoneResolver } from './time.js';

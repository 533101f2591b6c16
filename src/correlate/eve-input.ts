import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Alert } from '../types/alert.js';
import { isLevel, type Level } from '../types/level.js';
import type { Diagnostic } from '../rule/diagnostics.js';
import { classtypeOfCategory } from './classifications.js';
import { Correlator, type CorrelationStats, type CorrelatorOptions } from './correlator.js';
import type { CorrelatedEvent, HitFacts } from './events.js';
import type { Policy } from './policy.js';
import { describeFsError } from '../types/fs-error.js';

export type EveLine =
  | { kind: 'alert'; alert: Alert; facts: HitFacts }
  | { kind: 'other'; eventType: string }
  | { kind: 'blank' }
  | { kind: 'bad'; message: string };

/** Top-level EVE keys that map onto Alert fields; every other key is carried in `extra`. */
const MAPPED = new Set([
  'timestamp',
  'event_type',
  'flow_id',
  'pcap_cnt',
  'src_ip',
  'src_port',
  'dest_ip',
  'dest_port',
  'proto',
  'app_proto',
  'alert',
  'http',
  'smtp',
  'log',
  'correlation',
]);

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** EVE timestamps (`2009-11-24T21:27:09.534255+0100`, `...Z`, `...+01:00`) in microseconds since the epoch. */
export function parseEveTimestamp(text: string): number | undefined {
  const m = TS_RE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  // Date.UTC rolls a 13th month or a 45th day over into later dates: such a stamp is refused.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) return undefined;
  const ms = Date.UTC(year, month - 1, day, Number(m[4]), Number(m[5]), Math.min(59, Number(m[6])));
  if (!Number.isFinite(ms)) return undefined;
  const micros = m[7] ? Number(m[7].padEnd(6, '0').slice(0, 6)) : 0;
  let offsetMin = 0;
  const z = m[8];
  if (z && z !== 'Z') {
    const digits = z.replace(':', '');
    offsetMin = (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return ms * 1000 + micros - offsetMin * 60_000_000;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const intOr = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) ? v : fallback);

/**
 * One eve.json line, from Suricata or from kanshi. Alerts become Alert; other event types
 * (flow, http, stats, ...) are reported as `other` so they can be counted and skipped.
 *
 * The base level: kanshi's `alert.level` is kept as given (with `correlation.base_level`, the
 * level before an earlier correlation changed it, when present), so re-correlating kanshi output
 * starts from the same place. Suricata writes no level: the mapping from classtype/priority applies.
 * Suricata writes the classtype's description as `alert.category`; the classtype is recovered
 * from it for the standard classtypes.
 */
export function parseEveLine(line: string): EveLine {
  const text = line.trim();
  if (text === '') return { kind: 'blank' };
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch (err) {
    return { kind: 'bad', message: `not JSON: ${(err as Error).message}` };
  }
  if (!isObject(rec)) return { kind: 'bad', message: 'not a JSON object' };
  const eventType = rec.event_type;
  if (typeof eventType !== 'string') return { kind: 'bad', message: 'no "event_type"' };
  if (eventType !== 'alert') return { kind: 'other', eventType };
  const a = rec.alert;
  if (!isObject(a)) return { kind: 'bad', message: 'an alert record with no "alert" object' };
  const tsUs = typeof rec.timestamp === 'string' ? parseEveTimestamp(rec.timestamp) : undefined;
  if (tsUs === undefined) return { kind: 'bad', message: `bad or missing "timestamp" (${JSON.stringify(rec.timestamp)})` };
  // kanshi leaves out an address its input did not carry (a web log's server, a syslog line
  // naming no host): either or both may be absent, as in the alerts `kanshi scan` correlates.
  // A host name a log gave for an address is in log.src_host / log.dest_host (see output/eve.ts).
  const logObj = isObject(rec.log) ? rec.log : undefined;
  const srcIp = rec.src_ip ?? (typeof logObj?.src_host === 'string' ? logObj.src_host : '');
  const destIp = rec.dest_ip ?? (typeof logObj?.dest_host === 'string' ? logObj.dest_host : '');
  if (typeof srcIp !== 'string' || typeof destIp !== 'string') return { kind: 'bad', message: '"src_ip" or "dest_ip" is not a string' };
  const sid = a.signature_id;
  if (typeof sid !== 'number' || !Number.isInteger(sid) || sid < 0) return { kind: 'bad', message: 'missing or bad "alert.signature_id"' };

  const category = typeof a.category === 'string' ? a.category : '';
  const classtype = typeof a.classtype === 'string' ? a.classtype : classtypeOfCategory(category);
  const action = a.action === 'allowed' ? 'alert' : a.action === 'blocked' ? 'drop' : typeof a.action === 'string' ? a.action : 'alert';
  const corr = isObject(rec.correlation) ? rec.correlation : undefined;
  let level: Level = 'Information';
  let explicit = false;
  // A level the rule set itself stays (kanshi writes alert.level_source "rule", or the event's
  // correlation.level_source); any other is recomputed, so this policy's classify applies.
  if (typeof a.level === 'string' && isLevel(a.level)) {
    explicit = a.level_source === 'rule' || corr?.level_source === 'rule';
    level = corr && typeof corr.base_level === 'string' && isLevel(corr.base_level) ? corr.base_level : a.level;
  }

  const alert: Alert = {
    tsUs,
    srcIp,
    destIp,
    proto: typeof rec.proto === 'string' ? rec.proto : typeof rec.proto === 'number' ? String(rec.proto) : '',
    action,
    gid: intOr(a.gid, 1),
    sid,
    rev: intOr(a.rev, 0),
    signature: typeof a.signature === 'string' ? a.signature : '',
    category,
    severity: intOr(a.severity, 3),
    level,
  };
  if (classtype !== undefined) alert.classtype = classtype;
  if (a.rule_threshold === true) alert.ruleThreshold = true;
  if (typeof rec.pcap_cnt === 'number') alert.pcapCnt = rec.pcap_cnt;
  if (typeof rec.flow_id === 'number') alert.flowId = rec.flow_id;
  if (typeof rec.src_port === 'number') alert.srcPort = rec.src_port;
  if (typeof rec.dest_port === 'number') alert.destPort = rec.dest_port;
  if (typeof rec.app_proto === 'string') alert.appProto = rec.app_proto;
  if (isObject(rec.http)) alert.http = rec.http;
  if (isObject(rec.smtp)) alert.smtp = rec.smtp;
  const log = rec.log;
  if (isObject(log) && typeof log.file === 'string' && typeof log.line === 'number' && typeof log.format === 'string') {
    alert.log = { file: log.file, line: log.line, format: log.format };
  }
  let extra: Record<string, unknown> | undefined;
  if (a.metadata !== undefined) (extra ??= {}).metadata = a.metadata;
  for (const key of Object.keys(rec)) if (!MAPPED.has(key)) (extra ??= {})[key] = rec[key];
  if (extra) alert.extra = extra;
  return { kind: 'alert', alert, facts: { levelExplicit: explicit, ruleThreshold: a.rule_threshold === true } };
}

export interface EveInputStats {
  lines: number;
  alerts: number;
  /** Records of other event types (flow, http, stats, ...), skipped. */
  other: number;
  blank: number;
  /** Lines that are not EVE alert records; each also gets a diagnostic (up to maxProblems). */
  malformed: number;
  /** The latest alert time read (0 before any): the time of the closing stats record, even when no event came out. */
  latestUs: number;
}

export interface EveCorrelation {
  stats: CorrelationStats;
  input: EveInputStats;
  /** One per malformed line, up to maxProblems. */
  problems: Diagnostic[];
  correlator: Correlator;
  /** Inputs that could not be read (or not to their end), with the reason. */
  unreadable: string[];
}

export interface EveCorrelateOptions extends Omit<CorrelatorOptions, 'onEvent'> {
  /** Name used in problem reports (default `<stdin>`). */
  file?: string;
  maxProblems?: number;
}

/**
 * Re-correlates EVE alert lines (kanshi's or Suricata's eve.json), in the order given. Lines that
 * are not alerts are counted and skipped; malformed lines are counted and reported, never fatal.
 */
export async function correlateEveStream(
  lines: Iterable<string> | AsyncIterable<string>,
  policy: Policy,
  onEvent: (e: CorrelatedEvent) => void,
  options: EveCorrelateOptions = {},
): Promise<EveCorrelation> {
  const correlator = new Correlator(policy, { ...options, onEvent });
  const input: EveInputStats = { lines: 0, alerts: 0, other: 0, blank: 0, malformed: 0, latestUs: 0 };
  const problems: Diagnostic[] = [];
  await feedEveLines(lines, correlator, input, problems, options.file ?? '<stdin>', options.maxProblems ?? 100);
  return { stats: correlator.stats(), input, problems, correlator, unreadable: [] };
}

/** Like correlateEveStream over several files in turn (`-` is standard input), one correlator for all. */
export async function correlateEveFiles(
  paths: readonly string[],
  policy: Policy,
  onEvent: (e: CorrelatedEvent) => void,
  options: Omit<EveCorrelateOptions, 'file'> = {},
): Promise<EveCorrelation> {
  const correlator = new Correlator(policy, { ...options, onEvent });
  const input: EveInputStats = { lines: 0, alerts: 0, other: 0, blank: 0, malformed: 0, latestUs: 0 };
  const problems: Diagnostic[] = [];
  const unreadable: string[] = [];
  for (const path of paths) {
    const stream = path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      await feedEveLines(rl, correlator, input, problems, path === '-' ? '<stdin>' : path, options.maxProblems ?? 100);
    } catch (e) {
      // One unreadable input is named; the others are still read and accounted for.
      unreadable.push(`${path}: ${describeFsError(e)}`);
    }
  }
  return { stats: correlator.stats(), input, problems, correlator, unreadable };
}

async function feedEveLines(
  lines: Iterable<string> | AsyncIterable<string>,
  correlator: Correlator,
  input: EveInputStats,
  problems: Diagnostic[],
  file: string,
  maxProblems: number,
): Promise<void> {
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    input.lines++;
    const r = parseEveLine(line);
    switch (r.kind) {
      case 'alert':
        input.alerts++;
        if (r.alert.tsUs > input.latestUs) input.latestUs = r.alert.tsUs;
        correlator.push(r.alert, r.facts);
        break;
      case 'other':
        input.other++;
        break;
      case 'blank':
        input.blank++;
        break;
      case 'bad':
        input.malformed++;
        if (problems.length < maxProblems) {
          problems.push({
            file,
            line: lineNo,
            col: 1,
            severity: 'warning',
            message: `skipped: ${r.message}`,
            length: Math.max(1, Math.min(line.length, 200)),
            sourceLine: line.length > 200 ? `${line.slice(0, 200)}...` : line,
          });
        }
        break;
    }
  }
}

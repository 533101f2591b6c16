import { closeSync, createReadStream, existsSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { constants as zlibConstants, createGunzip, gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { isCaptureMagic } from '../decode/index.js';
import { detectLogFormat, isGzipMagic, logFormatByName, logFormatNames, ZoneResolver, type LogRecord, type MalformedLine } from '../logs/index.js';
import { Correlator, loadDefaultPolicy, loadPolicyFile, type Policy } from '../correlate/index.js';
import type { CompiledRule } from '../match/compile.js';
import { Ruleset } from '../match/ruleset.js';
import { Scanner, type InputResult } from '../match/scanner.js';
import type { SuppressedHit } from '../match/engine.js';
import { createAlertWriter, type OutputFormat } from '../output/writer.js';
import { DiagnosticCollector, formatDiagnostic } from '../rule/diagnostics.js';
import { RuleLoader } from '../rule/loader.js';
import { walkDirectory } from '../rule/walk.js';
import { siteClassifications } from '../rule/classification-config.js';
import { useSiteClassifications } from '../options/lib/classifications.js';
import type { VariableTable } from '../rule/variables.js';
import type { ChecksumMode } from '../stream/index.js';
import type { Alert } from '../types/alert.js';
import { DECODED_LINK_TYPES, UNDECODED_LINK_TYPE_NAMES } from '../types/link-types.js';
import { TCP_SYN, type DecodedPacket } from '../types/packet.js';
import { parseArgs } from './args.js';
import { variablesFromFlags } from './vars.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError, type Command, type CommandIo } from './command.js';

const USAGE = `usage: kanshi scan [-r RULES]... [--var NAME=VALUE]... [--format eve|fast] [-o FILE]
                  [--no-correlate] [--policy FILE] [--log-format NAME] [--year N] [--tz ZONE]
                  [--no-midstream] [-k auto|all|none] INPUT...

Scans captures (pcap, pcapng, directories of them, - for stdin) and log files with rules.
  -r RULES          rules file or directory (*.rules, searched recursively); repeatable;
                    default: the rules/ directory bundled with kanshi
  --var NAME=VALUE  set a rule variable (overrides var lines), e.g. --var HOME_NET=10.0.0.0/8
  --format eve|fast output EVE JSON lines (default) or Snort alert_fast lines
  -o FILE           write to FILE instead of standard output
  --no-correlate    write every raw hit (no thresholds, suppression, escalation or scan events)
  --policy FILE     correlation policy (default: rules/default.policy)
  --log-format NAME force the format of log inputs (combined, iis, netfilter, syslog, json, ...)
  --year N          year of year-less syslog dates
  --tz ZONE         zone of zone-less log timestamps (UTC, +02:00, Europe/Zurich, ...)
  --no-midstream    do not pick up TCP sessions whose handshake the capture lacks (Suricata's
                    default, stream.midstream: false); their data is then inspected per packet,
                    never as established
  -k auto|all|none  TCP checksums verified (Suricata's -k): all leaves every segment with a wrong
                    checksum out of its session (inspected as a lone packet), as the receiver
                    drops it; none trusts them all; auto (default) as all, but segments that look
                    offloaded (the NIC was to fill the checksum in) are taken as right
Exit status: 0 scanned (alerts or not), 1 an input could not be read at all or the output could
not be written, 2 usage error.`;

export const scanCommand: Command = {
  name: 'scan',
  usage: USAGE,
  run: runScan,
};

interface ScanConfig {
  rulesPaths: string[];
  vars: VariableTable;
  fixed: Set<string>;
  varOverrides: Map<string, string>;
  format: OutputFormat;
  output: string | undefined;
  correlate: boolean;
  policyPath: string | undefined;
  logFormat: string | undefined;
  year: number | undefined;
  tz: string | undefined;
  midstream: boolean;
  checksum: ChecksumMode;
  inputs: Input[];
  /** Files met in directories that are neither captures nor named like logs: noted, not read. */
  unrecognised: string[];
  /** Entries of input directories that could not be read (each one makes the exit status 1). */
  walkProblems: string[];
  /** FIFOs, sockets and devices met in input directories: noted, never opened. */
  specialFiles: string[];
}

interface Input {
  path: string;
  /**
   * stdin: standard input; stream: a FIFO or device named on the command line (`<(zcat x.pcap.gz)`),
   * read once as a stream and sniffed like standard input; capture-gz: a gzip-compressed capture.
   */
  kind: 'capture' | 'log' | 'stdin' | 'stream' | 'capture-gz';
  size: number;
  /**
   * A log taken from a directory by its name alone: its first lines are checked when its turn
   * comes (a manifest named *.json is skipped then).
   */
  checkFirstLines?: boolean;
  /** Said on stderr before it is read (a file named like a capture that is not one). */
  note?: string;
}

/** Malformed log lines named on stderr per input. */
const MALFORMED_SHOWN = 5;
/** Inputs above this size get a progress bar on a terminal. */
const PROGRESS_FROM_BYTES = 64 * 1024 * 1024;

async function runScan(argv: string[], io: CommandIo): Promise<number> {
  let cfg: ScanConfig;
  try {
    const parsed = parseConfig(argv);
    if (parsed === 'help') {
      io.stdout.write(USAGE + '\n');
      return EXIT_OK;
    }
    cfg = parsed;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`kanshi scan: ${e.message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }

  // Rules, with the classes of a classification.config beside them.
  const diagnostics = new DiagnosticCollector();
  useSiteClassifications(siteClassifications(cfg.rulesPaths, diagnostics));
  const loader = new RuleLoader({ vars: cfg.vars, fixedVars: cfg.fixed, collector: diagnostics });
  let unreadable = 0;
  for (const p of cfg.rulesPaths) {
    const found = rulesFiles(p);
    for (const problem of found.problems) {
      io.stderr.write(`kanshi scan: rules: ${problem}\n`);
      unreadable++;
    }
    for (const f of found.files) loader.loadFile(f);
  }
  const caret = io.stderr.isTTY === true;
  for (const d of diagnostics.list) if (d.severity === 'error') io.stderr.write(formatDiagnostic(d, caret) + '\n');
  const ruleset = new Ruleset(loader.rules);
  const counts = loader.counts();
  io.stderr.write(
    `kanshi scan: rules: ${ruleset.rules.length} evaluated, ${counts.skipped + ruleset.skipped.length} skipped, ` +
      `${counts.disabled} disabled, ${counts.invalid} invalid` +
      (counts.skipped + counts.invalid + ruleset.skipped.length > 0 ? ' (kanshi check RULES lists why)' : '') +
      '\n',
  );
  for (const s of ruleset.skipped) io.stderr.write(`kanshi scan: rule ${s.rule.loc.file}:${s.rule.loc.line} skipped: ${s.reason}\n`);

  // Output.
  let fd: number | undefined;
  if (cfg.output !== undefined) {
    try {
      fd = openSync(cfg.output, 'w');
    } catch (e) {
      io.stderr.write(`kanshi scan: cannot write ${cfg.output}: ${(e as Error).message}\n`);
      return EXIT_PROBLEMS;
    }
  }
  // A full disk or an I/O error on -o stops the output (later writes would fail the same way)
  // and ends the run with status 1 once the input in hand is done, rather than a crash.
  let writeFailure: string | undefined;
  const sink = fd !== undefined
    ? {
        write: (s: string): void => {
          if (writeFailure !== undefined) return;
          try {
            writeAll(fd!, s);
          } catch (e) {
            writeFailure = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
          }
        },
      }
    : io.stdout;
  const writer = createAlertWriter(cfg.format, sink);

  // Correlation.
  let policy: Policy | undefined;
  if (cfg.correlate) {
    try {
      const load = cfg.policyPath !== undefined
        ? loadPolicyFile(cfg.policyPath, { vars: cfg.vars, varOverrides: cfg.varOverrides })
        : loadDefaultPolicy({ vars: cfg.vars, varOverrides: cfg.varOverrides });
      for (const d of load.diagnostics) if (d.severity === 'error') io.stderr.write(formatDiagnostic(d, caret) + '\n');
      if (load.errors > 0 && cfg.policyPath !== undefined) {
        io.stderr.write(`kanshi scan: ${load.errors} error(s) in policy ${cfg.policyPath}; fix them first\n`);
        return EXIT_PROBLEMS;
      }
      policy = load.policy;
    } catch (e) {
      io.stderr.write(`kanshi scan: ${(e as Error).message}\n`);
      return EXIT_PROBLEMS;
    }
  }
  const facts = new Map<string, { levelExplicit: boolean; ruleThreshold: boolean }>();
  for (const r of ruleset.rules) {
    facts.set(`${r.gid}:${r.sid}`, { levelExplicit: r.levelExplicit, ruleThreshold: r.threshold !== undefined || r.detectionFilter !== undefined });
  }
  const correlator = policy === undefined
    ? undefined
    : new Correlator(policy, { onEvent: (e) => writer.alert(e), ruleFacts: (gid, sid) => facts.get(`${gid}:${sid}`) });
  const onAlert = correlator !== undefined ? (a: Alert): void => correlator.push(a) : (a: Alert, _r: CompiledRule): void => writer.alert(a);
  const onPacket = correlator === undefined ? undefined : (pkt: DecodedPacket): void => observe(correlator, pkt);
  const onRecord = correlator === undefined ? undefined : (r: LogRecord): void => observeRecord(correlator, r);

  const progress = new Progress(io, cfg.inputs);
  const scanner = new Scanner(ruleset, onAlert, {
    ...(onPacket !== undefined ? { onPacket } : {}),
    ...(onRecord !== undefined ? { onRecord } : {}),
    ...(progress.enabled ? { onProgress: (n: number) => progress.update(n) } : {}),
    engine: {
      midstream: cfg.midstream,
      ...(policy !== undefined ? { thresholdOverridden: (gid: number, sid: number) => policy!.overridesRuleThreshold(gid, sid) } : {}),
      ...(correlator !== undefined ? { suppressedByPolicy: (hit: SuppressedHit) => correlator.suppresses(hit) } : {}),
    },
    stream: { tcp: { midstream: cfg.midstream, checksum: cfg.checksum } },
  });
  // The first malformed lines of each log are named on stderr (file:line and why); the rest are
  // counted, by format and reason, in the stats record.
  let malformedShown = 0;
  let malformedMore = 0;
  // A preamble (lines before the log proper, such as a container's startup output) is one note,
  // not a malformed line each: it says which format the rest was read in.
  let preamble: { first: MalformedLine; last: number; count: number } | undefined;
  const notePreamble = (): void => {
    if (preamble === undefined) return;
    const { first, last, count } = preamble;
    const lines = count === 1 ? `line ${first.line}` : `lines ${first.line}-${last}`;
    io.stderr.write(`kanshi scan: ${first.file}: read as ${first.format} after a preamble of ${count} line${count === 1 ? '' : 's'} (${lines}, read as raw lines)\n`);
    preamble = undefined;
  };
  const logOptions = {
    ...(cfg.logFormat !== undefined ? { format: cfg.logFormat } : {}),
    ...(cfg.year !== undefined ? { year: cfg.year } : {}),
    ...(cfg.tz !== undefined ? { tz: cfg.tz } : {}),
    onMalformed: (m: MalformedLine): void => {
      if (m.reason === 'preamble') {
        if (preamble === undefined) preamble = { first: m, last: m.line, count: 1 };
        else {
          preamble.last = m.line;
          preamble.count++;
        }
        return;
      }
      notePreamble();
      if (malformedShown++ < MALFORMED_SHOWN) io.stderr.write(`kanshi scan: ${m.file}:${m.line}: malformed ${m.format} line (${m.reason}): read as a raw line\n`);
      else malformedMore++;
    },
  };

  let skipped = 0;
  // Inputs that ended in an error (a truncated capture, a cut gzip log): in the stats record too,
  // so an -o file alone tells a complete run from one that stopped early.
  let inputErrors = 0;
  for (const note of unrecognisedNotes(cfg.unrecognised)) io.stderr.write(`kanshi scan: ${note}\n`);
  for (const f of cfg.specialFiles) io.stderr.write(`kanshi scan: ${f}: skipped: not a regular file (a FIFO, socket or device is only read when named on the command line)\n`);
  for (const problem of cfg.walkProblems) {
    io.stderr.write(`kanshi scan: ${problem}\n`);
    unreadable++;
  }
  for (const input of cfg.inputs) {
    if (input.note !== undefined) io.stderr.write(`kanshi scan: ${input.note}\n`);
    progress.start(input);
    let r: InputResult;
    if (input.kind === 'stdin' || input.kind === 'stream' || input.kind === 'capture-gz') {
      const name = input.kind === 'stdin' ? '<stdin>' : input.path;
      let source: AsyncIterable<Uint8Array | string>;
      try {
        source = input.kind === 'stdin' ? (process.stdin as AsyncIterable<Uint8Array | string>) : await openStream(input.path);
      } catch (e) {
        progress.done();
        io.stderr.write(`kanshi scan: ${input.path}: cannot open: ${(e as Error).message}\n`);
        unreadable++;
        inputErrors++;
        continue;
      }
      const { kind, stream } = await sniffStream(source);
      r = kind === 'capture' && cfg.logFormat === undefined
        ? await scanner.scanCaptureStream(stream, name)
        : await scanner.scanLogStream(stream, name, logOptions);
    } else if (input.kind === 'capture') {
      r = scanner.scanCaptureFile(input.path);
    } else if (input.checkFirstLines === true && cfg.logFormat === undefined && !looksLikeKnownLog(input.path)) {
      // A file met while walking a directory (a manifest, a pretty-printed JSON document) is not
      // taken for raw log lines: those would alert with no time and no addresses.
      progress.done();
      skipped++;
      io.stderr.write(`kanshi scan: ${input.path}: skipped: neither a capture nor a log format kanshi recognises (name the file, or give --log-format, to read it as lines)\n`);
      continue;
    } else {
      r = await scanner.scanLogFile(input.path, logOptions);
    }
    progress.done();
    notePreamble();
    if (malformedMore > 0) io.stderr.write(`kanshi scan: ${input.path === '-' ? '<stdin>' : input.path}: ${malformedMore} more malformed line${malformedMore === 1 ? '' : 's'} (counted by reason in the stats record)\n`);
    malformedShown = 0;
    malformedMore = 0;
    if (r.error !== undefined) {
      io.stderr.write(`kanshi scan: ${r.error}\n`);
      inputErrors++;
    }
    if (r.framesCutShort !== undefined && r.framesCutShort > 0) io.stderr.write(`kanshi scan: ${cutShortNote(r.input, r.framesCutShort, r.frames)}\n`);
    if (r.unsupportedLinkTypes !== undefined) for (const note of linkTypeNotes(r.input, r.unsupportedLinkTypes, r.frames)) io.stderr.write(`kanshi scan: ${note}\n`);
    if (r.unreadable) unreadable++;
    writer.flush();
    if (writeFailure !== undefined) break;
  }

  correlator?.finish();
  const counters = scanner.counters();
  counters['kanshi.detect.rules_skipped'] = counts.skipped + ruleset.skipped.length;
  counters['kanshi.detect.rules_invalid'] = counts.invalid;
  counters['kanshi.detect.rules_disabled'] = counts.disabled;
  counters['kanshi.inputs.errors'] = inputErrors + cfg.walkProblems.length;
  counters['kanshi.inputs.skipped'] = skipped + cfg.unrecognised.length + cfg.specialFiles.length;
  if (correlator !== undefined) Object.assign(counters, correlator.counters());
  writer.stats(scanner.lastTsUs, counters);
  writer.flush();
  if (fd !== undefined) closeSync(fd);
  if (writeFailure !== undefined) {
    io.stderr.write(`kanshi scan: cannot write ${cfg.output}: ${writeFailure}; the output stops where the write failed\n`);
    return EXIT_PROBLEMS;
  }
  io.stderr.write(`kanshi scan: ${summaryLine(cfg.inputs.length - skipped, counters, correlator !== undefined)}\n`);
  return unreadable > 0 ? EXIT_PROBLEMS : EXIT_OK;
}

/**
 * A capture made with a short snapshot length (tcpdump -s 96, a default of old tools) hides
 * payloads from every rule without any error: say so, or an empty result looks like a clean one.
 */
function cutShortNote(input: string, cut: number, frames: number): string {
  return `${input}: ${cut} of ${frames} packets were captured shorter than they were on the wire (the capture's snapshot length): the bytes past the cut were not recorded, so no rule can match them; capture with tcpdump -s 0 to keep whole packets`;
}

/**
 * Frames of a link type kanshi cannot decode (802.11 with radiotap, USB, ...) are skipped and
 * counted (kanshi.decoder.unsupported_linktype): name the type, so an empty result is not read as clean.
 */
function linkTypeNotes(input: string, byType: ReadonlyMap<number, number>, frames: number): string[] {
  // A pcapng file may describe any number of interfaces: a few lines say enough.
  const shown = [...byType].slice(0, MAX_LINK_TYPE_NOTES);
  const notes = shown.map(([linkType, n]) => {
    const name = UNDECODED_LINK_TYPE_NAMES.get(linkType);
    return `${input}: ${n} of ${frames} packets have link type ${linkType}${name !== undefined ? ` (${name})` : ''}, which kanshi does not decode: they were skipped (kanshi reads ${DECODED_LINK_TYPES} captures)`;
  });
  const more = byType.size - shown.length;
  if (more > 0) notes.push(`${input}: packets of ${more} more link types kanshi does not decode were skipped (kanshi.decoder.unsupported_linktype counts them all)`);
  return notes;
}

const MAX_LINK_TYPE_NOTES = 4;

/** The closing line on stderr: what was read, and what came of it. */
function summaryLine(inputs: number, c: Record<string, number>, correlated: boolean): string {
  const n = (k: string): number => c[k] ?? 0;
  const read = `${inputs} input${inputs === 1 ? '' : 's'} (${n('decoder.pkts')} packets, ${n('logs.records')} log records)`;
  const hits = `${n('detect.alert')} hits`;
  if (!correlated) return `${read}: ${hits}`;
  const levels = ['Emergency', 'Critical', 'Warning', 'Information'].map((l) => `${l} ${n(`correlate.level.${l}`)}`).join(', ');
  return `${read}: ${hits} -> ${n('correlate.emitted')} events (${levels})`;
}

function parseConfig(argv: string[]): ScanConfig | 'help' {
  const args = parseArgs(argv, [
    { name: '-r', takesValue: true },
    { name: '--rules', takesValue: true },
    { name: '--var', takesValue: true },
    { name: '--format', takesValue: true },
    { name: '-o', takesValue: true },
    { name: '--output', takesValue: true },
    { name: '--no-correlate', takesValue: false },
    { name: '--policy', takesValue: true },
    { name: '--log-format', takesValue: true },
    { name: '--year', takesValue: true },
    { name: '--tz', takesValue: true },
    { name: '--no-midstream', takesValue: false },
    { name: '-k', takesValue: true },
    { name: '--checksum-checks', takesValue: true },
    { name: '--help', takesValue: false },
    { name: '-h', takesValue: false },
  ]);
  if (args.flags.has('--help') || args.flags.has('-h')) return 'help';
  const one = (name: string, alias?: string): string | undefined => {
    const list = [...(args.flags.get(name) ?? []), ...(alias !== undefined ? (args.flags.get(alias) ?? []) : [])];
    if (list.length > 1) throw new UsageError(`${name} given ${list.length} times: give it once`);
    return list[0];
  };
  const format = one('--format') ?? 'eve';
  if (format !== 'eve' && format !== 'fast') throw new UsageError(`--format must be eve or fast, not '${format}'`);
  const { vars, fixed, overrides: varOverrides } = variablesFromFlags(args.flags.get('--var') ?? []);
  let rulesPaths = [...(args.flags.get('-r') ?? []), ...(args.flags.get('--rules') ?? [])];
  for (const p of rulesPaths) if (!existsSync(p)) throw new UsageError(`rules path '${p}' does not exist`);
  if (rulesPaths.length === 0) {
    const bundled = bundledRulesDir();
    rulesPaths = bundled === undefined ? [] : [bundled];
  }
  const yearText = one('--year');
  let year: number | undefined;
  if (yearText !== undefined) {
    year = Number(yearText);
    if (!Number.isInteger(year) || year < 1970 || year > 9999) throw new UsageError(`--year must be a year such as 2003, not '${yearText}'`);
  }
  const logFormat = one('--log-format');
  if (logFormat !== undefined && logFormatByName(logFormat) === undefined) {
    throw new UsageError(`unknown --log-format '${logFormat}': use one of ${logFormatNames().join(', ')}`);
  }
  const tz = one('--tz');
  if (tz !== undefined) {
    try {
      new ZoneResolver(tz);
    } catch (e) {
      throw new UsageError(`--tz: ${(e as Error).message}`);
    }
  }
  const checksum = one('-k', '--checksum-checks') ?? 'auto';
  if (checksum !== 'auto' && checksum !== 'all' && checksum !== 'none') {
    throw new UsageError(`-k must be auto, all or none, not '${checksum}'`);
  }
  if (args.positionals.length === 0) throw new UsageError('no INPUT given: name a capture, a log file, a directory, or - for standard input');
  return {
    rulesPaths,
    vars,
    fixed,
    varOverrides,
    format,
    output: one('-o', '--output'),
    correlate: !args.flags.has('--no-correlate'),
    policyPath: one('--policy'),
    logFormat,
    year,
    tz,
    midstream: !args.flags.has('--no-midstream'),
    checksum,
    ...collectInputs(args.positionals),
  };
}

/** The rules/ directory shipped with kanshi, found from this module (src/ or the build in dist/), not the working directory. */
function bundledRulesDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'rules');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

function rulesFiles(path: string): { files: string[]; problems: string[] } {
  if (!statSync(path).isDirectory()) return { files: [path], problems: [] };
  const w = walkDirectory(path);
  return { files: w.files.filter((f) => f.endsWith('.rules')), problems: w.problems.map((p) => `${p.path}: cannot read: ${p.reason}`) };
}

/**
 * Log files inside a directory are recognised by name; captures by their content. Rotated logs
 * keep the name plus a number (`messages.1`) or, with logrotate's `dateext` (RHEL's default), a
 * date (`messages-20231010`, `secure-2023101103.gz`).
 */
const LOG_NAME = /(\.log|\.json|\.jsonl|\.txt|[._-]log)(\.\d+|-\d{8}(\d{2})?)?(\.gz)?$|(^|\/)(messages|syslog|maillog|secure|access|error)(\.\d+|-\d{8}(\d{2})?)?(\.gz)?$/;

/** Names under which a file is meant to be a capture: one that is not says so, rather than vanish. */
const CAPTURE_NAME = /\.(pcap|pcapng|cap|dmp)$/i;

function collectInputs(paths: readonly string[]): { inputs: Input[]; unrecognised: string[]; walkProblems: string[]; specialFiles: string[] } {
  const inputs: Input[] = [];
  const unrecognised: string[] = [];
  const walkProblems: string[] = [];
  const specialFiles: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      inputs.push({ path: '-', kind: 'stdin', size: 0 });
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch {
      // Reported as unreadable when scanned (exit status 1), not as a usage error.
      inputs.push({ path: p, kind: 'capture', size: 0 });
      continue;
    }
    if (st.isDirectory()) {
      const w = walkDirectory(p);
      for (const problem of w.problems) walkProblems.push(`${problem.path}: cannot read: ${problem.reason}`);
      specialFiles.push(...w.special);
      for (const f of w.files) {
        const kind = fileKind(f);
        // A log is taken by its name, or, whatever its name (fail2ban's `apache-auth`, a copied
        // `auth`), by first lines that read as a known log format.
        const byName = kind === 'log' && LOG_NAME.test(f);
        if (kind !== 'log' || byName || looksLikeKnownLog(f, false)) inputs.push({ path: f, kind, size: statSync(f).size, ...(byName ? { checkFirstLines: true } : {}) });
        else unrecognised.push(f);
      }
    } else if (!st.isFile()) {
      // Opening a FIFO to peek at it would take the writer's first bytes: it is read once, as a stream.
      inputs.push({ path: p, kind: 'stream', size: 0 });
    } else {
      const kind = fileKind(p);
      const input: Input = { path: p, kind, size: st.size };
      if (kind === 'log' && CAPTURE_NAME.test(p)) {
        input.note = `${p}: named like a capture, but ${st.size === 0 ? 'empty' : 'it starts with no pcap or pcapng header'}: read as log lines`;
      }
      inputs.push(input);
    }
  }
  return { inputs, unrecognised, walkProblems, specialFiles };
}

/** A named FIFO or device as a stream of bytes (opened when its turn comes, as a pipe's writer expects). */
async function openStream(path: string): Promise<AsyncIterable<Uint8Array>> {
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream as AsyncIterable<Uint8Array>;
}

/** What stderr says of the files a directory held that were not read. */
function unrecognisedNotes(files: readonly string[]): string[] {
  const notes: string[] = [];
  const others: string[] = [];
  for (const f of files) {
    if (!CAPTURE_NAME.test(f)) others.push(f);
    else notes.push(`${f}: skipped: named like a capture, but ${statSync(f).size === 0 ? 'empty' : 'it starts with no pcap or pcapng header'}`);
  }
  if (others.length > 0) {
    const named = others.slice(0, 3).join(', ') + (others.length > 3 ? `, ... (${others.length - 3} more)` : '');
    notes.push(`skipped ${others.length} file${others.length === 1 ? '' : 's'} neither a capture nor a log (by name or first lines): ${named} (name one on the command line to read it as log lines)`);
  }
  return notes;
}

/**
 * Whether the first lines of a file detect as a log format other than raw lines (`orEmpty`: an
 * empty or unreadable file counts as one, to be read and reported when its turn comes).
 */
function looksLikeKnownLog(path: string, orEmpty = true): boolean {
  const head = new Uint8Array(64 * 1024);
  let n = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return orEmpty; // let the scan report why it cannot be read
  }
  let bytes: Uint8Array = head.subarray(0, n);
  if (isGzipMagic(bytes)) bytes = gunzipPrefix(bytes);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const lines = text.split('\n', 33).slice(0, 32).filter((l) => l.trim() !== '');
  return lines.length === 0 ? orEmpty : detectLogFormat(lines) !== 'raw';
}

/** What the first bytes of a gzip file decompress to (as much as they hold), to recognise the log inside. */
function gunzipPrefix(b: Uint8Array): Uint8Array {
  try {
    return gunzipSync(b, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 4 * 1024 * 1024 });
  } catch {
    return new Uint8Array(0);
  }
}

/** A capture by its magic number; anything else is read as a log (src/logs detects its format). */
function fileKind(path: string): 'capture' | 'log' | 'capture-gz' {
  const head = new Uint8Array(64 * 1024);
  let n = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return 'capture';
  }
  if (n >= 4 && isCaptureMagic(head)) return 'capture';
  // x.pcap.gz: a capture once decompressed (a gzip log is decompressed by the log reader).
  if (isGzipMagic(head.subarray(0, n))) {
    const inner = gunzipPrefix(head.subarray(0, n));
    if (inner.length >= 4 && isCaptureMagic(inner)) return 'capture-gz';
  }
  return 'log';
}

/**
 * Reads a stream's first bytes (standard input, a named FIFO, a gzip capture) to tell a capture
 * from a log, then replays them; gzip input (`cat access.log.gz | kanshi scan -`) is decompressed
 * first, as a named .gz log is.
 */
async function sniffStream(input: AsyncIterable<Uint8Array | string>): Promise<{ kind: 'capture' | 'log'; stream: AsyncIterable<Uint8Array> }> {
  const plain = await sniffBytes(asBytes(input));
  if (!isGzipMagic(plain.head)) return plain;
  return sniffBytes(Readable.from(plain.stream).pipe(createGunzip()) as AsyncIterable<Uint8Array>);
}

async function* asBytes(input: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for await (const chunk of input) yield toBytes(chunk);
}

/** Tells a capture from a log by a stream's first bytes (`head`), then replays them with the rest. */
async function sniffBytes(input: AsyncIterable<Uint8Array>): Promise<{ kind: 'capture' | 'log'; head: Uint8Array; stream: AsyncIterable<Uint8Array> }> {
  const it = input[Symbol.asyncIterator]();
  let head: Uint8Array = new Uint8Array(0);
  let done = false;
  while (head.length < 4 && !done) {
    const next = await it.next();
    if (next.done === true) done = true;
    else head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await it.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { kind: head.length >= 4 && isCaptureMagic(head) ? 'capture' : 'log', head, stream: replay() };
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
}

function writeAll(fd: number, s: string): void {
  const buf = Buffer.from(s, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/**
 * A firewall's log line stands for the packet it logged (the SOC counted the Slammer and Deloder
 * waves from them): its addresses, ports and flags go to the scan detector as that packet's
 * would. A line that names no TCP flags (a Cisco deny or built line) stands for the opening SYN.
 */
function observeRecord(c: Correlator, r: LogRecord): void {
  if (r.format !== 'netfilter' && r.format !== 'asa') return;
  if (r.src === undefined || r.dst === undefined || r.proto === undefined) return;
  if (r.teardown === true) return;
  const hasPorts = r.srcPort !== undefined && r.dstPort !== undefined;
  c.observePacket({
    // A connection the firewall let through (Built, ACCEPT) went somewhere: only what it denied,
    // or logged without a verdict, can be a probe that went nowhere.
    permitted: r.action === 'allow',
    tsUs: r.tsUs,
    src: r.src,
    dst: r.dst,
    srcPort: hasPorts ? r.srcPort! : -1,
    dstPort: hasPorts ? r.dstPort! : -1,
    proto: r.proto,
    tcpFlags: r.proto === 6 ? (r.tcpFlags ?? TCP_SYN) : -1,
  });
}

/** What the correlator's scan detector needs from every packet. */
function observe(c: Correlator, pkt: DecodedPacket): void {
  const ip = pkt.ip;
  if (ip === undefined) return;
  const hasPorts = pkt.tcp !== undefined || pkt.udp !== undefined || pkt.sctp !== undefined;
  c.observePacket({
    tsUs: pkt.tsUs,
    src: ip.src,
    dst: ip.dst,
    srcPort: hasPorts ? pkt.srcPort : -1,
    dstPort: hasPorts ? pkt.dstPort : -1,
    proto: ip.protocol,
    tcpFlags: pkt.tcp !== undefined ? pkt.tcp.flags : -1,
    icmpType: pkt.icmp?.type,
    quoted: pkt.icmp?.quoted,
  });
}

/** A progress line on stderr for large inputs, when stderr is a terminal. */
class Progress {
  readonly enabled: boolean;
  private input: Input | undefined;
  private startMs = 0;
  private lastDrawMs = 0;
  private drawn = false;

  constructor(
    private readonly io: CommandIo,
    inputs: readonly Input[],
  ) {
    this.enabled = io.stderr.isTTY === true && inputs.some((i) => i.size >= PROGRESS_FROM_BYTES);
  }

  start(input: Input): void {
    this.input = input;
    this.startMs = Date.now();
    this.lastDrawMs = 0;
  }

  update(bytes: number): void {
    const input = this.input;
    if (!this.enabled || input === undefined || input.size < PROGRESS_FROM_BYTES) return;
    // Wall-clock time is used for the display only, never by detection.
    const now = Date.now();
    if (now - this.lastDrawMs < 200) return;
    this.lastDrawMs = now;
    const frac = Math.min(1, bytes / input.size);
    const width = 30;
    const filled = Math.round(frac * width);
    const mbs = bytes / 1e6 / Math.max(0.001, (now - this.startMs) / 1000);
    const name = input.path.length > 40 ? '...' + input.path.slice(-37) : input.path;
    this.io.stderr.write(`\r${name} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${mbs.toFixed(0)} MB/s`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.io.stderr.write('\n');
    this.drawn = false;
  }
}

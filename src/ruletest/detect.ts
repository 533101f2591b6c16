/**
 * The one place the case runner meets the detection engine: load rules once, then scan each
 * built input with fresh flow, stream and threshold state, collecting the alerts.
 */
import { statSync } from 'node:fs';
import type { EngineOptions, InspectedUnit } from '../match/engine.js';
import { ipText } from '../match/ip-text.js';
import { Ruleset } from '../match/ruleset.js';
import { regexRunner } from '../options/lib/regex-runner.js';
import { Scanner } from '../match/scanner.js';
import { readsUriQueryAsSent, uriBufferOf, uriQueryAsSent, URI_QUERY_AS_SENT, URI_QUERY_AS_SENT_BASE } from '../match/uri-query-as-sent.js';
import { DiagnosticCollector, RuleLoader, ruleSid, VariableTable, type Diagnostic } from '../rule/index.js';
import { walkDirectory } from '../rule/walk.js';
import type { Alert } from '../types/alert.js';
import type { BufferName } from '../types/buffers.js';
import type { FlowValue } from '../options/non-payload/flow.js';
import type { CompiledHeader, Rule } from '../rule/ast.js';
import type { DetectInput } from './build.js';

/** What the runner needs from detection. */
export interface Detector {
  /** Sids the loaded rules define, with their message; absent sids make a case fail early. */
  readonly rules: ReadonlyMap<number, RuleInfo>;
  /** Scans one input; with `watch`, also records what each inspection gave (see explain.ts). */
  detect(input: DetectInput, watch?: InspectionWatch): Promise<Alert[]>;
}

export interface RuleInfo {
  msg: string;
  /** "file:line" of the rule. */
  where: string;
  /** Set when the rule was read but will never fire (disabled, skipped or invalid), with why. */
  inactive?: string;
  /** What the rule's payload keywords read (for explanations; worked out on first use). */
  readonly reads?: RuleReads;
}

/** The buffers a rule's payload keywords read, in rule order without repeats, and its contents and pcres. */
export interface RuleReads {
  buffers: string[];
  probes: Probe[];
  /** The rule's addresses and ports, compiled and as written (`any any -> $HOME_NET 8080`). */
  header?: CompiledHeader;
  headerText: string;
  /** The rule's flow option, with its text as written. */
  flow?: { value: FlowValue; text: string };
  /** The rule's threshold or detection_filter as written: it can withhold alerts of a match. */
  withheldBy?: string;
}

/** A content or pcre of a rule, as the explanation looks for it: anywhere in its buffer. */
export interface Probe {
  kind: 'content' | 'pcre';
  /** As written: `content:"/../"`. */
  text: string;
  buffer: string;
  negated: boolean;
  /** The buffer goes through transforms before the keyword reads it (not checked). */
  transformed: boolean;
  /** Whether it occurs anywhere in `bytes`; undefined when that could not be decided (a pcre cut off by its limits). */
  test(bytes: Uint8Array): boolean | undefined;
}

/** Which buffers to copy from each inspection, and where the inspections go. */
export interface InspectionWatch {
  buffers: ReadonlySet<string>;
  into: Inspected[];
}

/** One inspection of a scan: "http request 1", with copies of the watched buffers it had. */
export interface Inspected {
  label: string;
  buffers: Map<string, Uint8Array>;
  /** Whether it was a log record (whose header fields the engine reads leniently). */
  record: boolean;
  /** Addresses (empty when unknown) and ports (-1 when unknown) in the inspection's direction. */
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  /** The endpoints as text: `192.0.2.1:1025 -> 192.168.1.10:80`. */
  way: string;
  toServer: boolean;
  established: boolean;
}

/**
 * Inspections kept per kind (client packet, http request, ...) in a watched scan: a case is a
 * handful of messages, but a large body comes in hundreds of packets, which must not crowd out
 * the one HTTP inspection that carries it.
 */
const MAX_INSPECTED = 256;

function readsOf(rule: Rule): RuleReads {
  const buffers: string[] = [];
  const probes: Probe[] = [];
  const det = rule.body?.detection;
  // The buffer the engine reads: such a rule's http.uri keywords read the query as sent.
  const asSent = det !== undefined && readsUriQueryAsSent(det);
  for (const el of det?.payload ?? []) {
    const buffer = uriBufferOf(el.buffer, asSent);
    if (!buffers.includes(buffer)) buffers.push(buffer);
    const base = { text: `${el.option.keyword}:${el.option.raw ?? ''}`, buffer, transformed: el.transforms.length > 0 };
    if (el.kind === 'content') {
      const { bytes, nocase } = el;
      probes.push({ ...base, kind: 'content', negated: el.negated, test: (hay) => occurs(bytes, nocase, hay) });
    } else if (el.kind === 'pcre' && el.value.compiled !== null) {
      // The engine's own bounded runner: a pattern that backtracks without end cannot stall a test run.
      const runner = regexRunner(el.value.compiled.source, el.value.compiled.flags);
      const test = (hay: Uint8Array): boolean | undefined => {
        const found = runner.exec(Buffer.from(hay.buffer, hay.byteOffset, hay.length).toString('latin1'), 0);
        return runner.limited ? undefined : found;
      };
      probes.push({ ...base, kind: 'pcre', negated: el.value.negated, test });
    }
  }
  const reads: RuleReads = { buffers, probes, headerText: `${rule.src} ${rule.srcPort} ${rule.direction} ${rule.dst} ${rule.dstPort}` };
  if (rule.header !== undefined) reads.header = rule.header;
  const flow = rule.body?.detection?.flow;
  const flowOption = rule.options.find((o) => o.keyword === 'flow');
  if (flow !== undefined && flowOption !== undefined) reads.flow = { value: flow, text: `flow:${flowOption.raw ?? ''}` };
  const limiter = rule.options.find((o) => o.keyword === 'threshold' || o.keyword === 'detection_filter');
  if (limiter !== undefined) reads.withheldBy = `${limiter.keyword}:${limiter.raw ?? ''}`;
  return reads;
}

/** Whether `needle` occurs anywhere in `hay` (ASCII letters folded when nocase). */
export function occurs(needle: Uint8Array, nocase: boolean, hay: Uint8Array): boolean {
  const n = needle.length;
  if (n === 0) return true;
  outer: for (let i = 0; i + n <= hay.length; i++) {
    for (let k = 0; k < n; k++) {
      const a = hay[i + k]!;
      const b = needle[k]!;
      if (a === b) continue;
      if (nocase && (a | 0x20) === (b | 0x20) && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a) continue;
      continue outer;
    }
    return true;
  }
  return false;
}

export interface LoadedRules {
  detector: Detector;
  diagnostics: Diagnostic[];
  errors: number;
  files: string[];
}

/** Rules files named on the command line: files as given, directories searched for *.rules. */
export function rulesFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push(p); // the loader reports it as unreadable
      return;
    }
    if (!st.isDirectory()) {
      out.push(p);
      return;
    }
    const walked = walkDirectory(p);
    // What cannot be read is handed to the loader, which reports it at its path.
    for (const problem of walked.problems) out.push(problem.path);
    for (const f of walked.files) if (f.endsWith('.rules')) out.push(f);
  };
  for (const p of paths) walk(p);
  return out;
}

/** Loads rules files with the given variables (which override var lines in the files). */
export function loadRules(files: readonly string[], vars: readonly (readonly [string, string])[]): LoadedRules {
  const table = VariableTable.withDefaults();
  const fixed = new Set<string>();
  for (const [name, value] of vars) {
    table.set(name, value, table.kind(name) ?? 'any');
    fixed.add(name);
  }
  const collector = new DiagnosticCollector();
  const loader = new RuleLoader({ vars: table, fixedVars: fixed, collector });
  for (const f of files) loader.loadFile(f);
  const ruleset = new Ruleset(loader.rules);
  const info = new Map<number, RuleInfo>();
  for (const r of loader.rules) {
    const sid = ruleSid(r);
    if (sid === undefined) continue;
    const msg = r.body?.meta.msg ?? '';
    // Read when a failure is explained: a large rule set's pcres are not compiled for nothing.
    let reads: RuleReads | undefined;
    const entry: RuleInfo = {
      msg,
      where: `${r.loc.file}:${r.loc.line}`,
      get reads(): RuleReads {
        return (reads ??= readsOf(r));
      },
    };
    if (!r.enabled) entry.inactive = 'commented out';
    else if (r.body?.detection.noalert === true) entry.inactive = 'it has noalert (it sets flowbits for other rules, and never alerts itself)';
    else if (r.status !== 'loaded') entry.inactive = `${r.status}${r.unsupported.length > 0 ? `: ${r.unsupported.join(', ')}` : ''}`;
    // Another rule with this sid (a rejected duplicate, a commented-out copy) never hides the active one.
    const prev = info.get(sid);
    if (prev !== undefined && prev.inactive === undefined && entry.inactive !== undefined) continue;
    info.set(sid, entry);
  }
  for (const s of ruleset.skipped) {
    const entry = info.get(ruleSid(s.rule) ?? -1);
    if (entry !== undefined) entry.inactive = `not compiled: ${s.reason}`;
  }
  return { detector: new EngineDetector(ruleset, info), diagnostics: collector.list, errors: collector.errors, files: [...files] };
}

/** Flows never span inputs and thresholds start empty: every input is scanned as if alone. */
class EngineDetector implements Detector {
  constructor(
    private readonly ruleset: Ruleset,
    readonly rules: ReadonlyMap<number, RuleInfo>,
  ) {}

  async detect(input: DetectInput, watch?: InspectionWatch): Promise<Alert[]> {
    const alerts: Alert[] = [];
    // Small tables: a case is a handful of flows, and the defaults cost more to set up than to scan.
    const engine: EngineOptions = { maxThresholdKeys: 1024, maxFlows: 1024 };
    if (watch !== undefined) engine.onInspect = watcher(watch);
    const scanner = new Scanner(this.ruleset, (a) => alerts.push(a), { engine });
    let error: string | undefined;
    switch (input.kind) {
      case 'capture': {
        const r = await scanner.scanCaptureStream(once(input.bytes), input.name);
        error = r.error;
        break;
      }
      case 'capture-file':
        error = scanner.scanCaptureFile(input.path).error;
        break;
      case 'log': {
        const r = await scanner.scanLogStream(linesOf(input.lines), input.name, input.format !== undefined ? { format: input.format } : {});
        error = r.error;
        break;
      }
    }
    if (error !== undefined) throw new Error(error);
    return alerts;
  }
}

function asSentUri(unit: InspectedUnit): Uint8Array | undefined {
  const raw = unit.source.buffer(URI_QUERY_AS_SENT_BASE);
  return raw === undefined ? undefined : uriQueryAsSent(raw);
}

/** Copies the watched buffers of each inspection, labelled by kind and count ("client stream 2"). */
function watcher(watch: InspectionWatch): (unit: InspectedUnit) => void {
  const counts = new Map<string, number>();
  return (unit) => {
    const kind = unit.kind === 'packet' || unit.kind === 'stream' ? `${unit.toServer ? 'client' : 'server'} ${unit.kind}` : unit.kind === 'record' ? 'log line' : unit.kind;
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    if (n > MAX_INSPECTED) return;
    const buffers = new Map<string, Uint8Array>();
    for (const name of watch.buffers) {
      const b = name === URI_QUERY_AS_SENT ? asSentUri(unit) : unit.source.buffer(name as BufferName);
      if (b !== undefined) buffers.set(name, b.slice());
    }
    watch.into.push({
      label: `${kind} ${n}`,
      buffers,
      record: unit.kind === 'record',
      src: unit.src.slice(),
      dst: unit.dst.slice(),
      srcPort: unit.srcPort,
      dstPort: unit.dstPort,
      way: `${endpointText(unit.src, unit.srcPort)} -> ${endpointText(unit.dst, unit.dstPort)}`,
      toServer: unit.toServer,
      established: unit.established,
    });
  };
}

function endpointText(ip: Uint8Array, port: number): string {
  const addr = ip.length === 0 ? '-' : ip.length === 16 ? `[${ipText(ip)}]` : ipText(ip);
  return port >= 0 ? `${addr}:${port}` : addr;
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

async function* linesOf(lines: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const l of lines) {
    const withEol = new Uint8Array(l.length + 1);
    withEol.set(l);
    withEol[l.length] = 0x0a;
    yield withEol;
  }
}

import type { Token } from 'moo';
import type { OptionNode, StatementNode } from '../../grammar/policy.generated.js';
import { VARIABLE_NAME } from '../rule/variables.js';
import { parseAddressText } from '../rule/ip-set.js';
import { didYouMean } from './policy-diagnostics.js';
import type { ParsedStatement } from './policy-parse.js';
import {
  OptionTable,
  readAddress,
  readChoice,
  readClasstypes,
  readCodes,
  readInt,
  readLevel,
  readAlternatives,
  readSeconds,
  readSids,
  readText,
  type ReadContext,
} from './policy-values.js';
import {
  SCAN_KINDS,
  type HitSelector,
  type RateAction,
  type ScanKind,
  type Statement,
  type StatementOrigin,
  type SuppressTrack,
  type ThresholdTrack,
  type ThresholdType,
} from './policy-types.js';
import type { Level } from '../types/level.js';

export const STATEMENT_KEYWORDS = [
  'suppress',
  'threshold',
  'event_filter',
  'rate_filter',
  'var',
  'ipvar',
  'portvar',
  'escalate',
  'outbound',
  'refused',
  'except',
  'scan',
  'classify',
] as const;

const MAX_U32 = 0xffffffff;
const THRESHOLD_TRACKS: readonly ThresholdTrack[] = ['by_src', 'by_dst', 'by_rule', 'by_both', 'by_flow'];
const SUPPRESS_TRACKS: readonly SuppressTrack[] = ['by_src', 'by_dst', 'by_either'];
const THRESHOLD_TYPES: readonly ThresholdType[] = ['limit', 'threshold', 'both'];
const RATE_ACTIONS: readonly RateAction[] = ['alert', 'drop', 'pass', 'log', 'reject', 'sdrop'];

/** The statement on one line, whitespace collapsed (how events and stats quote it). */
export function statementText(tokens: readonly Token[]): string {
  let s = '';
  let prev: Token | undefined;
  for (const t of tokens) {
    if (prev && t.type !== 'comma' && t.type !== 'rbracket' && prev.type !== 'lbracket') s += ' ';
    s += t.text;
    prev = t;
  }
  return s;
}

export interface BuildContext extends ReadContext {
  /** The bundled default policy: no warnings about an unconfigured network. */
  bundled: boolean;
}

/** Builds the `var`/`ipvar`/`portvar` lines first, so other statements may use variables defined anywhere. */
export function buildVar(p: ParsedStatement, ctx: BuildContext, overridden: ReadonlySet<string>): void {
  const st = p.node;
  const k = st.keyword;
  const first = st.options[0];
  if (!first) {
    ctx.problems.error(k.offset, k.text.length, `${k.text} needs a name and a value: write '${k.text} HOME_NET [10.0.0.0/8]'`);
    return;
  }
  if (st.options.length > 1) {
    const extra = st.options[1]!;
    ctx.problems.error(extra.name.offset, extra.name.text.length, `a value with commas must be in brackets: write '${k.text} ${first.name.text} [a,b]'`);
    return;
  }
  const name = first.name.text;
  if (!VARIABLE_NAME.test(name.replace(/^\$/, ''))) {
    ctx.problems.error(first.name.offset, name.length, `'${name}' is not a variable name: use letters, digits and '_', not starting with a digit`);
    return;
  }
  if (name.startsWith('$')) {
    ctx.problems.error(first.name.offset, name.length, `write the variable's name without '$' when defining it: '${k.text} ${name.slice(1)} ...'`);
    return;
  }
  if (first.values.length === 0) {
    ctx.problems.error(first.name.offset, name.length, `${k.text} ${name} needs a value: write '${k.text} ${name} [10.0.0.0/8]'`);
    return;
  }
  const value = ctx.source.slice(first.values[0]!.start, first.values[first.values.length - 1]!.end);
  if (overridden.has(name)) return;
  ctx.vars.set(name, value, k.text === 'ipvar' ? 'ip' : k.text === 'portvar' ? 'port' : 'any');
}

/**
 * Checks an ipvar's value once every variable of the file is defined, so one may be defined
 * from another written further down (statements may use variables defined anywhere too).
 */
export function checkVar(p: ParsedStatement, ctx: BuildContext): void {
  const st = p.node;
  const first = st.options[0];
  if (st.keyword.text !== 'ipvar' || first === undefined || st.options.length > 1 || first.values.length === 0) return;
  readAddress(ctx, first, `ipvar ${first.name.text} [10.0.0.0/8]`);
}

/** Builds one non-variable statement; undefined (with problems reported) when it is unusable. */
export function buildStatement(p: ParsedStatement, index: number, ctx: BuildContext): Statement | undefined {
  const st = p.node;
  const k = st.keyword;
  const origin: StatementOrigin = { file: ctx.problems.file, line: k.line, col: k.col, text: statementText(p.tokens) };
  switch (k.text) {
    case 'suppress':
      return buildSuppress(st, index, origin, ctx);
    case 'threshold':
    case 'event_filter':
      return buildThreshold(st, index, origin, ctx, k.text);
    case 'rate_filter':
      return buildRateFilter(st, index, origin, ctx);
    case 'escalate':
      return buildEscalate(st, index, origin, ctx);
    case 'outbound':
      return buildOutbound(st, index, origin, ctx);
    case 'refused':
      return buildRefused(st, index, origin, ctx);
    case 'except':
      return buildExcept(st, index, origin, ctx);
    case 'scan':
      return buildScan(st, index, origin, ctx);
    case 'classify':
      return buildClassify(st, index, origin, ctx);
    default: {
      const lower = k.text.toLowerCase();
      const hint = (STATEMENT_KEYWORDS as readonly string[]).includes(lower)
        ? ` (keywords are lower case: write '${lower}')`
        : didYouMean(k.text, STATEMENT_KEYWORDS);
      ctx.problems.error(k.offset, k.text.length, `unknown statement '${k.text}'${hint}`);
      return undefined;
    }
  }
}

/** gen_id and sig_id of a threshold.config statement, with Suricata's wildcard rules. */
function readRuleIds(opts: OptionTable, ctx: BuildContext): { gid: number; sid: number } | undefined {
  const g = opts.require('gen_id', 'gen_id <gid>, sig_id <sid>');
  const s = opts.require('sig_id', 'sig_id <sid>');
  const gid = g ? readInt(ctx, g, 'gen_id 1', { min: 0, max: MAX_U32 }) : undefined;
  const sid = s ? readInt(ctx, s, 'sig_id 2001219', { min: 0, max: MAX_U32 }) : undefined;
  if (gid === undefined || sid === undefined) return undefined;
  if (gid === 0 && sid !== 0) {
    ctx.problems.error(g!.values[0]!.start, 1, `gen_id 0 with sig_id ${sid} matches nothing: write the rule's generator (gen_id 1 for text rules), or sig_id 0 for every rule`);
    return undefined;
  }
  return { gid, sid };
}

function buildSuppress(st: StatementNode, index: number, origin: StatementOrigin, ctx: BuildContext): Statement | undefined {
  const opts = new OptionTable(st, ctx);
  opts.checkAllowed(['gen_id', 'sig_id', 'track', 'ip']);
  const ids = readRuleIds(opts, ctx);
  const trackOpt = opts.get('track');
  const ipOpt = opts.get('ip');
  if (trackOpt && !ipOpt) {
    ctx.problems.error(trackOpt.name.offset, trackOpt.name.text.length, "suppress with 'track' needs 'ip <address>' after it: write 'track by_src, ip 192.0.2.1'");
    return undefined;
  }
  if (ipOpt && !trackOpt) {
    ctx.problems.error(ipOpt.name.offset, ipOpt.name.text.length, "suppress with 'ip' needs 'track by_src', 'track by_dst' or 'track by_either' before it");
    return undefined;
  }
  const track = trackOpt ? readChoice(ctx, trackOpt, SUPPRESS_TRACKS, 'track by_src') : undefined;
  const ips = ipOpt ? readAddress(ctx, ipOpt, 'ip 192.0.2.0/24') : undefined;
  if (!ids || (trackOpt && (!track || !ips))) return undefined;
  if (ids.gid === 0 && !track) {
    ctx.problems.warning(st.keyword.offset, st.keyword.text.length, 'suppress gen_id 0, sig_id 0 with no address suppresses every alert');
  }
  return { kind: 'suppress', index, origin, gid: ids.gid, sid: ids.sid, ...(track ? { track, ips: ips!.set } : {}) };
}

function buildThreshold(
  st: StatementNode,
  index: number,
  origin: StatementOrigin,
  ctx: BuildContext,
  keyword: 'threshold' | 'event_filter',
): Statement | undefined {
  const opts = new OptionTable(st, ctx);
  opts.checkAllowed(['gen_id', 'sig_id', 'type', 'track', 'count', 'seconds']);
  const ids = readRuleIds(opts, ctx);
  const typeOpt = opts.require('type', 'type limit|threshold|both');
  const trackOpt = opts.require('track', 'track by_src|by_dst|by_rule|by_both|by_flow');
  const countOpt = opts.require('count', 'count <N>');
  const secondsOpt = opts.require('seconds', 'seconds <T>');
  const type = typeOpt ? readChoice(ctx, typeOpt, THRESHOLD_TYPES, 'type limit') : undefined;
  const track = trackOpt ? readChoice(ctx, trackOpt, THRESHOLD_TRACKS, 'track by_src') : undefined;
  const count = countOpt ? readInt(ctx, countOpt, 'count 1', { min: 1, max: MAX_U32, minusOne: true }) : undefined;
  const seconds = secondsOpt ? readInt(ctx, secondsOpt, 'seconds 60', { min: 1, max: MAX_U32 }) : undefined;
  if (!ids || !type || !track || count === undefined || seconds === undefined) return undefined;
  return { kind: 'threshold', keyword, index, origin, gid: ids.gid, sid: ids.sid, type, track, count, seconds };
}

function buildRateFilter(st: StatementNode, index: number, origin: StatementOrigin, ctx: BuildContext): Statement | undefined {
  const opts = new OptionTable(st, ctx);
  opts.checkAllowed(['gen_id', 'sig_id', 'track', 'count', 'seconds', 'new_action', 'timeout', 'apply_to']);
  const ids = readRuleIds(opts, ctx);
  const trackOpt = opts.require('track', 'track by_src|by_dst|by_rule|by_both|by_flow');
  const countOpt = opts.require('count', 'count <N>');
  const secondsOpt = opts.require('seconds', 'seconds <T>');
  const actionOpt = opts.require('new_action', 'new_action alert|drop|pass|log|reject|sdrop');
  const timeoutOpt = opts.require('timeout', 'timeout <T>');
  const track = trackOpt ? readChoice(ctx, trackOpt, THRESHOLD_TRACKS, 'track by_src') : undefined;
  const count = countOpt ? readInt(ctx, countOpt, 'count 100', { min: 1, max: MAX_U32 }) : undefined;
  const seconds = secondsOpt ? readInt(ctx, secondsOpt, 'seconds 60', { min: 1, max: MAX_U32 }) : undefined;
  const newAction = actionOpt ? readChoice(ctx, actionOpt, RATE_ACTIONS, 'new_action drop') : undefined;
  const timeout = timeoutOpt ? readInt(ctx, timeoutOpt, 'timeout 300', { min: 0, max: MAX_U32 }) : undefined;
  const applyOpt = opts.get('apply_to');
  const applyTo = applyOpt ? readAddress(ctx, applyOpt, 'apply_to [10.0.0.0/8]') : undefined;
  if (applyOpt && (track === 'by_rule' || track === 'by_flow')) {
    ctx.problems.error(applyOpt.name.offset, applyOpt.name.text.length, `apply_to needs an address to check: use it with track by_src or by_dst, not ${track}`);
    return undefined;
  }
  if (!ids || !track || count === undefined || seconds === undefined || !newAction || timeout === undefined || (applyOpt && !applyTo)) return undefined;
  return {
    kind: 'rate_filter',
    index,
    origin,
    gid: ids.gid,
    sid: ids.sid,
    track,
    count,
    seconds,
    newAction,
    timeout,
    ...(applyTo ? { applyTo: applyTo.set } : {}),
  };
}

const SELECTOR_OPTIONS = ['gen_id', 'sig_id', 'classtype'];

/** gen_id / sig_id / classtype of a kanshi statement; `ok` false when one of them was bad. */
function readSelector(opts: OptionTable, ctx: BuildContext): { select: HitSelector; ok: boolean } {
  const select: HitSelector = {};
  let ok = true;
  const g = opts.get('gen_id');
  if (g) {
    const gid = readInt(ctx, g, 'gen_id 1', { min: 1, max: MAX_U32 });
    if (gid === undefined) ok = false;
    else select.gid = gid;
  }
  const s = opts.get('sig_id');
  if (s) {
    const sids = readSids(ctx, s);
    if (!sids) ok = false;
    else select.sids = sids;
  }
  const c = opts.get('classtype');
  if (c) {
    const classtypes = readClasstypes(ctx, c);
    if (!classtypes) ok = false;
    else select.classtypes = classtypes;
  }
  return { select, ok };
}

function buildEscalate(st: StatementNode, index: number, origin: StatementOrigin, ctx: BuildContext): Statement | undefined {
  const opts = new OptionTable(st, ctx);
  opts.checkAllowed([...SELECTOR_OPTIONS, 'track', 'count', 'seconds', 'level']);
  const { select, ok } = readSelector(opts, ctx);
  const trackOpt = opts.require('track', 'track by_src|by_dst');
  const countOpt = opts.require('count', 'count <N>');
  const secondsOpt = opts.require('seconds', 'seconds <T>');
  const track = trackOpt ? readChoice(ctx, trackOpt, THRESHOLD_TRACKS, 'track by_src') : undefined;
  const count = countOpt ? readInt(ctx, countOpt, 'count 10', { min: 1, max: MAX_U32 }) : undefined;
  const seconds = secondsOpt ? readInt(ctx, secondsOpt, 'seconds 60', { min: 1, max: MAX_U32 }) : undefined;
  const levelOpt = opts.get('level');
  const level: Level | undefined = levelOpt ? readLevel(ctx, levelOpt) : 'Critical';
  if (!ok || !track || count === undefined || seconds === undefined || !level) return undefined;
  return { kind: 'escalate', index, origin, select, track, count, seconds, level };
}

function buildOutbound(st: StatementNode, index: number, origin: StatementOrigin, ctx: BuildContext): Statement | undefined {
  const opts = new OptionTable(st, ctx);
  opts.checkAllowed([...SELECTOR_OPTIONS, 'level', 'home', 'seconds']);
  const { select, ok } = readSelector(opts, ctx);
  const levelOpt = opts.get('level');
  const level: Level | undefined = levelOpt ? readLevel(ctx, levelOpt) : 'Emergency';
  const secondsOpt = opts.get('seconds');
  const seconds = secondsOpt ? readInt(ctx, secondsOpt, 'seconds 300', { min: 1, max: MAX_U32 }) : undefined;
  if (secondsOpt && seconds === undefined) return undefined;
  const homeOpt = opts.get('home');
  let home = homeOpt ? readAddress(ctx, homeOpt, 'home $HOME_NET') : undefined;
  if (!homeOpt) {
    // $HOME_NET as it stands once every var line (and --var) is applied.
    const k = st.keyword;
    const before = ctx.problems.errorCount;
    const set = parseAddressText('$HOME_NET', ctx.vars, ctx.problems.sinkAt(k.offset, k.text.length, () => 0));
    if (!set || ctx.problems.errorCount > before) return undefined;
    home = { set, text: '$HOME_NET' };
  }
  if (!ok || !level || !home) return undefined;
  if (home.set.isAny && !ctx.bundled) {
    const at = homeOpt ?? ({ name: st.keyword } as OptionNode);
    ctx.problems.warning(
      at.name.offset,
      at.name.text.length,
      `the monitored network (${homeOpt ? home.text : '$HOME_NET'}) is 'any', so no destination is outside it and this statement never applies: set 'ipvar HOME_NET [...]' or pass --var HOME_NET=...`,
    );
  }
  const out: Statement = { kind: 'outbound', index, origin, select, level, home: home.set, homeText: homeOpt ? home.text : '$HOME_NET' };
  if (seconds !== undefined) out.seconds = seconds;
  return out;
}

function buildRefused(st: StatementNode, index: number, origin: StatementOrigin, ctx: BuildContext): Statement | undefined {
  const opts = new OptionTable(st, ctx);
  opts.checkAllowed([...SELECTOR_OPTIONS, 'http_status', 'server', 'smtp_reply']);
  const { select, ok } = readSelector(opts, ctx);
  const statusOpt = opts.get('http_status');
  const serverOpt = opts.get('server');
  const smtpOpt = opts.get('smtp_reply');
  if (!statusOpt && !serverOpt && !smtpOpt) {
    ctx.problems.error(st.keyword.offset, st.keyword.text.length, "refused needs evidence: add 'http_status 400|404|501', 'server \"Apache\"' or 'smtp_reply 5xx'");
    return undefined;
  }
  const httpStatus = statusOpt ? readCodes(ctx, statusOpt, 'http_status 400|404|501') : undefined;
  const smtpReply = smtpOpt ? readCodes(ctx, smtpOpt, 'smtp_reply 5xx') : undefined;
  let server: string[] | undefined;
  if (serverOpt) {
    const alts = readAlternatives(ctx, serverOpt, 'server "Apache"');
    if (alts) {
      server = [];
      for (const a of alts) {
        if (a.text.trim() === '') ctx.problems.error(a.offset, 2, 'an empty server name matches every server: write the product name, such as "Apache"');
        else server.push(a.text.toLowerCase());
      }
      if (server.length !== alts.length) server = undefined;
    }
  }
  if (!ok || (statusOpt && !httpStatus) || (smtpOpt && !smtpReply) || (serverOpt && !server)) return undefined;
  return {
    kind: 'refused',
    index,
    origin,
    select,
    ...(httpStatus ? { httpStatus } : {}),
    ...(server ? { server } : {}),
    ...(smtpReply ? { smtpReply } : {}),
  };
}

function buildExcept(st: StatementNode, index: number, origin: StatementOrigin, ctx: BuildContext): Statement | undefined {
  const opts = new OptionTable(st, ctx);
  opts.checkAllowed([...SELECTOR_OPTIONS, 'ip', 'src', 'dst', 'uri']);
  if (st.options.length === 0) {
    ctx.problems.error(st.keyword.offset, st.keyword.text.length, "except needs what to except: 'sig_id 2001219', 'ip 192.0.2.0/24' or 'uri \"/health*\"'");
    return undefined;
  }
  const { select, ok } = readSelector(opts, ctx);
  const read = (name: string) => {
    const o = opts.get(name);
    return o ? { o, v: readAddress(ctx, o, `${name} 192.0.2.0/24`) } : undefined;
  };
  const ip = read('ip');
  const src = read('src');
  const dst = read('dst');
  const uriOpt = opts.get('uri');
  const uri = uriOpt ? readText(ctx, uriOpt, 'uri "/healthcheck*"') : undefined;
  if (!ok || (ip && !ip.v) || (src && !src.v) || (dst && !dst.v) || (uriOpt && uri === undefined)) return undefined;
  return {
    kind: 'except',
    index,
    origin,
    select,
    ...(ip ? { ip: ip.v!.set } : {}),
    ...(src ? { src: src.v!.set } : {}),
    ...(dst ? { dst: dst.v!.set } : {}),
    ...(uri !== undefined ? { uri } : {}),
  };
}

function buildScan(st: StatementNode, index: number, origin: StatementOrigin, ctx: BuildContext): Statement | undefined {
  const first = st.options[0];
  const k = st.keyword;
  if (!first) {
    ctx.problems.error(k.offset, k.text.length, `scan needs a kind: write 'scan horizontal, count 10, seconds 90' (kinds: ${SCAN_KINDS.join(', ')})`);
    return undefined;
  }
  const kind = first.name.text;
  if (!(SCAN_KINDS as readonly string[]).includes(kind)) {
    ctx.problems.error(first.name.offset, kind.length, `unknown scan kind '${kind}'${didYouMean(kind, SCAN_KINDS)}: write one of ${SCAN_KINDS.join(', ')}`);
    return undefined;
  }
  if (first.values.length > 0) {
    const v = first.values[0]!;
    ctx.problems.error(v.start, v.end - v.start, `put a ',' after the scan kind: 'scan ${kind}, count ...'`);
    return undefined;
  }
  const opts = new OptionTable({ keyword: k, options: st.options.slice(1) }, ctx);
  opts.checkAllowed(['count', 'seconds', 'off']);
  const off = opts.get('off');
  if (off && off.values.length > 0) {
    ctx.problems.error(off.values[0]!.start, 1, "'off' takes no value");
    return undefined;
  }
  const countOpt = opts.get('count');
  const secondsOpt = opts.get('seconds');
  if (!off && !countOpt && !secondsOpt) {
    ctx.problems.error(k.offset, k.text.length, `scan ${kind} needs 'count <N>' and/or 'seconds <T>', or 'off'`);
    return undefined;
  }
  const count = countOpt ? readInt(ctx, countOpt, 'count 10', { min: 0, max: 1_000_000 }) : undefined;
  const seconds = secondsOpt ? readSeconds(ctx, secondsOpt, 'seconds 90') : undefined;
  if ((countOpt && count === undefined) || (secondsOpt && seconds === undefined)) return undefined;
  return { kind: 'scan', index, origin, scan: kind as ScanKind, count: off ? 0 : (count ?? -1), seconds: seconds ?? -1 };
}

function buildClassify(st: StatementNode, index: number, origin: StatementOrigin, ctx: BuildContext): Statement | undefined {
  const opts = new OptionTable(st, ctx);
  opts.checkAllowed([...SELECTOR_OPTIONS, 'level']);
  const { select, ok } = readSelector(opts, ctx);
  if (!select.gid && !select.sids && !select.classtypes && ok) {
    ctx.problems.error(st.keyword.offset, st.keyword.text.length, "classify needs 'classtype <name>' or 'sig_id <sid>' to say which hits it sets the level of");
    return undefined;
  }
  const levelOpt = opts.require('level', 'level Information|Warning|Critical|Emergency');
  const level = levelOpt ? readLevel(ctx, levelOpt) : undefined;
  if (!ok || !level) return undefined;
  return { kind: 'classify', index, origin, select, level };
}

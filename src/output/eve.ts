import type { Alert } from '../types/alert.js';
import { eveTimestamp } from './timestamp.js';

/**
 * One EVE `alert` record, field-compatible with Suricata's eve.json (same names, same nesting),
 * plus kanshi's `alert.level` and whatever correlation detail the event carries.
 */
export function eveAlert(a: Alert & { correlation?: unknown; fp_reason?: string }): Record<string, unknown> {
  const rec: Record<string, unknown> = { timestamp: eveTimestamp(a.tsUs) };
  if (a.flowId !== undefined) rec.flow_id = a.flowId;
  if (a.pcapCnt !== undefined) rec.pcap_cnt = a.pcapCnt;
  rec.event_type = 'alert';
  // An address the input did not carry (a web log names no server) is left out, as a port is:
  // an empty string in an IP field is refused by the stores EVE is loaded into.
  // A web server logging host names (HostnameLookups) gives a name where an address goes: the
  // stores EVE is loaded into type src_ip as an address, so a name goes to `log.src_host`.
  const srcHost = a.srcIp !== '' && !looksLikeIp(a.srcIp) ? a.srcIp : undefined;
  const destHost = a.destIp !== '' && !looksLikeIp(a.destIp) ? a.destIp : undefined;
  if (a.srcIp !== '' && srcHost === undefined) rec.src_ip = a.srcIp;
  if (a.srcPort !== undefined) rec.src_port = a.srcPort;
  if (a.destIp !== '' && destHost === undefined) rec.dest_ip = a.destIp;
  if (a.destPort !== undefined) rec.dest_port = a.destPort;
  // A log line with no protocol of its own (a syslog message) has none to name either.
  if (a.proto !== '') rec.proto = a.proto;
  if (a.icmpType !== undefined) {
    rec.icmp_type = a.icmpType;
    rec.icmp_code = a.icmpCode ?? 0;
  }
  if (a.appProto) rec.app_proto = a.appProto;
  const alert: Record<string, unknown> = {
    action: eveAction(a),
    gid: a.gid,
    signature_id: a.sid,
    rev: a.rev,
    signature: a.signature,
    category: a.category,
    severity: a.severity,
    level: a.level,
  };
  // kanshi's additions inside `alert`: `level`, and the classtype itself (Suricata writes only
  // its description as `category`), so re-correlating an eve.json keeps the exact classtype.
  if (a.classtype !== undefined) alert.classtype = a.classtype;
  // Re-correlating this file must know the rule's own level from one its classtype gave.
  if (a.levelFromRule === true) alert.level_source = 'rule';
  // And whether the rule thins its own hits: a policy's global filters and rate_filters leave
  // such a rule alone, in `kanshi correlate` as in the scan that wrote this.
  if (a.ruleThreshold === true) alert.rule_threshold = true;
  if (a.extra?.metadata) alert.metadata = a.extra.metadata;
  if (a.fp_reason) alert.fp_reason = a.fp_reason;
  rec.alert = alert;
  if (a.correlation) rec.correlation = a.correlation;
  if (a.http) rec.http = a.http;
  if (a.smtp) rec.smtp = a.smtp;
  if (a.log) rec.log = srcHost === undefined && destHost === undefined ? a.log : { ...a.log, ...(srcHost !== undefined ? { src_host: srcHost } : {}), ...(destHost !== undefined ? { dest_host: destHost } : {}) };
  if (a.extra) {
    for (const [k, v] of Object.entries(a.extra)) if (k !== 'metadata' && !(k in rec)) rec[k] = v;
  }
  return rec;
}

/**
 * The closing `stats` record: counters grouped by dotted name (`decoder.pkts` -> stats.decoder.pkts).
 * A name that is both a counter and the prefix of others (`a.b` and `a.b.c`) keeps its own
 * value as `total` inside the group.
 */
export function eveStats(tsUs: number, counters: Record<string, number>): Record<string, unknown> {
  const stats: Record<string, unknown> = {};
  for (const name of Object.keys(counters).sort()) {
    const parts = name.split('.');
    let node = stats;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      const next = node[part];
      if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
      else {
        const group: Record<string, unknown> = {};
        if (typeof next === 'number') group.total = next;
        node = node[part] = group;
      }
    }
    const leaf = parts[parts.length - 1]!;
    const existing = node[leaf];
    if (typeof existing === 'object' && existing !== null) (existing as Record<string, unknown>).total = counters[name];
    else node[leaf] = counters[name];
  }
  return { timestamp: eveTimestamp(tsUs), event_type: 'stats', stats };
}

/** An IPv4 dotted quad or an IPv6 address (hex groups and colons, maybe a dotted tail), not a host name. */
function looksLikeIp(text: string): boolean {
  return /^(?:\d{1,3}\.){3}\d{1,3}$/.test(text) || (text.includes(':') && /^[0-9A-Fa-f:.]+(?:%[\w.-]+)?$/.test(text));
}

/**
 * `alert.action` as Suricata writes it when it reads a capture (IDS mode): a reject rule is
 * "blocked" (Suricata counts its reset as blocking even then), a drop rule "allowed", since
 * nothing is dropped; kanshi never sits inline. Where a rate_filter changed the action, the new
 * action decides, drop included, as Suricata then reads the packet's action instead of the rule's.
 */
function eveAction(a: Alert & { correlation?: unknown }): 'allowed' | 'blocked' {
  const changed = (a.correlation as { action?: { to?: unknown } } | undefined)?.action?.to;
  if (typeof changed === 'string') return BLOCKING.has(changed) ? 'blocked' : 'allowed';
  return a.action === 'reject' ? 'blocked' : 'allowed';
}

const BLOCKING: ReadonlySet<string> = new Set(['drop', 'sdrop', 'reject']);


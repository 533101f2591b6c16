/** Shared helpers of the detection tests: compile rules from text, scan packets held in memory. */
import { Ruleset } from '../../src/match/ruleset.js';
import { Scanner, type ScannerOptions } from '../../src/match/scanner.js';
import { parseRules, VariableTable } from '../../src/rule/index.js';
import { encodePcap, type BuiltPacket } from '../../src/traffic/index.js';
import type { Alert } from '../../src/types/alert.js';
import type { LogParseOptions } from '../../src/logs/index.js';

export function rulesetOf(text: string, vars?: VariableTable): Ruleset {
  const parsed = parseRules(text, { vars: vars ?? VariableTable.withDefaults() });
  const bad = parsed.rules.filter((r) => r.status === 'invalid' || r.status === 'skipped');
  if (bad.length > 0) {
    const why = parsed.diagnostics.filter((d) => d.severity === 'error' || d.message.includes('skipped')).map((d) => d.message);
    throw new Error(`rules not loaded: ${why.join('; ')}\n${text}`);
  }
  const rs = new Ruleset(parsed.rules);
  if (rs.skipped.length > 0) throw new Error(`rules not compiled: ${rs.skipped.map((s) => s.reason).join('; ')}`);
  return rs;
}

/** Scans packets (written to an in-memory pcap) and returns every alert, in order. */
export async function scanPackets(ruleset: Ruleset | string, packets: readonly BuiltPacket[], options: ScannerOptions = {}): Promise<Alert[]> {
  return (await scanWithCounters(ruleset, packets, options)).alerts;
}

/** As scanPackets, with the scanner's closing counters (the EVE stats record's values). */
export async function scanWithCounters(
  ruleset: Ruleset | string,
  packets: readonly BuiltPacket[],
  options: ScannerOptions = {},
): Promise<{ alerts: Alert[]; counters: Record<string, number> }> {
  const rs = typeof ruleset === 'string' ? rulesetOf(ruleset) : ruleset;
  const alerts: Alert[] = [];
  const scanner = new Scanner(rs, (a) => alerts.push(a), options);
  const bytes = encodePcap(packets);
  const r = await scanner.scanCaptureStream(
    (async function* () {
      yield bytes;
    })(),
    'test.pcap',
  );
  if (r.error !== undefined) throw new Error(r.error);
  return { alerts, counters: scanner.counters() };
}

export const sids = (alerts: readonly Alert[]): number[] => alerts.map((a) => a.sid);

/** Scans log lines (one input, format detected unless given) and returns every alert, in order. */
export async function scanLogLines(ruleset: Ruleset | string, lines: readonly string[], options: LogParseOptions = {}): Promise<Alert[]> {
  const alerts: Alert[] = [];
  const scanner = new Scanner(typeof ruleset === 'string' ? rulesetOf(ruleset) : ruleset, (a) => alerts.push(a));
  const text = lines.join('\n') + '\n';
  const r = await scanner.scanLogStream((async function* () { yield Buffer.from(text, 'latin1'); })(), 'test.log', options);
  if (r.error !== undefined) throw new Error(r.error);
  return alerts;
}

/** `content:"..."` text for arbitrary bytes (printable ASCII kept, the rest as |hex|). */
export function contentText(bytes: Uint8Array): string {
  let out = '';
  let hex = false;
  for (const b of bytes) {
    const plain = b >= 0x20 && b <= 0x7e && b !== 0x22 && b !== 0x3b && b !== 0x5c && b !== 0x7c && b !== 0x3a;
    if (plain) {
      if (hex) out += '|';
      hex = false;
      out += String.fromCharCode(b);
    } else {
      out += hex ? ' ' : '|';
      hex = true;
      out += b.toString(16).padStart(2, '0');
    }
  }
  if (hex) out += '|';
  return `"${out}"`;
}

import ipaddr from 'ipaddr.js';
import type { Alert } from '../../src/types/alert.js';
import { formatDiagnostic } from '../../src/rule/diagnostics.js';
import { Correlator, parsePolicy, type CorrelatedEvent, type CorrelatorOptions, type PolicyOptions } from '../../src/correlate/index.js';

export const T0 = 1_262_304_000_000_000; // 2010-01-01T00:00:00Z in microseconds
export const sec = (s: number): number => T0 + Math.round(s * 1_000_000);

let counter = 0;

/** A raw hit with sensible defaults; gid 1, sid 1000, attempted-admin (a Warning by default). */
export function hit(over: Partial<Alert> = {}): Alert {
  counter++;
  return {
    tsUs: T0,
    srcIp: '198.51.100.7',
    srcPort: 40000 + (counter % 1000),
    destIp: '192.0.2.10',
    destPort: 80,
    proto: 'TCP',
    action: 'alert',
    gid: 1,
    sid: 1000,
    rev: 1,
    signature: 'TEST attack',
    category: 'Attempted Administrator Privilege Gain',
    severity: 1,
    classtype: 'attempted-admin',
    level: 'Information',
    ...over,
  };
}

export function policyOf(text: string, options: PolicyOptions = {}) {
  const load = parsePolicy(text, 'test.policy', options);
  if (load.errors > 0) throw new Error(`policy has errors:\n${load.diagnostics.map((d) => formatDiagnostic(d, false)).join('\n')}`);
  return load.policy;
}

/** Runs hits through a fresh correlator; returns the emitted events and the stats. */
export function correlate(policyText: string, hits: readonly Alert[], options: Partial<CorrelatorOptions> & PolicyOptions = {}) {
  const events: CorrelatedEvent[] = [];
  const policy = policyOf(policyText, options);
  const c = new Correlator(policy, { ...options, onEvent: (e) => events.push(e) });
  for (const h of hits) c.push(h);
  return { events, stats: c.stats(), correlator: c };
}

/** Diagnostics of a policy as `file:line:col: severity: message` lines. */
export function problemsOf(text: string, options: PolicyOptions = {}): string[] {
  return parsePolicy(text, 'p.policy', options).diagnostics.map((d) => formatDiagnostic(d, false));
}

export const ip4 = (s: string): Uint8Array => new Uint8Array(s.split('.').map(Number));
export const ip6 = (s: string): Uint8Array => Uint8Array.from(ipaddr.IPv6.parse(s).toByteArray());

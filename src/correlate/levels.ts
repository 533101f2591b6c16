import type { Level } from '../types/level.js';

/**
 * The default level of a hit whose rule gives no `level:`, from its classtype, else its priority.
 *
 * The four levels are the SOC's (quarterly report, section 2.2):
 * - Information: possibly malicious but very likely routine traffic, or suspicious traffic a
 *   firewall dropped (instant messaging is the report's example).
 * - Warning: deliberate traffic such as port scans and probes, where information about a
 *   monitored host may have leaked; also suspicious traffic that may still become Critical.
 * - Critical: an intrusion very likely succeeded, including a worm infection.
 * - Emergency: an intrusion is confirmed, or a monitored host launches an attack at the Internet.
 *
 * So an attack *attempt* is Warning (most fail; repetition or evidence of success raises it),
 * a sign of *success* (successful-admin, trojan or C2 traffic) is Critical, and nothing is
 * Emergency by classtype alone: that takes the outbound statement, a rule's `level:`, or an analyst.
 * The classtype says more than the priority (which cannot tell an attempt from a success), so
 * it wins when it is known.
 */
const CLASSTYPE_LEVEL: ReadonlyMap<string, Level> = new Map<string, Level>([
  // Routine or informational traffic.
  ['not-suspicious', 'Information'],
  ['unknown', 'Information'],
  ['string-detect', 'Information'],
  ['tcp-connection', 'Information'],
  ['misc-activity', 'Information'],
  ['protocol-command-decode', 'Information'],
  ['icmp-event', 'Information'],
  ['policy-violation', 'Information'],
  ['external-ip-check', 'Information'],
  ['non-standard-protocol', 'Information'],
  ['unusual-client-port-connection', 'Information'],
  // Scans, probes and attack attempts: deliberate, success unknown.
  ['network-scan', 'Warning'],
  ['attempted-recon', 'Warning'],
  ['successful-recon-limited', 'Warning'],
  ['successful-recon-largescale', 'Warning'],
  ['rpc-portmap-decode', 'Warning'],
  ['bad-unknown', 'Warning'],
  ['attempted-dos', 'Warning'],
  ['denial-of-service', 'Warning'],
  ['attempted-user', 'Warning'],
  ['unsuccessful-user', 'Warning'],
  ['attempted-admin', 'Warning'],
  ['web-application-activity', 'Warning'],
  ['web-application-attack', 'Warning'],
  ['misc-attack', 'Warning'],
  ['shellcode-detect', 'Warning'],
  ['suspicious-filename-detect', 'Warning'],
  ['suspicious-login', 'Warning'],
  ['system-call-detect', 'Warning'],
  ['default-login-attempt', 'Warning'],
  ['targeted-activity', 'Warning'],
  ['exploit-kit', 'Warning'],
  ['pup-activity', 'Warning'],
  ['social-engineering', 'Warning'],
  ['coin-mining', 'Warning'],
  ['client-side-exploit', 'Warning'],
  ['file-format', 'Warning'],
  ['inappropriate-content', 'Information'],
  ['sdf', 'Warning'],
  // Signs that an intrusion or infection succeeded.
  ['successful-user', 'Critical'],
  ['successful-admin', 'Critical'],
  ['successful-dos', 'Critical'],
  ['trojan-activity', 'Critical'],
  ['command-and-control', 'Critical'],
  ['domain-c2', 'Critical'],
  ['credential-theft', 'Critical'],
  ['malware-cnc', 'Critical'],
]);

export type LevelSource = 'rule' | 'classtype' | 'priority' | 'classify';

export interface DefaultLevel {
  level: Level;
  source: LevelSource;
}

/** Priority 1 and 2 are attack attempts (Warning); 3 and above are informational. */
export function levelFromPriority(priority: number): Level {
  return priority >= 1 && priority <= 2 ? 'Warning' : 'Information';
}

export function levelFromClasstype(classtype: string | undefined): Level | undefined {
  return classtype === undefined ? undefined : CLASSTYPE_LEVEL.get(classtype);
}

/** The documented default mapping (no policy involved). */
export function defaultLevel(classtype: string | undefined, priority: number): DefaultLevel {
  const byClass = levelFromClasstype(classtype);
  if (byClass !== undefined) return { level: byClass, source: 'classtype' };
  return { level: levelFromPriority(priority), source: 'priority' };
}

/** Every classtype with a mapping, for documentation and tests. */
export function classtypeLevels(): ReadonlyMap<string, Level> {
  return CLASSTYPE_LEVEL;
}

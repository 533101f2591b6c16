/**
 * The classifications every classtype may name without a classification.config of its own:
 * the set the Emerging Threats Open ruleset ships (classification.config, BSD licence, in the
 * ET Open distribution), which includes Snort's standard classes. `priority` is the default
 * severity (1 = most severe) an alert of that class gets when the rule sets no priority.
 */
export interface Classification {
  name: string;
  description: string;
  priority: number;
}

export const CLASSIFICATIONS: readonly Classification[] = [
  { name: 'not-suspicious', description: 'Not Suspicious Traffic', priority: 3 },
  { name: 'unknown', description: 'Unknown Traffic', priority: 3 },
  { name: 'bad-unknown', description: 'Potentially Bad Traffic', priority: 2 },
  { name: 'attempted-recon', description: 'Attempted Information Leak', priority: 2 },
  { name: 'successful-recon-limited', description: 'Information Leak', priority: 2 },
  { name: 'successful-recon-largescale', description: 'Large Scale Information Leak', priority: 2 },
  { name: 'attempted-dos', description: 'Attempted Denial of Service', priority: 2 },
  { name: 'successful-dos', description: 'Denial of Service', priority: 2 },
  { name: 'attempted-user', description: 'Attempted User Privilege Gain', priority: 1 },
  { name: 'unsuccessful-user', description: 'Unsuccessful User Privilege Gain', priority: 1 },
  { name: 'successful-user', description: 'Successful User Privilege Gain', priority: 1 },
  { name: 'attempted-admin', description: 'Attempted Administrator Privilege Gain', priority: 1 },
  { name: 'successful-admin', description: 'Successful Administrator Privilege Gain', priority: 1 },
  { name: 'rpc-portmap-decode', description: 'Decode of an RPC Query', priority: 2 },
  { name: 'shellcode-detect', description: 'Executable code was detected', priority: 1 },
  { name: 'string-detect', description: 'A suspicious string was detected', priority: 3 },
  { name: 'suspicious-filename-detect', description: 'A suspicious filename was detected', priority: 2 },
  { name: 'suspicious-login', description: 'An attempted login using a suspicious username was detected', priority: 2 },
  { name: 'system-call-detect', description: 'A system call was detected', priority: 2 },
  { name: 'tcp-connection', description: 'A TCP connection was detected', priority: 4 },
  { name: 'trojan-activity', description: 'A Network Trojan was detected', priority: 1 },
  { name: 'unusual-client-port-connection', description: 'A client was using an unusual port', priority: 2 },
  { name: 'network-scan', description: 'Detection of a Network Scan', priority: 3 },
  { name: 'denial-of-service', description: 'Detection of a Denial of Service Attack', priority: 2 },
  { name: 'non-standard-protocol', description: 'Detection of a non-standard protocol or event', priority: 2 },
  { name: 'protocol-command-decode', description: 'Generic Protocol Command Decode', priority: 3 },
  { name: 'web-application-activity', description: 'access to a potentially vulnerable web application', priority: 2 },
  { name: 'web-application-attack', description: 'Web Application Attack', priority: 1 },
  { name: 'misc-activity', description: 'Misc activity', priority: 3 },
  { name: 'misc-attack', description: 'Misc Attack', priority: 2 },
  { name: 'icmp-event', description: 'Generic ICMP event', priority: 3 },
  { name: 'policy-violation', description: 'Potential Corporate Privacy Violation', priority: 1 },
  { name: 'default-login-attempt', description: 'Attempt to login by a default username and password', priority: 2 },
  { name: 'targeted-activity', description: 'Targeted Malicious Activity was Detected', priority: 1 },
  { name: 'exploit-kit', description: 'Exploit Kit Activity Detected', priority: 1 },
  { name: 'external-ip-check', description: 'Device Retrieving External IP Address Detected', priority: 2 },
  { name: 'domain-c2', description: 'Domain Observed Used for C2 Detected', priority: 1 },
  { name: 'pup-activity', description: 'Possibly Unwanted Program Detected', priority: 2 },
  { name: 'credential-theft', description: 'Successful Credential Theft Detected', priority: 1 },
  { name: 'social-engineering', description: 'Possible Social Engineering Attempted', priority: 2 },
  { name: 'coin-mining', description: 'Crypto Currency Mining Activity Detected', priority: 2 },
  { name: 'command-and-control', description: 'Malware Command and Control Activity Detected', priority: 1 },
];

const byName = new Map(CLASSIFICATIONS.map((c) => [c.name, c]));

/** A site's own classification.config, read beside its rules (see useSiteClassifications). */
let site: ReadonlyMap<string, Classification> | undefined;

/**
 * Classes a site defines (its classification.config), looked up before the built-in ones: a
 * class of its own is no unknown classtype, and an alert of it gets its description and
 * priority, as Suricata reads them from its classification.config. Each command sets this
 * afresh (undefined: the built-in classes alone).
 */
export function useSiteClassifications(classes: readonly Classification[] | undefined): void {
  site = classes === undefined || classes.length === 0 ? undefined : new Map(classes.map((c) => [c.name, c]));
}

export function lookupClassification(name: string): Classification | undefined {
  return site?.get(name) ?? byName.get(name);
}

export const CLASSIFICATION_NAMES: readonly string[] = CLASSIFICATIONS.map((c) => c.name);

/** Every class name a classtype may use now, the site's included (for "did you mean"). */
export function classificationNames(): readonly string[] {
  return site === undefined ? CLASSIFICATION_NAMES : [...CLASSIFICATION_NAMES, ...site.keys()];
}

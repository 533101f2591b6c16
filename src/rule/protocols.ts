/** Rule actions of Snort 2 and Suricata. */
export const ACTIONS: ReadonlySet<string> = new Set(['alert', 'log', 'pass', 'drop', 'reject', 'sdrop', 'rejectsrc', 'rejectdst', 'rejectboth']);

/** Actions kanshi recognises but does not evaluate: Suricata 7's config changes its logging of a flow. */
export const SKIPPED_ACTIONS: ReadonlySet<string> = new Set(['config']);

/**
 * Header protocols. `evaluated` says whether kanshi can inspect traffic of that protocol today:
 * a rule for one it cannot is skipped with a warning instead of silently never matching.
 * The transport and IP layers come from decode/ and stream/, HTTP, SMTP, DNS and TLS from app/.
 */
const PROTOCOL_TABLE: ReadonlyArray<readonly [string, boolean]> = [
  ['ip', true],
  ['tcp', true],
  ['udp', true],
  ['icmp', true],
  ['tcp-pkt', true],
  ['tcp-stream', true],
  ['http', true],
  ['http1', true],
  ['smtp', true],
  ['icmpv4', true],
  ['icmpv6', true],
  ['ipv4', true],
  ['ipv6', true],
  ['ip4', true],
  ['ip6', true],
  ['pkthdr', true],
  ['sctp', true],
  ['udp-pkt', false],
  ['http2', false],
  ['ftp', true],
  ['ftp-data', true],
  ['tls', true],
  ['ssl', true],
  ['smb', true],
  ['dcerpc', true],
  ['imap', false],
  ['pop3', false],
  ['dns', true],
  ['doh2', false],
  ['modbus', false],
  ['dnp3', false],
  ['enip', false],
  ['nfs', false],
  ['ntp', false],
  ['tftp', false],
  ['ike', false],
  ['ikev2', false],
  ['krb5', false],
  ['dhcp', false],
  ['snmp', false],
  ['sip', true],
  ['rfb', false],
  ['mqtt', false],
  ['rdp', false],
  ['ssh', true],
  ['telnet', false],
  ['quic', false],
  ['bittorrent-dht', false],
  ['pgsql', false],
  ['websocket', false],
  ['ldap', false],
  ['irc', false],
];

export const PROTOCOLS: ReadonlyMap<string, { evaluated: boolean }> = new Map(PROTOCOL_TABLE.map(([name, evaluated]) => [name, { evaluated }]));

/** Text of a 4- or 16-byte address as Suricata's EVE writes it: dotted quad, or full IPv6. */
export function ipText(a: Uint8Array | null | undefined): string {
  if (a === null || a === undefined) return '';
  if (a.length === 4) return `${a[0]}.${a[1]}.${a[2]}.${a[3]}`;
  if (a.length !== 16) return '';
  // Suricata writes IPv6 addresses in full: eight groups of four hex digits.
  let out = '';
  for (let i = 0; i < 16; i += 2) {
    if (i > 0) out += ':';
    out += HEX[a[i]! >> 4]! + HEX[a[i]! & 15]! + HEX[a[i + 1]! >> 4]! + HEX[a[i + 1]! & 15]!;
  }
  return out;
}

const HEX = '0123456789abcdef';

/**
 * IANA protocol names by number as Suricata 7 and later print them (its own table, no longer the
 * host's /etc/protocols): 50 is "ESP", 89 "OSPF"; numbers past 143 print as numbers.
 */
const PROTO_NAMES: readonly string[] = [
  'HOPOPT', 'ICMP', 'IGMP', 'GGP', 'IP-in-IP', 'ST', 'TCP', 'CBT', 'EGP', 'IGP', 'BBN-RCC-MON', 'NVP-II',
  'PUP', 'ARGUS', 'EMCON', 'XNET', 'CHAOS', 'UDP', 'MUX', 'DCN-MEAS', 'HMP', 'PRM', 'XNS-IDP', 'TRUNK-1',
  'TRUNK-2', 'LEAF-1', 'LEAF-2', 'RDP', 'IRTP', 'ISO-TP4', 'NETBLT', 'MFE-NSP', 'MERIT-INP', 'DCCP', '3PC',
  'IDPR', 'XTP', 'DDP', 'IDPR-CMTP', 'TP++', 'IL', 'IPv6', 'SDRP', 'IPv6-Route', 'IPv6-Frag', 'IDRP', 'RSVP',
  'GRE', 'DSR', 'BNA', 'ESP', 'AH', 'I-NLSP', 'SwIPe', 'NARP', 'MOBILE', 'TLSP', 'SKIP', 'IPv6-ICMP',
  'IPv6-NoNxt', 'IPv6-Opts', 'Any', 'CFTP', 'Any', 'SAT-EXPAK', 'KRYPTOLAN', 'RVD', 'IPPC', 'Any', 'SAT-MON',
  'VISA', 'IPCU', 'CPNX', 'CPHB', 'WSN', 'PVP', 'BR-SAT-MON', 'SUN-ND', 'WB-MON', 'WB-EXPAK', 'ISO-IP',
  'VMTP', 'SECURE-VMTP', 'VINES', 'TTP', 'NSFNET-IGP', 'DGP', 'TCF', 'EIGRP', 'OSPF', 'Sprite-RPC', 'LARP',
  'MTP', 'AX.25', 'OS', 'MICP', 'SCC-SP', 'ETHERIP', 'ENCAP', 'Any', 'GMTP', 'IFMP', 'PNNI', 'PIM', 'ARIS',
  'SCPS', 'QNX', 'A/N', 'IPComp', 'SNP', 'Compaq-Peer', 'IPX-in-IP', 'VRRP', 'PGM', 'Any', 'L2TP', 'DDX',
  'IATP', 'STP', 'SRP', 'UTI', 'SMP', 'SM', 'PTP', 'IS-IS', 'FIRE', 'CRTP', 'CRUDP', 'SSCOPMCE', 'IPLT',
  'SPS', 'PIPE', 'SCTP', 'FC', 'RSVP-E2E-IGNORE', 'Mobility', 'UDPLite', 'MPLS-in-IP', 'manet', 'HIP',
  'Shim6', 'WESP', 'ROHC', 'Ethernet',
];

/** Protocol as EVE writes it: "TCP", "UDP", "ICMP", "IPv6-ICMP", "GRE", ..., else the number. */
export function protoName(proto: number): string {
  return (Number.isInteger(proto) ? PROTO_NAMES[proto] : undefined) ?? String(proto);
}

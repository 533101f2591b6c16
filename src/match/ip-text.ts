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

/** Names as Suricata prints them on a Debian host (from /etc/protocols, whose names it uses). */
const PROTO_NAMES: Readonly<Record<number, string>> = {
  1: 'ICMP', 2: 'IGMP', 4: 'IP-ENCAP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 44: 'IPv6-Frag', 47: 'GRE', 50: 'IPSEC-ESP', 51: 'IPSEC-AH', 58: 'IPv6-ICMP', 89: 'OSPFIGP', 103: 'PIM', 112: 'VRRP', 132: 'SCTP',
};

/** Protocol as EVE writes it: "TCP", "UDP", "ICMP", "IPv6-ICMP", "GRE", ..., else the number. */
export function protoName(proto: number): string {
  return PROTO_NAMES[proto] ?? String(proto);
}

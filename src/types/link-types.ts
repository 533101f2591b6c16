/**
 * Link-layer header types (the tcpdump.org LINKTYPE_* values a pcap or pcapng interface names):
 * the ones decode/ reads and traffic/ writes, and names for common ones kanshi does not decode.
 */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** PPP, with or without the HDLC-like address and control bytes (50: always with them). */
export const LINKTYPE_PPP = 9;
/** Values that DLT_RAW has on some platforms, found in old captures. */
export const LINKTYPE_RAW_ALT_12 = 12;
export const LINKTYPE_RAW_ALT_14 = 14;
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_RAW = 101;
/** Cisco HDLC: address, control, then an Ethernet type. */
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
/** Linux NFLOG: packets a netfilter NFLOG rule logged (tcpdump -i nflog:N). */
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_LINUX_SLL2 = 276;

/** What decode/ reads, for messages about the rest. */
export const DECODED_LINK_TYPES = 'Ethernet, Linux cooked v1 and v2, raw IPv4/IPv6, BSD loopback, PPP, Cisco HDLC and Linux NFLOG';

/** Names of link types captures often carry that kanshi does not decode. */
export const UNDECODED_LINK_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [6, 'IEEE 802.5 Token Ring'],
  [10, 'FDDI'],
  [105, 'IEEE 802.11 wireless'],
  [119, 'IEEE 802.11 with Prism headers'],
  [127, 'IEEE 802.11 with radiotap headers'],
  [147, 'a private DLT_USER link type'],
  [192, 'PPI'],
  [195, 'IEEE 802.15.4'],
  [201, 'Bluetooth HCI'],
  [220, 'Linux USB'],
  [249, 'USBPcap'],
  [252, 'upper-protocol PDUs (Wireshark export)'],
  [253, 'Linux netlink'],
  [258, 'Apple PKTAP'],
]);

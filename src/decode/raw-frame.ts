/** One captured frame as the capture readers deliver it, before any decoding. */
export interface RawFrame {
  /** 1-based number of the frame in its capture (Suricata's pcap_cnt). */
  num: number;
  /** Capture timestamp in microseconds since the Unix epoch. */
  tsUs: number;
  /** LINKTYPE_* value of the frame's interface (1 = Ethernet, 101 = raw IP, ...). */
  linkType: number;
  /**
   * The captured bytes. A view into the reader's buffer: valid only during the callback that
   * received the frame; copy what must outlive it.
   */
  data: Uint8Array;
  /** Original length on the wire (may exceed data.length when the capture was snapped). */
  wireLength: number;
  /** pcapng interface index, counted across sections in file order; 0 for libpcap files. */
  interfaceId: number;
}

/** Link-layer header types (tcpdump.org LINKTYPE_* values) understood by decodeFrame. */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** Values that DLT_RAW has on some platforms, found in old captures. */
export const LINKTYPE_RAW_ALT_12 = 12;
export const LINKTYPE_RAW_ALT_14 = 14;
/** PPP, with or without the HDLC-like address and control bytes (50: always with them). */
export const LINKTYPE_PPP = 9;
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_RAW = 101;
/** Cisco HDLC: address, control, then an Ethernet type. */
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
/** Linux NFLOG: packets a netfilter NFLOG rule logged (tcpdump -i nflog:N). */
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

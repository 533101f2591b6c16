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

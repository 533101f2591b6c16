/**
 * Counters of the stream stage. Field names are kanshi's; `streamCounters` maps them to the
 * names Suricata 7 or 8 uses in its stats records where Suricata has the counter with the same
 * meaning (`stream.*`: the stream events Suricata counts with stats.stream-events on), and to
 * `kanshi.flow.*`, `kanshi.tcp.*` and `kanshi.defrag.*` otherwise: Suricata's groups hold only
 * Suricata's counters, as a consumer checking them against its schema expects.
 */
export interface StreamStats {
  // Flow table
  flowsCreated: number;
  flowsTcp: number;
  flowsUdp: number;
  flowsIcmp4: number;
  flowsIcmp6: number;
  flowsOther: number;
  /** Flows removed because their state's timeout passed (packet time). */
  flowsTimedOut: number;
  /**
   * Flows removed to make room when the table was full. The new packet still gets its flow, as
   * when Suricata takes a used flow from its hash (flow.get_used); Suricata's flow.memcap counts
   * packets left without a flow, which never happens here.
   */
  flowsEvicted: number;
  /** Of flowsEvicted, those that had completed a handshake (should stay near 0 under a SYN flood). */
  flowsEvictedEstablished: number;
  /** Flows still open (not released at their close) when the input ended. */
  flowsEndedAtFlush: number;
  /**
   * TCP flows whose buffers (and, through flowEnd, the later stages' state) were released as
   * soon as their session closed (both FINs acknowledged, or a RST), ahead of their timeout.
   */
  tcpFlowsReleasedAtClose: number;
  /** Packets of a TCP flow after its release at close (late ACKs, retransmissions). */
  tcpPacketsAfterRelease: number;
  /** Of those, segments whose data had all been delivered before the close (not inspected again). */
  tcpRetransmissionsAfterRelease: number;
  /** Released flows that delivered new data afterwards and so hold buffers again until they end. */
  tcpFlowsRevived: number;
  /** A new SYN on a closed TCP flow started a new flow on the same tuple. */
  tcpReuse: number;
  /** Flows in the table right now (gauge). */
  flowsActive: number;
  /** Packets that could not be keyed to a flow (address lengths not 4/16). */
  flowsUnkeyable: number;
  /** ICMPv4 errors about no flow in the table: they get none (an error never opens a flow). */
  icmpErrorsWithoutFlow: number;

  // TCP
  tcpPackets: number;
  /** Sessions whose SYN was seen. */
  tcpSessions: number;
  tcpMidstreamPickups: number;
  tcpSyn: number;
  tcpSynAck: number;
  tcpRst: number;
  /** RSTs ignored because they were not at their sender's next sequence number. */
  tcpRstInvalid: number;
  /** Segments left out of the session and its stream for a wrong checksum. */
  tcpInvalidChecksum: number;
  /** Segments with a wrong checksum taken in `auto` mode, their direction never having sent a right one (offload). */
  tcpChecksumOffloaded: number;
  /** Segments left out of the session and its stream by PAWS: a TSval older than the last one accepted (Suricata's stream event). */
  tcpInvalidTimestamp: number;
  /** SYN and SYN/ACK segments whose data stayed out of the stream (no TCP Fast Open, or a SYN/ACK). */
  tcpSynDataIgnored: number;
  /** TCP Fast Open SYNs whose data the SYN/ACK did not acknowledge (Suricata's stream event). */
  tcpTfoDataIgnored: number;
  /** Segments carrying data beyond their sender's FIN, which stays out of the stream. */
  tcpDataAfterFin: number;
  /** TCP packets carrying data. */
  tcpSegments: number;
  /** Segments that arrived ahead of a hole and were buffered. */
  tcpOutOfOrder: number;
  /** Segments whose data was entirely delivered already (Suricata counts these only as a stream event). */
  tcpRetransmissions: number;
  /** Segments overlapping data already delivered or buffered (retransmissions included). */
  tcpOverlaps: number;
  /** Overlaps where the bytes differed: a classic evasion (Suricata stream event). */
  tcpOverlapDiffData: number;
  /** Holes skipped: data never seen; delivery continued after them. */
  tcpReassemblyGaps: number;
  /** Segments dropped because their sequence number lay beyond the accepted window. */
  tcpOutOfWindow: number;
  /** Holes skipped because the per-direction buffer bound was reached. */
  tcpBufferLimitHits: number;
  /**
   * Times the global reassembly memcap was reached. Suricata's tcp.segment_memcap_drop counts the
   * segments it could not store; here the segment is kept and what the direction buffered is
   * handed on early with its holes marked as gaps: either way, bytes were lost to the memcap.
   */
  tcpMemcapHits: number;
  /** Directions for which no retained tail could be allocated (overlap checks against delivered data off). */
  tcpRetainMemcapHits: number;
  tcpStreamDepthReached: number;
  /** Bytes held in out-of-order buffers (gauge). */
  tcpReassemblyMemuse: number;
  /** Bytes held in retained tails of delivered data (gauge). */
  tcpRetainMemuse: number;

  // Defragmentation
  defragIpv4Fragments: number;
  defragIpv4Reassembled: number;
  defragIpv4Timeouts: number;
  defragIpv6Fragments: number;
  defragIpv6Reassembled: number;
  defragIpv6Timeouts: number;
  defragIpv4Overlaps: number;
  defragIpv6Overlaps: number;
  /** Overlapping fragments whose bytes differed (either family). */
  defragOverlapDiffData: number;
  /** Fragments whose end lay beyond the maximum datagram size. */
  defragIpv4TooLarge: number;
  defragIpv6TooLarge: number;
  defragIpv6InvalidLength: number;
  /** Fragments with inconsistent offsets or lengths (past the datagram end, empty, two different ends, ...). */
  defragInvalid: number;
  /** Fragments whose bytes were cut short by the capture (snap length). */
  defragTruncated: number;
  /**
   * Unfinished trackers dropped to make room for a new datagram when the tracker table was full:
   * Suricata 8's tracker_hard_reuse. Its max_trackers_reached counts packets left without a
   * tracker, which never happens here.
   */
  defragMaxTrackersReached: number;
  /** Trackers dropped because fragment bytes held exceeded the memcap. */
  defragMemcapHits: number;
  /** Fragments not stored because the fragments held by all trackers reached maxFrags (the datagram is kept). */
  defragMaxFragsReached: number;
  /** Reassembled datagrams the IP decoder rejected. */
  defragDecodeFailed: number;
  /** Trackers still incomplete when the input ended. */
  defragIncompleteAtFlush: number;
  /** Fragment trackers right now (gauge). */
  defragTrackersActive: number;
  /** Fragment bytes held right now, with a per-fragment overhead (gauge); Suricata's memuse also counts its tracker table. */
  defragMemuse: number;
}

export function createStreamStats(): StreamStats {
  return {
    flowsCreated: 0,
    flowsTcp: 0,
    flowsUdp: 0,
    flowsIcmp4: 0,
    flowsIcmp6: 0,
    flowsOther: 0,
    flowsTimedOut: 0,
    flowsEvicted: 0,
    flowsEvictedEstablished: 0,
    flowsEndedAtFlush: 0,
    tcpFlowsReleasedAtClose: 0,
    tcpPacketsAfterRelease: 0,
    tcpRetransmissionsAfterRelease: 0,
    tcpFlowsRevived: 0,
    tcpReuse: 0,
    flowsActive: 0,
    flowsUnkeyable: 0,
    icmpErrorsWithoutFlow: 0,
    tcpPackets: 0,
    tcpSessions: 0,
    tcpMidstreamPickups: 0,
    tcpSyn: 0,
    tcpSynAck: 0,
    tcpRst: 0,
    tcpRstInvalid: 0,
    tcpInvalidChecksum: 0,
    tcpChecksumOffloaded: 0,
    tcpInvalidTimestamp: 0,
    tcpSynDataIgnored: 0,
    tcpTfoDataIgnored: 0,
    tcpDataAfterFin: 0,
    tcpSegments: 0,
    tcpOutOfOrder: 0,
    tcpRetransmissions: 0,
    tcpOverlaps: 0,
    tcpOverlapDiffData: 0,
    tcpReassemblyGaps: 0,
    tcpOutOfWindow: 0,
    tcpBufferLimitHits: 0,
    tcpMemcapHits: 0,
    tcpRetainMemcapHits: 0,
    tcpStreamDepthReached: 0,
    tcpReassemblyMemuse: 0,
    tcpRetainMemuse: 0,
    defragIpv4Fragments: 0,
    defragIpv4Reassembled: 0,
    defragIpv4Timeouts: 0,
    defragIpv6Fragments: 0,
    defragIpv6Reassembled: 0,
    defragIpv6Timeouts: 0,
    defragIpv4Overlaps: 0,
    defragIpv6Overlaps: 0,
    defragOverlapDiffData: 0,
    defragIpv4TooLarge: 0,
    defragIpv6TooLarge: 0,
    defragIpv6InvalidLength: 0,
    defragInvalid: 0,
    defragTruncated: 0,
    defragMaxTrackersReached: 0,
    defragMemcapHits: 0,
    defragMaxFragsReached: 0,
    defragDecodeFailed: 0,
    defragIncompleteAtFlush: 0,
    defragTrackersActive: 0,
    defragMemuse: 0,
  };
}

/**
 * Dotted counter names for each field: Suricata's where Suricata 7 (DecodeRegisterPerfCounters,
 * StreamTcpThreadInit) or Suricata 8 (etc/schema.json) has the counter, kanshi's otherwise.
 */
export const STREAM_COUNTER_NAMES: { readonly [K in keyof StreamStats]: string } = {
  flowsCreated: 'flow.total',
  flowsTcp: 'flow.tcp',
  flowsUdp: 'flow.udp',
  flowsIcmp4: 'flow.icmpv4',
  flowsIcmp6: 'flow.icmpv6',
  flowsOther: 'kanshi.flow.other',
  flowsTimedOut: 'flow.mgr.flows_timeout',
  flowsEvicted: 'flow.get_used',
  flowsEvictedEstablished: 'kanshi.flow.get_used_established',
  flowsEndedAtFlush: 'kanshi.flow.open_at_end',
  tcpFlowsReleasedAtClose: 'kanshi.tcp.released_at_close',
  tcpPacketsAfterRelease: 'kanshi.tcp.pkts_after_close',
  tcpRetransmissionsAfterRelease: 'kanshi.tcp.retransmissions_after_close',
  tcpFlowsRevived: 'kanshi.tcp.released_flows_revived',
  tcpReuse: 'flow.tcp_reuse',
  flowsActive: 'flow.active',
  flowsUnkeyable: 'kanshi.flow.unkeyable',
  icmpErrorsWithoutFlow: 'kanshi.flow.icmp_errors_without_flow',
  tcpPackets: 'kanshi.tcp.pkts',
  tcpSessions: 'tcp.sessions',
  tcpMidstreamPickups: 'tcp.midstream_pickups',
  tcpSyn: 'tcp.syn',
  tcpSynAck: 'tcp.synack',
  tcpRst: 'tcp.rst',
  tcpRstInvalid: 'kanshi.tcp.rst_invalid',
  tcpInvalidChecksum: 'tcp.invalid_checksum',
  tcpChecksumOffloaded: 'kanshi.tcp.checksum_offloaded',
  tcpInvalidTimestamp: 'stream.pkt_invalid_timestamp',
  tcpSynDataIgnored: 'kanshi.tcp.syn_data_ignored',
  tcpTfoDataIgnored: 'stream.3whs_synack_tfo_data_ignored',
  tcpDataAfterFin: 'kanshi.tcp.data_after_fin',
  tcpSegments: 'kanshi.tcp.segments',
  tcpOutOfOrder: 'kanshi.tcp.out_of_order',
  tcpRetransmissions: 'kanshi.tcp.retransmissions',
  tcpOverlaps: 'tcp.overlap',
  tcpOverlapDiffData: 'tcp.overlap_diff_data',
  tcpReassemblyGaps: 'tcp.reassembly_gap',
  tcpOutOfWindow: 'kanshi.tcp.out_of_window',
  tcpBufferLimitHits: 'kanshi.tcp.buffer_limit',
  tcpMemcapHits: 'tcp.segment_memcap_drop',
  tcpRetainMemcapHits: 'kanshi.tcp.retain_memcap',
  tcpStreamDepthReached: 'tcp.stream_depth_reached',
  tcpReassemblyMemuse: 'tcp.reassembly_memuse',
  tcpRetainMemuse: 'kanshi.tcp.retain_memuse',
  defragIpv4Fragments: 'defrag.ipv4.fragments',
  defragIpv4Reassembled: 'defrag.ipv4.reassembled',
  defragIpv4Timeouts: 'defrag.ipv4.timeouts',
  defragIpv6Fragments: 'defrag.ipv6.fragments',
  defragIpv6Reassembled: 'defrag.ipv6.reassembled',
  defragIpv6Timeouts: 'defrag.ipv6.timeouts',
  defragIpv4Overlaps: 'decoder.event.ipv4.frag_overlap',
  defragIpv6Overlaps: 'decoder.event.ipv6.frag_overlap',
  defragOverlapDiffData: 'kanshi.defrag.overlap_diff_data',
  defragIpv4TooLarge: 'decoder.event.ipv4.frag_pkt_too_large',
  defragIpv6TooLarge: 'decoder.event.ipv6.frag_pkt_too_large',
  defragIpv6InvalidLength: 'decoder.event.ipv6.frag_invalid_length',
  defragInvalid: 'kanshi.defrag.invalid',
  defragTruncated: 'kanshi.defrag.truncated',
  defragMaxTrackersReached: 'defrag.tracker_hard_reuse',
  defragMemcapHits: 'kanshi.defrag.memcap',
  defragMaxFragsReached: 'defrag.max_frags_reached',
  defragDecodeFailed: 'kanshi.defrag.decode_failed',
  defragIncompleteAtFlush: 'kanshi.defrag.incomplete_at_end',
  defragTrackersActive: 'kanshi.defrag.trackers_active',
  defragMemuse: 'defrag.memuse',
};

/** The counters under their dotted names, for a stats record. */
export function streamCounters(stats: StreamStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(STREAM_COUNTER_NAMES) as (keyof StreamStats)[]) {
    out[STREAM_COUNTER_NAMES[key]] = stats[key];
  }
  return out;
}

/** The view of a flow that app/, match/ and correlate/ may read (stream/ owns the flow itself). */
export interface FlowView {
  /** Unique per run; Suricata's flow_id. */
  id: number;
  /** The packet or chunk being inspected travels client -> server. */
  toServer: boolean;
  /** Three-way handshake seen (or for UDP: traffic seen in both directions). */
  established: boolean;
  /** Picked up after its start: the handshake was not captured. */
  midstream: boolean;
  /** Application protocol detected on the flow, if any ("http", "smtp", ...). */
  appProto: string | null;
  /** The server side's port (the side that did not open the flow); absent where unknown. */
  readonly serverPort?: number;
  /** TCP: the sequence space a side has used in order (stream_size), -1 while unknown. */
  streamSize?(client: boolean): number;
  /** flowbits set on this flow by rules; created on first use. */
  bits: Set<string> | null;
  /** TLS: the ClientHello's version and the version the ServerHello negotiated (tls.version). */
  tlsClientVersion?: number;
  tlsServerVersion?: number;
  /** flowint counters of this flow (uint32); created on first use. */
  ints?: Map<string, number> | null;
}

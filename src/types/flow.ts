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
  /** The server side's address (4 or 16 bytes); absent where unknown. Never modified: share, do not copy. */
  readonly serverIp?: Uint8Array;
  /** The client side's address, as serverIp. */
  readonly clientIp?: Uint8Array;
  /** TCP: the sequence space a side has used in order (stream_size), -1 while unknown. */
  streamSize?(client: boolean): number;
  /** flowbits set on this flow by rules; created on first use. */
  bits: Set<string> | null;
  /** TLS: the ClientHello's version and the version the ServerHello negotiated (tls.version). */
  tlsClientVersion?: number;
  tlsServerVersion?: number;
  /**
   * SSL/TLS handshake messages (SSL_* message flags) carried by the data of the packet being
   * processed: to-server ones in bits 0-7, to-client ones in bits 8-15. Set by app/ as it parses
   * that data, cleared by detection once the packet is inspected (ssl_state).
   */
  sslState?: number;
  /** Every SSL/TLS version seen on the flow so far, either direction (SSLV_* flags; ssl_version). */
  sslVersions?: number;
  /** flowint counters of this flow (uint32); created on first use. */
  ints?: Map<string, number> | null;
}

/** ssl_state message flags (as Snort's SSL preprocessor names the states). */
export const SSL_CLIENT_HELLO = 1;
export const SSL_SERVER_HELLO = 2;
export const SSL_CLIENT_KEYX = 4;
export const SSL_SERVER_KEYX = 8;
/** Data in the direction that is not SSL/TLS records. */
export const SSL_UNKNOWN = 16;

/** ssl_version flags. */
export const SSLV_2 = 1;
export const SSLV_3 = 2;
export const TLSV_10 = 4;
export const TLSV_11 = 8;
export const TLSV_12 = 16;
export const TLSV_13 = 32;

/** The ssl_version flag of a wire version (0x0002 SSL 2.0 ... 0x0304 TLS 1.3, 0x7fxx TLS 1.3 drafts); 0 for others. */
export function sslVersionFlag(version: number): number {
  switch (version) {
    case 0x0002:
      return SSLV_2;
    case 0x0300:
      return SSLV_3;
    case 0x0301:
      return TLSV_10;
    case 0x0302:
      return TLSV_11;
    case 0x0303:
      return TLSV_12;
    case 0x0304:
      return TLSV_13;
    default:
      return version >>> 8 === 0x7f ? TLSV_13 : 0;
  }
}

import type { BufferSource } from './buffers.js';
import type { FlowView } from './flow.js';

/**
 * What the application layer (app/) hands to detection and output: transactions that expose
 * named buffers, carry anomalies (protocol evasions, oddities) and EVE-style metadata.
 */

/** The side of an HTTP transaction a view shows (headers, cookies and file.data differ per side). */
export type HttpSide = 'request' | 'response';

/** When an SMTP unit is handed over: its command line, the server reply to it, or a finished message. */
export type SmtpPhase = 'command' | 'reply' | 'message';

export interface AppTransaction extends BufferSource {
  /** 0-based, in order of creation within its flow (Suricata's tx_id). */
  readonly id: number;
  /** Anomaly names seen on this transaction so far (e.g. "http.uri.double_encoding"), no duplicates. */
  readonly anomalies: readonly string[];
  /** Fields for EVE output (the "http" or "smtp" object). */
  meta(): Record<string, unknown>;
}

export interface HttpTxView extends AppTransaction {
  readonly kind: 'http';
  /** HTTP status code once the response line was parsed, else null. */
  readonly status: number | null;
  readonly hasRequest: boolean;
  readonly hasResponse: boolean;
  /**
   * The side that `buffer()` shows for side-dependent buffers (http.header, http.header.raw,
   * http.cookie, http.header_names, http.start, http.content_type, http.content_len,
   * http.connection, http.protocol, file.data): the side of the phase last handed over.
   */
  readonly side: HttpSide;
  /** A fixed-side view of the same transaction. */
  view(side: HttpSide): BufferSource;
  /** The files the request carries (multipart uploads, a POST or PUT body): each is inspected through requestFile. */
  requestFileCount(): number;
  /** The request side with file i as its `file.data` and `file.name`. */
  requestFile(i: number): BufferSource;
}

export interface SmtpUnitView extends AppTransaction {
  readonly kind: 'smtp';
  /** A client command line, or a message sent with DATA/BDAT. */
  readonly type: 'command' | 'message';
  /** Upper-case command verb ("MAIL", "RCPT", ...) for commands, null for messages. */
  readonly verb: string | null;
  /** Final reply code from the server once seen (e.g. 250, 550), else null. */
  readonly replyCode: number | null;
  /** A message's attachments (none for commands); each is inspected through withFile. */
  readonly files: readonly unknown[];
  /** The same unit with attachment i as its `file.data` and `file.name`. */
  withFile(i: number): SmtpUnitView;
  /** The mail transaction it belongs to, Suricata's SMTP tx_id (`id` numbers the units). */
  readonly mailTx: number;
  /** A message's EVE `email` object (undefined for commands). */
  email(): Record<string, unknown> | undefined;
}

/** One question of a DNS request (app/dns/): `dns.query` is its name, `pkt_data` the whole message. */
export interface DnsQueryView extends AppTransaction {
  readonly kind: 'dns';
  /** The message header's opcode (0 query, 4 notify, 5 update, ...). */
  readonly opcode: number;
}

/**
 * A TLS hello (app/tls/): the client's (`tls.sni`, `ja3.hash`, `ja3.string`) or the server's
 * (`ja3s.hash`, `ja3s.string`, the client's buffers still readable).
 */
export interface TlsHelloView extends AppTransaction {
  readonly kind: 'tls';
  readonly side: 'client' | 'server';
}

/** An SSH unit of the client or the server (app/ssh/): its identification line (`ssh.proto`, `ssh.software`), then its KEXINIT (`ssh.hassh*`). */
export interface SshBannerView extends AppTransaction {
  readonly kind: 'ssh';
  readonly side: 'client' | 'server';
}

/** A DCE/RPC request (app/dcerpc/): `dce_stub_data`, and the interface and operation it calls. */
export interface DceRequestView extends AppTransaction {
  readonly kind: 'dcerpc';
  /** The interface its presentation context is bound to (UUID in lower-case text); null when unknown. */
  readonly iface: { readonly uuid: string; readonly major: number; readonly minor: number } | null;
  readonly opnum: number;
  /** Integers in the stub are little-endian (the sender's data representation): byte_test's `dce`. */
  readonly little: boolean;
}

/** A SIP message (app/sip/): a request (`method`) or a response (`status`), its headers and body. */
export interface SipMessageView extends AppTransaction {
  readonly kind: 'sip';
  /** Upper-case request method; null for a response. */
  readonly method: string | null;
  /** Response status code; 0 for a request. */
  readonly status: number;
  /** A response's CSeq method (upper-case), null when absent. */
  readonly cseqMethod: string | null;
  /** Sent towards the server side of the flow. */
  readonly toServer: boolean;
}

export interface AppSink {
  httpTransaction?(flow: FlowView, tx: HttpTxView, phase: HttpSide): void;
  smtpUnit?(flow: FlowView, unit: SmtpUnitView, phase: SmtpPhase): void;
  /** One question of a DNS request (UDP). */
  dnsQuery?(flow: FlowView, query: DnsQueryView): void;
  tlsHello?(flow: FlowView, hello: TlsHelloView): void;
  /** Each side's SSH identification line, once complete, and then its KEXINIT (HASSH). */
  sshBanner?(flow: FlowView, banner: SshBannerView): void;
  /** Each complete DCE/RPC request (TCP: its fragments joined; UDP: each datagram). */
  dceRequest?(flow: FlowView, request: DceRequestView): void;
  /** Each SIP message (UDP: each datagram holding one; TCP: cut from the stream). */
  sipMessage?(flow: FlowView, message: SipMessageView): void;
}

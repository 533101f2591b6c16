/**
 * The named buffers a record exposes to rules. Producers (app/, logs/, stream/) fill them;
 * keyword modules in options/ read them by name. Names are Suricata's sticky-buffer names.
 */
export const BUFFER_NAMES = [
  'pkt_data',
  'http.method',
  'http.uri',
  'http.uri.raw',
  'http.protocol',
  'http.request_line',
  'http.header',
  'http.header.raw',
  'http.cookie',
  'http.host',
  'http.host.raw',
  'http.user_agent',
  'http.referer',
  'http.request_body',
  'http.stat_code',
  'http.stat_msg',
  'http.response_line',
  'http.response_body',
  'file.data',
  'file.name',
  // Single-header and composite HTTP buffers used widely by Suricata rule sets (ET Open).
  'http.header_names',
  'http.start',
  // Multi-instance (see MULTI_INSTANCE_BUFFERS): one `Name: value` per header of the message.
  'http.request_header',
  'http.response_header',
  'http.content_type',
  'http.content_len',
  'http.location',
  'http.server',
  'http.accept',
  'http.accept_enc',
  'http.accept_lang',
  'http.connection',
  'smtp.command',
  'smtp.helo',
  'smtp.mail_from',
  'smtp.rcpt_to',
  'smtp.header',
  'smtp.body',
  'dns.query',
  'tls.sni',
  'ja3.hash',
  'ja4.hash',
  'tls.alpn',
  'ja3.string',
  'ja3s.hash',
  'ja3s.string',
  'tls.certs',
  'tls.cert_subject',
  'tls.cert_issuer',
  'tls.cert_serial',
  'tls.cert_fingerprint',
  'tls.random',
  'tls.random_time',
  'tls.random_bytes',
  'ssh.proto',
  'ssh.software',
  'ssh.hassh',
  'ssh.hassh.string',
  'ssh.hassh.server',
  'ssh.hassh.server.string',
  'dce_stub_data',
  'sip_header',
  'sip_body',
  'sip.method',
  'sip.uri',
  'sip.protocol',
  'sip.request_line',
  'sip.stat_code',
  'sip.stat_msg',
  'sip.response_line',
  'sip.from',
  'sip.to',
  'sip.via',
  'sip.user_agent',
  'log.message',
  // Log records (src/logs/): the syslog TAG's program name and the HOSTNAME field, so a rule can
  // scope a log.message match to one daemon or host.
  'log.program',
  'log.hostname',
] as const;

export type BufferName = (typeof BUFFER_NAMES)[number];

export function isBufferName(name: string): name is BufferName {
  return (BUFFER_NAMES as readonly string[]).includes(name);
}

/**
 * Buffers with one instance per item of a transaction (Suricata's multi-buffers): each
 * `http.request_header;` section of a rule must match some one header, and sections may match
 * different headers. `buffer(name)` of such a name is every instance in one block (for HTTP the
 * start line and headers, CRLF-ended), which holds each instance whole: fit to prefilter, never
 * to match.
 */
export const MULTI_INSTANCE_BUFFERS: ReadonlySet<string> = new Set(['http.request_header', 'http.response_header', 'tls.alpn']);

/** A source of named buffers; absent means the record has no such buffer (the rule cannot match). */
export interface BufferSource {
  buffer(name: BufferName): Uint8Array | undefined;
  /** The instances of a multi-instance buffer (MULTI_INSTANCE_BUFFERS); absent or empty when it has none. */
  instances?(name: BufferName): readonly Uint8Array[] | undefined;
}

/**
 * Position state threaded through a rule's payload options, as in Snort's cursor:
 * the buffer being inspected and the offset just after the previous match (for relative options).
 */
export interface Cursor {
  buf: Uint8Array;
  pos: number;
}

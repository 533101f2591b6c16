/**
 * Anomaly names recorded on transactions. Like Snort's http_inspect events and Suricata's
 * app-layer events, they mark evasions and protocol oddities; detection and correlation can
 * turn them into alerts. Names are stable: rules and reports refer to them.
 */

/** Evasions seen while normalizing a URI the way IIS and Apache read it. */
export const URI_EVASIONS = [
  'http.uri.ascii_encoding', // %XX used for a character that never needs encoding (%2e, %41)
  'http.uri.double_encoding', // %25XX decoded twice, as IIS did (%255c)
  'http.uri.iis_unicode', // IIS %uXXXX
  'http.uri.overlong_utf8', // %c0%af, %e0%80%af, or the raw bytes
  'http.uri.bare_byte', // raw byte >= 0x80 in the URI
  'http.uri.invalid_encoding', // % not followed by two hex digits
  'http.uri.encoded_null', // %00
  'http.uri.backslash', // \ used as a path separator
  'http.uri.multi_slash', // //
  'http.uri.self_directory', // /./
  'http.uri.directory_traversal', // /../
  'http.uri.traversal_above_root', // /../ climbing above the web root
] as const;
export type UriEvasion = (typeof URI_EVASIONS)[number];

export const HTTP_ANOMALIES = [
  ...URI_EVASIONS,
  'http.uri.space', // unencoded space inside the request target
  'http.request_line_too_long',
  'http.request_line_invalid', // missing parts, extra separators, VT/FF/CR as a separator
  // Whitespace before the method, which libhtp skips and IIS serves: Suricata's app-layer event
  // of the same name (REQUEST_LINE_LEADING_WHITESPACE).
  'http.request_line_leading_whitespace',
  'http.method_unknown',
  'http.protocol_invalid',
  'http.http09_request',
  'http.header_too_long', // header block beyond the configured bound
  'http.header_folding', // obs-fold continuation line
  'http.header_invalid', // header line without a colon
  'http.header_name_whitespace', // "Name :" or whitespace inside the name
  'http.host_missing',
  'http.host_duplicate',
  'http.host_mismatch', // absolute URI host differs from Host
  'http.content_length_invalid',
  'http.content_length_conflict',
  'http.transfer_encoding_and_content_length',
  'http.transfer_encoding_invalid',
  // Transfer-Encoding other than exactly "chunked" (e.g. "chunked, chunked"): libhtp's invalid T-E
  // value, which request smuggling uses.
  'http.transfer_encoding_abnormal_request',
  'http.transfer_encoding_abnormal_response',
  'http.chunk_size_invalid',
  'http.chunk_line_too_long',
  'http.chunk_data_no_crlf',
  'http.message_incomplete', // stream ended inside the head or before the announced body end
  'http.gap', // bytes missing from the stream inside this message
  'http.response_line_too_long',
  'http.status_invalid',
  'http.response_without_request',
  'http.decompression_failed',
  'http.decompression_limit',
  'http.memcap', // bytes cut because the app-layer memory budget was exhausted
] as const;
export type HttpAnomaly = (typeof HTTP_ANOMALIES)[number];

export const SMTP_ANOMALIES = [
  'smtp.command_line_too_long',
  'smtp.reply_line_too_long',
  'smtp.unknown_command',
  'smtp.invalid_reply',
  'smtp.data_rejected',
  'smtp.tls_rejected',
  'smtp.bdat_invalid',
  'smtp.header_too_long',
  'smtp.header_line_too_long',
  'smtp.message_incomplete',
  'smtp.gap',
  'smtp.memcap',
  // The message's MIME structure (smtp/mime.ts), named after Suricata's smtp.mime_* events.
  'smtp.mime_invalid_base64',
  'smtp.mime_invalid_qp',
  'smtp.mime_long_line',
  'smtp.mime_long_encoded_line',
  'smtp.mime_long_boundary',
  'smtp.mime_long_filename',
  'smtp.mime_malformed', // a multipart without a boundary, or whose boundary never appears
  'smtp.mime_depth_exceeded',
  'smtp.mime_too_many_files',
] as const;
export type SmtpAnomaly = (typeof SMTP_ANOMALIES)[number];

/** A small ordered set of anomaly names: transactions see few, so a list beats a Set. */
export class AnomalyList<T extends string = string> {
  readonly items: T[] = [];
  /** `counts`, when given, tallies each anomaly once per list (per transaction or unit) for the stats record. */
  constructor(private readonly counts?: Record<string, number>) {}
  add(name: T): void {
    if (this.items.includes(name)) return;
    this.items.push(name);
    if (this.counts !== undefined) this.counts[name] = (this.counts[name] ?? 0) + 1;
  }
}

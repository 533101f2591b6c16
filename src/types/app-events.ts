/**
 * Suricata app-layer event names (`app-layer-event:http.missing_host_header;`) that kanshi
 * raises, each with the anomaly name kanshi records on the transaction for it (src/app/
 * anomalies.ts). Only events whose meaning is the same on both sides are listed: a rule on any
 * other event is skipped rather than matched against a look-alike.
 */
export const APP_LAYER_EVENTS: ReadonlyMap<string, string> = new Map([
  ['http.invalid_transfer_encoding_value_in_request', 'http.transfer_encoding_abnormal_request'],
  ['http.invalid_transfer_encoding_value_in_response', 'http.transfer_encoding_abnormal_response'],
  ['http.missing_host_header', 'http.host_missing'],
  ['http.host_header_ambiguous', 'http.host_mismatch'],
  ['http.unable_to_match_response_to_request', 'http.response_without_request'],
  ['http.request_line_leading_whitespace', 'http.request_line_leading_whitespace'],
  ['smtp.mime_invalid_base64', 'smtp.mime_invalid_base64'],
  ['smtp.mime_invalid_qp', 'smtp.mime_invalid_qp'],
  ['smtp.mime_long_line', 'smtp.mime_long_line'],
  ['smtp.mime_long_enc_line', 'smtp.mime_long_encoded_line'],
  ['smtp.mime_long_boundary', 'smtp.mime_long_boundary'],
  ['smtp.mime_long_filename', 'smtp.mime_long_filename'],
]);

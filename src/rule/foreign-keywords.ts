/**
 * Rule keywords kanshi recognises but does not evaluate (yet). A rule using one is loaded as
 * *skipped*, with a warning naming the keyword, rather than rejected as a typo or
 * half-evaluated. A keyword that gains a module in src/options/ is taken from the registry
 * first, so it may stay listed here harmlessly.
 */

/** Keywords of Suricata 7 and Snort 2: also the names "did you mean" may suggest. */
const CURRENT = `
app-layer-event app-layer-protocol asn1 base64_data base64_decode bypass byte_math
config cvs dataset datarep decode-event engine-event flow.age flowint flowvar
geoip iprep hostbits lua luajit nfq_set_mark pktvar prefilter rpc replace requires
stream-event stream_size stream_reassemble tcp.hdr tcp.mss udp.hdr ipv4.hdr ipv6.hdr icmpv4.hdr icmpv6.hdr icmpv6.mtu
xbits xor from_base64 to_md5 to_sha1 to_sha256 to_lowercase to_uppercase compress_whitespace
strip_whitespace dotprefix url_decode pcrexform header_lowercase strip_pseudo_headers
http_request_line http_raw_host http_accept http_accept_lang http_accept_enc http_referer http_connection
http_content_type http_content_len http_start http_protocol http_header_names http_response_line
http_server_body
http.request_line http.host.raw http.accept http.accept_lang http.accept_enc http.referer http.connection
http.content_type http.content_len http.start http.protocol http.header_names http.response_line
http.server http.location http.request_header http.response_header
http2.frametype http2.errorcode http2.priority http2.window http2.size_update http2.settings
http2.header_name http2.header
filename fileext filemagic filestore filemd5 filesha1 filesha256 filesize file.name file.magic
dns_query dns.query dns.opcode dns.answer.name dns.query.name
tls.version ssl_version ssl_state tls.subject tls.issuerdn tls_cert_notbefore tls_cert_notafter
tls_cert_expired tls_cert_valid tls.fingerprint tls.store tls.cert_subject tls.cert_issuer
tls.cert_serial tls.cert_fingerprint tls.sni tls.certs tls.cert_chain_len tls.random tls.random_time
tls.random_bytes tls.alpn tls_cert_subject tls_cert_issuer tls_cert_serial tls_cert_fingerprint tls_sni
ja3.hash ja3.string ja3s.hash ja3s.string ja3_hash ja3_string ja3s_hash ja3s_string ja4.hash
ssh.proto ssh.protoversion ssh.software ssh.softwareversion ssh_proto ssh_software ssh.hassh
ssh.hassh.string ssh.hassh.server ssh.hassh.server.string
smb.named_pipe smb.share smb.ntlmssp_user smb.ntlmssp_domain
dce_iface dce_opnum dce_stub_data
krb5_msg_type krb5_cname krb5_sname krb5_err_code krb5.ticket_encryption
snmp.version snmp.community snmp.pdu_type snmp.usm
ftpbounce ftpdata_command ftp.command ftp.command_data
sip.method sip.uri sip.request_line sip.stat_code sip.stat_msg sip.response_line sip.protocol
sip_method sip_stat_code sip_header sip_body sip.from sip.to sip.via sip.user_agent
smtp.helo smtp.mail_from smtp.rcpt_to
modbus dnp3_func dnp3_ind dnp3_obj dnp3_data modbus_func modbus_unit modbus_data enip_command cip_service
ike.init_spi ike.resp_spi ike.chosen_sa_attribute ike.exchtype ike.vendor ike.key_exchange_payload
ike.key_exchange_payload_length ike.nonce_payload ike.nonce_payload_length
quic.sni quic.ua quic.version quic.cyu.hash quic.cyu.string
mqtt.type mqtt.flags mqtt.qos mqtt.reason_code mqtt.connack.session_present mqtt.connect.clientid
mqtt.connect.flags mqtt.connect.password mqtt.connect.username mqtt.connect.willmessage
mqtt.connect.willtopic mqtt.protocol_version mqtt.publish.message mqtt.publish.topic
mqtt.subscribe.topic mqtt.unsubscribe.topic
rfb.name rfb.secresult rfb.sectype nfs_procedure nfs.version
dhcp.leasetime dhcp.rebinding_time dhcp.renewal_time
resp react session logto activates activated_by count sd_pattern protected_content hash length
gtp_type gtp_info gtp_version http_encode file_type cip_attribute cip_class cip_instance cip_extendedstatus
frame
tcp.flags
ip.src ip.dst l3_proto ipv4-csum tcpv4-csum tcpv6-csum udpv4-csum udpv6-csum icmpv4-csum icmpv6-csum tls_store alert
`;

/**
 * Keywords of later Suricata versions, which Suricata 7 refuses: a rule written for them is
 * skipped, but they are never suggested for a misspelt keyword.
 */
const LATER = `
app-layer-state entropy flow.pkts http_host_raw http_location http_server http.transfer_encoding
dns.rrtype dns.rcode smb.version tftp.file tls.subjectaltname bittorrent-dht.node_id
bittorrent-dht.implied_port bittorrent-dht.query_type email.from email.subject email.to email.cc
email.date email.message_id email.x_mailer email.url email.received ldap.request.operation
ldap.responses.operation ldap.request.dn ldap.responses.dn ldap.responses.result_code
ldap.responses.message ldap.request.attribute_type ldap.responses.attribute_type vlan.id vlan.layers
flow.bytes tcp.wscale luaxform sip.content_type sip.content_length ftp.reply ftp.mode
ftp.completion_code ftp.dynamic_port websocket.payload websocket.opcode websocket.flags
websocket.mask dns.queries.rrname dns.answers.rrname dns.additionals.rrname dns.authorities.rrname
dns.response.rrname mdns.queries.rrname mdns.answers.rrname mdns.response.rrname
`;

const words = (text: string): string[] => text.split(/\s+/).filter((n) => n.length > 0);

/** Names suggested for a misspelt keyword, beside the registry's. */
export const SUGGESTED_FOREIGN_KEYWORDS: readonly string[] = words(CURRENT);

export const FOREIGN_KEYWORDS: ReadonlySet<string> = new Set([...SUGGESTED_FOREIGN_KEYWORDS, ...words(LATER)]);

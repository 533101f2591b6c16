import type { KeywordModule } from './keyword.js';
import { classtype } from './meta/classtype.js';
import { gid } from './meta/gid.js';
import { level } from './meta/level.js';
import { metadata } from './meta/metadata.js';
import { msg } from './meta/msg.js';
import { priority } from './meta/priority.js';
import { reference } from './meta/reference.js';
import { rev } from './meta/rev.js';
import { sid } from './meta/sid.js';
import { target } from './meta/target.js';
import { asn1 } from './payload/asn1.js';
import { base64Decode } from './payload/base64-decode.js';
import { bsize } from './payload/bsize.js';
import { byteExtract } from './payload/byte-extract.js';
import { byteJump } from './payload/byte-jump.js';
import { byteMath } from './payload/byte-math.js';
import { byteTest } from './payload/byte-test.js';
import { content } from './payload/content.js';
import { datarep } from './payload/datarep.js';
import { dataset } from './payload/dataset.js';
import { isdataat } from './payload/isdataat.js';
import { pcre } from './payload/pcre.js';
import { uricontent } from './payload/uricontent.js';
import { depth } from './modifiers/depth.js';
import { distance } from './modifiers/distance.js';
import { endswith } from './modifiers/endswith.js';
import { fastPattern } from './modifiers/fast-pattern.js';
import { httpClientBodyModifier } from './modifiers/http-client-body.js';
import { httpCookieModifier } from './modifiers/http-cookie.js';
import { httpHeaderModifier } from './modifiers/http-header.js';
import { httpHostModifier } from './modifiers/http-host.js';
import { httpMethodModifier } from './modifiers/http-method.js';
import { httpRawCookieModifier } from './modifiers/http-raw-cookie.js';
import { httpRawHeaderModifier } from './modifiers/http-raw-header.js';
import { httpRawHostModifier } from './modifiers/http-raw-host.js';
import { httpRawUriModifier } from './modifiers/http-raw-uri.js';
import { httpServerBodyModifier } from './modifiers/http-server-body.js';
import { httpStatCodeModifier } from './modifiers/http-stat-code.js';
import { httpStatMsgModifier } from './modifiers/http-stat-msg.js';
import { httpUriModifier } from './modifiers/http-uri.js';
import { httpUserAgentModifier } from './modifiers/http-user-agent.js';
import { nocase } from './modifiers/nocase.js';
import { offset } from './modifiers/offset.js';
import { rawbytes } from './modifiers/rawbytes.js';
import { startswith } from './modifiers/startswith.js';
import { within } from './modifiers/within.js';
import { base64DataBuffer } from './buffers/base64-data.js';
import { dceStubDataBuffer } from './buffers/dce-stub-data.js';
import { dnsAnswerNameBuffer } from './buffers/dns-answer-name.js';
import { dnsQueryNameBuffer } from './buffers/dns-query-name.js';
import { dnsQueryBuffer } from './buffers/dns-query.js';
import { fileDataBuffer } from './buffers/file-data.js';
import { fileMagicBuffer } from './buffers/file-magic.js';
import { fileNameBuffer } from './buffers/file-name.js';
import { ftpCommandDataBuffer } from './buffers/ftp-command-data.js';
import { ftpCommandBuffer } from './buffers/ftp-command.js';
import { httpAcceptEncBuffer } from './buffers/http-accept-enc.js';
import { httpAcceptLangBuffer } from './buffers/http-accept-lang.js';
import { httpAcceptBuffer } from './buffers/http-accept.js';
import { httpConnectionBuffer } from './buffers/http-connection.js';
import { httpContentLenBuffer } from './buffers/http-content-len.js';
import { httpContentTypeBuffer } from './buffers/http-content-type.js';
import { httpCookieBuffer } from './buffers/http-cookie.js';
import { httpHeaderNamesBuffer } from './buffers/http-header-names.js';
import { httpHeaderRawBuffer } from './buffers/http-header-raw.js';
import { httpHeaderBuffer } from './buffers/http-header.js';
import { httpHostRawBuffer } from './buffers/http-host-raw.js';
import { httpHostBuffer } from './buffers/http-host.js';
import { httpLocationBuffer } from './buffers/http-location.js';
import { httpMethodBuffer } from './buffers/http-method.js';
import { httpProtocolBuffer } from './buffers/http-protocol.js';
import { httpRefererBuffer } from './buffers/http-referer.js';
import { httpRequestBodyBuffer } from './buffers/http-request-body.js';
import { httpRequestHeaderBuffer } from './buffers/http-request-header.js';
import { httpRequestLineBuffer } from './buffers/http-request-line.js';
import { httpResponseBodyBuffer } from './buffers/http-response-body.js';
import { httpResponseHeaderBuffer } from './buffers/http-response-header.js';
import { httpResponseLineBuffer } from './buffers/http-response-line.js';
import { httpServerBuffer } from './buffers/http-server.js';
import { httpStartBuffer } from './buffers/http-start.js';
import { httpStatCodeBuffer } from './buffers/http-stat-code.js';
import { httpStatMsgBuffer } from './buffers/http-stat-msg.js';
import { httpUriRawBuffer } from './buffers/http-uri-raw.js';
import { httpUriBuffer } from './buffers/http-uri.js';
import { httpUserAgentBuffer } from './buffers/http-user-agent.js';
import { http2HeaderNameBuffer } from './buffers/http2-header-name.js';
import { http2HeaderBuffer } from './buffers/http2-header.js';
import { ja3HashBuffer } from './buffers/ja3-hash.js';
import { ja3StringBuffer } from './buffers/ja3-string.js';
import { ja3sHashBuffer } from './buffers/ja3s-hash.js';
import { ja3sStringBuffer } from './buffers/ja3s-string.js';
import { ja4HashBuffer } from './buffers/ja4-hash.js';
import { krb5CnameBuffer } from './buffers/krb5-cname.js';
import { krb5SnameBuffer } from './buffers/krb5-sname.js';
import { logHostnameBuffer } from './buffers/log-hostname.js';
import { logMessageBuffer } from './buffers/log-message.js';
import { logProgramBuffer } from './buffers/log-program.js';
import { mqttConnectClientidBuffer } from './buffers/mqtt-connect-clientid.js';
import { mqttConnectPasswordBuffer } from './buffers/mqtt-connect-password.js';
import { mqttConnectUsernameBuffer } from './buffers/mqtt-connect-username.js';
import { mqttConnectWillmessageBuffer } from './buffers/mqtt-connect-willmessage.js';
import { mqttConnectWilltopicBuffer } from './buffers/mqtt-connect-willtopic.js';
import { mqttPublishMessageBuffer } from './buffers/mqtt-publish-message.js';
import { mqttPublishTopicBuffer } from './buffers/mqtt-publish-topic.js';
import { mqttSubscribeTopicBuffer } from './buffers/mqtt-subscribe-topic.js';
import { mqttUnsubscribeTopicBuffer } from './buffers/mqtt-unsubscribe-topic.js';
import { pktDataBuffer } from './buffers/pkt-data.js';
import { quicCyuHashBuffer } from './buffers/quic-cyu-hash.js';
import { quicCyuStringBuffer } from './buffers/quic-cyu-string.js';
import { quicSniBuffer } from './buffers/quic-sni.js';
import { quicUaBuffer } from './buffers/quic-ua.js';
import { quicVersionBuffer } from './buffers/quic-version.js';
import { rfbNameBuffer } from './buffers/rfb-name.js';
import { sipBodyBuffer } from './buffers/sip-body.js';
import { sipFromBuffer } from './buffers/sip-from.js';
import { sipHeaderBuffer } from './buffers/sip-header.js';
import { sipMethodBuffer } from './buffers/sip-method.js';
import { sipProtocolBuffer } from './buffers/sip-protocol.js';
import { sipRequestLineBuffer } from './buffers/sip-request-line.js';
import { sipResponseLineBuffer } from './buffers/sip-response-line.js';
import { sipStatCodeBuffer } from './buffers/sip-stat-code.js';
import { sipStatMsgBuffer } from './buffers/sip-stat-msg.js';
import { sipToBuffer } from './buffers/sip-to.js';
import { sipUriBuffer } from './buffers/sip-uri.js';
import { sipUserAgentBuffer } from './buffers/sip-user-agent.js';
import { sipViaBuffer } from './buffers/sip-via.js';
import { smbNamedPipeBuffer } from './buffers/smb-named-pipe.js';
import { smbNtlmsspDomainBuffer } from './buffers/smb-ntlmssp-domain.js';
import { smbNtlmsspUserBuffer } from './buffers/smb-ntlmssp-user.js';
import { smbShareBuffer } from './buffers/smb-share.js';
import { smtpBodyBuffer } from './buffers/smtp-body.js';
import { smtpCommandBuffer } from './buffers/smtp-command.js';
import { smtpHeaderBuffer } from './buffers/smtp-header.js';
import { smtpHeloBuffer } from './buffers/smtp-helo.js';
import { smtpMailFromBuffer } from './buffers/smtp-mail-from.js';
import { smtpRcptToBuffer } from './buffers/smtp-rcpt-to.js';
import { snmpCommunityBuffer } from './buffers/snmp-community.js';
import { snmpUsmBuffer } from './buffers/snmp-usm.js';
import { sshHasshServerStringBuffer } from './buffers/ssh-hassh-server-string.js';
import { sshHasshServerBuffer } from './buffers/ssh-hassh-server.js';
import { sshHasshStringBuffer } from './buffers/ssh-hassh-string.js';
import { sshHasshBuffer } from './buffers/ssh-hassh.js';
import { sshProtoBuffer } from './buffers/ssh-proto.js';
import { sshSoftwareBuffer } from './buffers/ssh-software.js';
import { tlsAlpnBuffer } from './buffers/tls-alpn.js';
import { tlsCertFingerprintBuffer } from './buffers/tls-cert-fingerprint.js';
import { tlsCertIssuerBuffer } from './buffers/tls-cert-issuer.js';
import { tlsCertSerialBuffer } from './buffers/tls-cert-serial.js';
import { tlsCertSubjectBuffer } from './buffers/tls-cert-subject.js';
import { tlsCertsBuffer } from './buffers/tls-certs.js';
import { tlsRandomBytesBuffer } from './buffers/tls-random-bytes.js';
import { tlsRandomTimeBuffer } from './buffers/tls-random-time.js';
import { tlsRandomBuffer } from './buffers/tls-random.js';
import { tlsSniBuffer } from './buffers/tls-sni.js';
import { compressWhitespace } from './transforms/compress-whitespace.js';
import { domain } from './transforms/domain.js';
import { dotprefix } from './transforms/dotprefix.js';
import { fromBase64 } from './transforms/from-base64.js';
import { headerLowercase } from './transforms/header-lowercase.js';
import { pcrexform } from './transforms/pcrexform.js';
import { stripPseudoHeaders } from './transforms/strip-pseudo-headers.js';
import { stripWhitespace } from './transforms/strip-whitespace.js';
import { tld } from './transforms/tld.js';
import { toLowercase } from './transforms/to-lowercase.js';
import { toMd5 } from './transforms/to-md5.js';
import { toSha1 } from './transforms/to-sha1.js';
import { toSha256 } from './transforms/to-sha256.js';
import { toUppercase } from './transforms/to-uppercase.js';
import { urlDecode } from './transforms/url-decode.js';
import { xor } from './transforms/xor.js';
import { ack } from './non-payload/ack.js';
import { appLayerEvent } from './non-payload/app-layer-event.js';
import { appLayerProtocol } from './non-payload/app-layer-protocol.js';
import { dceIface } from './non-payload/dce-iface.js';
import { dceOpnum } from './non-payload/dce-opnum.js';
import { decodeEvent } from './non-payload/decode-event.js';
import { dnsOpcode } from './non-payload/dns-opcode.js';
import { dsize } from './non-payload/dsize.js';
import { fileext } from './payload/fileext.js';
import { filesize } from './non-payload/filesize.js';
import { filename } from './payload/filename.js';
import { filemagic } from './non-payload/filemagic.js';
import { filemd5 } from './non-payload/filemd5.js';
import { flags } from './non-payload/flags.js';
import { flow } from './non-payload/flow.js';
import { flowbits } from './non-payload/flowbits.js';
import { flowint } from './non-payload/flowint.js';
import { fragbits } from './non-payload/fragbits.js';
import { fragoffset } from './non-payload/fragoffset.js';
import { ftpbounce } from './payload/ftpbounce.js';
import { icmpId } from './non-payload/icmp-id.js';
import { icmpSeq } from './non-payload/icmp-seq.js';
import { icmpv6Mtu } from './non-payload/icmpv6-mtu.js';
import { icode } from './non-payload/icode.js';
import { id } from './non-payload/id.js';
import { ipProto } from './non-payload/ip-proto.js';
import { ipopts } from './non-payload/ipopts.js';
import { itype } from './non-payload/itype.js';
import { rpc } from './non-payload/rpc.js';
import { sameip } from './non-payload/sameip.js';
import { seq } from './non-payload/seq.js';
import { sipMethod } from './non-payload/sip-method.js';
import { sipStatCode } from './non-payload/sip-stat-code.js';
import { sslState } from './non-payload/ssl-state.js';
import { sslVersion } from './non-payload/ssl-version.js';
import { streamEvent } from './non-payload/stream-event.js';
import { streamSize } from './non-payload/stream-size.js';
import { tlsVersion } from './non-payload/tls-version.js';
import { tos } from './non-payload/tos.js';
import { ttl } from './non-payload/ttl.js';
import { urilen } from './non-payload/urilen.js';
import { window } from './non-payload/window.js';
import { xbits } from './non-payload/xbits.js';
import { detectionFilter } from './post/detection-filter.js';
import { filestore } from './post/filestore.js';
import { noalert } from './post/noalert.js';
import { tag } from './post/tag.js';
import { threshold } from './post/threshold.js';

/**
 * The explicit list of every rule keyword kanshi knows, one module per keyword.
 * Adding a keyword means adding its file and one line here; the grammar never changes.
 */
const MODULES: readonly KeywordModule[] = [
  // Rule metadata
  classtype,
  gid,
  level,
  metadata,
  msg,
  priority,
  reference,
  rev,
  sid,
  target,
  // Payload detection
  asn1,
  base64Decode,
  bsize,
  byteExtract,
  byteJump,
  byteMath,
  byteTest,
  content,
  datarep,
  dataset,
  isdataat,
  pcre,
  uricontent,
  // Content modifiers (the Snort 2 form of buffers included)
  depth,
  distance,
  endswith,
  fastPattern,
  httpClientBodyModifier,
  httpCookieModifier,
  httpHeaderModifier,
  httpHostModifier,
  httpMethodModifier,
  httpRawCookieModifier,
  httpRawHeaderModifier,
  httpRawHostModifier,
  httpRawUriModifier,
  httpServerBodyModifier,
  httpStatCodeModifier,
  httpStatMsgModifier,
  httpUriModifier,
  httpUserAgentModifier,
  nocase,
  offset,
  rawbytes,
  startswith,
  within,
  // Sticky buffers
  base64DataBuffer,
  dceStubDataBuffer,
  dnsAnswerNameBuffer,
  dnsQueryNameBuffer,
  dnsQueryBuffer,
  fileDataBuffer,
  fileMagicBuffer,
  fileNameBuffer,
  ftpCommandDataBuffer,
  ftpCommandBuffer,
  httpAcceptEncBuffer,
  httpAcceptLangBuffer,
  httpAcceptBuffer,
  httpConnectionBuffer,
  httpContentLenBuffer,
  httpContentTypeBuffer,
  httpCookieBuffer,
  httpHeaderNamesBuffer,
  httpHeaderRawBuffer,
  httpHeaderBuffer,
  httpHostRawBuffer,
  httpHostBuffer,
  httpLocationBuffer,
  httpMethodBuffer,
  httpProtocolBuffer,
  httpRefererBuffer,
  httpRequestBodyBuffer,
  httpRequestHeaderBuffer,
  httpRequestLineBuffer,
  httpResponseBodyBuffer,
  httpResponseHeaderBuffer,
  httpResponseLineBuffer,
  httpServerBuffer,
  httpStartBuffer,
  httpStatCodeBuffer,
  httpStatMsgBuffer,
  httpUriRawBuffer,
  httpUriBuffer,
  httpUserAgentBuffer,
  http2HeaderNameBuffer,
  http2HeaderBuffer,
  ja3HashBuffer,
  ja3StringBuffer,
  ja3sHashBuffer,
  ja3sStringBuffer,
  ja4HashBuffer,
  krb5CnameBuffer,
  krb5SnameBuffer,
  logHostnameBuffer,
  logMessageBuffer,
  logProgramBuffer,
  mqttConnectClientidBuffer,
  mqttConnectPasswordBuffer,
  mqttConnectUsernameBuffer,
  mqttConnectWillmessageBuffer,
  mqttConnectWilltopicBuffer,
  mqttPublishMessageBuffer,
  mqttPublishTopicBuffer,
  mqttSubscribeTopicBuffer,
  mqttUnsubscribeTopicBuffer,
  pktDataBuffer,
  quicCyuHashBuffer,
  quicCyuStringBuffer,
  quicSniBuffer,
  quicUaBuffer,
  quicVersionBuffer,
  rfbNameBuffer,
  sipBodyBuffer,
  sipFromBuffer,
  sipHeaderBuffer,
  sipMethodBuffer,
  sipProtocolBuffer,
  sipRequestLineBuffer,
  sipResponseLineBuffer,
  sipStatCodeBuffer,
  sipStatMsgBuffer,
  sipToBuffer,
  sipUriBuffer,
  sipUserAgentBuffer,
  sipViaBuffer,
  smbNamedPipeBuffer,
  smbNtlmsspDomainBuffer,
  smbNtlmsspUserBuffer,
  smbShareBuffer,
  smtpBodyBuffer,
  smtpCommandBuffer,
  smtpHeaderBuffer,
  smtpHeloBuffer,
  smtpMailFromBuffer,
  smtpRcptToBuffer,
  snmpCommunityBuffer,
  snmpUsmBuffer,
  sshHasshServerStringBuffer,
  sshHasshServerBuffer,
  sshHasshStringBuffer,
  sshHasshBuffer,
  sshProtoBuffer,
  sshSoftwareBuffer,
  tlsAlpnBuffer,
  tlsCertFingerprintBuffer,
  tlsCertIssuerBuffer,
  tlsCertSerialBuffer,
  tlsCertSubjectBuffer,
  tlsCertsBuffer,
  tlsRandomBytesBuffer,
  tlsRandomTimeBuffer,
  tlsRandomBuffer,
  tlsSniBuffer,
  // Transforms of the current sticky buffer
  compressWhitespace,
  domain,
  dotprefix,
  fromBase64,
  headerLowercase,
  pcrexform,
  stripPseudoHeaders,
  stripWhitespace,
  tld,
  toLowercase,
  toMd5,
  toSha1,
  toSha256,
  toUppercase,
  urlDecode,
  xor,
  // Header and flow conditions
  ack,
  appLayerEvent,
  appLayerProtocol,
  dceIface,
  dceOpnum,
  decodeEvent,
  dnsOpcode,
  dsize,
  fileext,
  filesize,
  filename,
  filemagic,
  filemd5,
  flags,
  flow,
  flowbits,
  flowint,
  fragbits,
  fragoffset,
  ftpbounce,
  icmpId,
  icmpSeq,
  icmpv6Mtu,
  icode,
  id,
  ipProto,
  ipopts,
  itype,
  rpc,
  sameip,
  seq,
  sipMethod,
  sipStatCode,
  sslState,
  sslVersion,
  streamEvent,
  streamSize,
  tlsVersion,
  tos,
  ttl,
  urilen,
  window,
  xbits,
  // After detection
  detectionFilter,
  filestore,
  noalert,
  tag,
  threshold,
];

/**
 * A module as the registry hands it out: a copy with every member of the KeywordModule contract
 * written in one order (absent ones as undefined), then any others. Object literals with different
 * members each get their own hidden class in V8; with ~200 of them, every read of `category`,
 * `takesValue`, `parse`, ... in the loader was a megamorphic lookup. One layout keeps those reads
 * monomorphic. Modules are plain data and functions without `this`, so a copy behaves the same.
 */
function uniform(m: KeywordModule): KeywordModule {
  if (Object.getPrototypeOf(m) !== Object.prototype) return m;
  const copy: { -readonly [K in keyof KeywordModule]: KeywordModule[K] } & Record<string, unknown> = {
    keyword: m.keyword,
    aliases: m.aliases,
    category: m.category,
    takesValue: m.takesValue,
    evaluable: m.evaluable,
    singleUse: m.singleUse,
    buffer: m.buffer,
    parse: m.parse,
    print: m.print,
    condition: m.condition,
    payloadMatcher: m.payloadMatcher,
    bufferCondition: m.bufferCondition,
    contentElement: m.contentElement,
  };
  for (const [k, v] of Object.entries(m)) if (!(k in copy)) copy[k] = v;
  return copy;
}

export const KEYWORDS: readonly KeywordModule[] = MODULES.map(uniform);

const byName = new Map<string, KeywordModule>();
for (const m of KEYWORDS) {
  for (const name of [m.keyword, ...(m.aliases ?? [])]) {
    // Two modules claiming one name is a programming error: fail at startup, not at match time.
    if (byName.has(name)) throw new Error(`keyword ${name} is registered twice`);
    byName.set(name, m);
  }
}

export function lookupKeyword(name: string): KeywordModule | undefined {
  return byName.get(name);
}

/** Every name a rule may write (keywords and aliases), for "did you mean" suggestions. */
export function keywordNames(): string[] {
  return [...byName.keys()];
}

/** Public surface of the traffic builder: packets, TCP sessions, conversations, capture writers. */
export { type Bytes, concatBytes, toBytes, utf8 } from './bytes.js';
export { type Endpoint, formatIp, macFor, parseEndpoint, parseIp, parseMac } from './addr.js';
export * from './layers.js';
export * from './packets.js';
export * from './tcp-session.js';
export * from './conversations.js';
export * from './capture-writer.js';
export * from './dns.js';
export * from './tls.js';

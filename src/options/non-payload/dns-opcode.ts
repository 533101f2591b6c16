import { unevaluated } from '../lib/factories.js';

/** `dns.opcode:4;` the DNS opcode (Suricata); recognised, not evaluated yet. */
export const dnsOpcode = unevaluated('dns.opcode', 'non-payload', 'required', 'dns.opcode:4;');

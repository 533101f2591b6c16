import { stickyBuffer } from '../lib/factories.js';

/** `dns.answer.name;`: the payload keywords after it inspect a DNS answer name (Suricata); recognised, not evaluated yet. */
export const dnsAnswerNameBuffer = stickyBuffer('dns.answer.name', 'dns.answer.name', { evaluable: false });

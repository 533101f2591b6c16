import { stickyBuffer } from '../lib/factories.js';

/** `dns.query.name;`: the payload keywords after it inspect a DNS query name (Suricata); recognised, not evaluated yet. */
export const dnsQueryNameBuffer = stickyBuffer('dns.query.name', 'dns.query.name', { evaluable: false });

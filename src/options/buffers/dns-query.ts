import { stickyBuffer } from '../lib/factories.js';

/** `dns.query;` (also written `dns_query;`): the payload keywords after it inspect the DNS query name. */
export const dnsQueryBuffer = stickyBuffer('dns.query', 'dns.query', { aliases: ['dns_query'] });

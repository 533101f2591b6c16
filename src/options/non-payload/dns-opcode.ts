import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_DNS } from '../matcher.js';

/**
 * `dns.opcode:5;` `dns.opcode:!0;` the opcode of the DNS request under inspection (0 query, 4
 * notify, 5 update, ...), as Suricata reads it; the rule is inspected on DNS requests.
 */
export const dnsOpcode = rangeKeyword('dns.opcode', 0, 15, ['=', '!=', '<', '>', '<=', '>=', '-'], '4', {
  field: { needs: FACT_DNS, read: (h) => h.dnsOpcode },
});

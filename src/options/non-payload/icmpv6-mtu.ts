import { rangeKeyword } from '../lib/range-keyword.js';
import { FACT_ICMPV6_MTU } from '../matcher.js';

/**
 * `icmpv6.mtu:<1280;` the MTU an ICMPv6 Packet Too Big message reports (below 1280, the IPv6
 * minimum, is an attack on path MTU discovery); packets without one never match, as Suricata.
 */
export const icmpv6Mtu = rangeKeyword('icmpv6.mtu', 0, 4294967295, ['=', '!=', '<', '>', '<=', '>=', '-'], '<1280', {
  field: { needs: FACT_ICMPV6_MTU, read: (h) => h.icmpv6Mtu },
});

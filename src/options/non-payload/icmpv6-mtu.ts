import { unevaluated } from '../lib/factories.js';

/** `icmpv6.mtu:<1280;` the MTU of an ICMPv6 packet-too-big message; recognised, not evaluated yet. */
export const icmpv6Mtu = unevaluated('icmpv6.mtu', 'non-payload', 'required', 'icmpv6.mtu:<1280;');

import type { KeywordModule } from '../keyword.js';
import { parseDecimal, requireValue, skipBlanks } from '../lib/text.js';
import { FACT_IP_PROTO, type HeaderFacts, type HeaderMatcher } from '../matcher.js';

export interface IpProtoValue {
  op: '=' | '!=' | '<' | '>';
  /** IP protocol number (IPv6: the header after the extension chain). */
  proto: number;
}

/** Protocol names as /etc/protocols spells them, for the ones rules use. */
const NAMES: ReadonlyMap<string, number> = new Map(Object.entries({
  ip: 0, hopopt: 0, icmp: 1, igmp: 2, ggp: 3, ipip: 4, 'ipv4': 4, tcp: 6, egp: 8, igp: 9, udp: 17, idp: 22, rdp: 27,
  ipv6: 41, 'ipv6-route': 43, 'ipv6-frag': 44, rsvp: 46, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58,
  'ipv6-nonxt': 59, 'ipv6-opts': 60, eigrp: 88, ospf: 89, ospfigp: 89, pim: 103, vrrp: 112, l2tp: 115, sctp: 132,
}));
const BY_NUMBER = new Map<number, string>();
for (const [n, v] of NAMES) if (!BY_NUMBER.has(v)) BY_NUMBER.set(v, n);

/** `ip_proto:[!|<|>]N|name;` the IP protocol number. */
export const ipProto: KeywordModule<IpProtoValue> = {
  keyword: 'ip_proto',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('ip_proto', raw, ctx, 'ip_proto:47;');
    if (v === undefined) return undefined;
    let op: IpProtoValue['op'] = '=';
    let i = 0;
    const c = v.text[0];
    if (c === '!' || c === '<' || c === '>') {
      op = c === '!' ? '!=' : c;
      i = skipBlanks(v.text, 1);
    }
    const word = v.text.slice(i);
    const n = parseDecimal(word) ?? NAMES.get(word.toLowerCase());
    if (n === undefined || n > 255) {
      ctx.error(`ip_proto must be a protocol number from 0 to 255 or a name such as tcp, udp, icmp, gre; not "${word}"`, v.offset + i, Math.max(1, word.length));
      return undefined;
    }
    return { op, proto: n };
  },
  print: (v) => (v.op === '=' ? '' : v.op === '!=' ? '!' : v.op) + String(v.proto),
  condition(v): HeaderMatcher {
    const p = v.proto;
    const test =
      v.op === '=' ? (h: HeaderFacts) => h.ipProto === p
      : v.op === '!=' ? (h: HeaderFacts) => h.ipProto !== p
      : v.op === '<' ? (h: HeaderFacts) => h.ipProto < p
      : (h: HeaderFacts) => h.ipProto > p;
    return { needs: FACT_IP_PROTO, decidedBy: FACT_IP_PROTO, test };
  },
};

import type { KeywordModule } from '../keyword.js';
import { requireValue, splitList, type Piece } from '../lib/text.js';

export interface FlowValue {
  /** from_client is to_server, from_server is to_client. */
  direction?: 'to_server' | 'to_client';
  state?: 'established' | 'not_established' | 'stateless';
  stream?: 'only' | 'no';
  frag?: 'only' | 'no';
}

type Slot = 'direction' | 'state' | 'stream' | 'frag';

const ITEMS: ReadonlyMap<string, [Slot, string]> = new Map(Object.entries({
  to_server: ['direction', 'to_server'],
  from_client: ['direction', 'to_server'],
  to_client: ['direction', 'to_client'],
  from_server: ['direction', 'to_client'],
  established: ['state', 'established'],
  not_established: ['state', 'not_established'],
  stateless: ['state', 'stateless'],
  only_stream: ['stream', 'only'],
  no_stream: ['stream', 'no'],
  only_frag: ['frag', 'only'],
  no_frag: ['frag', 'no'],
} as Record<string, [Slot, string]>));

const NAMES = [...ITEMS.keys()].join(', ');

/** `flow:established,to_server;` the flow's state and the packet's direction. */
export const flow: KeywordModule<FlowValue> = {
  keyword: 'flow',
  category: 'non-payload',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    const v = requireValue('flow', raw, ctx, 'flow:established,to_server;');
    if (v === undefined || raw === null) return undefined;
    const out: FlowValue = {};
    const written: Partial<Record<Slot, Piece>> = {};
    for (const p of splitList(raw, ',', v.offset, v.offset + v.text.length)) {
      // Case-blind, as Suricata reads flow options (flow:Established is flow:established).
      const item = ITEMS.get(p.text) ?? ITEMS.get(p.text.toLowerCase());
      if (item === undefined) {
        ctx.error(p.text === '' ? 'empty flow option: remove the extra comma' : `unknown flow option "${p.text}": use ${NAMES}`, p.offset, Math.max(1, p.text.length));
        return undefined;
      }
      const [slot, val] = item;
      const before = written[slot];
      if (before !== undefined) {
        ctx.error(
          out[slot] === val
            ? `flow has ${p.text} twice${before.text !== p.text ? ` (${before.text} means the same)` : ''}: remove one`
            : `conflicting flow options ${before.text} and ${p.text}: a flow cannot be both; keep one`,
          p.offset,
          p.text.length,
        );
        return undefined;
      }
      written[slot] = p;
      (out as Record<Slot, string>)[slot] = val;
    }
    return out;
  },
  print(v) {
    const parts: string[] = [];
    if (v.state) parts.push(v.state);
    if (v.direction) parts.push(v.direction);
    if (v.stream) parts.push(`${v.stream}_stream`);
    if (v.frag) parts.push(`${v.frag}_frag`);
    return parts.join(',');
  },
};

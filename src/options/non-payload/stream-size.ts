import type { KeywordModule } from '../keyword.js';
import { parseDecimal, requireValue, splitList } from '../lib/text.js';
import { FACT_STREAM_SIZE, type HeaderFacts } from '../matcher.js';

export interface StreamSizeValue {
  side: 'server' | 'client' | 'both' | 'either';
  op: '<' | '>' | '=' | '!=' | '<=' | '>=';
  bytes: number;
}

const SIDES = ['server', 'client', 'both', 'either'];
const OPS = ['<', '>', '=', '!=', '<=', '>='];

function compare(size: number, op: StreamSizeValue['op'], n: number): boolean {
  switch (op) {
    case '<':
      return size < n;
    case '>':
      return size > n;
    case '=':
      return size === n;
    case '!=':
      return size !== n;
    case '<=':
      return size <= n;
    case '>=':
      return size >= n;
  }
}

/**
 * `stream_size:server,<,6;` the sequence space a side of the TCP session has used so far, as
 * Suricata counts it (next sequence number minus the ISN: 1 for the SYN plus the bytes sent in
 * order); `both` needs both sides to compare true, `either` one of them. TCP packets and stream
 * data of a tracked session only.
 */
export const streamSize: KeywordModule<StreamSizeValue> = {
  keyword: 'stream_size',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('stream_size', raw, ctx, 'stream_size:server,<,6;');
    if (v === undefined || raw === null) return undefined;
    const parts = splitList(raw, ',', v.offset, v.offset + v.text.length);
    if (parts.length !== 3) {
      ctx.error('stream_size takes a side, an operator and a number: write stream_size:server,<,6;', v.offset, v.text.length);
      return undefined;
    }
    const [side, op, n] = parts as [typeof parts[0], typeof parts[0], typeof parts[0]];
    if (!SIDES.includes(side.text)) {
      ctx.error(`stream_size side must be server, client, both or either, not "${side.text}"`, side.offset, Math.max(1, side.text.length));
      return undefined;
    }
    if (!OPS.includes(op.text)) {
      ctx.error(`stream_size operator must be one of < > = != <= >=, not "${op.text}"`, op.offset, Math.max(1, op.text.length));
      return undefined;
    }
    const bytes = parseDecimal(n.text);
    if (bytes === undefined || bytes > 4294967295) {
      ctx.error(`stream_size needs a byte count from 0 to 4294967295, not "${n.text}"`, n.offset, Math.max(1, n.text.length));
      return undefined;
    }
    return { side: side.text as StreamSizeValue['side'], op: op.text as StreamSizeValue['op'], bytes };
  },
  print: (v) => `${v.side},${v.op},${v.bytes}`,
  condition: (v) => ({
    needs: FACT_STREAM_SIZE,
    test: (h: HeaderFacts) => {
      switch (v.side) {
        case 'server':
          return compare(h.streamServer, v.op, v.bytes);
        case 'client':
          return compare(h.streamClient, v.op, v.bytes);
        case 'both':
          return compare(h.streamServer, v.op, v.bytes) && compare(h.streamClient, v.op, v.bytes);
        case 'either':
          return compare(h.streamServer, v.op, v.bytes) || compare(h.streamClient, v.op, v.bytes);
      }
    },
  }),
};

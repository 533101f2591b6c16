import type { KeywordModule } from '../keyword.js';
import { parseDecimal, requireValue, splitList } from '../lib/text.js';

export interface TagValue {
  /** session: the rest of the flow; host: traffic of one host. */
  type: 'session' | 'host';
  count?: number;
  metric?: 'packets' | 'seconds' | 'bytes';
  direction?: 'src' | 'dst';
}

const EXAMPLE = 'tag:session,10,packets;';

/** `tag:session|host[,count,packets|seconds|bytes[,src|dst]];` log more traffic after an alert. */
export const tag: KeywordModule<TagValue> = {
  keyword: 'tag',
  category: 'post-detection',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    const v = requireValue('tag', raw, ctx, EXAMPLE);
    if (v === undefined || raw === null) return undefined;
    const parts = splitList(raw, ',', v.offset, v.offset + v.text.length);
    const type = parts[0]!;
    if (type.text !== 'session' && type.text !== 'host') {
      ctx.error(`tag type must be session or host, not "${type.text}": write ${EXAMPLE}`, type.offset, Math.max(1, type.text.length));
      return undefined;
    }
    const out: TagValue = { type: type.text };
    if (parts.length === 1) return out;
    if (parts.length === 2 || parts.length > 4) {
      ctx.error(`tag takes a type, then a count and a metric, then optionally src or dst: write ${EXAMPLE}`, parts[1]!.offset, v.offset + v.text.length - parts[1]!.offset);
      return undefined;
    }
    const count = parseDecimal(parts[1]!.text);
    if (count === undefined || count < 1) {
      ctx.error(`tag count must be a whole number above 0, not "${parts[1]!.text}"`, parts[1]!.offset, Math.max(1, parts[1]!.text.length));
      return undefined;
    }
    const metric = parts[2]!;
    if (metric.text !== 'packets' && metric.text !== 'seconds' && metric.text !== 'bytes') {
      ctx.error(`tag metric must be packets, seconds or bytes, not "${metric.text}"`, metric.offset, Math.max(1, metric.text.length));
      return undefined;
    }
    out.count = count;
    out.metric = metric.text;
    const dir = parts[3];
    if (dir !== undefined) {
      if (dir.text !== 'src' && dir.text !== 'dst') {
        ctx.error(`tag direction must be src or dst, not "${dir.text}"`, dir.offset, Math.max(1, dir.text.length));
        return undefined;
      }
      out.direction = dir.text;
    }
    return out;
  },
  print: (v) => [v.type, ...(v.count !== undefined ? [String(v.count), v.metric!] : []), ...(v.direction ? [v.direction] : [])].join(','),
};

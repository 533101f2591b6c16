import type { KeywordModule } from '../keyword.js';
import { parseDecimal, requireValue, splitList, splitWord } from '../lib/text.js';

export interface XbitsValue {
  cmd: 'set' | 'unset' | 'toggle' | 'isset' | 'isnotset' | 'noalert';
  name?: string;
  track?: 'ip_src' | 'ip_dst' | 'ip_pair';
  expire?: number;
}

const COMMANDS = ['set', 'unset', 'toggle', 'isset', 'isnotset', 'noalert'];
const TRACKS = ['ip_src', 'ip_dst', 'ip_pair'];

/**
 * `xbits:set,name,track ip_src[,expire 60];` bits kept per host or host pair for a while
 * (Suricata), set, unset or toggled by a matching rule and checked by others (the detection
 * engine keeps them: src/match/xbits.ts).
 */
export const xbits: KeywordModule<XbitsValue> = {
  keyword: 'xbits',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('xbits', raw, ctx, 'xbits:set,name,track ip_src;');
    if (v === undefined || raw === null) return undefined;
    const parts = splitList(raw, ',', v.offset, v.offset + v.text.length);
    const cmd = parts[0]!;
    if (!COMMANDS.includes(cmd.text)) {
      ctx.error(`unknown xbits command "${cmd.text}": use set, unset, toggle, isset, isnotset or noalert`, cmd.offset, Math.max(1, cmd.text.length));
      return undefined;
    }
    if (cmd.text === 'noalert') return { cmd: 'noalert' };
    const name = parts[1];
    if (name === undefined || !/^[A-Za-z0-9_.\-]+$/.test(name.text)) {
      ctx.error(`xbits:${cmd.text} needs a bit name: write xbits:${cmd.text},name,track ip_src;`, name?.offset ?? cmd.offset, 1);
      return undefined;
    }
    const out: XbitsValue = { cmd: cmd.text as XbitsValue['cmd'], name: name.text };
    for (const p of parts.slice(2)) {
      const { word, rest } = splitWord(p);
      if (word.text === 'track' && TRACKS.includes(rest.text) && out.track === undefined) out.track = rest.text as XbitsValue['track'];
      else if (word.text === 'expire' && out.expire === undefined && parseDecimal(rest.text) !== undefined) out.expire = parseDecimal(rest.text);
      else {
        ctx.error(`bad xbits option "${p.text}": use track ip_src|ip_dst|ip_pair and expire SECONDS`, p.offset, Math.max(1, p.text.length));
        return undefined;
      }
    }
    if (out.track === undefined) {
      ctx.error(`xbits needs track ip_src, ip_dst or ip_pair: write xbits:${cmd.text},${name.text},track ip_src;`, v.offset, v.text.length);
      return undefined;
    }
    return out;
  },
  print(v) {
    if (v.cmd === 'noalert') return 'noalert';
    return [v.cmd, v.name, `track ${v.track}`, ...(v.expire !== undefined ? [`expire ${v.expire}`] : [])].join(',');
  },
};

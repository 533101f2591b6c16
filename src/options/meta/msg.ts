import type { KeywordModule } from '../keyword.js';
import { parseQuotedText, printQuotedText } from '../lib/quoted.js';

/** `msg:"text";` the rule's description (alert signature). */
export const msg: KeywordModule<string> = {
  keyword: 'msg',
  category: 'meta',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    const text = parseQuotedText('msg', raw, ctx);
    // Suricata refuses it; kanshi loads it, but its alerts would say nothing.
    if (text === '') ctx.warning('empty msg: Suricata 7 refuses it, and alerts would carry no description; write what the rule detects, as msg:"...";', raw!.indexOf('"'), 2);
    return text;
  },
  print: (value) => printQuotedText(value),
};

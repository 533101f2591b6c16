import type { KeywordModule } from '../keyword.js';
import { parseQuotedText, printQuotedText } from '../lib/quoted.js';

/** `msg:"text";` the rule's description (alert signature). */
export const msg: KeywordModule<string> = {
  keyword: 'msg',
  category: 'meta',
  takesValue: 'required',
  singleUse: true,
  parse: (raw, ctx) => parseQuotedText('msg', raw, ctx),
  print: (value) => printQuotedText(value),
};

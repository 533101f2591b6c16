import type { KeywordModule } from '../keyword.js';
import { parseContentString, printContentString, type ContentBytes } from '../lib/content-string.js';

export type ContentValue = ContentBytes;

/**
 * `content:[!]"text|0D 0A|";` a byte pattern in the current buffer. Its modifiers (nocase,
 * depth, http_uri, ...) are separate options that follow it; rule-body.ts attaches them.
 */
export const content: KeywordModule<ContentValue> = {
  keyword: 'content',
  category: 'payload',
  takesValue: 'required',
  parse: (raw, ctx) => parseContentString('content', raw, ctx),
  print: (value) => printContentString(value),
};

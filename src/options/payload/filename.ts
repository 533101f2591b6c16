import type { KeywordModule } from '../keyword.js';
import { parseContentString, printContentString, type ContentBytes } from '../lib/content-string.js';
import { contentMatcher } from './content.js';

/**
 * Suricata's `filename:"setup";`: the file name holds the text, any case (`!` negates). As in
 * Suricata, a content on file.name: `file.name; content:"setup"; nocase;`.
 */
export const filename: KeywordModule<ContentBytes> = {
  keyword: 'filename',
  category: 'payload',
  takesValue: 'required',
  buffer: 'file.name',
  parse: (raw, ctx) => parseContentString('filename', raw, ctx),
  print: (value) => printContentString(value),
  payloadMatcher: contentMatcher,
};

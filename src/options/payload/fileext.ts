import type { KeywordModule } from '../keyword.js';
import { parseContentString, printContentString, type ContentBytes } from '../lib/content-string.js';
import { contentMatcher } from './content.js';

/**
 * Suricata's `fileext:"exe";`: the file name ends with `.exe`, any case (`!` negates). As in
 * Suricata, a content on file.name: `file.name; content:".exe"; nocase; endswith;`.
 */
export const fileext: KeywordModule<ContentBytes> = {
  keyword: 'fileext',
  category: 'payload',
  takesValue: 'required',
  buffer: 'file.name',
  parse: (raw, ctx) => parseContentString('fileext', raw, ctx),
  print: (value) => printContentString(value),
  payloadMatcher: contentMatcher,
};

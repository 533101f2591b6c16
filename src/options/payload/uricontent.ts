import type { KeywordModule } from '../keyword.js';
import { parseContentString, printContentString, type ContentBytes } from '../lib/content-string.js';
import { contentMatcher } from './content.js';

/** Snort 2's `uricontent:"..."`: a content that inspects http.uri (same as `content:"..."; http_uri;`). */
export const uricontent: KeywordModule<ContentBytes> = {
  keyword: 'uricontent',
  category: 'payload',
  takesValue: 'required',
  buffer: 'http.uri',
  parse: (raw, ctx) => parseContentString('uricontent', raw, ctx),
  print: (value) => printContentString(value),
  payloadMatcher: contentMatcher,
};

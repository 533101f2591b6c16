import type { KeywordModule } from '../keyword.js';
import { splitList } from '../lib/text.js';

export interface FilestoreValue {
  direction?: 'request' | 'to_server' | 'response' | 'to_client' | 'both';
  scope?: 'file' | 'tx' | 'ssn' | 'flow';
}

const DIRECTIONS = new Set(['request', 'to_server', 'response', 'to_client', 'both']);
const SCOPES = new Set(['file', 'tx', 'ssn', 'flow']);
const EXAMPLE = 'filestore:to_client,file;';

/**
 * `filestore[:direction[,scope]];` (Suricata): store the file of a matching transaction. It
 * says what to do after a match, not what matches: kanshi evaluates and alerts on the rule as
 * Suricata does, and keeps no files (it has no file store), as with `tag`.
 */
export const filestore: KeywordModule<FilestoreValue> = {
  keyword: 'filestore',
  category: 'post-detection',
  takesValue: 'optional',
  singleUse: true,
  parse(raw, ctx) {
    if (raw === null || raw.trim() === '') return {};
    const parts = splitList(raw, ',', 0, raw.length);
    if (parts.length > 2) {
      ctx.error(`filestore takes a direction and a scope: write ${EXAMPLE}`, parts[2]!.offset, Math.max(1, parts[2]!.text.length));
      return undefined;
    }
    const [d, s] = parts;
    if (!DIRECTIONS.has(d!.text)) {
      ctx.error(`filestore direction must be request, response, to_server, to_client or both, not "${d!.text}"`, d!.offset, Math.max(1, d!.text.length));
      return undefined;
    }
    if (s !== undefined && !SCOPES.has(s.text)) {
      ctx.error(`filestore scope must be file, tx, ssn or flow, not "${s.text}"`, s.offset, Math.max(1, s.text.length));
      return undefined;
    }
    return { direction: d!.text as FilestoreValue['direction'], ...(s !== undefined ? { scope: s.text as FilestoreValue['scope'] } : {}) };
  },
  print: (v) => (v.direction === undefined ? null : v.direction + (v.scope !== undefined ? `,${v.scope}` : '')),
};

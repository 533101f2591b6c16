/**
 * The families of variants `kanshi test --properties` generates, and which apply to a case:
 * by its protocol, its target server and whether it is positive (every evasion an attacker has)
 * or negative (only rewritings a benign client or the network makes).
 */
import { splitLogRequest } from './http-message.js';
import { inputKind, streamProtocol, type TestCase } from './model.js';
import { rechunkable } from './variants/chunked.js';

export const FAMILIES = {
  segment: 'TCP segmentation at random points, and a send dribbled out 1 to 8 bytes per segment',
  reorder: 'TCP segments sent out of order',
  duplicate: 'TCP segments sent twice',
  overlap: 'overlapping retransmissions carrying the same bytes',
  fragment: 'IP fragmentation (datagram fragments also out of order)',
  'method-case': 'case of the HTTP method (IIS)',
  'header-case': 'case of header names',
  'header-order': 'order of header fields',
  'extra-headers': 'benign header fields added',
  fold: 'header values folded onto continuation lines',
  percent: 'percent-encoding of URI characters, case of hex digits',
  'u-encoding': 'IIS %uXXXX and full-width %uFFxx escapes in the path (IIS)',
  overlong: 'overlong UTF-8 in the path, escaped or raw (IIS)',
  'double-encoding': 'double percent-encoding in the path (IIS)',
  'path-tricks': '/./ and // inserted in the path',
  'path-case': 'case of letters in path names (IIS)',
  chunked: 'HTTP/1.1 bodies sent with Transfer-Encoding: chunked instead of Content-Length',
  'command-case': 'case of SMTP command verbs and keywords',
  'command-space': 'extra spaces in SMTP MAIL/RCPT commands',
} as const;

export type Family = keyof typeof FAMILIES;
export const FAMILY_NAMES = Object.keys(FAMILIES) as Family[];

export function isFamily(name: string): name is Family {
  return Object.prototype.hasOwnProperty.call(FAMILIES, name);
}

const TRANSPORT: readonly Family[] = ['segment', 'reorder', 'duplicate', 'overlap', 'fragment'];
const HTTP_ANY: readonly Family[] = ['header-case', 'header-order', 'extra-headers', 'fold', 'percent', 'path-tricks'];
const HTTP_IIS: readonly Family[] = ['method-case', 'u-encoding', 'overlong', 'double-encoding', 'path-case'];
/** What an access-log line's request can show of an evasion: its URI (and method) as sent. */
const LOG_ANY: readonly Family[] = ['percent', 'path-tricks'];
const LOG_IIS: readonly Family[] = ['method-case', 'u-encoding', 'overlong', 'double-encoding', 'path-case'];
const SMTP: readonly Family[] = ['command-case', 'command-space', 'header-case', 'header-order', 'extra-headers', 'fold'];
/**
 * What a benign client, server or network may do to traffic: negatives must stay silent under it.
 * Clients that stream an upload, and servers that stream a page, send their bodies chunked.
 */
const BENIGN: ReadonlySet<Family> = new Set<Family>([...TRANSPORT, 'header-case', 'header-order', 'extra-headers', 'chunked']);

/** Every family that makes sense for the case's traffic. */
export function applicableFamilies(c: TestCase): Family[] {
  switch (inputKind(c)) {
    case 'pcap':
      return [];
    case 'log': {
      // A web log records the request line as the client sent it: URI evasions show there.
      const hasRequest = c.sections.some((s) => s.kind === 'log' && s.lines.some((l) => splitLogRequest(l) !== null));
      return hasRequest ? [...LOG_ANY, ...(c.target === 'iis' ? LOG_IIS : [])] : [];
    }
    case 'datagrams':
      return ['fragment'];
    case 'stream':
      switch (streamProtocol(c)) {
        case 'http': {
          // Only a message whose body its Content-Length frames has a body to send chunked.
          const body = c.sections.some((_, i) => rechunkable(c, i));
          return [...TRANSPORT, ...HTTP_ANY, ...(body ? (['chunked'] as const) : []), ...(c.target === 'iis' ? HTTP_IIS : [])];
        }
        case 'smtp':
          return [...TRANSPORT, ...SMTP];
        case 'tcp':
          return [...TRANSPORT];
      }
  }
}

/** The families used for the case: its defaults, as changed by its `variants:` line. */
export function selectedFamilies(c: TestCase): Set<Family> {
  const applicable = applicableFamilies(c);
  const sel = c.variants;
  let chosen: Set<Family>;
  if (sel.only !== undefined) {
    chosen = new Set(sel.only.filter(isFamily));
  } else {
    chosen = new Set(c.expect === 'positive' ? applicable : applicable.filter((f) => BENIGN.has(f)));
    for (const f of sel.add) if (isFamily(f)) chosen.add(f);
  }
  for (const f of sel.remove) if (isFamily(f)) chosen.delete(f);
  return new Set(applicable.filter((f) => chosen.has(f)));
}

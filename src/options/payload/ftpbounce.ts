import type { KeywordModule } from '../keyword.js';
import { expectNoValue } from '../lib/text.js';
import { NO_MATCH, type Inspection, type PayloadMatcher } from '../matcher.js';

export interface FtpBounceValue {
  /** Always true: the address is read where the previous match left the cursor. */
  relative: true;
}

const VALUE: FtpBounceValue = Object.freeze({ relative: true });

/**
 * `ftpbounce;` an FTP PORT command whose address is not the sender's own: the client asks the
 * server to connect to a third host (the "FTP bounce" of CVE-1999-0017). As Snort's rule option,
 * it reads `h1,h2,h3,h4` where the previous match left the cursor (after `content:"PORT"`),
 * blanks allowed around the numbers, each 0-255, and matches when that IPv4 address differs
 * from the address the data came from; the cursor stays. A `PORT` word at the cursor is skipped,
 * so the keyword also works without a content before it. An IPv6 or unknown sender never matches.
 */
export const ftpbounce: KeywordModule<FtpBounceValue> = {
  keyword: 'ftpbounce',
  category: 'payload',
  takesValue: 'none',
  parse: (raw, ctx) => (expectNoValue('ftpbounce', raw, ctx) ? VALUE : undefined),
  print: () => null,
  payloadMatcher: () => new FtpBounceMatcher(),
};

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * The IPv4 address of a PORT argument at buf[i..) as a 32-bit number, or -1 when it is not
 * four comma-separated decimal numbers of 0-255.
 */
export function portCommandAddress(buf: Uint8Array, i: number): number {
  const end = buf.length;
  while (i < end && isBlank(buf[i]!)) i++;
  if (i + 4 <= end && (buf[i]! | 0x20) === 0x70 && (buf[i + 1]! | 0x20) === 0x6f && (buf[i + 2]! | 0x20) === 0x72 && (buf[i + 3]! | 0x20) === 0x74) {
    i += 4;
    while (i < end && isBlank(buf[i]!)) i++;
  }
  let address = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      while (i < end && isBlank(buf[i]!)) i++;
      if (i >= end || buf[i] !== 0x2c) return -1;
      i++;
      while (i < end && isBlank(buf[i]!)) i++;
    }
    let v = 0;
    let digits = 0;
    while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
      v = v * 10 + (buf[i]! - 0x30);
      if (++digits > 3 || v > 255) return -1;
      i++;
    }
    if (digits === 0) return -1;
    address = address * 256 + v;
  }
  return address;
}

class FtpBounceMatcher implements PayloadMatcher {
  readonly relative = true;
  readonly searches = false;
  readonly independent = false;
  readonly absolute = false;
  readonly advances = false;
  readonly readsSender = true;

  match(ins: Inspection, cursor: number, _from: number): number {
    const sender = ins.sender;
    if (sender.length !== 4) return NO_MATCH;
    const address = portCommandAddress(ins.buf, cursor);
    if (address < 0) return NO_MATCH;
    const own = ((sender[0]! << 24) >>> 0) + (sender[1]! << 16) + (sender[2]! << 8) + sender[3]!;
    return address !== own ? cursor : NO_MATCH;
  }
}

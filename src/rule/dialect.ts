/**
 * Recognises Snort 3 rules, so that a Snort 3 rules file is reported as a different dialect
 * instead of as thousands of unrelated option errors.
 */

/** Options that exist only in Snort 3. */
const SNORT3_ONLY: ReadonlySet<string> = new Set([
  'service', 'bufferlen', 'raw_data', 'js_data', 'vba_data', 'script_data', 'http_param', 'http_raw_body',
  'http_raw_request', 'http_raw_status', 'http_raw_trailer', 'http_raw_cookie', 'http_true_ip', 'http_version',
  'http_trailer', 'http_version_match', 'http_num_headers', 'http_num_trailers', 'http_max_header_line',
  'http_max_trailer_line', 'http_num_cookies', 'sha256', 'sha512', 'md5', 'rem', 'so', 'ber_data', 'ber_skip',
  'regex', 'file_meta',
]);

/** Snort 3 content sub-options written after a comma: `content:"x",depth 4,nocase`. */
const CONTENT_SUBOPTION = /^\s*!?\s*"(?:[^"\\]|\\.)*"\s*,\s*(offset|depth|distance|within|nocase|fast_pattern|fast_pattern_offset|fast_pattern_length)\b/;

export interface OptionText {
  keyword: string;
  raw: string | null;
  /** Offset of the option in its line. */
  offset: number;
  length: number;
  /** Whether the value's last non-blank character is a quote, answered without cutting the value out (raw). */
  valueEndsWithQuote(): boolean;
}

export interface DialectHint {
  message: string;
  /** What to write instead, for file-level reports. */
  advice: string;
  offset: number;
  length: number;
}

const PREFIX = 'Snort 3 syntax is not supported (kanshi reads Snort 2 / Suricata rules)';

/**
 * The first sign that a rule is written for Snort 3, or undefined.
 * Only options that cannot be Snort 2 / Suricata count, so valid rules are never flagged.
 */
export function snort3Hint(options: readonly OptionText[], isKnown: (keyword: string) => boolean): DialectHint | undefined {
  for (const o of options) {
    // The cheap test first: almost every content is a plain quoted string.
    if ((o.keyword === 'content' || o.keyword === 'protected_content') && !o.valueEndsWithQuote() && o.raw !== null && o.raw.includes(',')) {
      const m = CONTENT_SUBOPTION.exec(o.raw);
      if (m) {
        const advice = `write ${rewriteContent(o.keyword, o.raw)} instead of ${o.keyword}:${shortenContent(o.raw)}`;
        return { message: `${PREFIX}: ${advice}`, advice, offset: o.offset, length: o.length };
      }
    }
    if (o.keyword === 'service' && !isKnown(o.keyword)) {
      const advice = `'service' is a Snort 3 option; name the application protocol in the header instead, as alert http ...`;
      return { message: `${PREFIX}: ${advice}`, advice, offset: o.offset, length: o.length };
    }
    if (SNORT3_ONLY.has(o.keyword) && !isKnown(o.keyword)) {
      const advice = `'${o.keyword}' is a Snort 3 option with no Snort 2 / Suricata equivalent in kanshi`;
      return { message: `${PREFIX}: ${advice}`, advice, offset: o.offset, length: o.length };
    }
  }
  return undefined;
}

/** `"abc",depth 4,nocase` -> `content:"abc"; depth:4; nocase;` */
function rewriteContent(keyword: string, raw: string): string {
  const m = /^\s*(!?\s*"(?:[^"\\]|\\.)*")\s*,(.*)$/.exec(raw);
  if (!m) return `${keyword}:...;`;
  const parts = [`${keyword}:${shorten(m[1]!)};`];
  for (const sub of m[2]!.split(',')) {
    const [name, ...arg] = sub.trim().split(/\s+/);
    if (!name) continue;
    parts.push(arg.length ? `${name}:${arg.join(' ')};` : `${name};`);
  }
  return parts.join(' ');
}

/** `"long string...",depth 4` with only the string shortened. */
function shortenContent(raw: string): string {
  const m = /^\s*(!?\s*"(?:[^"\\]|\\.)*")(.*)$/.exec(raw);
  return m ? shorten(m[1]!) + m[2]!.trim() : shorten(raw.trim());
}

function shorten(s: string): string {
  if (s.length <= 32) return s;
  const quoted = s.startsWith('"') || s.startsWith('!');
  return s.slice(0, 28) + (quoted ? '..."' : '...');
}

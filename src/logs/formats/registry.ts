import type { LogFormatName } from '../record.js';
import { combinedFormat, commonFormat, vhostCombinedFormat } from './access.js';
import { looksLikeApacheError, parseApacheErrorLine } from './apache-error.js';
import type { LogFormatModule } from './context.js';
import { iisFormat, iisNativeFormat } from './iis.js';
import { jsonFormat } from './json.js';
import { rawFormat } from './raw.js';
import { classifySyslogLine, parseSyslogFamily, type SyslogKind } from './syslog.js';

function syslogMember(name: SyslogKind): LogFormatModule {
  return {
    name,
    // The generic member scores every syslog line a little, so a mixed file reads as "syslog".
    probe: (line, ctx) => {
      const kind = classifySyslogLine(line, ctx);
      if (name === 'syslog') return kind !== undefined ? 0.5 : 0;
      return kind === name ? 1 : 0;
    },
    // Members share one parser: each line is dispatched by its own content.
    parse: parseSyslogFamily,
  };
}

const apacheErrorFormat: LogFormatModule = {
  name: 'apache_error',
  probe: (line, ctx) => (looksLikeApacheError(line, 0) || classifySyslogLine(line, ctx) === 'apache_error' ? 1 : 0),
  parse: (line, ctx) => (line[0] === 0x5b ? parseApacheErrorLine(line, ctx) : parseSyslogFamily(line, ctx)),
};

/** Every format, most specific first: on equal detection scores the earlier one wins. */
export const LOG_FORMATS: readonly LogFormatModule[] = [
  vhostCombinedFormat,
  combinedFormat,
  commonFormat,
  iisFormat,
  iisNativeFormat,
  jsonFormat,
  apacheErrorFormat,
  syslogMember('netfilter'),
  syslogMember('asa'),
  syslogMember('sendmail'),
  syslogMember('postfix'),
  syslogMember('portsentry'),
  syslogMember('scanlogd'),
  syslogMember('syslog'),
  rawFormat,
];

const BY_NAME = new Map<string, LogFormatModule>(LOG_FORMATS.map((f) => [f.name, f]));
/** Names users know from other tools. */
const ALIASES = new Map<string, LogFormatName>([
  ['apache', 'combined'],
  ['ncsa', 'common'],
  ['clf', 'common'],
  ['nginx', 'combined'],
  ['w3c', 'iis'],
  ['iis_log', 'iis_native'],
  ['iptables', 'netfilter'],
  ['ufw', 'netfilter'],
  ['pix', 'asa'],
  ['cisco', 'asa'],
  ['eve', 'json'],
  ['jsonl', 'json'],
  ['ndjson', 'json'],
  ['text', 'raw'],
]);

export function logFormatByName(name: string): LogFormatModule | undefined {
  const n = name.toLowerCase().replace(/-/g, '_');
  return BY_NAME.get(n) ?? BY_NAME.get(ALIASES.get(n) ?? '');
}

export function logFormatNames(): string[] {
  return [...BY_NAME.keys()];
}

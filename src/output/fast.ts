import type { Alert } from '../types/alert.js';
import { fastTimestamp } from './timestamp.js';

/** Snort's alert_fast line. IPv6 endpoints are bracketed so the port stays unambiguous. */
export function fastLine(a: Alert): string {
  const cls = a.category ? ` [Classification: ${a.category}]` : '';
  return (
    `${fastTimestamp(a.tsUs)}  [**] [${a.gid}:${a.sid}:${a.rev}] ${a.signature} [**]${cls} [Priority: ${a.severity}] ` +
    `{${a.proto}} ${endpoint(a.srcIp, a.srcPort)} -> ${endpoint(a.destIp, a.destPort)}`
  );
}

/** An address a log record does not carry (a web access log has no server address) prints as `-`. */
function endpoint(ip: string, port: number | undefined): string {
  const host = ip === '' ? '-' : ip.includes(':') ? `[${ip}]` : ip;
  return port === undefined ? host : `${host}:${port}`;
}

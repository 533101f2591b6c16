/**
 * Addresses of a case's traffic. The defaults follow the samples' layout: an outside host in
 * 198.51.100.0/24 talking to a server in 192.168.1.0/24, so `HOME_NET=192.168.0.0/16` makes
 * the server "home" without further settings.
 */
import { streamProtocol, type TestCase } from './model.js';

export const DEFAULT_CLIENT_IP = '198.51.100.7';
export const DEFAULT_CLIENT_PORT = 1042;
export const DEFAULT_SERVER_IP = '192.168.1.10';

/** "ip:port" or "[v6]:port" from an endpoint written with or without its port. */
export function withPort(text: string, port: number): string {
  const v = text.trim();
  if (v.startsWith('[')) return /\]:\d+$/.test(v) ? v : `${v}:${port}`;
  const colons = (v.match(/:/g) ?? []).length;
  if (colons === 0) return `${v}:${port}`;
  if (colons === 1) return v;
  return `[${v}]:${port}`; // a bare IPv6 address
}

/** The address part of an endpoint text. */
export function hostOf(endpoint: string): string {
  const v = endpoint.trim();
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']'));
  const colons = (v.match(/:/g) ?? []).length;
  return colons === 1 ? v.slice(0, v.indexOf(':')) : v;
}

function hasPort(text: string): boolean {
  const v = text.trim();
  if (v.startsWith('[')) return /\]:\d+$/.test(v);
  return (v.match(/:/g) ?? []).length === 1;
}

export class EndpointError extends Error {}

/** Client and server endpoints of a stream or datagram case, defaults filled in. */
export function caseEndpoints(c: TestCase, kind: 'stream' | 'udp' | 'icmp'): { client: string; server: string } {
  const client = withPort(c.client ?? DEFAULT_CLIENT_IP, DEFAULT_CLIENT_PORT);
  let defaultPort = 0;
  if (kind === 'stream') {
    const proto = streamProtocol(c);
    defaultPort = proto === 'http' ? 80 : proto === 'smtp' ? 25 : 0;
  }
  if (kind === 'icmp') defaultPort = 0;
  const serverText = c.server ?? DEFAULT_SERVER_IP;
  if (defaultPort === 0 && kind !== 'icmp' && !hasPort(serverText)) {
    throw new EndpointError(`say which server port the traffic goes to, e.g. "server: ${hostOf(serverText)}:1434"`);
  }
  return { client, server: withPort(serverText, defaultPort) };
}

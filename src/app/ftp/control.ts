/**
 * The FTP control connection, read only for what announces a data connection (RFC 959, RFC
 * 2428): the client's PORT and EPRT commands (the server will connect to the address given) and
 * the server's 227 and 229 replies to PASV and EPSV (the client will connect to it). Each
 * announcement is handed over as the address and port the data connection's server side will
 * have, so that connection can be recognised as ftp-data when it opens. Lines are read up to
 * MAX_FTP_LINE bytes (longer ones are skipped); a gap ends the reading of a direction.
 */

export const MAX_FTP_LINE = 1024;

const LF = 0x0a;

export interface FtpContext {
  /** A data connection is announced: its server side will be `ip` (text) and `port`. */
  expect(ip: string, port: number): void;
}

class Direction {
  readonly line = new Uint8Array(MAX_FTP_LINE);
  length = 0;
  /** The current line is longer than MAX_FTP_LINE: skipped to its end. */
  skipping = false;
  stopped = false;
}

export class FtpControl {
  private readonly dirs: [Direction, Direction] = [new Direction(), new Direction()];

  constructor(
    private readonly ctx: FtpContext,
    /** The control connection's server address (text), which EPSV replies leave out. */
    private readonly serverIp: string,
  ) {}

  data(toServer: boolean, chunk: Uint8Array): void {
    const d = this.dirs[toServer ? 0 : 1]!;
    if (d.stopped) return;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === LF) {
        if (!d.skipping) this.onLine(toServer, Buffer.from(d.line.buffer, 0, d.length).toString('latin1').trimEnd());
        d.length = 0;
        d.skipping = false;
      } else if (d.length < MAX_FTP_LINE) d.line[d.length++] = c;
      else d.skipping = true;
    }
  }

  gap(toServer: boolean): void {
    this.dirs[toServer ? 0 : 1]!.stopped = true;
  }

  private onLine(toServer: boolean, line: string): void {
    const a = toServer ? parseClientAnnouncement(line) : parseServerAnnouncement(line, this.serverIp);
    if (a !== null) this.ctx.expect(a.ip, a.port);
  }
}

function port(hi: number, lo: number): number {
  return hi * 256 + lo;
}

function quad(parts: readonly string[]): string | null {
  const n = parts.map(Number);
  return n.every((x) => Number.isInteger(x) && x >= 0 && x <= 255) ? n.join('.') : null;
}

/** PORT h1,h2,h3,h4,p1,p2 / EPRT |1|ip|port| (or any delimiter, |2| for IPv6). */
export function parseClientAnnouncement(line: string): { ip: string; port: number } | null {
  let m = /^PORT\s+(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})\s*$/i.exec(line);
  if (m !== null) {
    const ip = quad(m.slice(1, 5));
    const hi = Number(m[5]);
    const lo = Number(m[6]);
    return ip !== null && hi <= 255 && lo <= 255 ? { ip, port: port(hi, lo) } : null;
  }
  m = /^EPRT\s+(.)([12])\1([0-9A-Fa-f:.]+)\1(\d{1,5})\1\s*$/i.exec(line);
  if (m !== null) {
    const p = Number(m[4]);
    if (p > 65535) return null;
    const ip = m[2] === '1' ? (m[3]!.split('.').length === 4 ? quad(m[3]!.split('.')) : null) : expandIpv6(m[3]!);
    return ip !== null ? { ip, port: p } : null;
  }
  return null;
}

/** 227 ... (h1,h2,h3,h4,p1,p2) / 229 ... (|||port|) (the control connection's server address). */
export function parseServerAnnouncement(line: string, serverIp: string): { ip: string; port: number } | null {
  let m = /^227[ -].*?(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})/.exec(line);
  if (m !== null) {
    const ip = quad(m.slice(1, 5));
    const hi = Number(m[5]);
    const lo = Number(m[6]);
    return ip !== null && hi <= 255 && lo <= 255 ? { ip, port: port(hi, lo) } : null;
  }
  m = /^229[ -].*\((.)\1\1(\d{1,5})\1\)/.exec(line);
  if (m !== null && serverIp !== '') {
    const p = Number(m[2]);
    return p <= 65535 ? { ip: serverIp, port: p } : null;
  }
  return null;
}

/** An address as announcements name it: dotted IPv4, or IPv6 as eight full lower-case groups. */
export function addressKey(ip: Uint8Array): string {
  if (ip.length === 4) return ip.join('.');
  const groups: string[] = [];
  for (let i = 0; i + 1 < ip.length; i += 2) groups.push(((ip[i]! << 8) | ip[i + 1]!).toString(16).padStart(4, '0'));
  return groups.join(':');
}

/** IPv6 text (with `::`, without an embedded IPv4 tail) as eight full lower-case groups, or null. */
export function expandIpv6(text: string): string | null {
  const halves = text.toLowerCase().split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const all = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => g.padStart(4, '0')).join(':');
}

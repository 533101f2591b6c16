import { type Bytes, concatBytes, toBytes } from './bytes.js';
import { type SendOptions, type TcpSessionOptions, TcpSession } from './tcp-session.js';

/** Header fields in order; duplicates allowed when given as pairs. */
export type HeaderList = Record<string, string> | ReadonlyArray<readonly [string, string]>;

export interface HttpRequestSpec {
  method?: string;
  uri?: string;
  version?: string;
  headers?: HeaderList;
  body?: Bytes;
}

export interface HttpResponseSpec {
  version?: string;
  status?: number;
  reason?: string;
  headers?: HeaderList;
  body?: Bytes;
  /** Send the body chunked: true for one chunk, or the chunk sizes. */
  chunked?: boolean | readonly number[];
}

function headerPairs(headers: HeaderList | undefined): [string, string][] {
  if (headers === undefined) return [];
  if (Array.isArray(headers)) return headers.map(([k, v]) => [k, v]);
  return Object.entries(headers as Record<string, string>);
}

function hasHeader(pairs: [string, string][], name: string): boolean {
  const lower = name.toLowerCase();
  return pairs.some(([k]) => k.toLowerCase() === lower);
}

function headerBlock(startLine: string, pairs: [string, string][]): Uint8Array {
  return toBytes(`${startLine}\r\n${pairs.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
}

/**
 * An HTTP/1.x request. Host defaults to `host` when given; Content-Length is added for a body
 * unless the headers already frame it.
 */
export function httpRequest(spec: HttpRequestSpec, host?: string): Uint8Array {
  const pairs = headerPairs(spec.headers);
  const body = toBytes(spec.body ?? '');
  if (host !== undefined && !hasHeader(pairs, 'host')) pairs.unshift(['Host', host]);
  if (body.length > 0 && !hasHeader(pairs, 'content-length') && !hasHeader(pairs, 'transfer-encoding')) {
    pairs.push(['Content-Length', String(body.length)]);
  }
  const line = `${spec.method ?? 'GET'} ${spec.uri ?? '/'} ${spec.version ?? 'HTTP/1.1'}`;
  return concatBytes([headerBlock(line, pairs), body]);
}

/** An HTTP/1.x response, framed by Content-Length or chunked transfer coding. */
export function httpResponse(spec: HttpResponseSpec = {}): Uint8Array {
  const pairs = headerPairs(spec.headers);
  const body = toBytes(spec.body ?? '');
  const status = spec.status ?? 200;
  const line = `${spec.version ?? 'HTTP/1.1'} ${status} ${spec.reason ?? reasonPhrase(status)}`;
  if (spec.chunked !== undefined && spec.chunked !== false) {
    if (!hasHeader(pairs, 'transfer-encoding')) pairs.push(['Transfer-Encoding', 'chunked']);
    const sizes = spec.chunked === true ? [body.length] : spec.chunked;
    const parts: Uint8Array[] = [headerBlock(line, pairs)];
    let o = 0;
    for (const size of sizes) {
      if (o >= body.length) break;
      const piece = body.subarray(o, Math.min(o + size, body.length));
      parts.push(toBytes(`${piece.length.toString(16)}\r\n`), piece, toBytes('\r\n'));
      o += piece.length;
    }
    if (o < body.length) {
      const piece = body.subarray(o);
      parts.push(toBytes(`${piece.length.toString(16)}\r\n`), piece, toBytes('\r\n'));
    }
    parts.push(toBytes('0\r\n\r\n'));
    return concatBytes(parts);
  }
  if (!hasHeader(pairs, 'content-length')) pairs.push(['Content-Length', String(body.length)]);
  return concatBytes([headerBlock(line, pairs), body]);
}

function reasonPhrase(status: number): string {
  const known: Record<number, string> = {
    200: 'OK',
    201: 'Created',
    204: 'No Content',
    301: 'Moved Permanently',
    302: 'Found',
    304: 'Not Modified',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    500: 'Internal Server Error',
  };
  return known[status] ?? 'Status';
}

export interface HttpExchange {
  request: HttpRequestSpec | Bytes;
  /** null: the server does not answer this request. */
  response?: HttpResponseSpec | Bytes | null;
  requestSend?: SendOptions;
  responseSend?: SendOptions;
}

export interface HttpConversationOptions extends Partial<TcpSessionOptions> {
  /** One exchange (request and response) ... */
  request?: HttpRequestSpec | Bytes;
  response?: HttpResponseSpec | Bytes | null;
  requestSend?: SendOptions;
  responseSend?: SendOptions;
  /** ... or several over the same connection (keep-alive). */
  exchanges?: readonly HttpExchange[];
  /** Send every request before the first response. */
  pipeline?: boolean;
  /** End with a FIN exchange (default true). */
  close?: boolean;
}

/** A whole HTTP conversation on one TCP connection: handshake, exchanges, teardown. */
export function httpConversation(options: HttpConversationOptions): TcpSession {
  const session = new TcpSession({
    ...options,
    client: options.client ?? '10.0.0.1:49152',
    server: options.server ?? '10.0.0.2:80',
  });
  const host = hostOf(options.server ?? '10.0.0.2:80');
  const exchanges: HttpExchange[] = options.exchanges !== undefined ? [...options.exchanges] : [];
  if (options.request !== undefined) {
    exchanges.unshift({
      request: options.request,
      ...(options.response !== undefined ? { response: options.response } : {}),
      ...(options.requestSend !== undefined ? { requestSend: options.requestSend } : {}),
      ...(options.responseSend !== undefined ? { responseSend: options.responseSend } : {}),
    });
  }
  const requestBytes = (x: HttpExchange): Uint8Array =>
    isBytes(x.request) ? toBytes(x.request) : httpRequest(x.request, host);
  const responseBytes = (x: HttpExchange): Uint8Array | null =>
    x.response === null ? null : isBytes(x.response) ? toBytes(x.response) : httpResponse(x.response ?? {});
  session.handshake();
  if (options.pipeline === true) {
    for (const x of exchanges) session.send('client', requestBytes(x), x.requestSend ?? {});
    for (const x of exchanges) {
      const r = responseBytes(x);
      if (r !== null) session.send('server', r, x.responseSend ?? {});
    }
  } else {
    for (const x of exchanges) {
      session.send('client', requestBytes(x), x.requestSend ?? {});
      const r = responseBytes(x);
      if (r !== null) session.send('server', r, x.responseSend ?? {});
    }
  }
  if (options.close ?? true) session.close('client');
  return session;
}

function isBytes(v: unknown): v is Bytes {
  return typeof v === 'string' || v instanceof Uint8Array;
}

/** The Host header value for a server endpoint: its address, with the port unless it is 80. */
function hostOf(endpoint: string): string {
  const colon = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, colon);
  const port = endpoint.slice(colon + 1);
  return port === '80' ? host : `${host}:${port}`;
}

export interface SmtpConversationOptions extends Partial<TcpSessionOptions> {
  serverName?: string;
  /** Name given in HELO/EHLO (default "client.example.com"). */
  helo?: string;
  /** Use HELO instead of EHLO. */
  useHelo?: boolean;
  from: string;
  to: string | readonly string[];
  /** The message as sent after DATA (headers, blank line, body). Lines starting with "." are dot-stuffed. */
  message: Bytes;
  /** How the message itself is cut into segments. */
  messageSend?: SendOptions;
  /** Extra commands before QUIT, with the server's reply (default "250 OK"). */
  extraCommands?: readonly (string | { command: string; reply: string })[];
  close?: boolean;
}

/** An SMTP conversation: banner, EHLO, MAIL FROM, RCPT TO, DATA, message, QUIT. */
export function smtpConversation(options: SmtpConversationOptions): TcpSession {
  const session = new TcpSession({
    ...options,
    client: options.client ?? '10.0.0.1:49153',
    server: options.server ?? '10.0.0.3:25',
  });
  const name = options.serverName ?? 'mail.example.com';
  const exchange = (command: string, reply: string): void => {
    session.send('client', `${command}\r\n`);
    session.send('server', `${reply}\r\n`);
  };
  session.handshake();
  session.send('server', `220 ${name} ESMTP ready\r\n`);
  const helo = options.helo ?? 'client.example.com';
  if (options.useHelo === true) exchange(`HELO ${helo}`, `250 ${name}`);
  else exchange(`EHLO ${helo}`, `250-${name}\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 PIPELINING`);
  exchange(`MAIL FROM:<${options.from}>`, '250 2.1.0 Ok');
  const recipients = typeof options.to === 'string' ? [options.to] : options.to;
  for (const rcpt of recipients) exchange(`RCPT TO:<${rcpt}>`, '250 2.1.5 Ok');
  exchange('DATA', '354 End data with <CR><LF>.<CR><LF>');
  session.send('client', dotStuff(toBytes(options.message)), options.messageSend ?? {});
  session.send('client', '.\r\n');
  session.send('server', '250 2.0.0 Ok: queued\r\n');
  for (const extra of options.extraCommands ?? []) {
    if (typeof extra === 'string') exchange(extra, '250 OK');
    else exchange(extra.command, extra.reply);
  }
  exchange('QUIT', '221 2.0.0 Bye');
  if (options.close ?? true) session.close('server');
  return session;
}

/** Doubles a leading "." on every line and makes the message end with CRLF, as SMTP clients do. */
function dotStuff(message: Uint8Array): Uint8Array {
  const out: number[] = [];
  let lineStart = true;
  for (const byte of message) {
    if (lineStart && byte === 0x2e) out.push(0x2e);
    out.push(byte);
    lineStart = byte === 0x0a;
  }
  if (out.length < 2 || out[out.length - 2] !== 0x0d || out[out.length - 1] !== 0x0a) out.push(0x0d, 0x0a);
  return Uint8Array.from(out);
}

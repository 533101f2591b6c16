import { describe, expect, it } from 'vitest';
import { httpConversation, httpRequest, httpResponse, smtpConversation } from '../../src/traffic/index.js';
import { decodeAll, streamOf, text } from './helpers.js';

describe('HTTP', () => {
  it('writes requests with Host and Content-Length, and responses framed either way', () => {
    expect(text(httpRequest({ method: 'POST', uri: '/a', headers: [['X-A', '1'], ['X-A', '2']], body: 'k=v' }, 'h.example'))).toBe(
      'POST /a HTTP/1.1\r\nHost: h.example\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 3\r\n\r\nk=v',
    );
    expect(text(httpRequest({ headers: { Host: 'given' } }, 'ignored'))).toBe('GET / HTTP/1.1\r\nHost: given\r\n\r\n');
    expect(text(httpResponse({ status: 404, body: 'no' }))).toBe('HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno');
    expect(text(httpResponse({ body: 'abcdefg', chunked: [3] }))).toBe(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n',
    );
  });

  it('runs a conversation over one connection, with the request cut where asked', () => {
    const s = httpConversation({
      client: '10.0.0.1:40000',
      server: '10.0.0.2:8080',
      request: { uri: '/login', headers: { 'User-Agent': 'test' } },
      requestSend: { segments: [3] },
      response: { body: 'welcome' },
    });
    const d = decodeAll(s.packets());
    expect(streamOf(d, 40000)).toBe('GET /login HTTP/1.1\r\nHost: 10.0.0.2:8080\r\nUser-Agent: test\r\n\r\n');
    expect(streamOf(d, 8080)).toBe('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nwelcome');
    expect(text(d[3]!.payload)).toBe('GET');
    expect(d.at(-1)!.tcp!.flags).toBe(0x10);
  });

  it('keeps connections alive for several exchanges, pipelined or not', () => {
    const exchanges = [
      { request: { uri: '/1' }, response: { body: 'one' } },
      { request: 'GET /2 HTTP/1.0\r\n\r\n', response: null },
    ];
    for (const pipeline of [false, true]) {
      const d = decodeAll(httpConversation({ exchanges, pipeline }).packets());
      expect(streamOf(d, 49152)).toBe('GET /1 HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\nGET /2 HTTP/1.0\r\n\r\n');
      expect(streamOf(d, 80)).toBe('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none');
    }
  });
});

describe('SMTP', () => {
  it('runs the whole dialogue, dot-stuffing the message', () => {
    const s = smtpConversation({
      from: 'alice@example.org',
      to: ['bob@example.com', 'carol@example.com'],
      message: 'Subject: hi\r\n\r\n.hidden line\r\nbye',
      extraCommands: ['NOOP', { command: 'VRFY root', reply: '252 maybe' }],
    });
    const d = decodeAll(s.packets());
    expect(streamOf(d, 49153)).toBe(
      'EHLO client.example.com\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.com>\r\n' +
        'RCPT TO:<carol@example.com>\r\nDATA\r\nSubject: hi\r\n\r\n..hidden line\r\nbye\r\n.\r\nNOOP\r\nVRFY root\r\nQUIT\r\n',
    );
    const server = streamOf(d, 25);
    expect(server.startsWith('220 mail.example.com ESMTP ready\r\n250-mail.example.com\r\n')).toBe(true);
    expect(server).toContain('354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued\r\n250 OK\r\n252 maybe\r\n221 2.0.0 Bye\r\n');
    // The server closes first.
    expect(d.find((p) => (p.tcp!.flags & 1) !== 0)!.srcPort).toBe(25);
  });
});

import { describe, expect, it } from 'vitest';
import { detectMidstream, detectToClient, detectToServer } from '../../src/app/detect.js';
import { bytes } from './helpers.js';

describe('protocol detection by content', () => {
  it.each([
    ['GET / HTTP/1.1\r\n', 'http'],
    ['GET ', 'http'],
    ['\r\nPOST /x HTTP/1.0\r\n', 'http'],
    ['PROPFIND /dav HTTP/1.1\r\n', 'http'],
    ['search /a HTTP/1.1\r\n', 'http'],
    ['BASELINE-CONTROL /a HTTP/1.1\r\n', 'http'],
    ['X-WHATEVER /a HTTP/1.1\r\n', 'http'],
    ['X-WHATEVER /a\r\n', 'http-if-answered'],
    ['X-WHATEVER /a HTTP/1.1', 'more'],
    ['G', 'more'],
    ['GE', 'more'],
    ['EHLO client.example\r\n', 'smtp'],
    ['helo x\r\n', 'smtp'],
    ['MAIL FROM:<a@b>\r\n', 'smtp'],
    ['\x16\x03\x01\x02\x00', 'more'],
    ['\x16\x03\x01\x02\x00\x01', 'tls'],
    ['\x16\x03\x03\x00\x10\x01', 'tls'],
    ['\x16\x03\x01\x02\x00\x02', 'none'],
    ['\x16\x02\x00\x02\x00\x01', 'none'],
    ['SSH-2.0-OpenSSH_3.5\r\n', 'ssh'],
    ['SS', 'more'],
    ['SEARCH /a HTTP/1.1\r\n', 'http'],
    ['USER anonymous\r\n', 'ftp'],
    ['feat\r\n', 'ftp'],
    ['PORT 10,0,0,1,4,1\r\n', 'ftp'],
    ['USERS /a HTTP/1.1\r\n', 'http'],
    ['\x00\x00\x00\x2f\xffSMBr', 'smb'],
    ['\x00\x00\x00\x2f\xfeSMB', 'smb'],
    ['\x81\x00\x00\x04abcd\x00\x00\x00\x10\xffSMB', 'smb'],
    ['\x81\x00\x00\x04abcd', 'more'],
    ['\x00\x00\x00\x10\xffSMX', 'none'],
    ['\x81\x00\x04\x00', 'none'],
    ['\x00\x00', 'more'],
    ['\x05\x00\x0b\x03\x10\x00\x00\x00\x48\x00', 'dcerpc'],
    ['\x05\x00\x0e\x03\x00\x00\x00\x00\x00\x48', 'dcerpc'],
    ['\x05\x00\x0b\x03', 'more'],
    ['\x05\x00\x00\x03\x10\x00\x00\x00\x48\x00', 'none'],
    ['\x05\x02\x0b', 'none'],
    ['\x05\x00\x0b\x03\x10\x00\x00\x00\x08\x00', 'none'],
    ['\x80\x2e\x01\x00\x02\x00\x15', 'tls'],
    ['\x80\x2e\x01\x03\x01', 'tls'],
    ['\x80\x2e\x01\x00', 'more'],
    ['\x80\x2e\x01\x00\x05', 'none'],
    ['\x80\x2e\x02\x00\x02', 'none'],
    ['\x80\x05\x01\x00\x02', 'none'],
  ])('client %j -> %s', (data, verdict) => {
    expect(detectToServer(bytes(data))).toBe(verdict);
  });

  it.each([
    ['HTTP/1.1 200 OK\r\n', 'http'],
    ['HTTP/1.0 404', 'http'],
    ['HTT', 'more'],
    ['HTTP/x.1 200', 'none'],
    ['220 mx.example.com ESMTP Postfix\r\n', 'smtp'],
    ['220-mx.example.com ESMTP\r\n220 ok\r\n', 'smtp'],
    ['220 ', 'more'],
    ['220 ProFTPD 1.2.8 Server ready.\r\n', 'ftp'],
    ['220 Microsoft FTP Service\r\n', 'ftp'],
    ['220 (vsFTPd 3.0.3)\r\n', 'ftp'],
    ['SSH-1.99-OpenSSH\r\n', 'ssh'],
    ['\x00\x00\x00\x55\xfeSMB', 'smb'],
    ['\x82\x00\x00\x00', 'more'],
    ['+OK POP3 ready\r\n', 'none'],
    ['\x16\x03\x03\x00\x5a\x02', 'tls'],
    ['\x16\x03\x03\x00\x5a\x01', 'none'],
    ['\x81\x20\x04\x00\x01\x00\x02', 'tls'],
    ['\x81\x20\x04\x00\x01\x00\x07', 'none'],
    ['\x90\x20\x01\x00\x01\x00\x02', 'none'],
  ])('server %j -> %s', (data, verdict) => {
    expect(detectToClient(bytes(data))).toBe(verdict);
  });

  it('needs the whole line for an unknown method, however long', () => {
    const line = `X-LONG /${'a'.repeat(200_000)} HTTP/1.1`;
    expect(detectToServer(bytes(line))).toBe('more');
    expect(detectToServer(bytes(line + '\r\n'))).toBe('http');
  });

  it('finds a message start past the first line of a stream picked up midstream', () => {
    expect(detectMidstream(bytes('tail of a body\r\nmore\r\nGET /x HTTP/1.1\r\n'), true)).toBe('http');
    expect(detectMidstream(bytes('...gzip bytes...\r\nHTTP/1.1 200 OK\r\n'), false)).toBe('http');
    expect(detectMidstream(bytes('nothing here\r\n'), true)).toBe('more');
    expect(detectMidstream(bytes('x\r\n'.repeat(30_000)), true)).toBe('none');
  });
});

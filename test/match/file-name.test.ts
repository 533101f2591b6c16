import { describe, expect, it } from 'vitest';
import { dispositionFileName } from '../../src/app/http/transaction.js';
import { httpConversation } from '../../src/traffic/index.js';
import { scanPackets, sids } from './helpers.js';

const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('latin1'));
const name = (v: string): string | undefined => text(dispositionFileName(Buffer.from(v, 'latin1')));

const RULES = [
  'alert http any any -> any any (msg:"exe download"; flow:established,to_client; file.name; content:".exe"; endswith; nocase; sid:1;)',
  'alert http any any -> any any (msg:"name from the path"; flow:established,to_client; file.name; content:"/files/setup"; startswith; sid:2;)',
  'alert http any any -> any any (msg:"uploaded script"; flow:established,to_server; file.name; content:".php"; endswith; sid:3;)',
].join('\n');

describe('file.name over HTTP', () => {
  it('reads the filename parameter of Content-Disposition as Suricata does', () => {
    expect(name('attachment; filename="invoice.pdf.exe"')).toBe('invoice.pdf.exe');
    expect(name('attachment;filename=a b.txt ')).toBe('a b.txt');
    expect(name('inline')).toBeUndefined();
    expect(name("attachment; filename*=UTF-8''x.exe")).toBeUndefined();
    expect(name('attachment; filename=""')).toBeUndefined();
  });

  it('names a response body by Content-Disposition, else by the URI path without its query', async () => {
    const named = httpConversation({
      request: { method: 'GET', uri: '/download?id=7' },
      response: { status: 200, headers: { 'Content-Disposition': 'attachment; filename="Invoice.EXE"' }, body: 'MZ\x90\x00' },
    }).packets();
    expect(sids(await scanPackets(RULES, named))).toEqual([1]);
    const byPath = httpConversation({ request: { method: 'GET', uri: '/files/%73etup.exe?x=1' }, response: { status: 200, body: 'MZ' } }).packets();
    expect(sids(await scanPackets(RULES, byPath))).toEqual([1, 2]);
  });

  it('no body, no file: a response without one has no file.name', async () => {
    const empty = httpConversation({ request: { method: 'GET', uri: '/files/setup.exe' }, response: { status: 304 } }).packets();
    expect(sids(await scanPackets(RULES, empty))).toEqual([]);
  });

  it('a PUT body is named by the URI path; a POST body is no file', async () => {
    const put = httpConversation({ request: { method: 'PUT', uri: '/uploads/shell.php', body: '<?php system($_GET[1]);' }, response: { status: 201 } }).packets();
    expect(sids(await scanPackets(RULES, put))).toEqual([3]);
    const post = httpConversation({ request: { method: 'POST', uri: '/uploads/shell.php', body: 'a=1' }, response: { status: 200 } }).packets();
    expect(sids(await scanPackets(RULES, post))).toEqual([]);
  });
});

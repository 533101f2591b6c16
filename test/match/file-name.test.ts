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
    // The name in any case, a ";" inside quotes kept (HTTPParseContentDispositionHeader).
    expect(name('attachment; FILENAME="evil.exe"')).toBe('evil.exe');
    expect(name('attachment; Filename=evil.exe')).toBe('evil.exe');
    expect(name('attachment; filename="a;evil.exe"')).toBe('a;evil.exe');
  });

  it('names a download by a Content-Disposition parameter in another case, or with a quoted ";"', async () => {
    for (const disposition of ['attachment; FILENAME="Setup.exe"', 'attachment; filename="a;setup.exe"']) {
      const p = httpConversation({
        request: { method: 'GET', uri: '/download?id=7' },
        response: { status: 200, headers: { 'Content-Disposition': disposition }, body: 'MZ' },
      }).packets();
      expect(sids(await scanPackets(RULES, p))).toEqual([1]);
    }
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

  it('a PUT or POST body is named by the URI path, as Suricata names request files; a GET body is no file', async () => {
    const put = httpConversation({ request: { method: 'PUT', uri: '/uploads/shell.php', body: '<?php system($_GET[1]);' }, response: { status: 201 } }).packets();
    expect(sids(await scanPackets(RULES, put))).toEqual([3]);
    const post = httpConversation({ request: { method: 'POST', uri: '/uploads/shell.php', body: 'a=1' }, response: { status: 200 } }).packets();
    expect(sids(await scanPackets(RULES, post))).toEqual([3]);
    const get = httpConversation({ request: { method: 'GET', uri: '/uploads/shell.php', body: 'a=1' }, response: { status: 200 } }).packets();
    expect(sids(await scanPackets(RULES, get))).toEqual([]);
  });
});

describe('filename and fileext (Suricata), contents on file.name', () => {
  const conv = (uri: string, disposition?: string) =>
    httpConversation({
      request: { method: 'GET', uri },
      response: { status: 200, headers: disposition === undefined ? {} : { 'Content-Disposition': disposition }, body: 'MZ' },
    }).packets();
  const rules = [
    'alert http any any -> any any (msg:"fileext exe"; flow:to_client; fileext:"exe"; sid:1;)',
    'alert http any any -> any any (msg:"filename holds setup"; flow:to_client; filename:"SETUP"; sid:2;)',
    'alert http any any -> any any (msg:"not a pdf"; flow:to_client; fileext:!"pdf"; sid:3;)',
  ].join('\n');

  it('fileext is the end of the name after a dot, any case; filename a part of it, any case', async () => {
    expect(sids(await scanPackets(rules, conv('/d/Setup.EXE')))).toEqual([1, 2, 3]);
    expect(sids(await scanPackets(rules, conv('/d/report.pdf')))).toEqual([]);
    // "exe" without the dot, or not at the end, is no extension.
    expect(sids(await scanPackets(rules, conv('/d/notexe')))).toEqual([3]);
    expect(sids(await scanPackets(rules, conv('/d/a.exe.txt')))).toEqual([3]);
    expect(sids(await scanPackets(rules, conv('/download', 'attachment; filename="setup.exe"')))).toEqual([1, 2, 3]);
  });

  it('a fileext or filename without a value is an error at its place', async () => {
    const { RuleLoader } = await import('../../src/rule/loader.js');
    const { VariableTable } = await import('../../src/rule/variables.js');
    const loader = new RuleLoader({ vars: VariableTable.withDefaults() });
    loader.loadText('t.rules', 'alert http any any -> any any (msg:"x"; fileext; sid:9;)\n');
    expect(loader.counts().invalid).toBe(1);
    expect(loader.collector.errors).toBe(1);
  });
});

describe('filesize and filestore', () => {
  const conv = (size: number) =>
    httpConversation({ request: { method: 'GET', uri: '/f.bin' }, response: { status: 200, body: 'A'.repeat(size) } }).packets();

  it('filesize compares the length of the file, with KB/MB/GB units', async () => {
    const rules = [
      'alert http any any -> any any (msg:"over 1KB"; flow:to_client; filesize:>1KB; sid:1;)',
      'alert http any any -> any any (msg:"exactly 10"; flow:to_client; filesize:10; sid:2;)',
      'alert http any any -> any any (msg:"range"; flow:to_client; filesize:5<>2000; fileext:"bin"; sid:3;)',
    ].join('\n');
    expect(sids(await scanPackets(rules, conv(10)))).toEqual([2, 3]);
    expect(sids(await scanPackets(rules, conv(1500)))).toEqual([1, 3]);
    expect(sids(await scanPackets(rules, conv(1024)))).toEqual([3]);
  });

  it('filestore leaves detection as it is (kanshi stores no files)', async () => {
    const rules = 'alert http any any -> any any (msg:"exe"; flow:to_client; fileext:"bin"; filestore:to_client,file; sid:4;)';
    expect(sids(await scanPackets(rules, conv(3)))).toEqual([4]);
  });
});

/** DCE/RPC over SMB named pipes: SMB1 WriteAndX and TransactNmPipe, SMB2 WRITE and IOCTL. */
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/app/accumulator.js';
import { newDcerpcStats, type DceRequest } from '../../src/app/dcerpc/session.js';
import { MAX_SMB_MESSAGE, SmbSession } from '../../src/app/smb/session.js';
import { bindPdu, nbss, requestPdu, smb1TransactNmPipe, smb1WriteAndX, smb2Transceive, smb2Write } from './dcerpc-fixtures.js';

const SRVSVC = '4b324fc8-1670-01d3-1278-5a47bf6ee188';
const text = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('latin1');
const le16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const smb1Head = (command: number): number[] => [0xff, 0x53, 0x4d, 0x42, command, ...new Array<number>(27).fill(0)];

/** SMB1 core Write (0x0b) of `data` to `fid`: five words, byte count, buffer format 1, data length, data. */
function smb1Write(fid: number, data: Uint8Array): Uint8Array {
  const words = [...le16(fid), ...le16(data.length), 0, 0, 0, 0, 0, 0];
  return Uint8Array.from([...smb1Head(0x0b), 5, ...words, ...le16(data.length + 3), 1, ...le16(data.length), ...data]);
}

/** SMB1 Write and Close (0x2c, six words) of `data` to `fid`, one byte of padding before the data. */
function smb1WriteAndClose(fid: number, data: Uint8Array): Uint8Array {
  const words = [...le16(fid), ...le16(data.length), 0, 0, 0, 0, 0, 0, 0, 0];
  return Uint8Array.from([...smb1Head(0x2c), 6, ...words, ...le16(data.length + 1), 0, ...data]);
}

/** LockingAndX (no locks) chained to a WriteAndX of `data` to `fid`, in one SMB1 message. */
function smb1LockingThenWrite(fid: number, data: Uint8Array): Uint8Array {
  // LockingAndX at 32: 8 words (AndX header naming WriteAndX at 51), no bytes.
  const locking = [8, 0x2f, 0, ...le16(51), ...le16(fid), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...le16(0)];
  // WriteAndX at 51: 14 words, then byte count, a pad byte, the data at offset 83.
  const w = [0xff, 0, 0, 0, ...le16(fid), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...le16(data.length), ...le16(83), 0, 0, 0, 0];
  return Uint8Array.from([...smb1Head(0x24), ...locking, 14, ...w, ...le16(data.length + 1), 0, ...data]);
}

function session(): { s: SmbSession; out: DceRequest[]; stats: ReturnType<typeof newDcerpcStats>; budget: MemoryBudget } {
  const out: DceRequest[] = [];
  const stats = newDcerpcStats();
  const budget = new MemoryBudget(1 << 24);
  return { s: new SmbSession({ stats, budget, emit: (r) => out.push(r) }, budget), out, stats, budget };
}

describe('SMB named pipes', () => {
  it('SMB2: a bind written to a pipe, then a request through FSCTL_PIPE_TRANSCEIVE, however the stream is cut', () => {
    const stream = Buffer.concat([
      Uint8Array.from([0x85, 0, 0, 0]),
      nbss(smb2Write(7, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }]))),
      nbss(smb2Write(9, Buffer.from('just a file being copied'))),
      nbss(smb2Transceive(7, requestPdu({ callId: 2, contextId: 0, opnum: 31, stub: '\\\\server\\..\\..\\' }))),
    ]);
    for (const step of [3, 50, 100000]) {
      const { s, out, stats } = session();
      for (let i = 0; i < stream.length; i += step) s.data(true, stream.subarray(i, i + step));
      expect(out.map((r) => [r.iface?.uuid, r.opnum, text(r.buffer('dce_stub_data'))])).toEqual([[SRVSVC, 31, '\\\\server\\..\\..\\']]);
      expect(stats.malformed).toBe(0);
    }
  });

  it('SMB1: WriteAndX and TransactNmPipe; the server\'s side is not read', () => {
    const { s, out, budget } = session();
    s.data(true, nbss(smb1WriteAndX(0x4001, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }]))));
    s.data(false, nbss(smb1WriteAndX(0x4001, requestPdu({ callId: 1, contextId: 0, opnum: 1, stub: 'from server' }))));
    s.data(true, nbss(smb1TransactNmPipe(0x4001, requestPdu({ callId: 2, contextId: 0, opnum: 15, stub: 'enum' }))));
    expect(out.map((r) => [r.iface?.uuid, r.opnum, text(r.buffer('dce_stub_data'))])).toEqual([[SRVSVC, 15, 'enum']]);
    // A second pipe of the same connection: its requests continue the connection's tx ids.
    s.data(true, nbss(smb2Write(8, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }]))));
    s.data(true, nbss(smb2Write(8, requestPdu({ callId: 1, contextId: 0, opnum: 16, stub: 'again' }))));
    expect(out.map((r) => r.id)).toEqual([0, 1]);
    s.end();
    expect(budget.used).toBe(0);
  });

  it('SMB1: core Write, Write and Close, and a WriteAndX behind another AndX command (as Suricata reads them)', () => {
    const { s, out, stats } = session();
    s.data(true, nbss(smb1Write(0x4002, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }]))));
    s.data(true, nbss(smb1Write(0x4002, requestPdu({ callId: 1, contextId: 0, opnum: 31, stub: 'via-write' }))));
    s.data(true, nbss(smb1WriteAndClose(0x4002, requestPdu({ callId: 2, contextId: 0, opnum: 31, stub: 'via-write-and-close' }))));
    s.data(true, nbss(smb1LockingThenWrite(0x4002, requestPdu({ callId: 3, contextId: 0, opnum: 31, stub: 'via-andx-chain' }))));
    expect(out.map((r) => [r.iface?.uuid, r.opnum, text(r.buffer('dce_stub_data'))])).toEqual([
      [SRVSVC, 31, 'via-write'],
      [SRVSVC, 31, 'via-write-and-close'],
      [SRVSVC, 31, 'via-andx-chain'],
    ]);
    expect(stats.malformed).toBe(0);
  });

  it('skips a session message past the bound (a bulk write) unread, counted, and reads on after it', () => {
    const { s, out, stats, budget } = session();
    const bulk = smb2Write(9, new Uint8Array(MAX_SMB_MESSAGE + 1000).fill(0x41));
    s.data(true, nbss(bulk).subarray(0, 70_000));
    expect(budget.used).toBe(0);
    s.data(true, nbss(bulk).subarray(70_000));
    s.data(true, nbss(smb2Write(7, bindPdu([{ id: 0, uuid: SRVSVC, major: 3 }]))));
    s.data(true, nbss(smb2Transceive(7, requestPdu({ callId: 2, contextId: 0, opnum: 31, stub: 'x' }))));
    expect([out.length, stats.smbMessagesSkipped, stats.malformed]).toEqual([1, 1, 0]);
  });
});

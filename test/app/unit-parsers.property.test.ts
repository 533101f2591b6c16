/**
 * The DCE/RPC, SIP, SSH and FTP control parsers read a direction's stream, however it is cut:
 * the units they hand over do not depend on the cuts, and hostile bytes never make them throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBudget } from '../../src/app/accumulator.js';
import { DcerpcSession, newDcerpcStats } from '../../src/app/dcerpc/session.js';
import { FtpControl } from '../../src/app/ftp/control.js';
import { newSipStats, SipSession } from '../../src/app/sip/message.js';
import { newSshStats, SshSession } from '../../src/app/ssh/banner.js';
import type { BufferName } from '../../src/types/buffers.js';
import { SmbSession } from '../../src/app/smb/session.js';
import { bindPdu, nbss, requestPdu, smb1WriteAndX, smb2Transceive, smb2Write } from './dcerpc-fixtures.js';

interface Unit {
  buffer(name: BufferName): Uint8Array | undefined;
}

type Feed = (toServer: boolean, chunk: Uint8Array) => void;

/** Feeds `stream` (to the server) in pieces cut at `cuts`, returning what was handed over, rendered. */
function run(make: (out: string[]) => Feed, stream: Uint8Array, cuts: number[]): string[] {
  const out: string[] = [];
  const feed = make(out);
  let at = 0;
  for (const c of [...cuts.filter((x) => x > 0 && x < stream.length)].sort((a, b) => a - b).concat(stream.length)) {
    if (c > at) feed(true, stream.subarray(at, c));
    at = Math.max(at, c);
  }
  return out;
}

const render = (u: Unit, names: BufferName[]): string => names.map((n) => Buffer.from(u.buffer(n) ?? []).toString('latin1')).join('|');

const PARSERS: Record<string, (out: string[]) => Feed> = {
  dcerpc: (out) => {
    const s = new DcerpcSession({ stats: newDcerpcStats(), budget: new MemoryBudget(1 << 24), emit: (r) => out.push(`${r.iface?.uuid}:${r.opnum}:${render(r, ['dce_stub_data'])}`) });
    return (t, c) => s.data(t, c);
  },
  smb: (out) => {
    const budget = new MemoryBudget(1 << 24);
    const s = new SmbSession({ stats: newDcerpcStats(), budget, emit: (r) => out.push(`${r.iface?.uuid}:${r.opnum}:${render(r, ['dce_stub_data'])}`) }, budget);
    return (t, c) => s.data(t, c);
  },
  sip: (out) => {
    const s = new SipSession({ stats: newSipStats(), budget: new MemoryBudget(1 << 24), emit: (m) => out.push(render(m, ['sip.request_line', 'sip_header', 'sip_body'])) });
    return (t, c) => s.data(t, c);
  },
  ssh: (out) => {
    const s = new SshSession({ stats: newSshStats(), emit: (b) => out.push(render(b, ['ssh.proto', 'ssh.software'])) });
    return (t, c) => void s.data(t, c);
  },
  ftp: (out) => {
    const s = new FtpControl({ expect: (ip, port) => out.push(`${ip}:${port}`) }, '10.0.0.2');
    return (t, c) => s.data(t, c);
  },
};

const dceStream = fc
  .array(fc.tuple(fc.nat(3), fc.nat(40), fc.uint8Array({ maxLength: 300 }), fc.boolean(), fc.boolean()), { maxLength: 6 })
  .map((reqs) =>
    Buffer.concat([
      bindPdu([{ id: 0, uuid: '4d9f4ab8-7d1c-11cf-861e-0020af6e7c57', major: 0 }, { id: 1, uuid: '338cd001-2244-31f1-aaaa-900038001003', major: 1 }]),
      ...reqs.map(([call, opnum, stub, first, last]) => requestPdu({ callId: call, contextId: call % 3, opnum, stub, first, last })),
    ]),
  );

const sipStream = fc
  .array(fc.tuple(fc.constantFrom('INVITE', 'OPTIONS', 'BYE'), fc.string({ maxLength: 40 }), fc.string({ maxLength: 60 })), { maxLength: 4 })
  .map((msgs) =>
    Buffer.from(
      msgs.map(([m, h, body]) => `${m} sip:a@b SIP/2.0\r\nX-H: ${h.replace(/[\r\n]/g, ' ')}\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`).join(''),
      'latin1',
    ),
  );

/** The same PDUs written to two pipes through SMB1 and SMB2 writes, in NetBIOS session messages. */
const smbStream = fc.tuple(dceStream, fc.array(fc.nat(2), { maxLength: 40 })).map(([pdus, how]) => {
  const parts: Uint8Array[] = [];
  for (let at = 0, k = 0; at < pdus.length; k++) {
    const piece = pdus.subarray(at, at + 90);
    at += piece.length;
    const kind = how[k % Math.max(1, how.length)] ?? 0;
    parts.push(nbss(kind === 0 ? smb2Write(1, piece) : kind === 1 ? smb2Transceive(1, piece) : smb1WriteAndX(5, piece)));
  }
  return Buffer.concat(parts);
});

const streams: Record<string, fc.Arbitrary<Uint8Array>> = {
  dcerpc: dceStream,
  smb: smbStream,
  sip: sipStream,
  ssh: fc.tuple(fc.string({ maxLength: 300 }), fc.constantFrom('\n', '\r\n', '\rX')).map(([sw, end]) => Buffer.from(`SSH-2.0-${sw.replace(/[\r\n]/g, '')}${end}rest`, 'latin1')),
  ftp: fc
    .array(fc.tuple(fc.nat(255), fc.nat(65535), fc.string({ maxLength: 30 })), { maxLength: 5 })
    .map((cmds) => Buffer.from(cmds.map(([a, p, junk]) => `PORT 10,0,0,${a},${p >> 8},${p & 255}\r\nNOOP ${junk.replace(/[\r\n]/g, '')}\r\n`).join(''), 'latin1')),
};

describe('unit parsers', () => {
  for (const name of Object.keys(PARSERS)) {
    it(`${name}: the same units whatever the cuts`, () => {
      fc.assert(
        fc.property(streams[name]!, fc.array(fc.nat(4000), { maxLength: 12 }), (stream, cuts) => {
          expect(run(PARSERS[name]!, stream, cuts)).toEqual(run(PARSERS[name]!, stream, []));
        }),
        { numRuns: 150 },
      );
    });

    it(`${name}: hostile bytes, either direction, never throw`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 400 })), { maxLength: 8 }), (chunks) => {
          const feed = PARSERS[name]!([]);
          for (const [toServer, c] of chunks) feed(toServer, c);
        }),
        { numRuns: 300 },
      );
    });
  }
});

/** DCE/RPC PDUs for tests: connection-oriented binds and requests, connectionless requests. */

/** The 16 wire bytes of a UUID, its first three fields in the given byte order. */
export function uuidBytes(uuid: string, little: boolean): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  const b = Uint8Array.from(Buffer.from(hex, 'hex'));
  if (little) {
    b.subarray(0, 4).reverse();
    b.subarray(4, 6).reverse();
    b.subarray(6, 8).reverse();
  }
  return b;
}

function u16(v: number, little: boolean): number[] {
  return little ? [v & 0xff, v >> 8] : [v >> 8, v & 0xff];
}

function u32(v: number, little: boolean): number[] {
  const be = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  return little ? be.reverse() : be;
}

function pdu(type: number, flags: number, callId: number, body: Uint8Array, little: boolean): Uint8Array {
  const len = 16 + body.length;
  return Uint8Array.from([5, 0, type, flags, little ? 0x10 : 0, 0, 0, 0, ...u16(len, little), 0, 0, ...u32(callId, little), ...body]);
}

const NDR = uuidBytes('8a885d04-1ceb-11c9-9fe8-08002b104860', true);

export function bindPdu(contexts: Array<{ id: number; uuid: string; major: number; minor?: number }>, little = true): Uint8Array {
  const parts: number[] = [...u16(4280, little), ...u16(4280, little), ...u32(0, little), contexts.length, 0, 0, 0];
  for (const c of contexts) {
    parts.push(...u16(c.id, little), 1, 0, ...uuidBytes(c.uuid, little), ...u16(c.major, little), ...u16(c.minor ?? 0, little), ...NDR, ...u32(2, little));
  }
  return pdu(11, 3, 1, Uint8Array.from(parts), little);
}

export function requestPdu(r: { callId: number; contextId: number; opnum: number; stub: string | Uint8Array; first?: boolean; last?: boolean; little?: boolean }): Uint8Array {
  const little = r.little ?? true;
  const stub = typeof r.stub === 'string' ? Buffer.from(r.stub, 'latin1') : r.stub;
  const flags = (r.first ?? true ? 1 : 0) | (r.last ?? true ? 2 : 0);
  return pdu(0, flags, r.callId, Uint8Array.from([...u32(stub.length, little), ...u16(r.contextId, little), ...u16(r.opnum, little), ...stub]), little);
}

/** A connectionless (UDP) request: the 80-byte header, then the stub. */
export function dceDatagram(r: { uuid: string; major: number; opnum: number; stub: string; little?: boolean }): Uint8Array {
  const little = r.little ?? true;
  const stub = Buffer.from(r.stub, 'latin1');
  const h = new Uint8Array(80);
  h[0] = 4;
  h[1] = 0;
  h[4] = little ? 0x10 : 0;
  h.set(uuidBytes(r.uuid, little), 24);
  h.set(u32(r.major, little), 60);
  h.set(u16(r.opnum, little), 68);
  h.set(u16(stub.length, little), 74);
  return Uint8Array.from([...h, ...stub]);
}

/** A session message (24-bit length, as direct SMB over TCP writes it) around an SMB message. */
export function nbss(m: Uint8Array): Uint8Array {
  return Uint8Array.from([0, (m.length >> 16) & 0xff, (m.length >> 8) & 0xff, m.length & 0xff, ...m]);
}

function smb2Header(command: number): number[] {
  const h = new Array<number>(64).fill(0);
  h.splice(0, 4, 0xfe, 0x53, 0x4d, 0x42);
  h[4] = 64;
  h[12] = command;
  return h;
}

/** SMB2 WRITE of `data` to the file id whose 16 bytes are all `fid`. */
export function smb2Write(fid: number, data: Uint8Array): Uint8Array {
  const body = new Array<number>(48).fill(0);
  body[0] = 49;
  body[2] = 112;
  body.splice(4, 4, ...u32(data.length, true));
  for (let k = 0; k < 16; k++) body[16 + k] = fid;
  return Uint8Array.from([...smb2Header(0x09), ...body, ...data]);
}

/** SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE with `data` as input, on the file id of all `fid` bytes. */
export function smb2Transceive(fid: number, data: Uint8Array): Uint8Array {
  const body = new Array<number>(56).fill(0);
  body[0] = 57;
  body.splice(4, 4, ...u32(0x0011c017, true));
  for (let k = 0; k < 16; k++) body[8 + k] = fid;
  body.splice(24, 4, ...u32(120, true));
  body.splice(28, 4, ...u32(data.length, true));
  return Uint8Array.from([...smb2Header(0x0b), ...body, ...data]);
}

function smb1Header(command: number): number[] {
  const h = new Array<number>(32).fill(0);
  h.splice(0, 4, 0xff, 0x53, 0x4d, 0x42);
  h[4] = command;
  return h;
}

/** SMB1 WriteAndX (14 words) of `data` to `fid`, the data at offset 64. */
export function smb1WriteAndX(fid: number, data: Uint8Array): Uint8Array {
  const w = new Array<number>(28).fill(0);
  w[0] = 0xff;
  w.splice(4, 2, ...u16(fid, true));
  w.splice(20, 2, ...u16(data.length, true));
  w.splice(22, 2, ...u16(64, true));
  const head = [...smb1Header(0x2f), 14, ...w, ...u16(data.length + 1, true), 0];
  return Uint8Array.from([...head, ...data]);
}

/** SMB1 Transaction TransactNmPipe on `fid` with `data`, the data at offset 72. */
export function smb1TransactNmPipe(fid: number, data: Uint8Array): Uint8Array {
  const w = new Array<number>(32).fill(0);
  w.splice(2, 2, ...u16(data.length, true));
  w.splice(22, 2, ...u16(data.length, true));
  w.splice(24, 2, ...u16(72, true));
  w[26] = 2;
  w.splice(28, 2, ...u16(0x26, true));
  w.splice(30, 2, ...u16(fid, true));
  const head = [...smb1Header(0x25), 16, ...w, ...u16(data.length + 5, true), ...new Array<number>(5).fill(0)];
  return Uint8Array.from([...head, ...data]);
}

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

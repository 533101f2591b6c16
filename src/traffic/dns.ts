import { toBytes } from './bytes.js';
import { udpPacket, type BuiltPacket, type LinkOptions } from './packets.js';

export interface DnsMessageSpec {
  id?: number;
  /** A response (QR set) rather than a request. */
  response?: boolean;
  /** Question names, dotted ("www.example.com"); labels are written as given, uncompressed. */
  names: readonly string[];
  /** Query type of every question (default 1, A). */
  type?: number;
}

/** A DNS message with a question section only. */
export function dnsMessage(spec: DnsMessageSpec): Uint8Array {
  const id = spec.id ?? 0x1234;
  const flags = spec.response === true ? 0x8180 : 0x0100;
  const type = spec.type ?? 1;
  const parts: number[] = [id >> 8, id & 0xff, flags >> 8, flags & 0xff, spec.names.length >> 8, spec.names.length & 0xff, 0, 0, 0, 0, 0, 0];
  for (const name of spec.names) {
    for (const label of name === '' ? [] : name.split('.')) {
      const b = toBytes(label);
      if (b.length > 63) throw new RangeError(`DNS label longer than 63 bytes: ${label}`);
      parts.push(b.length, ...b);
    }
    parts.push(0, type >> 8, type & 0xff, 0, 1);
  }
  return Uint8Array.from(parts);
}

export interface DnsQuerySpec extends DnsMessageSpec, LinkOptions {
  /** "ip:port"; the server defaults to port 53. */
  client: string;
  server: string;
  tsUs: number;
}

/** One DNS message in a UDP packet, client to server (or server to client for a response). */
export function dnsPacket(spec: DnsQuerySpec): BuiltPacket {
  const payload = dnsMessage(spec);
  const [src, dst] = spec.response === true ? [spec.server, spec.client] : [spec.client, spec.server];
  return udpPacket({ ...spec, src, dst, payload });
}

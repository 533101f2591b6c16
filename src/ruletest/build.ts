/**
 * Turns a test case into what the detection engine reads: a capture (built with the traffic
 * builder from the case's sections), a capture file, or log lines.
 */
import { encodePcap, fragmentPacket, icmpPacket, tcpSession, udpPacket, type BuiltPacket, type TcpSession } from '../traffic/index.js';
import { caseEndpoints, EndpointError, hostOf } from './endpoints.js';
import { inputKind, type DatagramSection, type Delivery, type Side, type StreamSection, type TestCase } from './model.js';
import { smtpSends, type Send } from './smtp-script.js';

/** Every case's traffic starts at 2003-03-17 09:00 UTC: fixed, so captures are identical run after run. */
export const CASE_START_US = Date.UTC(2003, 2, 17, 9, 0, 0) * 1000;
/** Segment payload size where a send is not cut explicitly. */
export const CASE_MSS = 1460;

export type DetectInput =
  | { kind: 'capture'; name: string; bytes: Uint8Array }
  | { kind: 'capture-file'; name: string; path: string }
  | { kind: 'log'; name: string; lines: Uint8Array[]; format?: string };

/** A case that cannot be turned into traffic; `line` points at the section at fault. */
export class BuildError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export function caseName(c: TestCase): string {
  return `${c.file}:${c.line}`;
}

export function buildInput(c: TestCase): DetectInput {
  const name = caseName(c);
  switch (inputKind(c)) {
    case 'pcap':
      return { kind: 'capture-file', name, path: c.pcap! };
    case 'log': {
      const s = c.sections[0]!;
      if (s.kind !== 'log') throw new BuildError('not a log section', s.line);
      return s.format === undefined ? { kind: 'log', name, lines: s.lines } : { kind: 'log', name, lines: s.lines, format: s.format };
    }
    case 'stream':
    case 'datagrams':
      return { kind: 'capture', name, bytes: encodePcap(casePackets(c)) };
  }
}

/** The packets of a stream or datagram case. */
export function casePackets(c: TestCase): BuiltPacket[] {
  try {
    return inputKind(c) === 'datagrams' ? datagramPackets(c) : streamPackets(c);
  } catch (e) {
    if (e instanceof EndpointError) throw new BuildError(e.message, c.line);
    throw e;
  }
}

/** The sends of a stream case, in order (an smtp section becomes its whole conversation). */
export function streamSends(c: TestCase): (Send & { line: number })[] {
  const out: (Send & { line: number })[] = [];
  for (const s of c.sections as StreamSection[]) {
    if (s.kind === 'smtp') for (const send of smtpSends(s)) out.push({ ...send, line: s.line });
    else out.push({ side: s.side, data: s.data, delivery: s.delivery, line: s.line });
  }
  return out;
}

function streamPackets(c: TestCase): BuiltPacket[] {
  const { client, server } = caseEndpoints(c, 'stream');
  const session = tcpSession({ client, server, startUs: CASE_START_US, ...(c.ttl !== undefined ? { ttl: c.ttl } : {}) });
  session.handshake();
  const offsets: Record<Side, number> = { client: 0, server: 0 };
  for (const send of streamSends(c)) {
    if (send.data.length === 0) continue;
    deliver(session, send, offsets[send.side], send.line);
    offsets[send.side] += send.data.length;
  }
  session.close('client');
  return session.packets();
}

/** Segment sizes of a send: cut at the split offsets, and wherever a piece would exceed the mss. */
export function segmentSizes(length: number, split: readonly number[] | undefined): number[] {
  const sizes: number[] = [];
  let prev = 0;
  const cutTo = (end: number): void => {
    while (prev < end) {
      const n = Math.min(CASE_MSS, end - prev);
      sizes.push(n);
      prev += n;
    }
  };
  for (const at of [...new Set(split ?? [])].sort((a, b) => a - b)) if (at > prev && at < length) cutTo(at);
  cutTo(length);
  return sizes;
}

function checkPermutation(order: readonly number[], n: number, what: string, line: number): void {
  const seen = new Set(order);
  if (order.length !== n || seen.size !== n || order.some((i) => i >= n)) {
    throw new BuildError(`${what} must list each of the ${n} pieces (0 to ${n - 1}) once, got ${order.join(',')}`, line);
  }
}

function deliver(session: TcpSession, send: Send, base: number, line: number): void {
  const { data, delivery: d } = send;
  const sizes = segmentSizes(data.length, d.split);
  if (d.order !== undefined) checkPermutation(d.order, sizes.length, 'order=', line);
  for (const i of d.dup ?? []) if (i >= sizes.length) throw new BuildError(`dup= names segment ${i}, but the data makes ${sizes.length}`, line);
  for (const [a, b] of d.overlap ?? []) if (b > data.length) throw new BuildError(`overlap=${a}-${b} goes past the ${data.length} bytes sent`, line);
  const frag = fragmentSizes(d);
  const overlaps = d.overlap ?? [];
  session.send(send.side, data, {
    segments: sizes,
    ...(d.order !== undefined ? { order: d.order } : {}),
    ...(d.dup !== undefined ? { duplicate: d.dup } : {}),
    ...(frag !== undefined ? { fragment: frag } : {}),
    ack: overlaps.length === 0,
  });
  if (overlaps.length === 0) return;
  // Resent before the peer acknowledges, so the reassembler sees them as overlaps, not old data.
  for (const [a, b] of overlaps) {
    session.segment(send.side, { offset: base + a, data: data.subarray(a, b), ...(frag !== undefined ? { fragment: frag } : {}) });
  }
  session.ack(send.side === 'client' ? 'server' : 'client');
}

function fragmentSizes(d: Delivery): number[] | undefined {
  return d.frag !== undefined && d.frag.length > 0 ? d.frag : undefined;
}

/** How many fragments fragmentPacket makes of a body with these sizes. */
export function fragmentCount(bodyLength: number, sizes: readonly number[]): number {
  let o = 0;
  let n = 0;
  for (const s of sizes) {
    if (o >= bodyLength) break;
    o += s;
    n++;
  }
  return o < bodyLength ? n + 1 : n;
}

function datagramPackets(c: TestCase): BuiltPacket[] {
  const out: BuiltPacket[] = [];
  let ts = CASE_START_US;
  let id = 0x1000;
  for (const s of c.sections as DatagramSection[]) {
    const { client, server } = caseEndpoints(c, s.kind);
    const [src, dst] = s.side === 'client' ? [client, server] : [server, client];
    const ttl = c.ttl !== undefined ? { ttl: c.ttl } : {};
    const packet =
      s.kind === 'udp'
        ? udpPacket({ src, dst, payload: s.data, tsUs: ts, id, ...ttl })
        : icmpPacket({ src: hostOf(src), dst: hostOf(dst), type: s.type, code: s.code, id: 1, seq: id & 0xffff, payload: s.data, tsUs: ts, ...ttl });
    const frag = fragmentSizes(s.delivery);
    if (frag === undefined) {
      if (s.delivery.fragOrder !== undefined) throw new BuildError('fragorder= needs frag=', s.line);
      out.push(packet);
    } else {
      const n = fragmentCount(8 + s.data.length, frag);
      if (s.delivery.fragOrder !== undefined) checkPermutation(s.delivery.fragOrder, n, 'fragorder=', s.line);
      out.push(...fragmentPacket(packet, { sizes: frag, id, stepUs: 1000, ...(s.delivery.fragOrder !== undefined ? { order: s.delivery.fragOrder } : {}) }));
    }
    ts = out[out.length - 1]!.tsUs + 1000;
    id++;
  }
  return out;
}

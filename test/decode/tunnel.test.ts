import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTunnel, GENEVE_PORT, MAX_TUNNEL_LAYERS, mayCarryTunnel, TEREDO_PORT, VXLAN_PORT } from '../../src/decode/tunnel.js';
import { DecodeStats } from '../../src/decode/stats.js';
import { Scanner } from '../../src/match/scanner.js';
import { concatBytes, encodePcap, httpConversation, ipDatagram, ipPacket, udpPacket, type BuiltPacket } from '../../src/traffic/index.js';
import type { Alert } from '../../src/types/alert.js';
import { rulesetOf, scanWithCounters } from '../match/helpers.js';
import { decodeBytes } from './helpers.js';

const ETHERNET = 1;
const PROTO_IPIP = 4;
const PROTO_IPV6 = 41;
const PROTO_GRE = 47;

/** Wraps a frame's payload in one tunnel layer between two sensor-side hosts. */
type Wrap = (frame: Uint8Array, tsUs: number) => BuiltPacket;

const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
/** The IP datagram of an Ethernet frame built without VLAN tags. */
const datagramOf = (frame: Uint8Array): Uint8Array => frame.subarray(14);
const isV6 = (frame: Uint8Array): boolean => datagramOf(frame)[0]! >> 4 === 6;
/** The ethertype of the frame's datagram, high byte then low byte. */
const etherType = (frame: Uint8Array): [number, number] => (isV6(frame) ? [0x86, 0xdd] : [0x08, 0x00]);

const gre: Wrap = (frame, tsUs) =>
  ipPacket(ipDatagram({ src: '192.0.2.1', dst: '192.0.2.2', protocol: PROTO_GRE, payload: concatBytes([bytes(0, 0, ...etherType(frame)), datagramOf(frame)]) }), tsUs);
/** GRE with checksum, key and sequence number present. */
const greAllFields: Wrap = (frame, tsUs) =>
  ipPacket(
    ipDatagram({ src: '192.0.2.1', dst: '192.0.2.2', protocol: PROTO_GRE, payload: concatBytes([bytes(0xb0, 0, ...etherType(frame), 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1), datagramOf(frame)]) }),
    tsUs,
  );
const greEthernet: Wrap = (frame, tsUs) =>
  ipPacket(ipDatagram({ src: '192.0.2.1', dst: '192.0.2.2', protocol: PROTO_GRE, payload: concatBytes([bytes(0, 0, 0x65, 0x58), frame]) }), tsUs);
/** ERSPAN type II: GRE with a sequence number, then the 8-byte ERSPAN header (version 1). */
const erspan2: Wrap = (frame, tsUs) =>
  ipPacket(
    ipDatagram({ src: '192.0.2.1', dst: '192.0.2.2', protocol: PROTO_GRE, payload: concatBytes([bytes(0x10, 0, 0x88, 0xbe, 0, 0, 0, 9, 0x10, 0x64, 0, 0, 0, 0, 0, 0), frame]) }),
    tsUs,
  );
/** ERSPAN type III with the optional platform subheader (O flag). */
const erspan3: Wrap = (frame, tsUs) =>
  ipPacket(
    ipDatagram({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      protocol: PROTO_GRE,
      payload: concatBytes([bytes(0x10, 0, 0x22, 0xeb, 0, 0, 0, 9), bytes(0x20, 0x64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), new Uint8Array(8), frame]),
    }),
    tsUs,
  );
/** PPTP's enhanced GRE (version 1, key, sequence and acknowledgment) with PPP carrying IP. */
const pptp: Wrap = (frame, tsUs) => {
  const dgram = datagramOf(frame);
  const header = bytes(0x30, 0x81, 0x88, 0x0b, (dgram.length + 4) >> 8, (dgram.length + 4) & 0xff, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0x03, 0x00, isV6(frame) ? 0x57 : 0x21);
  return ipPacket(ipDatagram({ src: '192.0.2.1', dst: '192.0.2.2', protocol: PROTO_GRE, payload: concatBytes([header, dgram]) }), tsUs);
};
const ipip: Wrap = (frame, tsUs) => ipPacket(ipDatagram({ src: '192.0.2.1', dst: '192.0.2.2', protocol: isV6(frame) ? PROTO_IPV6 : PROTO_IPIP, payload: datagramOf(frame) }), tsUs);
const ipInIpv6: Wrap = (frame, tsUs) =>
  ipPacket(ipDatagram({ src: '2001:db8::1', dst: '2001:db8::2', protocol: isV6(frame) ? PROTO_IPV6 : PROTO_IPIP, payload: datagramOf(frame) }), tsUs);
const vxlan: Wrap = (frame, tsUs) => udpPacket({ src: '192.0.2.1:40000', dst: `192.0.2.2:${VXLAN_PORT}`, payload: concatBytes([bytes(0x08, 0, 0, 0, 0, 0, 42, 0), frame]), tsUs });
/** Geneve with 8 bytes of options, carrying Ethernet. */
const geneve: Wrap = (frame, tsUs) =>
  udpPacket({ src: '192.0.2.1:40000', dst: `192.0.2.2:${GENEVE_PORT}`, payload: concatBytes([bytes(0x02, 0, 0x65, 0x58, 0, 0, 42, 0), new Uint8Array(8), frame]), tsUs });
/** Geneve carrying IPv4 directly (as cloud load balancers send it). */
const geneveIp: Wrap = (frame, tsUs) =>
  udpPacket({ src: '192.0.2.1:40000', dst: `192.0.2.2:${GENEVE_PORT}`, payload: concatBytes([bytes(0, 0, ...etherType(frame), 0, 0, 42, 0), datagramOf(frame)]), tsUs });

/** Geneve from the tunnel endpoint's port, as its replies travel. */
const geneveFromPort: Wrap = (frame, tsUs) =>
  udpPacket({ src: `192.0.2.2:${GENEVE_PORT}`, dst: '192.0.2.1:40000', payload: concatBytes([bytes(0, 0, 0x65, 0x58, 0, 0, 42, 0), frame]), tsUs });

const WRAPS: Record<string, Wrap> = { gre, greAllFields, greEthernet, erspan2, erspan3, pptp, ipip, ipInIpv6, vxlan, geneve, geneveIp, geneveFromPort };

/** Teredo origin indication: type 0x0000, then the obfuscated port and address. */
const ORIGIN_INDICATION = bytes(0, 0, 0xf2, 0x3d, 0x3f, 0xff, 0xfd, 0xfe);
/** Teredo authentication: type 0x0001, client id length 2, value length 1, the id, the value, an 8-byte nonce, confirmation. */
const AUTHENTICATION = bytes(0, 1, 2, 1, 0xaa, 0xbb, 0xcc, 1, 2, 3, 4, 5, 6, 7, 8, 0);
/** IPv6 in UDP through a Teredo relay: the relay's port is 3544, on whichever side it is. */
const teredo =
  (header: Uint8Array, fromRelay: boolean): Wrap =>
  (frame, tsUs) => {
    const relay = `192.0.2.2:${TEREDO_PORT}`;
    const client = '198.51.100.7:40000';
    return udpPacket({ src: fromRelay ? relay : client, dst: fromRelay ? client : relay, payload: concatBytes([header, datagramOf(frame)]), tsUs });
  };

const RULES = `
alert http any any -> any any (msg:"uri"; http.uri; content:"/shell.php"; sid:1;)
alert tcp any any -> any 80 (msg:"split stream"; flow:to_server,established; content:"cmd=cat%20/etc/passwd"; sid:2;)
alert http any any -> any any (msg:"response"; flow:to_client; file.data; content:"root:x:0:0"; sid:3;)
`;

function conversation(seed: number, splitAt: number[]): BuiltPacket[] {
  return httpConversation({
    client: '10.1.1.5:51000',
    server: '10.2.2.9:80',
    seed,
    request: { method: 'GET', uri: '/shell.php?cmd=cat%20/etc/passwd' },
    requestSend: { splitAt },
    response: { status: 200, body: 'root:x:0:0:root:/root:/bin/bash\n' },
  }).packets();
}

async function scan(packets: readonly BuiltPacket[], stats?: { out?: Record<string, number> }): Promise<Alert[]> {
  const r = await scanWithCounters(RULES, packets);
  if (stats !== undefined) stats.out = r.counters;
  return r.alerts;
}

/** What identifies an alert independently of the layers around the packet it came from. */
const key = (a: Alert): string => `${a.sid} ${a.srcIp}:${a.srcPort} -> ${a.destIp}:${a.destPort} #${a.pcapCnt}`;

describe('tunnels', () => {
  it('every encapsulation yields the alerts of the plain conversation, with the inner addresses', async () => {
    const plain = conversation(1, [20]);
    const expected = (await scan(plain)).map(key);
    expect(expected.length).toBe(3);
    for (const [name, wrap] of Object.entries(WRAPS)) {
      const tunneled = plain.map((p) => wrap(p.frame, p.tsUs));
      expect((await scan(tunneled)).map(key), name).toEqual(expected);
    }
  });

  it("alerts from inside a tunnel carry Suricata's tunnel object: the outermost packet and the depth", async () => {
    const plain = conversation(1, [20]);
    const direct = await scan(plain);
    expect(direct.every((a) => a.extra?.tunnel === undefined)).toBe(true);
    const viaGre = await scan(plain.map((p) => gre(p.frame, p.tsUs)));
    expect(viaGre.length).toBe(3);
    for (const a of viaGre) expect(a.extra?.tunnel).toEqual({ src_ip: '192.0.2.1', src_port: undefined, dest_ip: '192.0.2.2', dest_port: undefined, proto: 'GRE', depth: 1 });
    const nested = await scan(plain.map((p) => vxlan(gre(p.frame, p.tsUs).frame, p.tsUs)));
    expect(nested[0]!.extra?.tunnel).toMatchObject({ proto: 'UDP', dest_port: VXLAN_PORT, depth: 2 });
  });

  it('nested tunnels are followed, each layer counted', async () => {
    const plain = conversation(2, [7, 30]);
    const expected = (await scan(plain)).map(key);
    const nested = plain.map((p) => vxlan(gre(erspan2(p.frame, p.tsUs).frame, p.tsUs).frame, p.tsUs));
    const stats: { out?: Record<string, number> } = {};
    expect((await scan(nested, stats)).map(key)).toEqual(expected);
    expect(stats.out!['decoder.vxlan']).toBe(plain.length);
    expect(stats.out!['decoder.gre']).toBe(2 * plain.length);
    expect(stats.out!['decoder.erspan']).toBe(plain.length);
  });

  it('property: any chain of encapsulations, any request segmentation, gives the plain alerts', async () => {
    const names = Object.keys(WRAPS);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 60 }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        async (chain, cuts, seed) => {
          const plain = conversation(seed, [...cuts].sort((a, b) => a - b));
          const expected = (await scan(plain)).map(key);
          const wrapped = plain.map((p) => chain.reduce<BuiltPacket>((acc, name) => WRAPS[name]!(acc.frame, acc.tsUs), p));
          expect((await scan(wrapped)).map(key)).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('stops at the layer limit and counts it', async () => {
    let p = conversation(3, [])[3]!; // the request
    for (let i = 0; i < MAX_TUNNEL_LAYERS + 2; i++) p = ipip(p.frame, p.tsUs);
    const stats: { out?: Record<string, number> } = {};
    expect(await scan([p], stats)).toEqual([]);
    expect(stats.out!['decoder.event.too_many_layers']).toBe(1);
  });

  it('Teredo: IPv6 inside UDP from or to port 3544, after an origin indication, each layer counted; with authentication (qualification), plain UDP as in Suricata', async () => {
    const plain = httpConversation({
      client: '[2001:0:4136:e378:8000:63bf:3fff:fdd2]:51000',
      server: '[2001:db8::80]:80',
      seed: 5,
      request: { method: 'GET', uri: '/shell.php?cmd=cat%20/etc/passwd' },
      requestSend: { splitAt: [20] },
      response: { status: 200, body: 'root:x:0:0:root:/root:/bin/bash\n' },
    }).packets();
    const expected = (await scan(plain)).map(key);
    expect(expected.length).toBe(3);
    for (const header of [new Uint8Array(0), ORIGIN_INDICATION]) {
      for (const fromRelay of [false, true]) {
        const stats: { out?: Record<string, number> } = {};
        const tunneled = plain.map((p) => teredo(header, fromRelay)(p.frame, p.tsUs));
        expect((await scan(tunneled, stats)).map(key), `${header.length} ${fromRelay}`).toEqual(expected);
        expect(stats.out!['decoder.teredo']).toBe(plain.length);
      }
    }
    for (const header of [AUTHENTICATION, concatBytes([AUTHENTICATION, ORIGIN_INDICATION])]) {
      const stats: { out?: Record<string, number> } = {};
      expect(await scan(plain.map((p) => teredo(header, false)(p.frame, p.tsUs)), stats)).toEqual([]);
      expect(stats.out!['decoder.teredo'] ?? 0).toBe(0);
    }
  });

  it('packets inside a tunnel get flows apart from native packets of the same addresses and ports', async () => {
    // A session seen natively, and a mirror of it through GRE whose data differs: the mirrored
    // copy is not a retransmission of the native one, it is a flow of its own.
    const mirrored = conversation(6, []);
    const native = httpConversation({
      client: '10.1.1.5:51000',
      server: '10.2.2.9:80',
      seed: 6,
      request: { method: 'GET', uri: '/shell.asp?cmd=cat%20/etc/passwd' },
      response: { status: 200, body: 'root:x:0:0:root:/root:/bin/bash\n' },
    }).packets();
    expect(native.map((p) => p.frame.length)).toEqual(mirrored.map((p) => p.frame.length));
    const both = native.flatMap((p, i) => [p, gre(mirrored[i]!.frame, p.tsUs)]);
    const alerts = await scan(both);
    expect(alerts.filter((a) => a.sid === 1).length).toBe(1);
    const streamAlerts = alerts.filter((a) => a.sid === 2);
    expect(streamAlerts.length).toBe(2);
    expect(streamAlerts[0]!.flowId).not.toBe(streamAlerts[1]!.flowId);
  });

  it('decodeTunnel numbers the layers of nested tunnels', () => {
    const stats = new DecodeStats();
    const p = conversation(7, [])[0]!;
    const outer = decodeBytes(ETHERNET, vxlan(gre(p.frame, p.tsUs).frame, p.tsUs).frame, stats)!;
    expect(outer.tunnelLayer).toBeUndefined();
    const first = decodeTunnel(outer, stats)!;
    expect(first.tunnelLayer).toBe(1);
    expect(decodeTunnel(first, stats)!.tunnelLayer).toBe(2);
  });

  it('outer-layer rules still see the outer packet', async () => {
    const alerts: Alert[] = [];
    const scanner = new Scanner(rulesetOf('alert ip any any -> any any (msg:"gre"; ip_proto:47; sid:9;)'), (a) => alerts.push(a));
    const data = encodePcap(conversation(4, []).map((p) => gre(p.frame, p.tsUs)));
    await scanner.scanCaptureStream(
      (async function* () {
        yield data;
      })(),
      'gre.pcap',
    );
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => a.srcIp === '192.0.2.1' && a.proto === 'GRE')).toBe(true);
  });
});

/** UDP payloads on the Teredo port that are not Teredo: what Suricata's checks turn away. */
function notTeredo(): [number, Uint8Array][] {
  const v6 = (payloadLength: number, nextHeader: number, hopLimit: number, after: number): Uint8Array =>
    concatBytes([bytes(0x60, 0, 0, 0, payloadLength >> 8, payloadLength & 0xff, nextHeader, hopLimit), new Uint8Array(32 + after)]);
  return [
    [TEREDO_PORT, v6(8, 17, 64, 7)], // payload length short of the datagram
    [TEREDO_PORT, v6(8, 17, 64, 9)], // payload length past it
    [TEREDO_PORT, v6(8, 17, 0, 8)], // hop limit 0
    [TEREDO_PORT, v6(4, 0, 64, 4)], // a hop-by-hop header in 4 bytes
    [TEREDO_PORT, concatBytes([bytes(0x45), new Uint8Array(47)])], // IPv4
    [TEREDO_PORT, concatBytes([bytes(0, 2), new Uint8Array(46)])], // neither indication
    [TEREDO_PORT, concatBytes([bytes(0, 1, 200, 200), new Uint8Array(44)])], // authentication longer than the datagram
  ];
}

describe('decodeTunnel on malformed input', () => {
  const outerGre = (payload: Uint8Array) => {
    const stats = new DecodeStats();
    const outer = decodeBytes(ETHERNET, ipPacket(ipDatagram({ src: '192.0.2.1', dst: '192.0.2.2', protocol: PROTO_GRE, payload }), 0).frame, stats)!;
    expect(mayCarryTunnel(outer)).toBe(true);
    return { inner: decodeTunnel(outer, stats), outer, stats };
  };

  it.each([
    ['gre.pkt_too_small', bytes(0, 0, 8)],
    ['gre.wrong_version', bytes(0, 2, 8, 0)],
    ['gre.version0_recur', bytes(0x01, 0, 8, 0)],
    ['gre.version0_flags', bytes(0, 0x08, 8, 0)],
    ['gre.version0_hdr_too_big', bytes(0x30, 0, 8, 0, 0, 0)],
    ['gre.version0_malformed_sre_hdr', bytes(0x40, 0, 8, 0, 0, 0, 0, 0, 0, 1, 0, 9)],
    ['gre.version1_no_key', bytes(0x00, 0x01, 0x88, 0x0b)],
    ['gre.version1_wrong_protocol', bytes(0x20, 0x01, 0x08, 0x00, 0, 0, 0, 0)],
    ['gre.version1_hdr_too_big', bytes(0x30, 0x81, 0x88, 0x0b, 0, 0, 0, 0, 0, 0)],
    ['erspan.header_too_small', bytes(0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x10)],
    ['erspan.unsupported_version', bytes(0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0x70, 0, 0, 0, 0, 0, 0, 0)],
  ])('%s', (event, payload) => {
    const { inner, outer, stats } = outerGre(payload);
    expect(inner).toBeNull();
    expect(outer.events).toContain(event);
    expect(outer.invalid).toBe(true);
    expect(stats.eventCount(event)).toBe(1);
  });

  it('other traffic on the VXLAN, Geneve and Teredo ports is left alone', () => {
    for (const [port, payload] of [
      [VXLAN_PORT, 'not vxlan at all, just text'],
      [VXLAN_PORT, bytes(0x08, 0, 0, 0, 0, 0, 1, 0)], // header with nothing after it
      [GENEVE_PORT, bytes(0xc0, 0, 0x65, 0x58, 0, 0, 0, 0)], // version 3
      [GENEVE_PORT, bytes(0x3f, 0, 0x65, 0x58, 0, 0, 0, 0)], // options longer than the packet
      ...notTeredo(),
    ] as const) {
      const stats = new DecodeStats();
      const outer = decodeBytes(ETHERNET, udpPacket({ src: '192.0.2.1:1000', dst: `192.0.2.2:${port}`, payload, tsUs: 0 }).frame, stats)!;
      expect(decodeTunnel(outer, stats)).toBeNull();
      expect(outer.invalid).toBe(false);
      expect(outer.events).toBeUndefined();
    }
  });

  it('property: arbitrary tunnel payloads never throw and inner packets stay inside the outer bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(PROTO_GRE, PROTO_IPIP, PROTO_IPV6, VXLAN_PORT, GENEVE_PORT, TEREDO_PORT),
        fc.uint8Array({ maxLength: 120 }),
        (kind, payload) => {
          const stats = new DecodeStats();
          const frame =
            kind === VXLAN_PORT || kind === GENEVE_PORT || kind === TEREDO_PORT
              ? udpPacket({ src: '192.0.2.1:1000', dst: `192.0.2.2:${kind}`, payload, tsUs: 0 }).frame
              : ipPacket(ipDatagram({ src: '192.0.2.1', dst: '192.0.2.2', protocol: kind, payload }), 0).frame;
          const outer = decodeBytes(ETHERNET, frame, stats)!;
          const inner = mayCarryTunnel(outer) ? decodeTunnel(outer, stats) : null;
          // Views, not copies: whatever the inner packet holds lies inside the outer frame.
          for (const view of inner === null ? [] : [inner.frame, inner.payload]) {
            if (view.length === 0) continue;
            expect(view.buffer).toBe(outer.frame.buffer);
            expect(view.byteOffset).toBeGreaterThanOrEqual(outer.frame.byteOffset);
            expect(view.byteOffset + view.length).toBeLessThanOrEqual(outer.frame.byteOffset + outer.frame.length);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

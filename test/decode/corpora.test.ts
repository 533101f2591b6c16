import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCaptureFile } from '../../src/decode/capture-reader.js';
import { decodeFrame } from '../../src/decode/decode-frame.js';
import { DecodeStats } from '../../src/decode/stats.js';
import { CORPORA } from '../corpora.js';

/**
 * Every capture of the public corpora, with counts from an independent reader (a separate
 * script walking pcap records and pcapng blocks and the Ethernet/VLAN/raw/null, IPv4 and
 * IPv6 headers with fixed-format unpacking). Columns: file, frames, link types, IPv4 packets,
 * IPv6 packets, TCP, UDP, ICMP (v4 and v6).
 */
const EXPECTED: [string, number, number[], number, number, number, number, number][] = [
  ['honeynet-fc2010-attack-trace/attack-trace.pcap', 348, [1], 348, 0, 348, 0, 0],
  ['ppa-chrissanders/activeosfingerprinting.pcapng', 48, [1], 48, 0, 40, 4, 4],
  ['ppa-chrissanders/blaster.pcap', 18, [1], 18, 0, 18, 0, 0],
  ['ppa-chrissanders/dosattack.pcap', 100, [1], 100, 0, 100, 0, 0],
  ['ppa-chrissanders/hackersview.pcap', 61, [1], 61, 0, 61, 0, 0],
  ['ppa-chrissanders/http_dvwa_directorytraversal.pcapng', 10, [1], 10, 0, 10, 0, 0],
  ['ppa-chrissanders/http_dvwa_sqlinjection.pcapng', 35, [1], 35, 0, 35, 0, 0],
  ['ppa-chrissanders/osfingerprinting.pcap', 36, [1], 36, 0, 0, 0, 36],
  ['ppa-chrissanders/portscan.pcap', 29, [1], 29, 0, 29, 0, 0],
  ['ppa-chrissanders/synscan.pcapng', 2011, [1], 2011, 0, 2011, 0, 0],
  ['ppa-chrissanders/tcp_ports.pcapng', 505, [1], 505, 0, 505, 0, 0],
  ['suricata-verify/tests/alert-distance-within-1/input.pcap', 12, [1], 12, 0, 12, 0, 0],
  ['suricata-verify/tests/alert-no-3whs-established/no-3whs.pcap', 4, [1], 4, 0, 4, 0, 0],
  ['suricata-verify/tests/alert-testmyids-not-established/input.pcap', 1, [1], 1, 0, 1, 0, 0],
  ['suricata-verify/tests/bug-1045/smtpsuricataflowbitsFN.pcap', 19, [1], 19, 0, 19, 0, 0],
  ['suricata-verify/tests/bug-1401-03/80000000-037-PTP_Example_IPv4_HTTP_Session-PUBLIC-tp-01.pcap', 7, [1], 7, 0, 7, 0, 0],
  ['suricata-verify/tests/bug-2769/issue_no_icmp.pcap', 34, [1], 34, 0, 34, 0, 0],
  ['suricata-verify/tests/bug-3286-01-no-evasion/without_evasion.pcap', 7, [1], 7, 0, 7, 0, 0],
  ['suricata-verify/tests/bug-4503/input.pcap', 2, [1], 2, 0, 0, 2, 0],
  ['suricata-verify/tests/bug-4623/input.pcap', 1, [1], 1, 0, 1, 0, 0],
  ['suricata-verify/tests/bug-5162/input.pcap', 3035, [1], 3023, 0, 2997, 21, 0],
  ['suricata-verify/tests/bug-6269-01/input.pcap', 7, [1], 0, 7, 7, 0, 0],
  ['suricata-verify/tests/bug-6402-01/input.pcap', 12, [1], 12, 0, 0, 12, 0],
  ['suricata-verify/tests/bug-814/input.pcap', 7, [1], 0, 7, 7, 0, 0],
  ['suricata-verify/tests/byte-extract-01/input.pcap', 10, [1], 10, 0, 10, 0, 0],
  ['suricata-verify/tests/detect-bytejump-01/input.pcap', 1, [101], 1, 0, 1, 0, 0],
  ['suricata-verify/tests/detect-bytetest-02/input.pcap', 1, [1], 0, 1, 1, 0, 0],
  ['suricata-verify/tests/detect-flowbits/input.pcap', 1, [1], 1, 0, 1, 0, 0],
  ['suricata-verify/tests/detect-http-uri/DetectEngineHttpRawUriTest09/test.fpc.pcap', 5, [0], 5, 0, 5, 0, 0],
  ['suricata-verify/tests/detect-http-uri/DetectEngineHttpRawUriTest21/test.fpc.pcap', 5, [0], 5, 0, 5, 0, 0],
  ['suricata-verify/tests/detect-http-uri/UriTestSig02/test.fpc.pcap', 5, [0], 5, 0, 5, 0, 0],
  ['suricata-verify/tests/detect-itype-prefilter/icmpv4-ping.pcap', 150, [1], 150, 0, 0, 0, 150],
  ['suricata-verify/tests/detect-pcre/detect-pcre-01/input.pcap', 1, [1], 1, 0, 1, 0, 0],
  ['suricata-verify/tests/detect-pcre/detect-pcre-03/input.pcap', 1, [1], 1, 0, 1, 0, 0],
  ['suricata-verify/tests/detect-pcre/detect-pcre-05/input.pcap', 2, [1], 0, 2, 2, 0, 0],
  ['suricata-verify/tests/dns/bug-990/input.pcap', 1, [1], 1, 0, 0, 1, 0],
  ['suricata-verify/tests/engine-state/detect-engine-state-01/input.pcap', 20, [1], 20, 0, 20, 0, 0],
  ['suricata-verify/tests/eve-metadata-01-alert/80000000-037-PTP_Example_IPv4_HTTP_Session-PUBLIC-tp-01-TEST1.pcap', 6, [1], 6, 0, 6, 0, 0],
  ['suricata-verify/tests/flowbit-oring/input.pcap', 10, [1], 10, 0, 10, 0, 0],
  ['suricata-verify/tests/http-close-headers/input.pcap', 10, [1], 10, 0, 10, 0, 0],
  ['suricata-verify/tests/http-encoding-gzip-uncompressed/input.pcap', 7, [1], 7, 0, 7, 0, 0],
  ['suricata-verify/tests/http-raw-header/input.pcap', 12, [1], 12, 0, 12, 0, 0],
  ['suricata-verify/tests/http-uri-spaces/input.pcap', 14, [0], 14, 0, 14, 0, 0],
  ['suricata-verify/tests/like-ip-only-01/krb5-frag.pcap', 52, [1], 52, 0, 52, 0, 0],
  ['suricata-verify/tests/tcp-fastopen-01/tfo.pcap', 16, [1], 16, 0, 16, 0, 0],
  ['suricata-verify/tests/tcp-fastopen-13/tfo.pcap', 8, [1], 8, 0, 8, 0, 0],
  ['suricata-verify/tests/tcp-split-handshake-01-4whs/split-handshake-4whs.pcap', 7, [1], 7, 0, 7, 0, 0],
  ['suricata-verify/tests/threshold/threshold-rule-flow/icmp.pcap', 12, [1], 12, 0, 0, 0, 12],
  ['suricata-verify/tests/uricontent/detect-uricontent-01/input.pcap', 1, [1], 1, 0, 1, 0, 0],
  ['suricata-verify/tests/uricontent/detect-uricontent-03/input.pcap', 1, [1], 1, 0, 1, 0, 0],
  ['xprobe-evilfingers/ICMP_echo_fingerprinting.pcap', 13, [1], 13, 0, 4, 1, 8],
  ['xprobe-evilfingers/xprobe_icmp_d.pcap', 34, [1], 34, 0, 23, 3, 8],
  ['xprobe-evilfingers/xprobe_icmp_m.pcap', 6, [1], 6, 0, 0, 1, 5],
  ['xprobe-evilfingers/xprobe_icmp_udp_scan.pcap', 304, [1], 304, 0, 4, 150, 150],
  ['xprobe-evilfingers/xprobe_tcp_scan_filter.pcap', 328, [1], 328, 0, 313, 7, 8],
];

function findCaptures(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findCaptures(path));
    else if (name.includes('.pcap')) out.push(relative(CORPORA, path));
  }
  return out.sort();
}

describe.skipIf(!existsSync(CORPORA))('public corpora', () => {
  it('lists exactly the captures present', () => {
    expect(findCaptures(CORPORA)).toEqual(EXPECTED.map((e) => e[0]).sort());
  });

  for (const [file, frames, linkTypes, ipv4, ipv6, tcp, udp, icmp] of EXPECTED) {
    it(`reads and decodes ${file}`, () => {
      const stats = new DecodeStats();
      const seenLinkTypes = new Set<number>();
      const counts = { ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0 };
      const result = readCaptureFile(join(CORPORA, file), (f) => {
        seenLinkTypes.add(f.linkType);
        const p = decodeFrame(f.linkType, f, stats);
        if (p === null) return;
        if (p.ip?.version === 4) counts.ipv4++;
        if (p.ip?.version === 6) counts.ipv6++;
        if (p.tcp !== undefined) counts.tcp++;
        if (p.udp !== undefined) counts.udp++;
        if (p.icmp !== undefined) counts.icmp++;
      });
      expect(result.error).toBeUndefined();
      expect(result.frames).toBe(frames);
      expect([...seenLinkTypes].sort((a, b) => a - b)).toEqual(linkTypes);
      expect(counts).toEqual({ ipv4, ipv6, tcp, udp, icmp });
      expect(stats.invalid).toBe(0);
    });
  }
});

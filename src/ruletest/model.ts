/** The test-case model: what a case file says, after parsing. */

export type Side = 'client' | 'server';

/** positive: every named rule must fire; negative: none of them may. */
export type Expectation = 'positive' | 'negative';

/**
 * The server a case's HTTP traffic is aimed at: it decides which URI rewritings still mean the
 * same request (IIS decodes %u, overlong UTF-8 and double escapes and ignores case; others do not).
 */
export type Target = 'any' | 'iis' | 'apache';
export const TARGETS: readonly Target[] = ['any', 'iis', 'apache'];

/**
 * How one send goes on the wire. Offsets are relative to the start of the send, segment and
 * fragment indices to the list the send is cut into.
 */
export interface Delivery {
  /** Stream offsets where a new TCP segment starts (data left over goes in mss-sized segments). */
  split?: number[];
  /** Order in which the segments are sent (a permutation of 0..n-1). */
  order?: number[];
  /** Segments sent a second time, after all of them. */
  dup?: number[];
  /** Byte ranges [start, end) sent again, with the same content, before the peer acknowledges. */
  overlap?: [number, number][];
  /** IP fragment payload sizes (multiples of 8; the rest goes in one more fragment). */
  frag?: number[];
  /** Datagrams only: the order in which the fragments are sent. */
  fragOrder?: number[];
}

export interface SmtpStep {
  /** The client's line, without its CRLF. */
  command: Uint8Array;
  /** The server's answer; undefined: the usual answer for the command. */
  reply?: string;
  /** After DATA: the message as sent (dot-stuffed, each line ending CRLF), without the final ".". */
  message?: Uint8Array;
  /** The answer to the message; undefined: "250 2.0.0 Ok: queued". */
  messageReply?: string;
}

interface SectionBase {
  /** Line of the section header in the case file. */
  line: number;
}

/** An HTTP message (request from the client, response from the server), head and body. */
export interface HttpSection extends SectionBase {
  kind: 'http';
  side: Side;
  data: Uint8Array;
  delivery: Delivery;
}

/** An SMTP client script; the server's replies are filled in. */
export interface SmtpSection extends SectionBase {
  kind: 'smtp';
  steps: SmtpStep[];
  /** The server's greeting (default "220 mail.example.com ESMTP"). */
  banner?: string;
}

/** Bytes one side sends on the case's TCP connection. */
export interface TcpSection extends SectionBase {
  kind: 'tcp';
  side: Side;
  data: Uint8Array;
  delivery: Delivery;
  /** Render as hex (binary payloads). */
  hex?: boolean;
}

export interface UdpSection extends SectionBase {
  kind: 'udp';
  side: Side;
  data: Uint8Array;
  delivery: Delivery;
  hex?: boolean;
}

export interface IcmpSection extends SectionBase {
  kind: 'icmp';
  side: Side;
  type: number;
  code: number;
  data: Uint8Array;
  delivery: Delivery;
  hex?: boolean;
}

export interface LogSection extends SectionBase {
  kind: 'log';
  /** A log format name (as `kanshi scan --log-format` knows them); undefined: detected. */
  format?: string;
  lines: Uint8Array[];
}

export type Section = HttpSection | SmtpSection | TcpSection | UdpSection | IcmpSection | LogSection;
export type StreamSection = HttpSection | SmtpSection | TcpSection;
export type DatagramSection = UdpSection | IcmpSection;

/** Which families of variants `--properties` may generate for a case. */
export interface VariantSelection {
  /** Exact list (`variants: segment fragment`), or undefined for the defaults of the case. */
  only?: string[];
  add: string[];
  remove: string[];
}

export interface TestCase {
  name: string;
  file: string;
  /** Line of the `===` header. */
  line: number;
  sids: number[];
  expect: Expectation;
  /** Positive cases: exactly this many alerts of each sid (default: at least one). */
  count?: number;
  /** Sids that may catch a generated variant in place of the named rules. */
  fallback: number[];
  target: Target;
  client?: string;
  server?: string;
  ttl?: number;
  /** Rule variables for this case (NAME, VALUE). */
  vars: [string, string][];
  variants: VariantSelection;
  /** A capture file (absolute path) instead of sections. */
  pcap?: string;
  /**
   * A weakness the case shows and that is not fixed yet: the case still runs and reports, but
   * its failure does not fail the run.
   */
  knownIssue?: string;
  sections: Section[];
}

/** The kind of input a case describes. */
export type InputKind = 'pcap' | 'log' | 'stream' | 'datagrams';

export function inputKind(c: TestCase): InputKind {
  if (c.pcap !== undefined) return 'pcap';
  const first = c.sections[0];
  if (first === undefined) return 'stream';
  if (first.kind === 'log') return 'log';
  if (first.kind === 'udp' || first.kind === 'icmp') return 'datagrams';
  return 'stream';
}

/** The protocol that decides the default server port and the variants of a stream case. */
export function streamProtocol(c: TestCase): 'http' | 'smtp' | 'tcp' {
  if (c.sections.some((s) => s.kind === 'smtp')) return 'smtp';
  if (c.sections.some((s) => s.kind === 'http')) return 'http';
  return 'tcp';
}

/**
 * The two TCP options the session tracker reads: timestamps (RFC 7323, for PAWS) and TCP Fast
 * Open (RFC 7413, which lets a SYN carry data). Both are read only where they matter (a SYN, a
 * SYN/ACK, the segments of a session that negotiated timestamps), never on every packet.
 *
 * Options are walked as Suricata's DecodeTCPOptions walks them: end of list stops, no-op is one
 * byte, any other option carries its length, and a length below 2 or past the options' end
 * stops the walk (the options after it are not believed).
 */

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_TIMESTAMP = 8;
const OPT_TIMESTAMP_LEN = 10;
const OPT_TFO = 34;
/** Experimental option kinds, TCP Fast Open when they carry its magic number (RFC 6994). */
const OPT_EXP1 = 253;
const OPT_EXP2 = 254;
const TFO_EXP_MAGIC = 0xf989;

/**
 * The timestamp option of the segment last read. One instance is reused for every segment
 * (reading it runs on each segment of a session using timestamps: no object per packet).
 */
export class TimestampOption {
  /** TSval: the sender's clock. */
  val = 0;
  /** TSecr: the latest TSval the sender received from its peer. */
  ecr = 0;

  /** Reads the options' timestamp into val / ecr; false when they carry none. */
  read(o: Uint8Array): boolean {
    if (o.length < OPT_TIMESTAMP_LEN) return false;
    const at = findOption(o, OPT_TIMESTAMP);
    if (at < 0 || o[at + 1] !== OPT_TIMESTAMP_LEN) return false;
    this.val = u32(o, at + 2);
    this.ecr = u32(o, at + 6);
    return true;
  }
}

/**
 * The options carry TCP Fast Open: kind 34 (a cookie request of length 2, or a cookie of 4 to
 * 16 bytes, an even number), or an experimental kind with TFO's magic number, as Suricata's
 * TCP_HAS_TFO reads them.
 */
export function hasFastOpen(o: Uint8Array): boolean {
  let p = 0;
  while (p < o.length) {
    const kind = o[p]!;
    if (kind === OPT_EOL) return false;
    if (kind === OPT_NOP) {
      p++;
      continue;
    }
    const len = optionLength(o, p);
    if (len < 0) return false;
    if (kind === OPT_TFO && (len === 2 || (len >= 6 && len <= 18 && (len & 1) === 0))) return true;
    if ((kind === OPT_EXP1 || kind === OPT_EXP2) && (len === 4 || len === 12) && ((o[p + 2]! << 8) | o[p + 3]!) === TFO_EXP_MAGIC) return true;
    p += len;
  }
  return false;
}

/** Offset of the first option of this kind, or -1. */
function findOption(o: Uint8Array, want: number): number {
  let p = 0;
  while (p < o.length) {
    const kind = o[p]!;
    if (kind === OPT_EOL) return -1;
    if (kind === OPT_NOP) {
      p++;
      continue;
    }
    const len = optionLength(o, p);
    if (len < 0) return -1;
    if (kind === want) return p;
    p += len;
  }
  return -1;
}

/** Length of the multi-byte option at p, or -1 when it is malformed (the walk stops there). */
function optionLength(o: Uint8Array, p: number): number {
  if (p + 1 >= o.length) return -1;
  const len = o[p + 1]!;
  return len < 2 || p + len > o.length ? -1 : len;
}

function u32(o: Uint8Array, p: number): number {
  return ((o[p]! << 24) | (o[p + 1]! << 16) | (o[p + 2]! << 8) | o[p + 3]!) >>> 0;
}

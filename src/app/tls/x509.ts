import { createHash } from 'node:crypto';

/**
 * The parts of an X.509 certificate (DER) that rules inspect, written as Suricata writes them:
 * subject and issuer as "C=US, O=Let's Encrypt, CN=R3" (short attribute names, RDNs joined by
 * ", ", multi-valued RDNs by " + "), the serial as upper-case hex bytes joined by ':', the SHA-1
 * fingerprint as lower-case hex bytes joined by ':'. DER is read with every length checked
 * against its enclosing element; a malformed certificate gives null.
 */
export interface CertificateFields {
  subject: string;
  issuer: string;
  serial: string;
  fingerprint: string;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const INTEGER = 0x02;
const OID = 0x06;
const CONTEXT_0 = 0xa0;

interface Tlv {
  tag: number;
  /** Value bounds. */
  start: number;
  end: number;
}

/** The element at `at` within [at, limit), or null (long-form tags, indefinite or overlong lengths). */
function tlv(b: Uint8Array, at: number, limit: number): Tlv | null {
  if (at + 2 > limit) return null;
  const tag = b[at]!;
  if ((tag & 0x1f) === 0x1f) return null;
  let len = b[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return null;
    len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + b[start + k]!;
    start += n;
  }
  const end = start + len;
  return end > limit ? null : { tag, start, end };
}

export function parseCertificate(der: Uint8Array): CertificateFields | null {
  const cert = tlv(der, 0, der.length);
  if (cert === null || cert.tag !== SEQUENCE) return null;
  const tbs = tlv(der, cert.start, cert.end);
  if (tbs === null || tbs.tag !== SEQUENCE) return null;
  let at = tbs.start;
  let e = tlv(der, at, tbs.end);
  if (e !== null && e.tag === CONTEXT_0) {
    at = e.end;
    e = tlv(der, at, tbs.end);
  }
  if (e === null || e.tag !== INTEGER) return null;
  const serial = hexJoin(der.subarray(e.start, e.end), true);
  const signature = tlv(der, e.end, tbs.end);
  if (signature === null) return null;
  const issuerTlv = tlv(der, signature.end, tbs.end);
  if (issuerTlv === null || issuerTlv.tag !== SEQUENCE) return null;
  const validity = tlv(der, issuerTlv.end, tbs.end);
  if (validity === null) return null;
  const subjectTlv = tlv(der, validity.end, tbs.end);
  if (subjectTlv === null || subjectTlv.tag !== SEQUENCE) return null;
  const issuer = nameText(der, issuerTlv);
  const subject = nameText(der, subjectTlv);
  if (issuer === null || subject === null) return null;
  return { subject, issuer, serial, fingerprint: hexJoin(createHash('sha1').update(der).digest(), false) };
}

function nameText(b: Uint8Array, name: Tlv): string | null {
  const rdns: string[] = [];
  for (let at = name.start; at < name.end; ) {
    const set = tlv(b, at, name.end);
    if (set === null || set.tag !== SET) return null;
    const parts: string[] = [];
    for (let p = set.start; p < set.end; ) {
      const atv = tlv(b, p, set.end);
      if (atv === null || atv.tag !== SEQUENCE) return null;
      const oid = tlv(b, atv.start, atv.end);
      if (oid === null || oid.tag !== OID) return null;
      const value = tlv(b, oid.end, atv.end);
      if (value === null) return null;
      const dotted = oidText(b.subarray(oid.start, oid.end));
      parts.push(`${SHORT_NAMES[dotted] ?? dotted}=${stringValue(value.tag, b.subarray(value.start, value.end))}`);
      p = atv.end;
    }
    rdns.push(parts.join(' + '));
    at = set.end;
  }
  return rdns.join(', ');
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.46': 'dnQualifier',
  '1.2.840.113549.1.9.1': 'Email',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

function oidText(b: Uint8Array): string {
  if (b.length === 0) return '';
  const parts = [Math.floor(Math.min(b[0]!, 80) / 40), b[0]! >= 80 ? b[0]! - 80 : b[0]! % 40];
  let v = 0;
  for (let k = 1; k < b.length; k++) {
    v = v * 128 + (b[k]! & 0x7f);
    if ((b[k]! & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const BMP_STRING = 0x1e;
const UNIVERSAL_STRING = 0x1c;

/** A directory string's text: UTF-16 (BMPString) and UTF-32 (UniversalString) decoded, the rest taken as UTF-8. */
function stringValue(tag: number, v: Uint8Array): string {
  if (tag === BMP_STRING) {
    let s = '';
    for (let k = 0; k + 1 < v.length; k += 2) s += String.fromCharCode((v[k]! << 8) | v[k + 1]!);
    return s;
  }
  if (tag === UNIVERSAL_STRING) {
    let s = '';
    for (let k = 0; k + 3 < v.length; k += 4) s += String.fromCodePoint(Math.min(0x10ffff, ((v[k]! << 24) | (v[k + 1]! << 16) | (v[k + 2]! << 8) | v[k + 3]!) >>> 0));
    return s;
  }
  return Buffer.from(v).toString('utf8');
}

function hexJoin(b: Uint8Array, upper: boolean): string {
  const hex = Buffer.from(b).toString('hex');
  const pairs: string[] = [];
  for (let k = 0; k < hex.length; k += 2) pairs.push(hex.slice(k, k + 2));
  const s = pairs.join(':');
  return upper ? s.toUpperCase() : s;
}

/** The DER certificates of a Certificate handshake body (TLS 1.2 and earlier), or null when malformed. */
export function certificateList(body: Uint8Array): Uint8Array[] | null {
  if (body.length < 3) return null;
  const total = (body[0]! << 16) | (body[1]! << 8) | body[2]!;
  if (3 + total > body.length) return null;
  const out: Uint8Array[] = [];
  for (let at = 3; at < 3 + total; ) {
    if (at + 3 > 3 + total) return null;
    const len = (body[at]! << 16) | (body[at + 1]! << 8) | body[at + 2]!;
    at += 3;
    if (at + len > 3 + total) return null;
    out.push(body.slice(at, at + len));
    at += len;
  }
  return out;
}

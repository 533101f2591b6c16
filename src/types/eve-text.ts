/**
 * Bytes from the wire or a log as an EVE string, the way Suricata's JSON builder writes them
 * (set_string_from_bytes): valid UTF-8 as the text it encodes; anything else byte by byte, ASCII
 * as itself and each byte from 0x80 as the four characters `\xNN`. Decoding as Latin-1 instead
 * turned `/café` into `/cafÃ©` and hid invalid bytes behind look-alike letters.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function eveText(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  try {
    return UTF8.decode(bytes);
  } catch {
    let out = '';
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      out += b < 0x80 ? String.fromCharCode(b) : `\\x${b < 0x10 ? '0' : ''}${b.toString(16)}`;
    }
    return out;
  }
}

/** The same for a string holding one byte per character (a Latin-1 view of raw bytes). */
export function eveTextOfLatin1(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(s) ? eveText(Buffer.from(s, 'latin1')) : s;
}

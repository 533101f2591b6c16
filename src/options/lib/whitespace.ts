/** C isspace(): what Suricata's whitespace transforms treat as whitespace. */
export function isSpace(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

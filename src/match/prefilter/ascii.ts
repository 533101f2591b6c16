/** ASCII case folding as Snort/Suricata apply it for `nocase`: only A-Z fold, every other byte is itself. */
export const FOLD: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
  return t;
})();

export function isAsciiLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

export function hasAsciiLetter(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (isAsciiLetter(bytes[i]!)) return true;
  return false;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eveText, eveTextOfLatin1 } from '../../src/types/eve-text.js';

const bytes = (s: string, enc: BufferEncoding = 'latin1') => new Uint8Array(Buffer.from(s, enc));

describe('eveText (Suricata set_string_from_bytes)', () => {
  it('keeps valid UTF-8 as its text, and writes invalid bytes from 0x80 as \\xNN', () => {
    expect(eveText(bytes('/café/監視', 'utf8'))).toBe('/café/監視');
    expect(eveText(bytes('/caf\xe9/\xff\xfe%c0'))).toBe('/caf\\xe9/\\xff\\xfe%c0');
    expect(eveText(bytes('a\x00\x1fb'))).toBe('a\x00\x1fb');
    expect(eveTextOfLatin1('/caf\xc3\xa9')).toBe('/café');
    expect(eveTextOfLatin1('plain')).toBe('plain');
  });

  it('gives back the bytes: UTF-8 when valid, else each \\xNN is the byte it stands for', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const t = eveText(b);
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(b);
        } catch {
          valid = false;
        }
        const back = valid ? Buffer.from(t, 'utf8') : Buffer.from(t.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
        // A literal "\x" already in ASCII input is ambiguous, as in Suricata's form: skip those.
        if (!valid && Buffer.from(b).includes('\\x')) return;
        expect(Array.from(back)).toEqual(Array.from(b));
      }),
    );
  });
});

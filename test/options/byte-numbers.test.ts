/**
 * How byte_test, byte_jump, byte_extract and byte_math read and combine numbers, checked against
 * Suricata's arithmetic (detect-bytetest.c, detect-bytejump.c, detect-bytemath.c,
 * detect-engine-content-inspection.c).
 */
import { describe, expect, it } from 'vitest';
import { udpPacket } from '../../src/traffic/index.js';
import { scanPackets } from '../match/helpers.js';
import { ok, print } from './helpers.js';

const udp = (payload: string | Uint8Array) => udpPacket({ src: '10.0.0.1:1000', dst: '10.0.0.2:2000', payload, tsUs: 1_000_000 });
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const matches = async (options: string, payload: string | Uint8Array): Promise<boolean> =>
  (await scanPackets(`alert udp any any -> any any (msg:"t"; ${options} sid:1;)`, [udp(payload)])).length === 1;

describe('string without a base', () => {
  it('byte_test and byte_jump let the digits say the base, as strtoull with base 0', async () => {
    expect(await matches('byte_test:3,=,15,0,string;', '017')).toBe(true);
    expect(await matches('byte_test:3,=,17,0,string;', '017')).toBe(false);
    expect(await matches('byte_test:4,=,31,0,string;', '0x1f')).toBe(true);
    expect(await matches('byte_test:3,=,123,0,string;', '123')).toBe(true);
    // "0x" before a non-hex digit is the number 0 (read as octal "0").
    expect(await matches('byte_test:3,=,0,0,string;', '0xg')).toBe(true);
    // 010 is octal 8: the jump lands on X, 8 bytes past the 3 digits.
    expect(await matches('byte_jump:3,0,string; content:"X"; within:1;', '010abcdefghX')).toBe(true);
    // 0x3 is 3: the jump goes from after the 3 characters used to X.
    expect(await matches('byte_jump:4,0,string; content:"X"; within:1;', '0x3ghiX')).toBe(true);
    // byte_extract and byte_math read decimal.
    expect(await matches('byte_extract:3,0,n,string; byte_test:3,=,n,0,string,dec;', '017')).toBe(true);
    expect(await matches('byte_math:bytes 3, offset 0, oper +, rvalue 0, result n, string dec; byte_test:3,=,n,0,string,dec;', '017')).toBe(true);
  });

  it('prints string alone when no base was written', () => {
    expect(ok('byte_test', '3,=,15,0,string')).toMatchObject({ string: 'auto' });
    expect(print('byte_test', ok('byte_test', '3,=,15,0,string'))).toBe('3,=,15,0,string');
    expect(print('byte_test', ok('byte_test', '3,=,15,0,string,dec'))).toBe('3,=,15,0,string,dec');
    expect(print('byte_jump', ok('byte_jump', '3,0,relative,string'))).toBe('3,0,relative,string');
    expect(ok('byte_extract', '3,0,n,string')).toMatchObject({ string: 'dec' });
  });
});

describe('byte_math computes in unsigned 64 bits', () => {
  it('- wraps below 0 to a huge number', async () => {
    expect(await matches('byte_math:bytes 1, offset 0, oper -, rvalue 10, result r; byte_test:1,>,r,1;', hex('05 ff'))).toBe(false);
    expect(await matches('byte_math:bytes 1, offset 0, oper -, rvalue 10, result r; byte_test:1,<,r,1;', hex('05 ff'))).toBe(true);
    // Read as an offset, 2^64 - 5 keeps its low 32 bits, signed: 5 bytes back from the cursor.
    expect(await matches('content:"abcde"; byte_math:bytes 1, offset 0, oper -, rvalue 10, result r, relative; byte_test:1,=,0x62,r,relative;', hex('61 62 63 64 65 05'))).toBe(true);
    // 2 * (5 - 10) is 2^64 - 10.
    expect(
      await matches('byte_math:bytes 1, offset 0, oper -, rvalue 10, result r; byte_math:bytes 1, offset 1, oper *, rvalue r, result s; byte_test:8,=,s,2;', hex('05 02 ff ff ff ff ff ff ff f6')),
    ).toBe(true);
  });

  it('+ and * wrap past 2^64', async () => {
    expect(await matches('byte_math:bytes 8, offset 0, oper +, rvalue 10, result r; byte_test:1,=,r,8;', hex('ff ff ff ff ff ff ff ff 09'))).toBe(true);
    expect(await matches('byte_math:bytes 8, offset 0, oper *, rvalue 2, result r; byte_test:1,=,r,8;', hex('80 00 00 00 00 00 00 01 02'))).toBe(true);
  });

  it('shifts drop the bits past 64 and take the count modulo 64', async () => {
    expect(await matches('byte_math:bytes 1, offset 0, oper <<, rvalue 63, result r; byte_test:8,=,r,1;', hex('03 80 00 00 00 00 00 00 00'))).toBe(true);
    expect(await matches('byte_math:bytes 1, offset 0, oper <<, rvalue 64, result r; byte_test:1,=,r,1;', hex('01 01'))).toBe(true);
    expect(await matches('byte_math:bytes 1, offset 0, oper >>, rvalue 65, result r; byte_test:1,=,r,1;', hex('08 04'))).toBe(true);
  });

  it('a huge result is no position for isdataat', async () => {
    expect(await matches('byte_math:bytes 1, offset 0, oper -, rvalue 10, result r; isdataat:r;', hex('05 ff'))).toBe(false);
    expect(await matches('byte_math:bytes 1, offset 0, oper -, rvalue 10, result r; isdataat:!r;', hex('05 ff'))).toBe(true);
  });

});

describe('variables as positions', () => {
  it('byte_test and byte_jump read a variable offset as an int32', async () => {
    expect(await matches('content:"abcd"; byte_extract:4,0,n,relative; byte_test:1,=,255,n,relative;', hex('61 62 63 64 ff ff ff ff'))).toBe(true);
    // n is -7: byte_jump reads the 02 at 1 and jumps from 2 to 4.
    expect(await matches('content:"a|02|cd"; byte_extract:4,0,n,relative,little; byte_jump:1,n,relative; content:"|f9|"; within:1;', hex('61 02 63 64 f9 ff ff ff'))).toBe(true);
  });

  it('distance and within read a variable as an int32', async () => {
    expect(await matches('content:"abcd"; byte_extract:4,0,n,relative; content:"|ff|"; distance:n; within:1;', hex('61 62 63 64 ff ff ff ff'))).toBe(true);
    // within -1 ends the window before the cursor.
    expect(await matches('content:"abcd"; byte_extract:4,0,n,relative; content:"Q"; within:n;', hex('61 62 63 64 ff ff ff ff 51'))).toBe(false);
    // A window ending before the buffer start wraps to a huge end: within drops out.
    expect(await matches('content:"abcd"; byte_extract:4,0,n,relative; content:"Q"; within:n;', hex('61 62 63 64 ff ff ff f0 51'))).toBe(true);
  });

  it('offset and depth read a variable as an unsigned 32-bit number and add up in 32 bits', async () => {
    // 0x100000002 is offset 2.
    expect(await matches('byte_extract:8,0,n; content:"Z"; offset:n;', hex('00 00 00 01 00 00 00 02 5a'))).toBe(true);
    // offset 1 + depth 0xffffffff is 0 in 32 bits: an empty window.
    expect(await matches('byte_extract:4,0,o; byte_extract:4,4,d; content:"Z"; offset:o; depth:d;', hex('00 00 00 01 ff ff ff ff 5a'))).toBe(false);
    expect(await matches('byte_extract:4,0,o; byte_extract:4,4,d; content:"Z"; offset:o; depth:d;', hex('00 00 00 01 00 00 00 08 5a'))).toBe(true);
  });
});

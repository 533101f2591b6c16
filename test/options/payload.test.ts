import { describe, expect, it } from 'vitest';
import { err, ok, parse, print } from './helpers.js';

describe('byte_test', () => {
  it('parses the four fields and every option', () => {
    expect(ok('byte_test', '4,>,1000,0,relative')).toEqual({ bytes: 4, op: '>', negated: false, value: 1000, offset: 0, relative: true, endian: 'big' });
    expect(ok('byte_test', '2, !&, 0x8000, -2, relative, little')).toEqual({
      bytes: 2, op: '&', negated: true, value: 0x8000, offset: -2, relative: true, endian: 'little',
    });
    expect(ok('byte_test', '5,<=,100,0,string,dec,bitmask 0x3f')).toMatchObject({ op: '<=', string: 'dec', bitmask: 0x3f });
    expect(ok('byte_test', '0,>=,8079,0,string,dec')).toMatchObject({ bytes: 0, string: 'dec' });
    expect(ok('byte_test', '4,!,5,0,dce')).toMatchObject({ op: '=', negated: true, endian: 'dce' });
    expect(ok('byte_test', 'len,=,val,off')).toMatchObject({ bytes: 'len', value: 'val', offset: 'off' });
  });
  it('prints canonically', () => {
    expect(print('byte_test', ok('byte_test', '2, !&, 0x8000, -2, little ,relative'))).toBe('2,!&,32768,-2,relative,little');
    expect(print('byte_test', ok('byte_test', '4,!=,1,0'))).toBe('4,!=,1,0');
    expect(print('byte_test', ok('byte_test', '3,=,1,0,string,hex,bitmask 255'))).toBe('3,=,1,0,string,hex,bitmask 0xFF');
  });
  it('reports problems at the offending field', () => {
    expect(err('byte_test', '4,>,1')).toEqual({ severity: 'error', message: 'byte_test needs bytes, operator, value and offset: write byte_test:4,>,1000,0,relative;', offset: 0, length: 5 });
    expect(err('byte_test', '4,~,1,0')).toEqual({ severity: 'error', message: 'byte_test operator must be one of < > = <= >= & ^ (with ! to negate), not "~"', offset: 2, length: 1 });
    expect(err('byte_test', '12,>,1,0')).toEqual({ severity: 'error', message: 'byte_test byte count 12 is out of range: use 0 to 10', offset: 0, length: 2 });
    expect(err('byte_test', '9,>,1,0')).toEqual({ severity: 'error', message: 'byte_test reads 1 to 8 bytes (more only with string): use 1, 2, 4 or 8', offset: 0, length: 1 });
    expect(err('byte_test', '4,>,1,0,relatve')).toEqual({
      severity: 'error',
      message: 'unknown byte_test option "relatve": use relative, big, little, dce, string,hex|dec|oct, bitmask N',
      offset: 8,
      length: 7,
    });
    expect(err('byte_test', '4,>,1,0,big,little').message).toBe('byte_test has both big and little: keep one byte order');
    expect(err('byte_test', '4,>,1,0,dec').message).toBe('byte_test: dec reads digits and needs string: write string,dec');
    expect(err('byte_test', '4,>,1,0,string,dec,dce').message).toBe('byte_test: dce reads binary numbers; drop string or dce');
  });
});

describe('byte_jump', () => {
  it('parses its options', () => {
    expect(ok('byte_jump', '4,-6,relative,from_beginning,little,post_offset -2,multiplier 2,align')).toEqual({
      bytes: 4, offset: -6, relative: true, endian: 'little', align: true, from: 'beginning', postOffset: -2, multiplier: 2,
    });
    expect(ok('byte_jump', '2,0,from_end')).toMatchObject({ from: 'end' });
    expect(print('byte_jump', ok('byte_jump', '4,12,align, relative, big'))).toBe('4,12,relative,align');
  });
  it('takes a count of 0: a jump by the offsets alone (Suricata and Snort 3 accept it)', () => {
    expect(ok('byte_jump', '0,0,relative,post_offset -7')).toEqual({ bytes: 0, offset: 0, relative: true, endian: 'big', align: false, postOffset: -7 });
    expect(ok('byte_jump', '0,4,from_beginning')).toMatchObject({ bytes: 0, from: 'beginning' });
    expect(ok('byte_jump', '0,0,string,dec,post_offset 3')).toMatchObject({ bytes: 0, string: 'dec', postOffset: 3 });
    expect(print('byte_jump', ok('byte_jump', '0, 0, relative, post_offset -7'))).toBe('0,0,relative,post_offset -7');
    expect(err('byte_jump', '9,0')).toEqual({ severity: 'error', message: 'byte_jump reads 1 to 8 bytes (more only with string): use 1, 2, 4 or 8', offset: 0, length: 1 });
    expect(err('byte_jump', '-1,0').message).toBe('byte_jump byte count -1 is out of range: use 0 to 10');
  });
  it('rejects conflicting options', () => {
    expect(err('byte_jump', '4,0,from_beginning,from_end').message).toBe('byte_jump takes only one of from_beginning and from_end');
    expect(err('byte_jump', '4,0,multiplier x')).toEqual({ severity: 'error', message: 'byte_jump multiplier needs a number from 1 to 65535, not "x"', offset: 15, length: 1 });
    expect(err('byte_jump', '4')).toEqual({ severity: 'error', message: 'byte_jump needs bytes and offset: write byte_jump:4,0,relative;', offset: 0, length: 1 });
  });
});

describe('byte_extract and byte_math', () => {
  it('parse a variable definition', () => {
    expect(ok('byte_extract', '2,0,len,relative,little,align 4,multiplier 4')).toEqual({
      bytes: 2, offset: 0, name: 'len', relative: true, endian: 'little', align: 4, multiplier: 4,
    });
    expect(print('byte_extract', ok('byte_extract', '1, 3, x, string, hex'))).toBe('1,3,x,string,hex');
    expect(err('byte_extract', '2,0,1len')).toEqual({
      severity: 'error',
      message: 'byte_extract variable name "1len" must start with a letter or _ and hold only letters, digits and _',
      offset: 4,
      length: 4,
    });
    expect(err('byte_extract', '2,0,x,align 3').message).toBe('byte_extract align must be 2 or 4');
    expect(ok('byte_math', 'bytes 2, offset 0, oper +, rvalue 10, result total, relative, endian little')).toEqual({
      bytes: 2, offset: 0, oper: '+', rvalue: 10, result: 'total', relative: true, endian: 'little',
    });
    expect(print('byte_math', ok('byte_math', 'oper <<, bytes 1, offset 2, rvalue x, result y, string dec'))).toBe(
      'bytes 1, offset 2, oper <<, rvalue x, result y, string dec',
    );
    expect(err('byte_math', 'bytes 2, offset 0, oper +, rvalue 1').message).toBe(
      'byte_math needs result: write byte_math:bytes 2, offset 0, oper +, rvalue 10, result total;',
    );
  });
});

describe('isdataat, bsize, base64_decode', () => {
  it('parse their values', () => {
    expect(ok('isdataat', '!1, relative')).toEqual({ negated: true, offset: 1, relative: true, rawbytes: false });
    expect(ok('isdataat', 'len')).toEqual({ negated: false, offset: 'len', relative: false, rawbytes: false });
    expect(print('isdataat', ok('isdataat', '! 4,rawbytes,relative'))).toBe('!4,relative,rawbytes');
    expect(err('isdataat', '4,relativ')).toEqual({ severity: 'error', message: 'unknown isdataat option "relativ": use relative or rawbytes', offset: 2, length: 7 });
    expect(err('isdataat', '70000').message).toBe('isdataat 70000 is out of range: use 0 to 65535');
    expect(ok('bsize', '10<>20')).toEqual({ op: '<>', a: 10, b: 20 });
    expect(ok('base64_decode', null)).toEqual({ relative: false });
    expect(ok('base64_decode', 'bytes 10, offset 2, relative')).toEqual({ bytes: 10, offset: 2, relative: true });
    expect(print('base64_decode', { relative: false })).toBeNull();
  });
});

describe('position modifiers and fast_pattern', () => {
  it('parse numbers, variables and bounds', () => {
    expect(ok('offset', '4')).toBe(4);
    expect(ok('distance', '-3')).toBe(-3);
    expect(ok('within', ' len ')).toBe('len');
    expect(err('depth', '0')).toEqual({ severity: 'error', message: 'depth 0 is out of range: use 1 to 65535', offset: 0, length: 1 });
    expect(err('within', '4x')).toEqual({ severity: 'error', message: 'within "4x" is not a number: write digits, e.g. 1', offset: 0, length: 2 });
    expect(err('byte_test', '8,>,18446744073709551615,0')).toEqual({
      severity: 'error',
      message: 'byte_test value 18446744073709551615 is out of range: use 0 to 9007199254740991',
      offset: 4,
      length: 20,
    });
    expect(err('offset', null)).toEqual({ severity: 'error', message: 'offset needs a value: write offset:4;' });
  });
  it('fast_pattern takes nothing, only, or offset,length', () => {
    expect(ok('fast_pattern', null)).toEqual({ kind: 'plain' });
    expect(ok('fast_pattern', 'only')).toEqual({ kind: 'only' });
    expect(ok('fast_pattern', '2,4')).toEqual({ kind: 'chop', offset: 2, length: 4 });
    expect(print('fast_pattern', { kind: 'chop', offset: 2, length: 4 })).toBe('2,4');
    expect(err('fast_pattern', 'first').message).toBe('fast_pattern takes no value, only, or offset,length: write fast_pattern; or fast_pattern:0,4;');
  });
  it('bare modifiers refuse a value', () => {
    expect(ok('nocase', null)).toBe(true);
    expect(err('nocase', 'yes')).toEqual({ severity: 'error', message: 'nocase takes no value: write nocase;', offset: 0, length: 3 });
    expect(err('http_uri', ' x')).toEqual({ severity: 'error', message: 'http_uri takes no value: write http_uri;', offset: 1, length: 1 });
  });
});

describe('values that can never be met', () => {
  it('warns of a byte_test value larger than its bytes can hold, under the value', () => {
    const { diags } = parse('byte_test', '1,>,300,0,relative');
    expect(diags).toEqual([
      { severity: 'warning', message: 'byte_test reads 1 byte, whose value is at most 255, so >300 never holds: the rule can never match; read more bytes or lower the value', offset: 4, length: 3 },
    ]);
    expect(parse('byte_test', '2,=,65536,0').diags.map((d) => d.message)).toEqual([
      'byte_test reads 2 bytes, whose value is at most 65535, so =65536 never holds: the rule can never match; read more bytes or lower the value',
    ]);
    expect(parse('byte_test', '1,<,300,0').diags).toEqual([]);
    expect(parse('byte_test', '1,>=,255,0').diags).toEqual([]);
    expect(parse('byte_test', '3,>,300,0,string,dec').diags).toEqual([]);
  });

  it('rejects a negative offset, as Suricata does; distance may be negative', () => {
    expect(err('offset', '-5')).toEqual({ severity: 'error', message: 'offset -5 is out of range: use 0 to 65535', offset: 0, length: 2 });
    expect(ok('distance', '-5')).toBe(-5);
  });
});

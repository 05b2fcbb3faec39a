import {
  childrenOf,
  contentOf,
  encodeLength,
  integer,
  octetString,
  oid,
  oidToString,
  readElement,
  sequence,
  setOf,
} from 'src/evidence/domain/der';

describe('DER', () => {
  it('encodes short and long lengths', () => {
    expect(encodeLength(5)).toEqual(Buffer.from([5]));
    expect(encodeLength(200)).toEqual(Buffer.from([0x81, 200]));
    expect(encodeLength(70_000)).toEqual(Buffer.from([0x83, 0x01, 0x11, 0x70]));
  });

  it('encodes object identifiers and reads them back', () => {
    expect(oid('1.2.840.113549.1.7.2').toString('hex')).toBe('06092a864886f70d010702');
    for (const dotted of [
      '1.2.840.113549.1.9.16.2.47',
      '2.16.840.1.101.3.4.2.1',
      '1.2.840.10045.4.3.2',
    ]) {
      expect(oidToString(contentOf(oid(dotted), readElement(oid(dotted))))).toBe(dotted);
    }
  });

  it('keeps integers positive with a leading zero when the high bit is set', () => {
    expect(integer(1).toString('hex')).toBe('020101');
    expect(integer(128).toString('hex')).toBe('02020080');
  });

  it('sorts the members of a SET OF by their encodings', () => {
    const long = octetString(Buffer.alloc(3, 0xff));
    const short = octetString(Buffer.alloc(1, 0xff));
    expect(setOf([long, short])).toEqual(setOf([short, long]));
    expect(setOf([long, short]).subarray(2, 2 + short.length)).toEqual(short);
  });

  it('walks nested elements', () => {
    const der = sequence(integer(1), sequence(oid('1.2.3')), octetString(Buffer.from('abc')));
    const [first, second, third] = childrenOf(der, readElement(der));
    expect(contentOf(der, first)).toEqual(Buffer.from([1]));
    expect(childrenOf(der, second)).toHaveLength(1);
    expect(contentOf(der, third).toString()).toBe('abc');
  });

  it('refuses elements that run past their container', () => {
    expect(() => readElement(Buffer.from([0x30, 0x05, 0x02, 0x01]))).toThrow(RangeError);
    expect(() => readElement(Buffer.from([0x30]))).toThrow(RangeError);
  });
});

import { decodeFrontier, encodeFrontier } from 'src/audit/domain/frontier-codec';

describe('stored frontier', () => {
  it('round-trips a list of hashes through one byte string', () => {
    const frontier = [Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)];
    const stored = encodeFrontier(frontier);
    expect(stored).toHaveLength(96);
    expect(decodeFrontier(stored)).toEqual(frontier);
    expect(decodeFrontier(Buffer.alloc(0))).toEqual([]);
  });

  it('refuses bytes that are not whole hashes', () => {
    expect(() => decodeFrontier(Buffer.alloc(33))).toThrow(RangeError);
  });
});

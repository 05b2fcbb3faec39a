import { MAX_BODY_DEPTH, nestsDeeperThan } from 'src/common/http/body-depth';

describe('nestsDeeperThan', () => {
  const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { a: [nested(depth - 1)] });

  it('accepts what the API takes: flat objects, arrays of scalars, scalars', () => {
    expect(nestsDeeperThan({ channels: ['website'], reason: 'x' }, MAX_BODY_DEPTH)).toBe(false);
    expect(nestsDeeperThan('text', MAX_BODY_DEPTH)).toBe(false);
    expect(nestsDeeperThan(null, MAX_BODY_DEPTH)).toBe(false);
    expect(nestsDeeperThan(Buffer.from('%PDF-'), MAX_BODY_DEPTH)).toBe(false);
  });

  it('counts objects and arrays alike, up to the limit included', () => {
    expect(nestsDeeperThan(nested(2), 4)).toBe(false);
    expect(nestsDeeperThan(nested(3), 4)).toBe(true);
  });

  it('checks a nesting far deeper than the call stack allows without overflowing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(nestsDeeperThan(deep, MAX_BODY_DEPTH)).toBe(true);
  });
});

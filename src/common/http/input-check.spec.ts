import { inputProblem, MAX_BODY_DEPTH } from 'src/common/http/input-check';

const TOO_DEEP = { kind: 'too_deep' };
const illFormedAt = (field: string) => ({ kind: 'ill_formed_text', field });

describe('inputProblem: nesting', () => {
  const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { a: [nested(depth - 1)] });

  it('accepts what the API takes: flat objects, arrays of scalars, scalars', () => {
    expect(inputProblem({ channels: ['website'], reason: 'x' }, MAX_BODY_DEPTH)).toBeNull();
    expect(inputProblem('text', MAX_BODY_DEPTH)).toBeNull();
    expect(inputProblem(null, MAX_BODY_DEPTH)).toBeNull();
    expect(inputProblem(Buffer.from('%PDF-'), MAX_BODY_DEPTH)).toBeNull();
  });

  it('counts objects and arrays alike, up to the limit included', () => {
    expect(inputProblem(nested(2), 4)).toBeNull();
    expect(inputProblem(nested(3), 4)).toEqual(TOO_DEEP);
  });

  it('checks a nesting far deeper than the call stack allows without overflowing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(inputProblem(deep, MAX_BODY_DEPTH)).toEqual(TOO_DEEP);
  });
});

describe('inputProblem: text', () => {
  it('accepts any well-formed text, astral characters included', () => {
    expect(inputProblem({ fullName: 'Zoë 😀 𒐆', channels: ['website'], n: 3 })).toBeNull();
    expect(inputProblem(Buffer.from([0xed, 0xa0, 0x80]))).toBeNull();
    expect(inputProblem(null)).toBeNull();
  });

  it('names the field holding a lone surrogate, however deep, or the key that is one', () => {
    expect(inputProblem({ email: '\ud800' })).toEqual(illFormedAt('email'));
    expect(inputProblem({ items: [{ ok: 'a' }, { email: 'x\udc00y' }] })).toEqual(
      illFormedAt('items.1.email'),
    );
    expect(inputProblem({ ['\ud83d']: 1 })).toEqual(illFormedAt('\ud83d'));
    expect(inputProblem('\ud800')).toEqual(illFormedAt(''));
  });
});

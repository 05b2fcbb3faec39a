import { illFormedTextAt } from 'src/common/http/well-formed-text';

describe('illFormedTextAt', () => {
  it('accepts any well-formed text, astral characters included', () => {
    expect(illFormedTextAt({ fullName: 'Zoë 😀 𒐆', channels: ['website'], n: 3 })).toBeNull();
    expect(illFormedTextAt(Buffer.from([0xed, 0xa0, 0x80]))).toBeNull();
    expect(illFormedTextAt(null)).toBeNull();
  });

  it('names the field holding a lone surrogate, however deep, or the key that is one', () => {
    expect(illFormedTextAt({ email: '\ud800' })).toBe('email');
    expect(illFormedTextAt({ items: [{ ok: 'a' }, { email: 'x\udc00y' }] })).toBe('items.1.email');
    expect(illFormedTextAt({ ['\ud83d']: 1 })).toBe('\ud83d');
    expect(illFormedTextAt('\ud800')).toBe('');
  });
});

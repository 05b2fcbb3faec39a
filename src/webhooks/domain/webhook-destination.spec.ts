import { destinationProblem, isPublicAddress } from 'src/webhooks/domain/webhook-destination';

describe('webhook destinations', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd00::1',
    'fc00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'ff02::1',
  ])('refuses the non-public address %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'accepts the public address %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );

  it('needs an http(s) URL without credentials and, unless allowed, a public literal host', () => {
    expect(destinationProblem('https://hooks.example.com/consent', false)).toBeUndefined();
    expect(destinationProblem('not a url', false)).toBe('not_a_url');
    expect(destinationProblem('ftp://example.com/', false)).toBe('not_http');
    expect(destinationProblem('https://user:pw@example.com/', false)).toBe('has_credentials');
    expect(destinationProblem('http://127.0.0.1:8080/hook', false)).toBe('private_address');
    expect(destinationProblem('http://[::1]/hook', false)).toBe('private_address');
    expect(destinationProblem('http://localhost/hook', false)).toBe('private_address');
    expect(destinationProblem('http://127.0.0.1:8080/hook', true)).toBeUndefined();
  });
});

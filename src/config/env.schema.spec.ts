import { validateEnvironment } from 'src/config/env.schema';

describe('environment validation', () => {
  it('accepts an empty environment and applies the defaults', () => {
    const env = validateEnvironment({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('converts numbers given as strings', () => {
    expect(validateEnvironment({ PORT: '8080' }).PORT).toBe(8080);
  });

  it.each([
    ['PORT', 'eighty', /PORT: .*integer/],
    ['PORT', '70000', /PORT/],
    ['DATABASE_URL', 'mysql://localhost/db', /DATABASE_URL: must be a postgres:\/\/ connection URL/],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/],
    ['SMTP_URL', 'mail.example.com', /SMTP_URL/],
    ['PUBLIC_BASE_URL', 'not a url', /PUBLIC_BASE_URL: must be an http\(s\) URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
  ])('refuses %s=%s with one line naming the variable', (name, value, message) => {
    let error: Error | undefined;
    try {
      validateEnvironment({ [name]: value });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message.split('\n')).toHaveLength(1);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildOpenApiDocument } from 'src/openapi';
import { ERROR_CODES } from 'src/common/errors/error-codes';
import { startTestApp, TestApp } from 'test/support/test-app';

const COMMITTED = path.resolve(__dirname, '..', '..', 'docs', 'openapi.json');

describe('OpenAPI document', () => {
  let t: TestApp;
  let generated: ReturnType<typeof buildOpenApiDocument>;

  beforeAll(async () => {
    t = await startTestApp();
    generated = buildOpenApiDocument(t.app);
    if (process.env.UPDATE_OPENAPI === '1') {
      fs.writeFileSync(COMMITTED, `${JSON.stringify(generated, null, 2)}\n`);
    }
  });
  afterAll(() => t.close());

  it('is committed as docs/openapi.json and up to date (run `npm run openapi` after changing the API)', () => {
    const committed: unknown = JSON.parse(fs.readFileSync(COMMITTED, 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(generated)));
  });

  it('documents the bearer scheme, the error shape and every error code', () => {
    expect(generated.components?.securitySchemes?.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const errorSchema = generated.components?.schemas?.ErrorResponseDto as { properties: Record<string, { enum?: string[] }> };
    expect(errorSchema.properties.code.enum).toEqual(Object.keys(ERROR_CODES));
  });

  it('declares roles and 401/403 answers on every /v1 operation', () => {
    const operations = Object.entries(generated.paths)
      .filter(([route]) => route.startsWith('/v1/'))
      .flatMap(([route, item]) => Object.entries(item).map(([method, op]) => ({ route, method, op })));
    expect(operations.length).toBeGreaterThan(0);
    for (const { route, method, op } of operations) {
      const where = `${method.toUpperCase()} ${route}`;
      expect({ where, roles: op['x-roles'] }).toEqual({ where, roles: expect.any(Array) });
      expect({ where, responses: Object.keys(op.responses) }).toEqual({
        where,
        responses: expect.arrayContaining(['401', '403']),
      });
    }
  });
});

import fc from 'fast-check';
import type {
  ApiOperation,
  LinkKind,
  PageRoute,
  QueryParameter,
  SchemaShape,
} from 'test/support/route-catalog';

/** One request as the fuzzer sends it through Fastify's inject. */
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

/** Ids and secrets that exist in the fuzzed database, so some requests reach past the lookups. */
export interface KnownValues {
  uuids: string[];
  signTokens: string[];
  manageTokens: string[];
  emails: string[];
  names: string[];
  csrf: { cookie: string; token: string };
}

const CHANNELS = ['website', 'intranet', 'linkedin', 'instagram', 'x', 'print'];

const NASTY_STRINGS = [
  '',
  ' ',
  '\t\n',
  '\u0000',
  'a\u0000b',
  '\uFEFF',
  '\u202Etxt.exe',
  '\u200B',
  '\uD800',
  '\uDFFF',
  'e\u0301',
  'İıß',
  '💩👨‍👩‍👧‍👦',
  '𝕳𝖊𝖑𝖑𝖔',
  'ﷺ',
  '\u0301'.repeat(300),
  "' OR '1'='1",
  '"; DROP TABLE persons; --',
  "'); SELECT pg_sleep(5); --",
  '../../../../etc/passwd',
  '..%2f..%2f',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  '{{7*7}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${jndi:ldap://x/a}',
  '__proto__',
  'constructor',
  'prototype',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x1F',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '9'.repeat(400),
  'A'.repeat(43),
  'clk_' + 'A'.repeat(43),
  'Z'.repeat(101),
  'user@example.com',
  'a@b',
  '@',
  'x'.repeat(64) + '@' + 'y'.repeat(250) + '.com',
];

const BAD_DATES = [
  '2024-02-30T00:00:00Z',
  '2024-13-01T00:00:00Z',
  '2024-01-01T25:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '2024-01-01',
  '2024-W01-1',
  'yesterday',
  '1700000000',
  '1970-01-01T00:00:00Z',
  '2024-06-01T00:00:00+14:00',
  '2024-06-01T00:00:00-12:00',
  '2024-06-01T00:00:00.123456789Z',
  '2024-06-01T00:00:00',
  '2024-06-01 00:00:00Z',
  'Invalid Date',
];

const NUMBERS_AS_TEXT = [
  '0',
  '-1',
  '1',
  '200',
  '201',
  '2147483648',
  '9007199254740993',
  '1e3',
  '1e309',
  '0.5',
  '-0',
  '0x10',
  '١٢٣',
  ' 5 ',
  '5abc',
  'NaN',
  '',
];

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzzboundary',
  'multipart/form-data',
  'text/csv',
  'application/pdf',
  'application/xml',
  'application/octet-stream',
  '',
];

const hugeString = fc
  .tuple(
    fc.constantFrom('a', 'é', '💩', '<', '\u0000', '9'),
    fc.integer({ min: 1_000, max: 120_000 }),
  )
  .map(([unit, times]) => unit.repeat(times));

export const anyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 },
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 4 },
  { arbitrary: hugeString, weight: 1 },
);

const uuidLike = (known: KnownValues) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...known.uuids), weight: 3 },
    { arbitrary: fc.uuid({ version: 4 }), weight: 3 },
    { arbitrary: fc.uuid(), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        '00000000-0000-0000-0000-000000000000',
        'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
        '123e4567-e89b-12d3-a456-42661417400',
        '123e4567-e89b-12d3-a456-4266141740000',
        '{123e4567-e89b-42d3-a456-426614174000}',
        '123e4567e89b42d3a456426614174000',
      ),
      weight: 1,
    },
    { arbitrary: anyString, weight: 2 },
  );

const dateLike = fc.oneof(
  { arbitrary: fc.constantFrom(...BAD_DATES), weight: 3 },
  {
    arbitrary: fc
      .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
      .map((d) => d.toISOString()),
    weight: 3,
  },
  {
    arbitrary: fc
      .integer({ min: -365, max: 3_650 })
      .map((days) => new Date(Date.now() + days * 86_400_000).toISOString()),
    weight: 3,
  },
  { arbitrary: anyString, weight: 1 },
);

const numberLike = fc.oneof(
  fc.integer(),
  fc.integer({ min: -2, max: 1_000 }),
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER),
);

/** Mostly what the schema asks for (to reach the service), sometimes anything at all. */
function valueFor(schema: SchemaShape, known: KnownValues, depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    anyString,
    numberLike,
    fc.constant(null),
    fc.boolean(),
  );
  return fc.oneof(
    { arbitrary: schemaValue(schema, known, depth), weight: 4 },
    { arbitrary: wrong, weight: 1 },
  );
}

function schemaValue(
  schema: SchemaShape,
  known: KnownValues,
  depth: number,
): fc.Arbitrary<unknown> {
  if (schema.enum && schema.enum.length > 0)
    return fc.oneof(fc.constantFrom(...schema.enum), anyString);
  if (schema.oneOf && schema.oneOf.length > 0)
    return fc.oneof(...schema.oneOf.map((part) => valueFor(part, known, depth + 1)));
  switch (schema.type ?? '') {
    case 'string':
      if (schema.format === 'uuid') return uuidLike(known);
      if (schema.format === 'date-time') return dateLike;
      if (schema.format === 'email')
        return fc.oneof(fc.constantFrom(...known.emails), fc.emailAddress(), anyString);
      return fc.oneof(
        anyString,
        fc.constantFrom(
          ...known.names,
          ...CHANNELS,
          'photo',
          'video',
          'letter',
          'en',
          'fr',
          'csv',
          'jsonl',
          'pdf',
        ),
      );
    case 'integer':
    case 'number':
      return numberLike;
    case 'boolean':
      return fc.oneof(fc.boolean(), fc.constantFrom('true', 1, 0, 'false'));
    case 'array':
      return fc.array(
        depth > 3 ? fc.jsonValue({ maxDepth: 1 }) : valueFor(schema.items ?? {}, known, depth + 1),
        { maxLength: 6 },
      );
    case 'object':
      return depth > 3 ? fc.object({ maxDepth: 1 }) : schemaObject(schema, known, depth + 1);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A value the schema admits, so the request gets past validation and into the service. */
function validValue(
  schema: SchemaShape,
  known: KnownValues,
  depth = 0,
  name = '',
): fc.Arbitrary<unknown> {
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if (schema.oneOf && schema.oneOf.length > 0)
    return fc.oneof(...schema.oneOf.map((part) => validValue(part, known, depth + 1, name)));
  switch (schema.type ?? '') {
    case 'string':
      return validString(schema, known, name);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? 0, max: schema.maximum ?? 1_000 });
    case 'number':
      return fc.integer({
        min: Math.ceil(schema.minimum ?? 0),
        max: Math.floor(schema.maximum ?? 1_000),
      });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.uniqueArray(
        depth > 3 ? fc.string() : validValue(schema.items ?? {}, known, depth + 1, name),
        { minLength: 1, maxLength: 3, comparator: 'SameValueZero' },
      );
    case 'object':
      return depth > 3 ? fc.constant({}) : validObject(schema, known, depth + 1);
    default:
      return fc.string({ maxLength: 20 });
  }
}

function validString(schema: SchemaShape, known: KnownValues, name: string): fc.Arbitrary<string> {
  if (schema.format === 'uuid')
    return fc.oneof(fc.constantFrom(...known.uuids), fc.uuid({ version: 4 }));
  if (schema.format === 'date-time')
    return fc
      .integer({ min: -400, max: 2_000 })
      .map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
  if (schema.format === 'email' || /email/i.test(name)) {
    return fc.oneof(
      fc.constantFrom(...known.emails),
      fc
        .tuple(fc.stringMatching(/^[a-z]{1,12}$/), fc.nat())
        .map(([local, n]) => `${local}.${n}@example.com`),
    );
  }
  if (/url$/i.test(name))
    return fc.constantFrom(
      'https://hooks.example.com/consent',
      'http://127.0.0.1:9/x',
      'https://proof.example.com/shot.png',
    );
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  const min = schema.minLength ?? 0;
  const text = fc
    .string({
      unit: 'grapheme',
      minLength: min,
      maxLength: Math.max(min, Math.min(schema.maxLength ?? 40, 60)),
    })
    .filter((value) => value.trim().length >= min);
  return typeof schema.example === 'string' ? fc.oneof(fc.constant(schema.example), text) : text;
}

function validObject(
  schema: SchemaShape,
  known: KnownValues,
  depth = 0,
): fc.Arbitrary<Record<string, unknown>> {
  const model = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([key, value]) => [
      key,
      validValue(value, known, depth, key),
    ]),
  );
  return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in model) });
}

/** Objects shaped like the schema: any subset of its fields, maybe with fields it does not know. */
function schemaObject(
  schema: SchemaShape,
  known: KnownValues,
  depth = 0,
): fc.Arbitrary<Record<string, unknown>> {
  const model = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([key, value]) => [
      key,
      valueFor(value, known, depth),
    ]),
  );
  const extras = fc.dictionary(
    fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('id', 'isAdmin', 'role', 'status', 'createdAt', 'constructor', 'keyHash'),
    ),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 3 },
  );
  const chaotic = fc
    .tuple(fc.record(model, { requiredKeys: [] }), fc.option(extras, { freq: 4 }))
    .map(([fields, extra]) => ({ ...(extra ?? {}), ...fields }));
  return fc.oneof(
    { arbitrary: validObject(schema, known, depth), weight: 2 },
    { arbitrary: chaotic, weight: 3 },
  );
}

/** JSON that is not: truncated, trailing garbage, prototype pollution attempts, deep nesting. */
const malformedJson = (sample: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.tuple(sample, fc.nat()).map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length))),
    sample.map((text) => `${text}garbage`),
    sample.map((text) => `\uFEFF${text}`),
    fc.constantFrom(
      '{',
      '}',
      '[',
      '{"a":',
      '{"a":1,}',
      "{'a':1}",
      '{"a":1}{"b":2}',
      'nul',
      'tru',
      '"\\ud800"',
      '{"\\u0000":1}',
      '{"__proto__":{"isAdmin":true},"name":"x"}',
      '{"constructor":{"prototype":{"isAdmin":true}}}',
      '{"name":"x","name":"y"}',
      '1e999999',
      '-',
      '0000',
      '{"a":"\\x41"}',
    ),
    fc
      .integer({ min: 1_000, max: 20_000 })
      .map((depth) => `{"name":${'['.repeat(depth)}${']'.repeat(depth)}}`),
    fc
      .integer({ min: 1_000, max: 20_000 })
      .map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  );

/** encodeURIComponent, with lone surrogates (which it cannot encode) replaced. */
const encode = (text: string): string =>
  encodeURIComponent(
    text.replace(/[\uD800-\uDFFF]/g, (unit, offset: number, whole: string) =>
      isPaired(whole, offset) ? unit : '?',
    ),
  );

function isPaired(text: string, offset: number): boolean {
  const code = text.charCodeAt(offset);
  if (code <= 0xdbff) return (text.charCodeAt(offset + 1) & 0xfc00) === 0xdc00;
  return offset > 0 && (text.charCodeAt(offset - 1) & 0xfc00) === 0xd800;
}

const formEncode = (value: unknown): string => {
  if (typeof value !== 'object' || value === null) return encode(String(value));
  return Object.entries(value)
    .flatMap(([key, field]) =>
      (Array.isArray(field) ? field : [field]).map(
        (item) =>
          `${encode(key)}=${encode(typeof item === 'string' ? item : (JSON.stringify(item) ?? ''))}`,
      ),
    )
    .join('&');
};

const multipart = (fields: Record<string, unknown>, withPdf: boolean): string => {
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--fuzzboundary\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${typeof value === 'string' ? value : JSON.stringify(value)}\r\n`,
  );
  if (withPdf)
    parts.push(
      '--fuzzboundary\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n%fuzz\n1 0 obj<<>>endobj\r\n',
    );
  return `${parts.join('')}--fuzzboundary--\r\n`;
};

const pdfLike = fc.oneof(
  fc
    .uint8Array({ maxLength: 2_000 })
    .map((bytes) => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(bytes)])),
  fc.uint8Array({ maxLength: 500 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    Buffer.from(
      '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF',
    ),
    Buffer.from('%PDF-1.7\n/ByteRange [0 10 20 30]\n/Contents <' + 'ff'.repeat(100) + '>\n%%EOF'),
    Buffer.from('%PDF-1.7\n/ByteRange [0 99999999 -5 7]\n/Contents <zz>\n%%EOF'),
    Buffer.alloc(0),
  ),
);

const csvLike = (known: KnownValues) =>
  fc.oneof(
    fc
      .array(
        fc.tuple(
          anyString,
          fc.oneof(anyString, fc.constantFrom(...known.names)),
          fc.oneof(fc.emailAddress(), anyString),
          fc.constantFrom('fr', 'en', 'de', ''),
        ),
        { maxLength: 5 },
      )
      .map((rows) =>
        [
          'externalRef,fullName,email,locale',
          ...rows.map((row) => row.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(',')),
        ].join('\n'),
      ),
    anyString,
    fc.constantFrom(
      'externalRef,fullName,email,locale\n"unterminated',
      'a,b\n1,2,3\n',
      '\uFEFFexternalRef;fullName\n',
      ',,,,\n,,,\n',
    ),
  );

/** Query strings: the declared parameters with odd values, repeated keys, unknown keys and raw junk. */
function queryString(
  parameters: QueryParameter[],
  known: KnownValues,
  extraNames: string[],
): fc.Arbitrary<string> {
  const asTexts = (value: unknown) => (Array.isArray(value) ? value.map(String) : [String(value)]);
  const declared = Object.fromEntries(
    parameters.map((parameter) => [
      parameter.name,
      fc.oneof(
        { arbitrary: validValue(parameter.schema, known, 2).map(asTexts), weight: 4 },
        { arbitrary: schemaValue(parameter.schema, known, 2).map(asTexts), weight: 2 },
        { arbitrary: fc.constantFrom(...NUMBERS_AS_TEXT).map((value) => [value]), weight: 1 },
        { arbitrary: fc.array(anyString, { minLength: 2, maxLength: 3 }), weight: 1 },
      ),
    ]),
  );
  const keys = [...parameters.map((p) => p.name), ...extraNames];
  const extraKey = fc.oneof(
    fc.string({ maxLength: 10 }),
    fc.constantFrom(
      '__proto__',
      'constructor[prototype][isAdmin]',
      'a[b][c]',
      'limit[]',
      '',
      '=',
      ...keys.map((k) => `${k}[]`),
    ),
  );
  const rawTail = fc.oneof(
    { arbitrary: fc.constant(''), weight: 6 },
    {
      arbitrary: fc.constantFrom(
        '&&',
        '&=',
        '=&',
        '%',
        '%zz',
        '%00',
        'a=%ff',
        ';a=1',
        '&&&&&&&&&&',
        '#frag',
        '?again=1',
      ),
      weight: 1,
    },
  );
  const extras = fc.oneof(
    { arbitrary: fc.constant<[string, string][]>([]), weight: 3 },
    {
      arbitrary: fc.array(fc.tuple(extraKey, anyString), { minLength: 1, maxLength: 3 }),
      weight: 1,
    },
  );
  const plain = fc.record(
    Object.fromEntries(
      parameters
        .filter((p) => p.name !== 'cursor')
        .map((p) => [p.name, validValue(p.schema, known, 2, p.name).map(asTexts)]),
    ),
    { requiredKeys: parameters.filter((p) => p.required).map((p) => p.name) },
  );
  const chaotic = fc.tuple(fc.record(declared, { requiredKeys: [] }), extras, rawTail);
  return fc
    .oneof(
      {
        arbitrary: plain.map(
          (fields) => [fields, [], ''] as [typeof fields, [string, string][], string],
        ),
        weight: 1,
      },
      { arbitrary: chaotic, weight: 2 },
    )
    .map(([fields, extras, tail]) => {
      const pairs = [
        ...Object.entries(fields).flatMap(([key, values]) =>
          (values ?? []).map((value) => [key, value] as const),
        ),
        ...extras.map(([key, value]) => [key, value] as const),
      ].map(([key, value]) => `${encode(key)}=${encode(value)}`);
      const query = [pairs.join('&'), tail].filter(Boolean).join('&');
      return query ? `?${query}` : '';
    });
}

/** A path parameter: an existing id, a random one, or something that is not an id at all. */
function pathValue(known: KnownValues, name: string, linkKind?: LinkKind): fc.Arbitrary<string> {
  const odd = fc.oneof(
    anyString.filter((s) => s.length < 3_000).map(encode),
    fc.constantFrom('%zz', '%', '..', '.', '%2e%2e', '%2F', ';', '%00', '%C0%AF', 'a'.repeat(101)),
  );
  const madeUpToken = fc
    .base64String({ minLength: 44, maxLength: 44 })
    .map((s) => s.slice(0, 43).replace(/\+/g, '-').replace(/\//g, '_'));
  const ids =
    name === 'token'
      ? fc.oneof(
          {
            arbitrary: fc.constantFrom(
              ...(linkKind === 'manage' ? known.manageTokens : known.signTokens),
            ),
            weight: 3,
          },
          { arbitrary: fc.constantFrom(...known.signTokens, ...known.manageTokens), weight: 1 },
          { arbitrary: madeUpToken, weight: 1 },
        )
      : uuidLike(known).map(encode);
  return fc.oneof({ arbitrary: ids, weight: 3 }, { arbitrary: odd, weight: 1 });
}

function pathFor(template: string, known: KnownValues, linkKind?: LinkKind): fc.Arbitrary<string> {
  const names = [...template.matchAll(/:(\w+)/g)].map((match) => match[1]);
  if (names.length === 0) return fc.constant(template);
  return fc.tuple(...names.map((name) => pathValue(known, name, linkKind))).map((values) => {
    let index = 0;
    return template.replace(/:(\w+)/g, () => values[index++]);
  });
}

/** Body and content type for a request, biased towards what the route accepts. */
interface FuzzBody {
  contentType?: string;
  payload?: string | Buffer;
}

function bodyFor(
  accepts: string[],
  schema: SchemaShape | undefined,
  known: KnownValues,
): fc.Arbitrary<FuzzBody> {
  const shaped = schema ?? { type: 'object', properties: {} };
  const object = schemaObject(shaped, known);
  const json = object.map((value) => JSON.stringify(value));
  const contentType = fc.oneof(
    {
      arbitrary: fc.constantFrom(...(accepts.length > 0 ? accepts : ['application/json'])),
      weight: 3,
    },
    { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 1 },
  );
  return fc.oneof(
    {
      arbitrary: validObject(shaped, known).map((value) => ({
        contentType: accepts[0] ?? 'application/json',
        payload: JSON.stringify(value),
      })),
      weight: accepts.includes('application/json') ? 4 : 0,
    },
    {
      arbitrary: fc
        .tuple(contentType, json)
        .map(([type, payload]) => ({ contentType: type, payload })),
      weight: 4,
    },
    {
      arbitrary: fc
        .tuple(
          contentType,
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
        )
        .map(([type, payload]) => ({ contentType: type, payload })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(contentType, malformedJson(json))
        .map(([type, payload]) => ({ contentType: type, payload })),
      weight: 2,
    },
    {
      arbitrary: object.map((value) => ({
        contentType: 'application/x-www-form-urlencoded',
        payload: formEncode(value),
      })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(object, fc.boolean())
        .map(([value, pdf]) => ({
          contentType: 'multipart/form-data; boundary=fuzzboundary',
          payload: multipart(value, pdf),
        })),
      weight: 1,
    },
    {
      arbitrary: csvLike(known).map((payload) => ({ contentType: 'text/csv', payload })),
      weight: accepts.includes('text/csv') ? 3 : 1,
    },
    {
      arbitrary: pdfLike.map((payload) => ({ contentType: 'application/pdf', payload })),
      weight: accepts.includes('application/pdf') ? 3 : 1,
    },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...CONTENT_TYPES), anyString)
        .map(([type, payload]) => ({ contentType: type || undefined, payload })),
      weight: 1,
    },
    { arbitrary: fc.constant({ contentType: 'application/json', payload: '' }), weight: 1 },
    { arbitrary: fc.constant<FuzzBody>({}), weight: 1 },
    {
      arbitrary: fc
        .integer({ min: 1_050_000, max: 1_200_000 })
        .map((n) => ({ contentType: 'application/json', payload: `{"name":"${'x'.repeat(n)}"}` })),
      weight: 1,
    },
  );
}

export function apiRequest(
  operation: ApiOperation,
  key: string,
  known: KnownValues,
): fc.Arbitrary<FuzzRequest> {
  const extraNames = ['limit', 'cursor', 'format', 'id'];
  const takesBody = operation.body !== undefined;
  return fc
    .tuple(
      pathFor(operation.path, known),
      queryString(operation.query, known, extraNames),
      takesBody
        ? bodyFor(operation.body?.contentTypes ?? [], operation.body?.schema, known)
        : fc.oneof(
            { arbitrary: fc.constant<FuzzBody>({}), weight: 4 },
            { arbitrary: bodyFor([], undefined, known), weight: 1 },
          ),
    )
    .map(([path, query, body]) => ({
      method: operation.method,
      url: `${path}${query}`,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body.contentType ? { 'content-type': body.contentType } : {}),
      },
      payload: body.payload,
    }));
}

/** The fields the page forms read (sign, withdraw, /me); names and emails are those of real people. */
const pageForm = (known: KnownValues): SchemaShape => ({
  type: 'object',
  properties: {
    channels: { type: 'array', items: { type: 'string', enum: CHANNELS } },
    channel: { type: 'string', enum: CHANNELS },
    fullName: { type: 'string', enum: known.names },
    read: { type: 'string', enum: ['yes', 'no'] },
    email: { type: 'string', format: 'email' },
  },
});

export function pageRequest(route: PageRoute, known: KnownValues): fc.Arbitrary<FuzzRequest> {
  const query = queryString(
    [
      { name: 'done', required: false, schema: { type: 'string', enum: ['granted', 'withdrawn'] } },
      { name: 'consent', required: false, schema: { type: 'string', format: 'uuid' } },
      { name: 'channel', required: false, schema: { type: 'string', enum: CHANNELS } },
      { name: 'lang', required: false, schema: { type: 'string', enum: ['en', 'fr'] } },
    ],
    known,
    [],
  );
  const csrf = fc.oneof(
    {
      arbitrary: fc.constant({ cookie: `_csrf=${known.csrf.cookie}`, token: known.csrf.token }),
      weight: 3,
    },
    {
      arbitrary: fc
        .tuple(anyString, anyString)
        .map(([cookie, token]) => ({ cookie: `_csrf=${encode(cookie)}`, token })),
      weight: 1,
    },
    { arbitrary: fc.constant({ cookie: '', token: '' }), weight: 1 },
  );
  const form = fc
    .tuple(schemaObject(pageForm(known), known), csrf)
    .map(([fields, secret]) => ({
      fields: { ...fields, _csrf: secret.token },
      cookie: secret.cookie,
    }));
  const body =
    route.method === 'POST'
      ? fc.oneof(
          {
            arbitrary: form.map(({ fields, cookie }) => ({
              contentType: 'application/x-www-form-urlencoded',
              payload: formEncode(fields),
              cookie,
            })),
            weight: 5,
          },
          {
            arbitrary: fc
              .tuple(bodyFor(['application/x-www-form-urlencoded'], pageForm(known), known), csrf)
              .map(([b, secret]) => ({ ...b, cookie: secret.cookie })),
            weight: 2,
          },
        )
      : fc.constant<FuzzBody & { cookie: string }>({ cookie: '' });
  return fc
    .tuple(pathFor(route.path, known, route.token), query, body)
    .map(([path, search, { contentType, payload, cookie }]) => ({
      method: route.method,
      url: `${path}${search}`,
      headers: {
        ...(contentType ? { 'content-type': contentType } : {}),
        ...(cookie ? { cookie } : {}),
      },
      payload,
    }));
}

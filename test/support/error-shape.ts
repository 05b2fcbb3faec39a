/** What must never reach a client: stack frames, SQL, driver and ORM internals. */
const LEAKS: { what: string; pattern: RegExp }[] = [
  { what: 'a stack frame', pattern: /\bat \S+ \(?[^)\s]*\.(?:ts|js):\d+/ },
  { what: 'a source path', pattern: /node_modules|\/src\/[\w/-]+\.(?:ts|js)\b/ },
  {
    what: 'SQL',
    pattern: /\b(?:SELECT\s[\s\S]*\sFROM|INSERT\s+INTO|UPDATE\s+"?\w+"?\s+SET|DELETE\s+FROM)\b/i,
  },
  {
    what: 'a PostgreSQL error',
    pattern:
      /QueryFailedError|duplicate key value|violates (?:foreign key|unique|check|not-null) constraint|invalid input syntax for|syntax error at or near|relation "\w+" does not exist|column "\w+"/i,
  },
  {
    what: 'a TypeORM or driver error',
    pattern: /EntityNotFound|TypeORMError|EntityPropertyNotFound|ECONNREFUSED|ETIMEDOUT/,
  },
];

/** The name of the first leak found in `text`, or undefined. */
export function leakIn(text: string): string | undefined {
  return LEAKS.find(({ pattern }) => pattern.test(text))?.what;
}

/**
 * Problems with an error response: it must be the one JSON error shape
 * `{ statusCode, code, message, details?, requestId, errorId? }` and leak nothing. Empty when fine.
 */
export function errorShapeProblems(
  status: number,
  contentType: string | undefined,
  rawBody: string,
): string[] {
  const problems: string[] = [];
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(rawBody) as Record<string, unknown>;
  } catch {
    return [
      `${status} body is not JSON (content-type ${contentType ?? 'none'}): ${rawBody.slice(0, 200)}`,
    ];
  }
  if (!/^application\/json/.test(contentType ?? ''))
    problems.push(`content-type is ${contentType ?? 'missing'}`);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return [...problems, 'body is not an object'];
  if (body.statusCode !== status)
    problems.push(`statusCode ${String(body.statusCode)} differs from the HTTP status ${status}`);
  if (typeof body.code !== 'string' || !/^[A-Z][A-Z_]+$/.test(body.code))
    problems.push(`code ${JSON.stringify(body.code)} is not a stable code`);
  if (typeof body.message !== 'string') problems.push('message is not a string');
  if (typeof body.requestId !== 'string' || body.requestId === '')
    problems.push('requestId is missing');
  const extra = Object.keys(body).filter(
    (key) => !['statusCode', 'code', 'message', 'details', 'requestId', 'errorId'].includes(key),
  );
  if (extra.length > 0) problems.push(`unexpected fields ${extra.join(', ')}`);
  const leak = leakIn(rawBody);
  if (leak) problems.push(`the body carries ${leak}: ${rawBody.slice(0, 300)}`);
  return problems;
}

/**
 * Stable machine codes of every error the API returns, with their HTTP status.
 * Clients branch on `code`; never rename one.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { status: 400, description: 'A field is missing, malformed or out of range; details name it.' },
  MALFORMED_JSON: { status: 400, description: 'The body is not valid JSON.' },
  UNAUTHENTICATED: { status: 401, description: 'No API key, or a key that is unknown or revoked.' },
  FORBIDDEN: { status: 403, description: "The key's role may not use this route." },
  NOT_FOUND: { status: 404, description: 'No such resource or route.' },
  METHOD_NOT_ALLOWED: { status: 405, description: 'The route exists but not with this method.' },
  CONFLICT: { status: 409, description: 'The request conflicts with the current state.' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The body is over the size limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The Content-Type is not accepted by this route.' },
  RATE_LIMITED: { status: 429, description: 'Too many requests; retry later.' },
  INTERNAL_ERROR: { status: 500, description: 'Unexpected failure; the response carries an errorId to quote.' },
  SERVICE_UNAVAILABLE: { status: 503, description: 'A dependency (database) is unavailable; retry later.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

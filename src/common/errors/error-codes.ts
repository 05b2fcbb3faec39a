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
  PERSON_ALREADY_EXISTS: { status: 409, description: 'Another person has this email or externalRef; details name the field and the person.' },
  CONSENT_NOT_PENDING: { status: 409, description: 'The consent was already answered or has lapsed; details give its status.' },
  CONSENT_NOT_GRANTED: { status: 409, description: 'The consent is not granted (or not for these channels); details give its status.' },
  CONSENT_RECENTLY_DECLINED: { status: 409, description: 'The person declined a request recently; asking again needs force and a written justification.' },
  CONSENT_INVALID_TRANSITION: { status: 409, description: 'The consent cannot move to that state from its current one; details give it.' },
  ASSET_ALREADY_EXISTS: { status: 409, description: 'Another asset has this externalRef; details name the field and the asset.' },
  ASSET_NOT_CLEARED: { status: 409, description: 'The asset is not cleared on that channel now; details give one reason per person not covered.' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The body is over the size limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The Content-Type is not accepted by this route.' },
  AUDIT_EXPORT_TOO_LARGE: { status: 400, description: 'Too many events for a PDF report; narrow the filters or export csv or jsonl.' },
  RATE_LIMITED: { status: 429, description: 'Too many requests; retry later.' },
  INTERNAL_ERROR: { status: 500, description: 'Unexpected failure; the response carries an errorId to quote.' },
  SERVICE_UNAVAILABLE: { status: 503, description: 'A dependency (database) is unavailable; retry later.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';

const SAFE_ID = /^[A-Za-z0-9._:-]{8,64}$/;
export const REQUEST_ID_HEADER = 'x-request-id';

/** Keeps a well-formed X-Request-Id from the caller (tracing across services), else makes one. */
export function requestIdFromHeaders(headers: IncomingHttpHeaders): string {
  const given = headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
}

export function requestIdOf(request: FastifyRequest): string {
  return String(request.id);
}

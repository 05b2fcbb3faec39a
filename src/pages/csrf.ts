import CsrfTokens from '@fastify/csrf';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type {} from '@fastify/csrf-protection';

/** @fastify/csrf-protection's defaults: the secret lives in the `_csrf` cookie. */
const CSRF_COOKIE = '_csrf';
// The package's typings resolve to the user-info variant; this service binds no user info.
const tokens = CsrfTokens() as unknown as { verify(secret: string, token: string): boolean };

/** A token for the next form; sets the secret cookie on first use. */
export function newCsrfToken(reply: FastifyReply): string {
  return reply.generateCsrf();
}

/** Checks the form's _csrf field against the cookie secret (double submit), without replying. */
export function csrfIsValid(request: FastifyRequest): boolean {
  const secret = request.cookies[CSRF_COOKIE];
  const body = request.body as Record<string, unknown> | undefined;
  const token = typeof body?._csrf === 'string' ? body._csrf : undefined;
  return Boolean(secret && token && tokens.verify(secret, token));
}

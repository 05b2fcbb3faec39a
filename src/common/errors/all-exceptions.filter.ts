import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from 'src/common/errors/domain-error';
import { ERROR_CODES, ErrorCode } from 'src/common/errors/error-codes';
import { requestIdOf } from 'src/common/http/request-id';

interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
  requestId: string;
  errorId?: string;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Errors Fastify raises while reading a request, before any handler runs. */
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is over the size limit' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Content-Type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', message: 'Body is empty but Content-Type is application/json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', message: 'Body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'VALIDATION_FAILED', message: 'Content-Length does not match the body' },
};

/** busboy's errors for a multipart body it cannot read: plain Errors, known only by their message. */
const MALFORMED_MULTIPART = /^(?:Multipart: Boundary not found|Unexpected end of multipart data|\w+ terminated early due to unexpected end of multipart data)$/;
/** A request body that stopped before its end (a client cut off mid-upload). */
const PREMATURE_CLOSE = 'ERR_STREAM_PREMATURE_CLOSE';

const PG_UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '08006', '08001', '08003', '08004',
]);

/** Maps every error to `{ statusCode, code, message, details?, requestId }`; never leaks a stack. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.respond(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** The error answer, for code that handles a request outside Nest's pipeline. */
  respond(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const body = this.toBody(exception, requestIdOf(request));
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toBody(exception: unknown, requestId: string): ErrorBody {
    if (exception instanceof DomainError) {
      return { statusCode: exception.status, code: exception.code, message: exception.message, details: exception.details, requestId };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Fastify's body-parser errors reach us re-wrapped by Nest, with only the message left.
      const code = status === 400 && /not valid JSON|Unexpected .* JSON|JSON at position/i.test(exception.message)
        ? 'MALFORMED_JSON'
        : CODE_BY_STATUS[status];
      if (code && status < 500) {
        return { statusCode: status, code, message: messageOf(exception), requestId };
      }
      if (status === 503) {
        // Health checks: the body says which dependency is down.
        return { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'A dependency is unavailable', details: exception.getResponse(), requestId };
      }
    }
    const fastify = fastifyError(exception);
    if (fastify) {
      const known = FASTIFY_ERRORS[fastify.code ?? ''];
      if (known) return { statusCode: ERROR_CODES[known.code].status, code: known.code, message: known.message, requestId };
      if (fastify.statusCode >= 400 && fastify.statusCode < 500) {
        // JSON.parse errors surface as a plain SyntaxError with statusCode 400.
        const code = exception instanceof SyntaxError ? 'MALFORMED_JSON' : (CODE_BY_STATUS[fastify.statusCode] ?? 'VALIDATION_FAILED');
        return { statusCode: fastify.statusCode, code, message: code === 'MALFORMED_JSON' ? 'Body is not valid JSON' : 'Bad request', requestId };
      }
    }
    const { message, code } = (typeof exception === 'object' && exception !== null ? exception : {}) as { message?: unknown; code?: unknown };
    if (typeof message === 'string' && MALFORMED_MULTIPART.test(message)) {
      return { statusCode: 400, code: 'VALIDATION_FAILED', message: 'The multipart body is malformed', requestId };
    }
    // Node's own stream errors come from another realm than this module's Error: match the code.
    if (code === PREMATURE_CLOSE) {
      return { statusCode: 400, code: 'VALIDATION_FAILED', message: 'The request body ended early', requestId };
    }
    if (isUnstorableText(exception)) {
      return {
        statusCode: 400,
        code: 'VALIDATION_FAILED',
        message: 'The input holds characters that cannot be stored, such as NUL (\\u0000)',
        requestId,
      };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ requestId }, 'database unavailable');
      return { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'The database is unavailable; retry shortly', requestId };
    }
    const errorId = randomUUID();
    this.logger.error({ err: loggableError(exception), errorId, requestId }, 'unhandled error');
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Unexpected error', requestId, errorId };
  }
}

/**
 * The parts of an unexpected error that may be logged. A database error also carries the query's
 * parameters and the server's detail ("Key (email)=(…)"), which hold personal data and secrets.
 * No prototype, so pino's error serializer takes the type from `name`, not from Object.
 */
function loggableError(exception: unknown): Record<string, unknown> {
  const safe = Object.create(null) as Record<string, unknown>;
  if (typeof exception !== 'object' || exception === null) return Object.assign(safe, { name: typeof exception, message: String(exception) });
  const { name, message, code, stack } = exception as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown };
  return Object.assign(safe, {
    name: typeof name === 'string' ? name : 'Error',
    message: typeof message === 'string' ? message : '',
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof stack === 'string' ? { stack } : {}),
  });
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  return exception.message;
}

function fastifyError(exception: unknown): { statusCode: number; code?: string } | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { statusCode, code } = exception as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number') return undefined;
  return { statusCode, code: typeof code === 'string' ? code : undefined };
}

/** PostgreSQL refuses NUL and invalid byte sequences in text: that is bad input, not a failure. */
function isUnstorableText(exception: unknown): boolean {
  if (typeof exception !== 'object' || exception === null) return false;
  const { code, driverError } = exception as { code?: unknown; driverError?: { code?: unknown } };
  return [code, driverError?.code].some((c) => c === '22021' || c === '22P05');
}

function isDatabaseUnavailable(exception: unknown): boolean {
  if (typeof exception !== 'object' || exception === null) return false;
  const { code, driverError, message } = exception as { code?: unknown; driverError?: { code?: unknown }; message?: unknown };
  const codes = [code, driverError?.code].filter((c): c is string => typeof c === 'string');
  if (codes.some((c) => PG_UNAVAILABLE.has(c))) return true;
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect/i.test(message);
}

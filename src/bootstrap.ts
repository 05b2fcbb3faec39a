import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { IncomingMessage } from 'node:http';
import { NestFactory, Reflector } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AccessGuard } from 'src/api-keys/access.guard';
import { AppModule } from 'src/app.module';
import { AssetsController } from 'src/assets/assets.controller';
import { ClearanceCheckFastPath } from 'src/assets/clearance-check.fast-path';
import { AllExceptionsFilter } from 'src/common/errors/all-exceptions.filter';
import { DomainError, ValidationFailed } from 'src/common/errors/domain-error';
import { inputProblem, MAX_BODY_DEPTH } from 'src/common/http/input-check';
import { REQUEST_ID_HEADER, requestIdFromHeaders } from 'src/common/http/request-id';
import { createValidationPipe } from 'src/common/http/validation';
import { AppConfig } from 'src/config/app-config';
import { PAPER_SCAN_MAX_BYTES } from 'src/consents/consents.controller';
import { VERIFY_BODY_LIMIT_BYTES } from 'src/evidence/evidence.controller';
import { mountApiDocs } from 'src/openapi';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/** A person import of tens of thousands of lines. */
export const CSV_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

export function createHttpAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // X-Forwarded-For is believed only from a proxy on this host or the private network; trusting
    // every peer let any client pick its own address and walk past the per-address rate limits.
    trustProxy: 'loopback, linklocal, uniquelocal',
    genReqId: (req: IncomingMessage) => {
      const id = requestIdFromHeaders(req.headers);
      // pino-http reads the id from the raw request, so logs and error bodies share it.
      (req as typeof req & { id: string }).id = id;
      return id;
    },
    // A URL the router cannot read (bad percent-encoding, an over-long segment) never reaches the
    // exception filter: answer it in the same error shape here.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment is too long' : 'The URL is not validly percent-encoded';
      // Helmet's hooks never ran for it: send the headers that matter for a JSON error.
      void reply
        .status(400)
        .headers({ [REQUEST_ID_HEADER]: request.id, 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'referrer-policy': 'no-referrer' })
        .send({ statusCode: 400, code: 'VALIDATION_FAILED', message, requestId: request.id });
    },
  });
  adapter.getInstance().addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: CSV_BODY_LIMIT_BYTES },
    (_request, body, done) => done(null, body),
  );
  // A PDF to verify against the evidence issued.
  adapter.getInstance().addContentTypeParser(
    'application/pdf',
    { parseAs: 'buffer', bodyLimit: VERIFY_BODY_LIMIT_BYTES },
    (_request, body, done) => done(null, body),
  );
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  adapter.getInstance().addHook('preValidation', (request, _reply, done) => {
    const problem = inputProblem(request.body) ?? inputProblem(request.query);
    if (problem?.kind === 'too_deep') {
      done(new DomainError('VALIDATION_FAILED', `The body nests deeper than ${MAX_BODY_DEPTH} levels`));
    } else if (problem?.kind === 'ill_formed_text') {
      done(ValidationFailed.field(problem.field || 'body', 'must be well-formed Unicode text'));
    } else {
      done();
    }
  });
  return adapter;
}

/** Everything beyond the module graph that production and tests both need. */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  const secureCookies = app.get(AppConfig).publicBaseUrl.startsWith('https:');
  // Security headers on every response; pages send their own strict CSP (the API docs UI needs
  // scripts). helmet's middleware is built once here: @fastify/helmet built it again for every
  // request, a tenth of what a clearance check allocated.
  const securityHeaders = helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
    });
  await app.register(rateLimit, { global: false });
  await app.register(cookie);
  await app.register(csrfProtection, {
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookies },
  });
  await app.register(multipart, { limits: { fileSize: PAPER_SCAN_MAX_BYTES, files: 1 } });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  const errors = new AllExceptionsFilter();
  app.useGlobalFilters(errors);
  new ClearanceCheckFastPath(app.get(AccessGuard), app.get(AssetsController), app.get(Reflector)).install(
    app.getHttpAdapter().getInstance(),
    errors,
  );
  app.enableShutdownHooks();
  mountApiDocs(app);
}

export async function createApp(): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(), createHttpAdapter(), {
    bufferLogs: true,
  });
  await configureApp(app);
  return app;
}

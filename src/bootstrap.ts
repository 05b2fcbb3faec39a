import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from 'src/app.module';
import { AllExceptionsFilter } from 'src/common/errors/all-exceptions.filter';
import { REQUEST_ID_HEADER, requestIdFromHeaders } from 'src/common/http/request-id';
import { createValidationPipe } from 'src/common/http/validation';
import { AppConfig } from 'src/config/app-config';
import { PAPER_SCAN_MAX_BYTES } from 'src/consents/consents.controller';
import { mountApiDocs } from 'src/openapi';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/** A person import of tens of thousands of lines. */
export const CSV_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

export function createHttpAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: true,
    genReqId: (req: IncomingMessage) => {
      const id = requestIdFromHeaders(req.headers);
      // pino-http reads the id from the raw request, so logs and error bodies share it.
      (req as typeof req & { id: string }).id = id;
      return id;
    },
  });
  adapter.getInstance().addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: CSV_BODY_LIMIT_BYTES },
    (_request, body, done) => done(null, body),
  );
  adapter.getInstance().addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  return adapter;
}

/** Everything beyond the module graph that production and tests both need. */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  const secureCookies = app.get(AppConfig).publicBaseUrl.startsWith('https:');
  // Security headers on every response; pages send their own strict CSP (the API docs UI needs scripts).
  await app.register(helmet, { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
  await app.register(rateLimit, { global: false });
  await app.register(cookie);
  await app.register(csrfProtection, {
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: secureCookies },
  });
  await app.register(multipart, { limits: { fileSize: PAPER_SCAN_MAX_BYTES, files: 1 } });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
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

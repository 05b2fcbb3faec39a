import { INestApplication } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from 'src/app.module';
import { AllExceptionsFilter } from 'src/common/errors/all-exceptions.filter';
import { REQUEST_ID_HEADER, requestIdFromHeaders } from 'src/common/http/request-id';
import { createValidationPipe } from 'src/common/http/validation';
import { mountApiDocs } from 'src/openapi';

export const BODY_LIMIT_BYTES = 1024 * 1024;

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
  adapter.getInstance().addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  return adapter;
}

/** Everything beyond the module graph that production and tests both need. */
export function configureApp(app: INestApplication): void {
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
  configureApp(app);
  return app;
}

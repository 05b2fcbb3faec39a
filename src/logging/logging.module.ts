import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from 'src/config/app-config';

/** Link tokens travel in paths (/s/<token>) and queries; keep only the route shape. */
export function redactPath(url: string): string {
  const [path] = url.split('?');
  return path
    .split('/')
    .map((segment) => (segment.length >= 32 ? ':redacted' : segment))
    .join('/');
}

/**
 * Structured JSON logs, one request id per request. Headers, bodies and query strings are never
 * logged, so API keys, link tokens and email addresses cannot reach the log through a request.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          // Fastify assigned the id (see bootstrap); pino-http reuses req.id when present.
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              path: redactPath(req.url),
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          autoLogging: { ignore: (req) => req.url === '/health' },
        },
      }),
    }),
  ],
})
export class LoggingModule {}

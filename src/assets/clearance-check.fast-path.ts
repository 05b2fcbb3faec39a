import { Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccessGuard } from 'src/api-keys/access.guard';
import { AssetsController } from 'src/assets/assets.controller';
import { ClearanceQueryDto } from 'src/assets/dto/clearance.dto';
import { ACCESS_METADATA, AccessRule } from 'src/common/auth/access.decorator';
import type { AllExceptionsFilter } from 'src/common/errors/all-exceptions.filter';
import { uuidPipe } from 'src/common/http/uuid.pipe';
import { createValidationPipe } from 'src/common/http/validation';
import { CHANNELS, Channel } from 'src/consents/domain/consent-scope';

const METHOD = 'GET';
const KNOWN_CHANNELS: ReadonlySet<unknown> = new Set(CHANNELS);
const isChannel = (value: unknown): value is Channel => KNOWN_CHANNELS.has(value);
const URL = '/v1/assets/:id/clearance';

/**
 * GET /v1/assets/:id/clearance, dispatched straight to AssetsController.clearanceOf. It is what
 * marketing asks all day, and Nest's generic per-request machinery (execution context, guard, pipe
 * and interceptor consumers, response controller) cost more CPU than the check itself. The same
 * steps run here explicitly: the route's own @Access rule through AccessGuard, the same pipes for
 * the id and the query, the same exception filter. The route, its rule and its documentation stay
 * declared on the controller; only the handler Fastify calls is swapped when Nest registers it.
 * Built from the application's own instances in configureApp.
 */
export class ClearanceCheckFastPath {
  private readonly idPipe = uuidPipe('id');
  private readonly queryPipe = createValidationPipe();
  private readonly rule: AccessRule | undefined;

  constructor(
    private readonly access: AccessGuard,
    private readonly controller: AssetsController,
    reflector: Reflector,
  ) {
    this.rule = reflector.get<AccessRule | undefined>(
      ACCESS_METADATA,
      // Read for the metadata @Access put on the function, never called from here.
      // eslint-disable-next-line @typescript-eslint/unbound-method
      AssetsController.prototype.clearanceOf,
    );
  }

  /** Must run before Nest registers its routes (app.init). */
  install(fastify: FastifyInstance, errors: AllExceptionsFilter): void {
    fastify.addHook('onRoute', (route) => {
      if (route.url !== URL || route.method !== METHOD) return;
      route.handler = (request, reply) => this.handle(request, reply, errors);
    });
  }

  /**
   * The common question, `?channel=<known channel>` alone, is accepted as it is; anything else
   * goes through the route's validation pipe, which answers every problem by field.
   */
  private async validQuery(query: unknown): Promise<ClearanceQueryDto> {
    const { channel, ...rest } = (query ?? {}) as Record<string, unknown>;
    if (isChannel(channel) && Object.keys(rest).length === 0) return { channel };
    return (await this.queryPipe.transform(query, {
      type: 'query',
      metatype: ClearanceQueryDto,
    })) as ClearanceQueryDto;
  }

  private async handle(
    request: FastifyRequest,
    reply: FastifyReply,
    errors: AllExceptionsFilter,
  ): Promise<FastifyReply> {
    const { id } = request.params as { id: string };
    // As Nest's own handler does: an empty path segment is not a match.
    if (id === '') {
      reply.callNotFound();
      return reply;
    }
    try {
      await this.access.authorize(request, this.rule);
      const assetId = await this.idPipe.transform(id, { type: 'param', data: 'id' });
      const query = await this.validQuery(request.query);
      return await reply.send(await this.controller.clearanceOf(assetId, query));
    } catch (error) {
      errors.respond(error, request, reply);
      return reply;
    }
  }
}
